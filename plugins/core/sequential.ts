// io.kestra.plugin.core.flow.Sequential: run child tasks one after another.
import { z } from "zod";
import { defineFlowable, taskList, type TaskDef } from "../define.ts";

export default defineFlowable({
  type: "io.kestra.plugin.core.flow.Sequential",
  aliases: ["io.kestra.core.tasks.flows.Sequential", "sequential"],
  description: "Run tasks sequentially; a failure stops the list and runs `errors`.",
  schema: z.object({ tasks: taskList(), errors: taskList().optional(), finally: taskList().optional() }),
  examples: [{ title: "Two steps", code: "id: steps\ntype: io.kestra.plugin.core.flow.Sequential\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: a" }],
  async plan(_ctx, task) {
    return { branches: [{ tasks: task.tasks as TaskDef[] }], concurrency: 1 };
  },
});
