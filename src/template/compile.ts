// Template source → liquidjs templates. Each segment becomes `{% name N %}` with its data in
// a side table, so liquidjs never parses Pebble syntax; block nesting is checked here to give
// Pebble-style messages with line numbers.
import type { Liquid, Template } from "liquidjs";
import { locate, TemplateError } from "./errors";
import { parseExpression } from "./parser";
import { scan } from "./scan";
import { BLOCKS, type Entry, SIMPLE_TAGS, withTable } from "./tags";

const MIDDLE_OF: Record<string, string[]> = {};
for (const [open, b] of Object.entries(BLOCKS)) for (const m of b.middle) (MIDDLE_OF[m] ??= []).push(open);
const END_OF = Object.fromEntries(Object.entries(BLOCKS).map(([open, b]) => [b.end, open]));

export function compile(liquid: Liquid, src: string, keepRaw: boolean): Template[] {
  const entries: Entry[] = [];
  const stack: { name: string; line: number }[] = [];
  let liquidSrc = "";
  for (const seg of scan(src, keepRaw)) {
    if (seg.kind === "text") {
      liquidSrc += `{% tern_text ${entries.push({ kind: "text", text: seg.text }) - 1} %}`;
      continue;
    }
    if (seg.kind === "output") {
      let node;
      try {
        node = parseExpression(seg.expr);
      } catch (e) {
        throw locate(e, seg.snippet, seg.line);
      }
      liquidSrc += `{% tern_out ${entries.push({ kind: "expr", node, snippet: seg.snippet, line: seg.line }) - 1} %}`;
      continue;
    }
    const { name, line } = seg;
    const top = stack[stack.length - 1];
    if (BLOCKS[name]) stack.push({ name, line });
    else if (END_OF[name]) {
      if (top?.name !== END_OF[name]) throw new TemplateError(`Unexpected '${name}' at line ${line}${top ? ` (open '${top.name}' from line ${top.line})` : ""}`);
      stack.pop();
    } else if (MIDDLE_OF[name]) {
      if (!top || !MIDDLE_OF[name].includes(top.name)) throw new TemplateError(`Unexpected '${name}' at line ${line}`);
    } else if (!SIMPLE_TAGS.includes(name)) {
      throw new TemplateError(`Unexpected tag name '${name}' at line ${line}`);
    }
    liquidSrc += `{% ${name} ${entries.push({ kind: "tag", args: seg.args, snippet: seg.snippet, line }) - 1} %}`;
  }
  const open = stack.pop();
  if (open) throw new TemplateError(`Unclosed tag '${open.name}' starting at line ${open.line}`);
  return withTable(entries, () => liquid.parse(liquidSrc));
}
