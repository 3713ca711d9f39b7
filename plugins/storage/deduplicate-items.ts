// io.kestra.plugin.core.storage.DeduplicateItems: keep the last item of each key.
import { z } from "zod";
import { defineTask, NonRetriableError } from "../define.ts";
import { errorText, itemFields, readItemLines, renderWithItem } from "./items.ts";

export default defineTask({
  type: "io.kestra.plugin.core.storage.DeduplicateItems",
  aliases: ["io.kestra.core.tasks.storages.DeduplicateItems"],
  description:
    "Deduplicate a file of items (one JSON or Ion object per line) by a key: `expr` is rendered for each item with its fields " +
    "as variables, and only the last item of each key is kept, in file order. Kept lines are written unchanged to a new .ion " +
    "file (outputs uri, numKeys, processedItemsTotal, droppedItemsTotal).",
  schema: z.object({
    from: z.string().meta({ description: "kestra:/// URI of the file to deduplicate" }),
    expr: z.string().meta({ description: "Expression giving an item's key, rendered with the item's fields as variables, e.g. {{ customer_email }}" }),
  }),
  // Rendered once per item, with the item's fields: never before the task runs.
  raw: ["expr"],
  examples: [{
    title: "One row per customer email (the last one)",
    code: 'id: dedup\ntype: io.kestra.plugin.core.storage.DeduplicateItems\nfrom: "{{ outputs.query.uri }}"\nexpr: "{{ customer_email }}"',
  }],
  async run(ctx, p) {
    const lines = await readItemLines(ctx, p.from);
    const keys: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const fields = itemFields(lines[i]!, i + 1);
      try {
        keys.push(await renderWithItem(ctx, p.expr, fields));
      } catch (e) {
        throw new NonRetriableError(`expr failed on line ${i + 1} (${lines[i]!.slice(0, 200)}): ${errorText(e)}`);
      }
    }
    const last = new Map<string, number>();
    keys.forEach((key, i) => last.set(key, i));
    const kept = lines.filter((_, i) => last.get(keys[i]!) === i);
    const uri = await ctx.storage.put("deduplicated.ion", kept.map((l) => `${l}\n`).join(""));
    return { uri, numKeys: last.size, processedItemsTotal: lines.length, droppedItemsTotal: lines.length - kept.length };
  },
});
