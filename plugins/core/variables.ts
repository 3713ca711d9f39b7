// io.kestra.plugin.core.execution.SetVariables and UnsetVariables: change the execution's
// variables (`{{ vars.name }}`) for the tasks that run after. The task renders and checks the
// change against the variables it sees; the engine applies it once the task has succeeded.
import { z } from "zod";
import { defineTask, NonRetriableError, type TaskContext } from "../define.ts";
import { hasVariable } from "../../src/engine/variables-change.ts";

function currentVariables(ctx: TaskContext): Record<string, unknown> {
  const vars = ctx.vars.vars;
  return vars && typeof vars === "object" && !Array.isArray(vars) ? (vars as Record<string, unknown>) : {};
}

function request(ctx: TaskContext, change: { set?: Record<string, unknown>; unset?: string[] }) {
  if (!ctx.engine.variables) throw new NonRetriableError("this engine cannot change the execution's variables");
  ctx.engine.variables(change);
}

export const setVariables = defineTask({
  type: "io.kestra.plugin.core.execution.SetVariables",
  inline: true,
  description:
    "Set execution variables: `variables` is rendered and deep-merged into the execution's variables (nested maps are merged, " +
    "anything else replaced), so the tasks that run after see them as `{{ vars.name }}`. With `overwrite: false` the task " +
    "fails when one of the names already exists (a flow variable or one set before). The variables are stored with the execution.",
  schema: z.object({
    variables: z.record(z.string(), z.unknown()).meta({ description: "The variables to set: name -> value (rendered)" }),
    overwrite: z.boolean().default(true).meta({ description: "Replace existing variables (false: fail if one of the names exists)" }),
  }),
  examples: [{
    title: "Set variables, then use them",
    code: `id: variables
namespace: company.team
variables:
  name: World
tasks:
  - id: set_vars
    type: io.kestra.plugin.core.execution.SetVariables
    variables:
      message: Hello
      name: "{{ flow.id }}"
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "{{ vars.message }} {{ vars.name }}"`,
  }],
  async run(ctx, props) {
    if (!props.overwrite) {
      const current = currentVariables(ctx);
      const existing = Object.keys(props.variables).filter((k) => Object.hasOwn(current, k));
      if (existing.length) {
        throw new NonRetriableError(`\`overwrite\` is set to false and the following variables already exist: ${existing.join(",")}`);
      }
    }
    request(ctx, { set: props.variables });
  },
});

export const unsetVariables = defineTask({
  type: "io.kestra.plugin.core.execution.UnsetVariables",
  inline: true,
  description:
    "Remove execution variables: each name of `variables` (rendered; `a.b` removes key b of the map a) is removed from " +
    "`vars` for the tasks that run after. A name that does not exist fails the task unless `ignoreMissing` is true.",
  schema: z.object({
    variables: z.array(z.string()).min(1).meta({ description: "Names of the variables to remove" }),
    ignoreMissing: z.boolean().default(false).meta({ description: "Ignore names that do not exist instead of failing" }),
  }),
  examples: [{
    title: "Drop a transient variable",
    code: `id: unset_vars
type: io.kestra.plugin.core.execution.UnsetVariables
variables:
  - message
  - settings.token
ignoreMissing: true`,
  }],
  async run(ctx, props) {
    if (!props.ignoreMissing) {
      const current = currentVariables(ctx);
      const missing = props.variables.filter((name) => !hasVariable(current, name));
      if (missing.length) {
        throw new NonRetriableError(`the following variables do not exist: ${missing.join(",")} (set \`ignoreMissing: true\` to ignore them)`);
      }
    }
    request(ctx, { unset: props.variables });
  },
});
