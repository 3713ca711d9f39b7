// io.kestra.plugin.core.execution.Fail: fail the task (when `condition`, if given, is truthy).
import { z } from "zod";
import { defineTask, isTruthy } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.execution.Fail",
  aliases: ["io.kestra.core.tasks.executions.Fail", "fail"],
  inline: true,
  description: "Fail the task with `errorMessage`; with `condition`, only when it renders truthy.",
  schema: z.object({ condition: z.union([z.string(), z.boolean()]).optional(), errorMessage: z.string().default("Task failure") }),
  examples: [{ title: "Stop on bad input", code: "id: stop\ntype: io.kestra.plugin.core.execution.Fail\ncondition: \"{{ inputs.count < 1 }}\"\nerrorMessage: count must be positive" }],
  async run(_ctx, props) {
    if (props.condition === undefined || isTruthy(String(props.condition))) throw new Error(props.errorMessage);
  },
});
