// io.kestra.plugin.core.kv.GetKeys: list keys of the namespace's KV store.
import { z } from "zod";
import { defineTask } from "../define.ts";
import { kvNamespace, namespaceOf } from "./common.ts";

export default defineTask({
  type: "io.kestra.plugin.core.kv.GetKeys",
  aliases: ["kv.GetKeys"],
  description: "List the keys (outputs.keys), optionally only those starting with a prefix.",
  schema: z.object({
    prefix: z.string().optional().meta({ description: "Only keys starting with this" }),
    namespace: kvNamespace(),
  }),
  examples: [{ title: "Keys of one kind", code: "id: keys\ntype: io.kestra.plugin.core.kv.GetKeys\nprefix: report_" }],
  async run(ctx, p) {
    return { keys: await ctx.kv.keys(namespaceOf(ctx, p.namespace), p.prefix ?? "") };
  },
});
