// The internal steps of ForEachItem (plugins/core/for-each-item.ts). They are registered so the
// engine finds them by type, but no flow writes them: ForEachItem derives them from itself.
import { z } from "zod";
import { defineFlowable, defineTask } from "../define.ts";
import { extensionOf, readLines, splitRows } from "../../src/files/split.ts";
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
    const batches = splitRows(readLines(await ctx.storage.getText(uri)), props.batch, "batch.");
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

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}
