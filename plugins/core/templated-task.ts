// io.kestra.plugin.core.templating.TemplatedTask: `spec` is rendered, read as the YAML of one
// runnable task, checked as a task of a flow would be, and run here; its outputs are this task's.
import { z } from "zod";
import { defineTask, NonRetriableError, type RunnableDefinition, type TaskDef } from "../define.ts";
import { describe, formatPath } from "../../src/flow/errors.ts";
import { validateTask, type TaskRegistry } from "../../src/flow/tasks.ts";
import { parseYaml } from "../../src/flow/yaml.ts";
import { runWithProps } from "../../src/worker/task-props.ts";

const TYPE = "io.kestra.plugin.core.templating.TemplatedTask";

export default defineTask({
  type: TYPE,
  aliases: ["io.kestra.core.tasks.templating.TemplatedTask"],
  description:
    "Run a task whose definition is computed: `spec` is rendered, then read as the YAML of one runnable task (`type` and its " +
    "properties; `id` defaults to this task's) and run in place; its outputs are this task's outputs. The rendered task is " +
    "checked like a task of a flow (known type, its properties); flowable types and TemplatedTask itself are refused. " +
    "Retry, timeout and the other common properties are this task's, not the spec's.",
  schema: z.object({
    spec: z.string().min(1).meta({ description: "The YAML of the task to run (rendered before it is read)" }),
  }),
  examples: [{
    title: "Choose a property of the task from an input",
    code: `id: templated_task
namespace: company.team
inputs:
  - id: property
    type: STRING
    defaults: format
tasks:
  - id: dynamic
    type: io.kestra.plugin.core.templating.TemplatedTask
    spec: |
      type: io.kestra.plugin.core.debug.Return
      {{ inputs.property }}: "Hello from {{ flow.id }}"
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.dynamic.value }}"`,
  }],
  async run(ctx, props) {
    const task = readSpec(props.spec, ctx.taskRun.taskId);
    const def = await runnable(task);
    return (await runWithProps(def, task, ctx)) ?? undefined;
  },
});

/** The rendered spec as a task; a missing `id` is this task's own. */
function readSpec(spec: string, ownId: string): TaskDef {
  const { docs, lineCounter } = parseYaml(spec);
  if (docs.length !== 1) throw new NonRetriableError(`spec must be the YAML of one task, found ${docs.length} documents`);
  const [doc] = docs;
  if (doc.problems.length) {
    const { offset, message } = doc.problems[0];
    const { line, col } = lineCounter.linePos(offset);
    throw new NonRetriableError(`spec: ${message} (line ${line}, column ${col} of the rendered spec)`);
  }
  const value = doc.value;
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new NonRetriableError(`spec must be a YAML mapping of one task (type and its properties), got ${describe(value)}`);
  }
  return { id: ownId, ...(value as Record<string, unknown>) } as TaskDef;
}

/** The task's definition, once the task passed the checks a flow's task gets. */
async function runnable(task: TaskDef): Promise<RunnableDefinition> {
  // plugins/index.ts lists this module: it is read when a task runs, not at load (no import cycle).
  const plugins = await import("../index.ts");
  const names = new Set(plugins.taskTypeNames());
  // Only the types a flow may write (not the engine's internal steps).
  const registry: TaskRegistry = { findTask: (t) => (names.has(t) ? plugins.findTask(t) : undefined), taskTypeNames: () => [...names] };
  const def = typeof task.type === "string" ? registry.findTask(task.type) : undefined;
  if (def?.type === TYPE) throw new NonRetriableError(`spec: a TemplatedTask cannot run another TemplatedTask (type ${task.type})`);
  if (def?.kind === "flowable") throw new NonRetriableError(`spec: ${task.type} is a flowable task; a TemplatedTask runs runnable tasks only`);
  const issues = validateTask(task, registry);
  if (issues.length) {
    const list = issues.map((i) => (i.path.length ? `${formatPath(i.path)}: ${i.message}` : i.message));
    throw new NonRetriableError(`invalid spec: ${list.join("; ")}`);
  }
  return def as RunnableDefinition;
}
