// io.kestra.plugin.core.storage.Delete: remove a stored file.
import { z } from "zod";
import { defineTask, NonRetriableError } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.storage.Delete",
  aliases: ["io.kestra.core.tasks.storages.Delete"],
  description: "Delete a file from internal storage (outputs uri and deleted).",
  schema: z.object({
    uri: z.string().meta({ description: "kestra:/// URI" }),
    errorOnMissing: z.boolean().default(false).meta({ description: "Fail if the file does not exist" }),
  }),
  examples: [{ title: "Drop a temporary file", code: "id: cleanup\ntype: io.kestra.plugin.core.storage.Delete\nuri: \"{{ outputs.download.uri }}\"" }],
  async run(ctx, p) {
    const deleted = await ctx.storage.delete(p.uri);
    if (!deleted && p.errorOnMissing) throw new NonRetriableError(`file not found: ${p.uri}`);
    return { uri: p.uri, deleted };
  },
});
