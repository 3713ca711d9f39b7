// The internal steps of ForEachItem (plugins/core/for-each-item.ts). They are registered so the
// engine finds them by type, but no flow writes them: ForEachItem derives them from itself.
import { z } from "zod";
import { defineFlowable, defineTask } from "../define.ts";
import { batchSchema, ITEMS_TYPE, MERGE_TYPE, SPLIT_TYPE } from "./for-each-item.ts";

export const split = defineTask({
  type: SPLIT_TYPE,
  description: "ForEachItem internal step: split `items` into batch files; output `splits` lists their URIs.",
  schema: z.object({ items: z.string(), batch: batchSchema.default({}) }),
  async run(ctx, props) {
    const uri = props.items.trim();
    if (!uri.startsWith("kestra://")) {
      const message = `Unable to split the items from ${uri}, this is not an internal storage URI!`;
      ctx.logger.error(message);
      throw new Error(message);
    }
    const batches = splitRows(readLines(await ctx.storage.getText(uri)), props.batch);
    const ext = extensionOf(uri);
    const uris: string[] = [];
    for (let i = 0; i < batches.length; i++) uris.push(await ctx.storage.put(`${i}${ext}`, batches[i]));
    return { splits: await ctx.storage.put("splits.txt", uris.join("\n")) };
  },
});

export const items = defineFlowable({
  type: ITEMS_TYPE,
  description: "ForEachItem internal step: one subflow execution per batch (run by the executor).",
  schema: z.looseObject({}),
  children: () => [],
  plan: async () => ({ branches: [], concurrency: 0 }),
  special: "forEachItem",
});

export const merge = defineTask({
  type: MERGE_TYPE,
  description: "ForEachItem internal step: gather the subflows' outputs, one line each, into `subflowOutputs`.",
  schema: z.object({ itemsTaskId: z.string() }),
  raw: ["itemsTaskId"],
  async run(ctx, props) {
    // The `_items` outputs of this iteration (keyed by the enclosing loop values, outermost first).
    const values = ((ctx.vars.parents ?? []) as { taskrun: { value: string } }[]).map((p) => p.taskrun.value).reverse();
    let node = (ctx.vars.outputs as Record<string, unknown>)[props.itemsTaskId] as Record<string, unknown> | undefined;
    for (const v of values) node = node?.[v] as Record<string, unknown> | undefined;
    const base = node?.subflowOutputsBaseUri;
    const count = Number(node?.numberOfBatches ?? 0);
    if (typeof base !== "string" || !count) return; // there were no subflow executions
    const parts: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const uri = `kestra://${base}/${i}/outputs.ion`;
      if (await ctx.storage.exists(uri)) parts.push(await ctx.storage.get(uri));
    }
    if (!parts.length) return;
    return { subflowOutputs: await ctx.storage.put("outputs.ion", concat(parts)) };
  },
});

/** Lines as Java's readLine sees them: \n, \r\n or \r end a line; a last terminator adds none. */
export function readLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (/[\r\n]$/.test(text)) lines.pop();
  return lines;
}

type Batch = z.infer<typeof batchSchema>;

/** Kestra's StorageService.split: regexPattern, else bytes, else partitions, else rows (default 1). */
export function splitRows(lines: string[], batch: Batch): string[] {
  const sep = batch.separator ?? "\n";
  if (batch.regexPattern !== undefined) {
    const re = new RegExp(batch.regexPattern);
    const groups = new Map<string, string>();
    for (const line of lines) {
      const key = re.exec(line)?.[1];
      if (key !== undefined) groups.set(key, (groups.get(key) ?? "") + line + sep);
    }
    return [...groups.values()];
  }
  if (batch.bytes !== undefined) {
    const limit = parseBytes(batch.bytes);
    return chunk(lines, sep, (bytes) => bytes >= limit);
  }
  if (batch.partitions !== undefined) {
    const n = positiveInt(batch.partitions, "partitions");
    const parts: string[] = Array(n).fill("");
    lines.forEach((line, i) => (parts[i % n] += line + sep));
    return parts.filter((p) => p.length > 0);
  }
  const rows = positiveInt(batch.rows ?? 1, "rows");
  return chunk(lines, sep, (_, count) => count >= rows);
}

/** Start a new batch before a row when `full(bytes, rows)` holds for the current one. */
function chunk(lines: string[], sep: string, full: (bytes: number, rows: number) => boolean): string[] {
  const out: string[] = [];
  let current: string | undefined;
  let bytes = 0;
  let rows = 0;
  const enc = new TextEncoder();
  for (const line of lines) {
    if (current === undefined || full(bytes, rows)) {
      if (current !== undefined) out.push(current);
      current = "";
      bytes = 0;
      rows = 0;
    }
    const row = line + sep;
    current += row;
    bytes += enc.encode(row).byteLength;
    rows++;
  }
  if (current !== undefined) out.push(current);
  return out;
}

/** Micronaut's readable sizes: 512, 10KB, 5MB, 1GB (powers of 1024). */
export function parseBytes(text: string): number {
  const m = /^\s*(\d+)\s*(KB|MB|GB)?\s*$/i.exec(text);
  if (!m) throw new Error(`Invalid size with value '${text}'`);
  const unit = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[(m[2] ?? "").toUpperCase() as "KB"] ?? 1;
  return Number(m[1]) * unit;
}

function positiveInt(v: number | string, name: string): number {
  const n = typeof v === "number" ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < 1) throw new Error(`batch.${name} must be a positive integer, got '${v}'`);
  return n;
}

function extensionOf(uri: string): string {
  const name = uri.split("?")[0].split("/").pop() ?? "";
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot) : ".tmp";
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}
