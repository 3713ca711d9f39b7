// Shared by FilterItems and DeduplicateItems: the items of a line-oriented file (one Ion or JSON
// value per line, as Kestra's internal files and Tern's JSON-lines outputs hold) and expressions
// rendered with an item's fields as variables (Kestra's `runContext.render(expression, item)`).
import { readLines } from "../../src/files/split.ts";
import { parseItemLine } from "../../src/files/ion.ts";
import { NonRetriableError, type TaskContext } from "../define.ts";

/** The lines of a stored file, as Java's readLine splits them. */
export async function readItemLines(ctx: TaskContext, uri: string): Promise<string[]> {
  return readLines(await ctx.storage.getText(uri));
}

/** The fields of line `n` (1-based): a struct/object; an empty line has none. */
export function itemFields(line: string, n: number): Record<string, unknown> {
  if (line.trim() === "") return {};
  let item: unknown;
  try {
    item = parseItemLine(line);
  } catch (e) {
    throw new NonRetriableError(`line ${n} is neither JSON nor Ion: ${(e as Error).message}`);
  }
  if (!item || typeof item !== "object" || Array.isArray(item)) {
    throw new NonRetriableError(`line ${n} is not an object (a JSON object or an Ion struct): ${line.slice(0, 200)}`);
  }
  return item as Record<string, unknown>;
}

/**
 * Render `template` with the item's fields as top-level variables over the task's own. ctx.render
 * reads ctx.vars, so the fields are set there for the call and the previous values put back
 * (as script tasks do with workingDir); items are rendered one at a time.
 */
export async function renderWithItem(ctx: TaskContext, template: string, fields: Record<string, unknown>): Promise<string> {
  const vars = ctx.vars;
  const saved: [string, boolean, unknown][] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (key === "__proto__") continue;
    saved.push([key, Object.hasOwn(vars, key), vars[key]]);
    vars[key] = value;
  }
  try {
    return await ctx.render(template);
  } finally {
    for (const [key, had, value] of saved.reverse()) {
      if (had) vars[key] = value;
      else delete vars[key];
    }
  }
}

/** The text of an error for a message (TemplateError and others). */
export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
