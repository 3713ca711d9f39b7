// io.kestra.plugin.core.flow.ForEach (and the deprecated EachSequential/EachParallel): one group
// of child task runs per value; the children's `taskrun.value` is the value (JSON for objects).
import { z } from "zod";
import { defineFlowable, taskList, type FlowableContext, type TaskDef } from "../define.ts";

const values = z.union([z.string(), z.array(z.unknown())]);

/** Resolve `values`: a list (items rendered), a JSON string, or an expression giving one. */
export async function resolveValues(ctx: FlowableContext, raw: unknown): Promise<string[]> {
  let list: unknown;
  if (typeof raw === "string") {
    const rendered = await ctx.render(raw);
    try {
      list = JSON.parse(rendered);
    } catch {
      throw new Error(`values must be a JSON array, got: ${rendered.slice(0, 200)}`);
    }
  } else list = await ctx.renderDeep(raw);
  if (!Array.isArray(list)) throw new Error("values must be a list");
  const nulls = list.filter((v) => v === null || v === undefined).length;
  if (nulls) throw new Error(`Found '${nulls}' null values on Each, with values=${javaString(list)}`);
  return list.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
}

function forEachPlan(valuesKey: "values" | "value", concurrency: (task: TaskDef) => number) {
  return async (ctx: FlowableContext, task: TaskDef) => {
    const vals = await resolveValues(ctx, task[valuesKey]);
    const tasks = task.tasks as TaskDef[];
    return {
      branches: vals.map((value) => ({ value, tasks })),
      concurrency: concurrency(task),
      continueOnFailure: task.childFailurePolicy === "CONTINUE",
    };
  };
}

const example = "id: each\ntype: io.kestra.plugin.core.flow.ForEach\nvalues: [\"a\", \"b\"]\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ taskrun.value }}\"";

export const forEach = defineFlowable({
  type: "io.kestra.plugin.core.flow.ForEach",
  aliases: ["foreach"],
  description: "Run the tasks once per value; `concurrencyLimit` values at once (1 by default, 0 = all).",
  schema: z.object({
    values,
    concurrencyLimit: z.union([z.number().int().min(0), z.string()]).default(1),
    childFailurePolicy: z.enum(["STOP", "CONTINUE", "RETRY_FAILED_VALUE"]).optional(),
    tasks: taskList(),
    errors: taskList().optional(),
    finally: taskList().optional(),
  }),
  examples: [{ title: "Loop over values", code: example }],
  plan: forEachPlan("values", (t) => Number(t.concurrencyLimit ?? 1)),
});

export const eachSequential = defineFlowable({
  type: "io.kestra.plugin.core.flow.EachSequential",
  aliases: ["io.kestra.core.tasks.flows.EachSequential"],
  description: "Deprecated: ForEach with concurrencyLimit 1.",
  schema: z.object({ value: values, tasks: taskList(), errors: taskList().optional(), finally: taskList().optional() }),
  plan: forEachPlan("value", () => 1),
});

export const eachParallel = defineFlowable({
  type: "io.kestra.plugin.core.flow.EachParallel",
  aliases: ["io.kestra.core.tasks.flows.EachParallel"],
  description: "Deprecated: ForEach with every value at once (`concurrent` limits it).",
  schema: z.object({
    value: values,
    concurrent: z.union([z.number().int().min(0), z.string()]).default(0),
    tasks: taskList(),
    errors: taskList().optional(),
    finally: taskList().optional(),
  }),
  async plan(ctx, task) {
    // Each value runs its tasks in parallel too (Kestra: one branch per value x task).
    const vals = await resolveValues(ctx, task.value);
    const tasks = task.tasks as TaskDef[];
    const branches = vals.flatMap((value) => tasks.map((t) => ({ value, tasks: [t] })));
    return { branches, concurrency: Number(task.concurrent ?? 0) };
  },
});

/** Java's toString of lists and maps ([1, null, {key=v}]), as Kestra's messages show them. */
function javaString(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return `[${v.map(javaString).join(", ")}]`;
  if (typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${k}=${javaString(x)}`).join(", ")}}`;
  return String(v);
}
