// Execution variables (`vars`) changed at run time by SetVariables/UnsetVariables: a succeeded run
// stores its change; the executor applies it and marks it applied in one write, so after a crash
// it is applied by the next pass or was applied already, never twice.
import type { ExecState } from "./executor.ts";
import type { TaskRun } from "./model.ts";
import { isTerminal } from "./states.ts";

export interface VariablesChange {
  /** Deep-merged into the variables (Kestra's MapUtils.deepMerge: maps merge, anything else replaces). */
  set?: Record<string, unknown>;
  /** Names to remove; `a.b` removes key `b` of the map `a`. */
  unset?: string[];
  /** Set by the executor once the change is in `execution.variables`. */
  applied?: boolean;
}

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

export function mergeVariables(base: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(changes)) out[k] = isMap(out[k]) && isMap(v) ? mergeVariables(out[k], v) : v;
  return out;
}

/** The map holding the last segment of a dotted name, and that segment; undefined when a parent is missing. */
function holder(vars: Record<string, unknown>, name: string): [Record<string, unknown>, string] | undefined {
  const parts = name.split(".");
  let node: unknown = vars;
  for (const p of parts.slice(0, -1)) node = isMap(node) && Object.hasOwn(node, p) ? node[p] : undefined;
  return isMap(node) ? [node, parts.at(-1)!] : undefined;
}

export function hasVariable(vars: Record<string, unknown>, name: string): boolean {
  const h = holder(vars, name);
  return !!h && Object.hasOwn(h[0], h[1]);
}

/** A copy of the variables without `name` (a missing one is ignored). */
export function unsetVariable(vars: Record<string, unknown>, name: string): Record<string, unknown> {
  if (!hasVariable(vars, name)) return vars;
  const out = structuredClone(vars);
  const [map, key] = holder(out, name)!;
  delete map[key];
  return out;
}

/**
 * Apply the changes of finished task runs not applied yet, in the order they finished, to the
 * execution in memory; returns the runs marked applied (the caller persists them with the execution).
 */
export function applyVariableChanges(state: Pick<ExecState, "execution" | "runs">): TaskRun[] {
  const pending = state.runs.filter((r) => r.plan?.variables && !r.plan.variables.applied && isTerminal(r.state));
  pending.sort((a, b) => (a.endDate ?? 0) - (b.endDate ?? 0) || a.seq - b.seq);
  const ex = state.execution;
  for (const run of pending) {
    const change = run.plan!.variables!;
    let vars = change.set ? mergeVariables(ex.variables, change.set) : ex.variables;
    for (const name of change.unset ?? []) vars = unsetVariable(vars, name);
    ex.variables = vars;
    run.plan = { ...run.plan!, variables: { ...change, applied: true } };
  }
  return pending;
}
