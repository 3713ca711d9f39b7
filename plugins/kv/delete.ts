// io.kestra.plugin.core.kv.Delete: remove a key from the namespace's KV store.
import { z } from "zod";
import { defineTask, NonRetriableError } from "../define.ts";
import { kvKey, kvNamespace, namespaceOf } from "./common.ts";

export default defineTask({
  type: "io.kestra.plugin.core.kv.Delete",
  aliases: ["kv.Delete"],
  description: "Delete a key (outputs.deleted tells whether it existed).",
  schema: z.object({
    key: kvKey(),
    namespace: kvNamespace(),
    errorOnMissing: z.boolean().default(false).meta({ description: "Fail when the key does not exist" }),
  }),
  examples: [{ title: "Forget a value", code: "id: forget\ntype: io.kestra.plugin.core.kv.Delete\nkey: last_date" }],
  async run(ctx, p) {
    const ns = namespaceOf(ctx, p.namespace);
    const deleted = await ctx.kv.delete(ns, p.key);
    if (!deleted && p.errorOnMissing) throw new NonRetriableError(`key "${p.key}" not found in namespace ${ns}`);
    return { deleted };
  },
});
