// Splits a Pebble template into text, `{{ output }}` and `{% tag %}` segments. Comments
// `{# #}` vanish, `{% raw %}` bodies become text, and `-` whitespace control is applied here,
// so later stages never see Pebble delimiters inside text.
import { TemplateError } from "./errors";

export type Segment =
  | { kind: "text"; text: string }
  | { kind: "output"; expr: string; snippet: string; line: number }
  | { kind: "tag"; name: string; args: string; snippet: string; line: number };

const RAW_END: Record<string, RegExp> = { raw: /\{%(-?)\s*endraw\s*(-?)%\}/g, verbatim: /\{%(-?)\s*endverbatim\s*(-?)%\}/g };

export function hasMarkup(template: string): boolean {
  return template.includes("{{") || template.includes("{%") || template.includes("{#");
}

/** `keepRaw` leaves `{% raw %}…{% endraw %}` in the output (for recursive rendering). */
export function scan(src: string, keepRaw = false): Segment[] {
  const out: Segment[] = [];
  let trimNext = false;
  const pushText = (text: string) => {
    if (trimNext) text = text.replace(/^\s+/, "");
    trimNext = false;
    if (text) out.push({ kind: "text", text });
  };
  const trimPrevious = () => {
    const last = out[out.length - 1];
    if (last?.kind === "text") {
      last.text = last.text.replace(/\s+$/, "");
      if (!last.text) out.pop();
    }
  };
  let i = 0;
  while (i < src.length) {
    const open = nextOpener(src, i);
    if (open < 0) {
      pushText(src.slice(i));
      break;
    }
    pushText(src.slice(i, open));
    const line = lineOf(src, open);
    const kind = src[open + 1];
    if (kind === "#") {
      const end = src.indexOf("#}", open + 2);
      if (end < 0) throw new TemplateError(`Unclosed comment starting at line ${line}`);
      i = end + 2;
      continue;
    }
    const close = findClose(src, open + 2, kind === "{" ? "}}" : "%}", line);
    const snippet = src.slice(open, close + 2);
    let body = src.slice(open + 2, close);
    if (body.startsWith("-")) {
      body = body.slice(1);
      trimPrevious();
    }
    const trimRight = body.endsWith("-");
    if (trimRight) body = body.slice(0, -1);
    i = close + 2;
    if (kind === "{") {
      if (!body.trim()) throw new TemplateError(`Empty expression '${snippet}' at line ${line}`);
      out.push({ kind: "output", expr: body, snippet, line });
      trimNext = trimRight;
      continue;
    }
    const m = /^\s*([A-Za-z_]\w*)/.exec(body);
    if (!m) throw new TemplateError(`Missing tag name in '${snippet}' at line ${line}`);
    const name = m[1];
    if (RAW_END[name]) {
      const endRe = RAW_END[name];
      endRe.lastIndex = i;
      const end = endRe.exec(src);
      if (!end) throw new TemplateError(`Unclosed '${name}' tag starting at line ${line}`);
      let text = src.slice(i, end.index);
      if (trimRight) text = text.replace(/^\s+/, "");
      if (end[1]) text = text.replace(/\s+$/, "");
      if (text || keepRaw) out.push({ kind: "text", text: keepRaw ? snippet + text + end[0] : text });
      trimNext = end[2] === "-";
      i = end.index + end[0].length;
      continue;
    }
    out.push({ kind: "tag", name, args: body.slice(m[0].length).trim(), snippet, line });
    trimNext = trimRight;
  }
  return out;
}

function nextOpener(src: string, from: number): number {
  for (let i = src.indexOf("{", from); i >= 0; i = src.indexOf("{", i + 1)) {
    const c = src[i + 1];
    if (c === "{" || c === "%" || c === "#") return i;
  }
  return -1;
}

/** Position of the closing delimiter, skipping string literals and nested `{ }` maps. */
function findClose(src: string, from: number, closer: string, line: number): number {
  let depth = 0;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (c === "'" || c === '"') {
      i++;
      while (i < src.length && src[i] !== c) i += src[i] === "\\" ? 2 : 1;
    } else if (depth === 0 && src.startsWith(closer, i)) return i;
    else if (c === "{") depth++;
    else if (c === "}" && depth > 0) depth--;
  }
  throw new TemplateError(`Unclosed '${closer === "}}" ? "{{" : "{%"}' starting at line ${line}`);
}

function lineOf(src: string, pos: number): number {
  let line = 1;
  for (let i = src.indexOf("\n"); i >= 0 && i < pos; i = src.indexOf("\n", i + 1)) line++;
  return line;
}
