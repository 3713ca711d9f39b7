// io.kestra.plugin.core.storage.FilterItems: keep or drop the items of a file by a per-item expression.
import { z } from "zod";
import { defineTask, isTruthy, NonRetriableError } from "../define.ts";
import { errorText, itemFields, readItemLines, renderWithItem } from "./items.ts";

const FILTER_TYPES = ["INCLUDE", "EXCLUDE"] as const;

export default defineTask({
  type: "io.kestra.plugin.core.storage.FilterItems",
  aliases: ["io.kestra.core.tasks.storages.FilterItems"],
  description:
    "Filter a file of items (one JSON or Ion object per line) with an expression evaluated on each item, whose fields are " +
    "variables (`{{ price > 100 }}`). A truthy result applies `filterType` (INCLUDE keeps the item, EXCLUDE drops it), a falsy " +
    "one the opposite; an expression that fails (missing field, bad operands) follows `errorOrNullBehavior`. Kept lines are " +
    "written unchanged to a new .ion file (outputs uri, processedItemsTotal, droppedItemsTotal).",
  schema: z.object({
    from: z.string().meta({ description: "kestra:/// URI of the file to filter" }),
    filterCondition: z.string().meta({ description: "Expression rendered for each item, with the item's fields as variables" }),
    filterType: z.enum(FILTER_TYPES).default("INCLUDE").meta({ description: "What a truthy condition does: INCLUDE or EXCLUDE the item" }),
    errorOrNullBehavior: z
      .enum(["FAIL", "INCLUDE", "EXCLUDE"])
      .default("FAIL")
      .meta({ description: "When the expression fails on an item: FAIL the task, INCLUDE or EXCLUDE the item" }),
  }),
  // Rendered once per item, with the item's fields: never before the task runs.
  raw: ["filterCondition"],
  examples: [{
    title: "Keep the orders of product 20",
    code: [
      "id: filter",
      "type: io.kestra.plugin.core.storage.FilterItems",
      'from: "{{ outputs.query.uri }}"',
      'filterCondition: "{{ product_id == 20 }}"',
      "filterType: INCLUDE",
      "errorOrNullBehavior: EXCLUDE",
    ].join("\n"),
  }],
  async run(ctx, p) {
    const lines = await readItemLines(ctx, p.from);
    const kept: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const fields = itemFields(line, i + 1);
      let action: string;
      try {
        const match = isTruthy(await renderWithItem(ctx, p.filterCondition, fields));
        action = match ? p.filterType : p.filterType === "INCLUDE" ? "EXCLUDE" : "INCLUDE";
      } catch (e) {
        if (p.errorOrNullBehavior === "FAIL") {
          throw new NonRetriableError(`filterCondition failed on line ${i + 1} (${line.slice(0, 200)}): ${errorText(e)}`);
        }
        action = p.errorOrNullBehavior;
      }
      if (action === "INCLUDE") kept.push(`${line}\n`);
    }
    const uri = await ctx.storage.put("filtered.ion", kept.join(""));
    return { uri, processedItemsTotal: lines.length, droppedItemsTotal: lines.length - kept.length };
  },
});
