// io.kestra.plugin.core.flow.If: run `then` when the condition is truthy, else `else`.
import { z } from "zod";
import { defineFlowable, isTruthy, taskList, type TaskDef } from "../define.ts";

export default defineFlowable({
  type: "io.kestra.plugin.core.flow.If",
  aliases: ["io.kestra.core.tasks.flows.If", "if"],
  description: "Branch on a condition: `true`, `\"true\"` and non-zero numbers run `then`; anything else `else`.",
  schema: z.object({
    condition: z.union([z.string(), z.boolean(), z.number()]),
    then: taskList(),
    else: taskList().optional(),
    errors: taskList().optional(),
    finally: taskList().optional(),
  }),
  examples: [{ title: "Branch", code: "id: check\ntype: io.kestra.plugin.core.flow.If\ncondition: \"{{ inputs.ok }}\"\nthen:\n  - id: yes\n    type: io.kestra.plugin.core.log.Log\n    message: yes" }],
  async plan(ctx, task) {
    const rendered = typeof task.condition === "string" ? await ctx.render(task.condition) : String(task.condition);
    const result = isTruthy(rendered);
    const tasks = ((result ? task.then : task.else) as TaskDef[] | undefined) ?? [];
    return { branches: tasks.length ? [{ tasks }] : [], concurrency: 1, outputs: { evaluationResult: result } };
  },
});
