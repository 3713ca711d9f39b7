// io.kestra.plugin.core.kv.PurgeKV: delete KV entries across namespaces, expired ones by default.
import { z } from "zod";
import { defineTask, NonRetriableError } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.kv.PurgeKV",
  description:
    "Delete KV entries of `namespaces` (and their children, `includeChildNamespaces`) or of the namespaces matching " +
    "`namespacePattern` (a glob), optionally only keys matching `keyPattern`; only expired ones unless " +
    "`expiredOnly: false`. A flow purges its own namespace and those below it; a flow in `system` may purge all.",
  schema: z.object({
    namespaces: z.array(z.string()).optional(),
    namespacePattern: z.string().optional(),
    includeChildNamespaces: z.boolean().default(true),
    keyPattern: z.string().optional(),
    expiredOnly: z.boolean().optional(),
    behavior: z.looseObject({ type: z.literal("key").optional(), expiredOnly: z.boolean().optional() }).optional(),
  }).refine((p) => !(p.namespaces?.length && p.namespacePattern), { message: "`namespaces` and `namespacePattern` cannot be used together", path: ["namespacePattern"] }),
  examples: [{ title: "Expired keys of a namespace tree (a flow in system)", code: "id: purge_kv\ntype: io.kestra.plugin.core.kv.PurgeKV\nnamespaces: [company]\nexpiredOnly: true" }],
  async run(ctx, p) {
    if (!ctx.records) throw new NonRetriableError("the KV store cannot be purged in this context");
    // The deprecated expiredOnly wins over behavior, as in Kestra.
    const expiredOnly = p.expiredOnly ?? p.behavior?.expiredOnly ?? true;
    const size = await ctx.records.purgeKv({
      namespaces: p.namespaces, includeChildNamespaces: p.includeChildNamespaces,
      namespacePattern: p.namespacePattern, keyPattern: p.keyPattern, expiredOnly,
    });
    ctx.logger.info(`Purged ${size} KV entr${size === 1 ? "y" : "ies"}`);
    return { size };
  },
});
