// A runnable task's own properties at run time, as every task gets them: the common ones
// (retry, timeout …) stay with the engine, the rest are rendered (except the plugin's raw
// ones) and checked against the plugin's schema, then the plugin runs.
import type { RunnableDefinition, TaskContext, TaskDef } from "../../plugins/define.ts";

/** Properties every task has; the engine reads them, the plugin never sees them. */
const COMMON = new Set([
  "id", "type", "description", "retry", "timeout", "disabled", "runIf", "when", "allowFailure", "allowWarning",
  "logLevel", "logToFile", "workerGroup",
]);

/** Render the task's properties in `ctx`, check them with the plugin's schema and run it; its outputs, or null. */
export async function runWithProps(def: RunnableDefinition, task: TaskDef, ctx: TaskContext): Promise<Record<string, unknown> | null> {
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(task)) {
    if (COMMON.has(k)) continue;
    props[k] = def.raw.includes(k) ? v : await ctx.renderDeep(v);
  }
  const parsed = def.schema.safeParse(props);
  if (!parsed.success) throw new Error(`invalid properties: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return (await def.run(ctx, parsed.data)) ?? null;
}
