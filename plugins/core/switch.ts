// io.kestra.plugin.core.flow.Switch: run the task list of the case matching `value`.
import { z } from "zod";
import { defineFlowable, taskList, childrenUnder, type TaskDef } from "../define.ts";

export default defineFlowable({
  type: "io.kestra.plugin.core.flow.Switch",
  aliases: ["io.kestra.core.tasks.flows.Switch", "switch"],
  description: "Run the tasks of the case whose key equals the rendered `value`, else `defaults`; no match and no defaults fails.",
  schema: z.object({
    value: z.union([z.string(), z.number(), z.boolean()]),
    cases: z.record(z.string(), taskList()).optional(),
    defaults: taskList().optional(),
    errors: taskList().optional(),
    finally: taskList().optional(),
  }),
  examples: [{ title: "By environment", code: "id: env\ntype: io.kestra.plugin.core.flow.Switch\nvalue: \"{{ inputs.env }}\"\ncases:\n  prod:\n    - id: p\n      type: io.kestra.plugin.core.log.Log\n      message: prod" }],
  children(task) {
    const out = childrenUnder(task, ["defaults", "errors", "finally"]);
    for (const [key, list] of Object.entries((task.cases as Record<string, TaskDef[]>) ?? {})) {
      (list ?? []).forEach((t, i) => out.push({ path: ["cases", key, i], task: t }));
    }
    return out;
  },
  async plan(ctx, task) {
    const value = typeof task.value === "string" ? await ctx.render(task.value) : String(task.value);
    const cases = (task.cases as Record<string, TaskDef[]>) ?? {};
    const hit = Object.hasOwn(cases, value) ? cases[value] : undefined;
    if (hit) return { branches: [{ tasks: hit }], concurrency: 1, outputs: { value, defaults: false } };
    const defaults = task.defaults as TaskDef[] | undefined;
    if (!defaults?.length) throw new Error(`Switch: no case matches "${value}" and no defaults are defined`);
    return { branches: [{ tasks: defaults }], concurrency: 1, outputs: { value, defaults: true } };
  },
});
