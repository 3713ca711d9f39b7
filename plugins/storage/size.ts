// io.kestra.plugin.core.storage.Size: the size in bytes of a stored file.
import { z } from "zod";
import { defineTask } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.storage.Size",
  aliases: ["io.kestra.core.tasks.storages.Size"],
  description: "Get the size of a file in internal storage (outputs.size, in bytes).",
  schema: z.object({ uri: z.string().meta({ description: "kestra:/// URI" }) }),
  examples: [{ title: "Size of a download", code: "id: size\ntype: io.kestra.plugin.core.storage.Size\nuri: \"{{ outputs.download.uri }}\"" }],
  async run(ctx, p) {
    return { size: await ctx.storage.size(p.uri) };
  },
});
