// io.kestra.plugin.core.kv.Get: read a value from the namespace's KV store.
import { z } from "zod";
import { defineTask, NonRetriableError } from "../define.ts";
import { kvKey, kvNamespace, namespaceOf } from "./common.ts";

export default defineTask({
  type: "io.kestra.plugin.core.kv.Get",
  aliases: ["kv.Get"],
  description: "Get the value of a key (outputs.value); a missing key gives no value unless errorOnMissing.",
  schema: z.object({
    key: kvKey(),
    namespace: kvNamespace(),
    errorOnMissing: z.boolean().default(false).meta({ description: "Fail when the key does not exist (or has expired)" }),
  }),
  examples: [{ title: "Read a value", code: "id: get\ntype: io.kestra.plugin.core.kv.Get\nkey: last_date" }],
  async run(ctx, p) {
    const ns = namespaceOf(ctx, p.namespace);
    const found = await ctx.kv.get(ns, p.key);
    if (!found && p.errorOnMissing) throw new NonRetriableError(`key "${p.key}" not found in namespace ${ns}`);
    return { value: found?.value };
  },
});
