// io.kestra.plugin.core.flow.AllowFailure: a failure of its children makes it WARNING, not FAILED.
import { z } from "zod";
import { defineFlowable, taskList, type TaskDef } from "../define.ts";

export default defineFlowable({
  type: "io.kestra.plugin.core.flow.AllowFailure",
  aliases: ["io.kestra.core.tasks.flows.AllowFailure"],
  description: "Run tasks sequentially; if one fails this task ends WARNING and the flow continues.",
  schema: z.object({ tasks: taskList(), errors: taskList().optional(), finally: taskList().optional() }),
  async plan(_ctx, task) {
    return { branches: [{ tasks: task.tasks as TaskDef[] }], concurrency: 1, childFailure: "warn" };
  },
});
