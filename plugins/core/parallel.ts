// io.kestra.plugin.core.flow.Parallel: run child tasks concurrently (`concurrent` at once; 0 = all).
import { z } from "zod";
import { defineFlowable, taskList, type TaskDef } from "../define.ts";

export default defineFlowable({
  type: "io.kestra.plugin.core.flow.Parallel",
  aliases: ["io.kestra.core.tasks.flows.Parallel", "parallel"],
  description: "Run tasks in parallel, at most `concurrent` at once (0 = no limit).",
  schema: z.object({
    tasks: taskList(),
    concurrent: z.union([z.number().int().min(0), z.string()]).default(0),
    errors: taskList().optional(),
    finally: taskList().optional(),
  }),
  examples: [{ title: "Fan out", code: "id: fan\ntype: io.kestra.plugin.core.flow.Parallel\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: a\n  - id: b\n    type: io.kestra.plugin.core.log.Log\n    message: b" }],
  async plan(ctx, task) {
    const concurrent = Number(typeof task.concurrent === "string" ? await ctx.render(task.concurrent) : task.concurrent ?? 0);
    return { branches: (task.tasks as TaskDef[]).map((t) => ({ tasks: [t] })), concurrency: concurrent };
  },
});
