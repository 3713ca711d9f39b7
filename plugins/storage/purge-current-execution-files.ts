// io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles: delete every stored file of this execution.
import { z } from "zod";
import { defineTask, NonRetriableError } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles",
  aliases: ["io.kestra.core.tasks.storages.PurgeExecution", "io.kestra.plugin.core.storage.PurgeExecution"],
  description:
    "Delete every file of internal storage that belongs to the current execution: input files, task outputs and trigger " +
    "files. An execution without files succeeds too (outputs.uris lists the deleted files).",
  schema: z.object({
    includeChildExecutions: z.boolean().default(false).meta({ description: "Not supported: only this execution's files are deleted (a warning says so)" }),
    includeStates: z.boolean().default(false).meta({ description: "Not supported: state files are kept (a warning says so)" }),
  }),
  examples: [{ title: "Purge this execution's files at the end", code: "id: purge\ntype: io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles" }],
  async run(ctx, p) {
    if (!ctx.storage.listExecution) throw new NonRetriableError("this task context cannot list the execution's files");
    if (p.includeChildExecutions) ctx.logger.warn("includeChildExecutions is not supported: the files of child executions are kept");
    if (p.includeStates) ctx.logger.warn("includeStates is not supported: state files are kept");
    const uris: string[] = [];
    for (const uri of await ctx.storage.listExecution()) {
      if (await ctx.storage.delete(uri)) uris.push(uri);
    }
    ctx.logger.debug(`deleted ${uris.length} file(s) of execution ${ctx.execution.id}`);
    return { uris };
  },
});
