// Tokenizer for Pebble expressions (the text between `{{ }}` or inside a `{% %}` tag).
// After a `.`, a member name may contain dashes (`outputs.my-task.value`); the parser
// decides later whether that is a key or a subtraction.
import { TemplateError } from "./errors";

export type TokenType = "num" | "str" | "istr" | "name" | "member" | "op" | "eof";
/** Parts of a double-quoted string with `#{…}` interpolation: text or expression source. */
export type InterpPart = { text: string } | { expr: string };
export interface Token {
  type: TokenType;
  value: string;
  num?: number;
  parts?: InterpPart[];
  start: number;
  end: number;
}

const OPERATORS = ["???", "??", "==", "!=", "<=", ">=", "..", "<", ">", "+", "-", "*", "/", "%", "~", "|", "?", ":",
  "(", ")", "[", "]", "{", "}", ",", ".", "="];
const NAME = /[A-Za-z_$][A-Za-z0-9_$]*/y;
const MEMBER = /[A-Za-z0-9_$]+(?:-[A-Za-z0-9_$]+)*/y;
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (true) {
    while (i < src.length && /\s/.test(src[i])) i++;
    if (i >= src.length) break;
    const prev = tokens[tokens.length - 1];
    const afterDot = prev?.type === "op" && prev.value === ".";
    const re = afterDot ? MEMBER : /\d/.test(src[i]) ? NUMBER : NAME;
    re.lastIndex = i;
    const m = re.exec(src);
    if (m) {
      const type: TokenType = afterDot ? "member" : re === NUMBER ? "num" : "name";
      tokens.push({ type, value: m[0], num: type === "num" ? Number(m[0]) : undefined, start: i, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    const c = src[i];
    if (c === "'" || c === '"') {
      const tok = lexString(src, i);
      tokens.push(tok);
      i = tok.end;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new TemplateError(`Unexpected character '${c}' at position ${i} in expression '${src}'`);
    tokens.push({ type: "op", value: op, start: i, end: i + op.length });
    i += op.length;
  }
  tokens.push({ type: "eof", value: "", start: src.length, end: src.length });
  return tokens;
}

/** Like Pebble, only the quote character and the backslash itself are unescaped. */
function lexString(src: string, start: number): Token {
  const quote = src[start];
  const parts: InterpPart[] = [];
  let text = "";
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === "\\" && (src[i + 1] === quote || src[i + 1] === "\\")) {
      text += src[i + 1];
      i += 2;
    } else if (c === quote) {
      if (parts.length === 0) return { type: "str", value: text, start, end: i + 1 };
      if (text) parts.push({ text });
      return { type: "istr", value: src.slice(start, i + 1), parts, start, end: i + 1 };
    } else if (quote === '"' && c === "#" && src[i + 1] === "{") {
      if (text) parts.push({ text });
      text = "";
      const close = findClosingBrace(src, i + 2);
      parts.push({ expr: src.slice(i + 2, close) });
      i = close + 1;
    } else {
      text += c;
      i++;
    }
  }
  throw new TemplateError(`Unclosed string literal in expression '${src}'`);
}

function findClosingBrace(src: string, from: number): number {
  let depth = 0;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (c === "'" || c === '"') i = lexString(src, i).end - 1;
    else if (c === "{") depth++;
    else if (c === "}" && depth-- === 0) return i;
  }
  throw new TemplateError(`Unclosed '#{' in string of expression '${src}'`);
}
