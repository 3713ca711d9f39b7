// io.kestra.plugin.core.storage.LocalFiles (deprecated): write inline files into the working
// directory and upload matching files to internal storage (outputs.uris).
import { z } from "zod";
import { collectLocalFiles, writeLocalFiles } from "../../src/files/local-dir.ts";
import { defineTask } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.storage.LocalFiles",
  aliases: ["io.kestra.core.tasks.storages.LocalFiles"],
  description: "Inside a WorkingDirectory: create files from `inputs` and upload files matching `outputs` globs.",
  schema: z.object({
    inputs: z.union([z.record(z.string(), z.string()), z.string()]).optional(),
    outputs: z.array(z.string()).optional(),
  }),
  async run(ctx, props) {
    const dir = ctx.workingDir ?? (await ctx.runtime.tmpDir());
    const inputs = typeof props.inputs === "string" ? (JSON.parse(props.inputs) as Record<string, string>) : props.inputs ?? {};
    await writeLocalFiles(ctx.storage, dir, inputs);
    const uris = props.outputs?.length ? await collectLocalFiles(ctx.storage, dir, props.outputs) : {};
    return { uris };
  },
});
