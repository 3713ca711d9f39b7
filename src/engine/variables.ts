// The variables an expression sees for one task run (Kestra's RunVariables):
// flow, execution, task, taskrun, parent(s), inputs, outputs keyed by loop values, vars, labels, trigger.
import type { Execution, FlowModel, TaskRun } from "./model.ts";

export interface VarsSource {
  flow: FlowModel;
  execution: Execution;
  runs: TaskRun[];
  runById: Map<string, TaskRun>;
  envs?: Record<string, string>;
}

/** Non-null iteration values of a run's ancestors and itself, outermost first. */
export function valueChain(run: TaskRun, runById: Map<string, TaskRun>): string[] {
  const chain: string[] = [];
  for (let r: TaskRun | undefined = run; r; r = r.parentTaskRunId ? runById.get(r.parentTaskRunId) : undefined) {
    if (r.value !== null && r.value !== undefined) chain.unshift(r.value);
  }
  return chain;
}

/** outputs.<taskId>[v1][v2]… = outputs, later runs (retries, loop iterations) winning. */
export function outputsMap(src: VarsSource): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const run of src.runs) {
    if (!run.outputs) continue;
    const chain = valueChain(run, src.runById);
    if (chain.length === 0) {
      out[run.taskId] = run.outputs;
      continue;
    }
    let node = (out[run.taskId] ??= {}) as Record<string, unknown>;
    for (const v of chain.slice(0, -1)) node = (node[v] ??= {}) as Record<string, unknown>;
    node[chain.at(-1)!] = run.outputs;
  }
  return out;
}

/** tasks.<taskId>.state (or tasks.<taskId>[value].state inside loops). */
function tasksMap(src: VarsSource): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const run of src.runs) {
    const chain = valueChain(run, src.runById);
    if (chain.length === 0) out[run.taskId] = { state: run.state };
    else {
      let node = (out[run.taskId] ??= {}) as Record<string, unknown>;
      for (const v of chain.slice(0, -1)) node = (node[v] ??= {}) as Record<string, unknown>;
      node[chain.at(-1)!] = { state: run.state };
    }
  }
  return out;
}

export function labelsMap(execution: Execution): Record<string, string> {
  return Object.fromEntries(execution.labels.map((l) => [l.key, l.value]));
}

/**
 * Define `key` as computed on first read and then kept. `outputs` and `tasks` cost a walk over
 * every task run: most expressions never read them, and a ForEach over n values would otherwise
 * pay O(n) per iteration.
 */
function lazy(obj: Record<string, unknown>, key: string, make: () => unknown): void {
  let value: unknown;
  let made = false;
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get() {
      if (!made) (value = make()), (made = true);
      return value;
    },
    set(v) {
      value = v;
      made = true;
    },
  });
}

export function executionVars(src: VarsSource, outputs?: Record<string, unknown>): Record<string, unknown> {
  const { flow, execution } = src;
  const vars: Record<string, unknown> = {
    flow: { id: flow.id, namespace: flow.namespace, revision: execution.flowRevision, tenantId: "main" },
    execution: {
      id: execution.id,
      startDate: new Date(execution.startDate ?? execution.createdAt).toISOString(),
      state: execution.state,
      originalId: execution.originalId ?? execution.id,
    },
    // Kestra defines `inputs` only for flows that declare inputs (strict mode then fails on it).
    ...(flow.inputs?.length || Object.keys(execution.inputs).length ? { inputs: execution.inputs } : {}),
    vars: execution.variables,
    labels: labelsMap(execution),
    // Kestra exposes the trigger's variables (date, body, headers, executionId …) as `trigger`.
    trigger: (execution.trigger?.variables as Record<string, unknown> | undefined) ?? undefined,
    envs: src.envs ?? {},
  };
  lazy(vars, "outputs", () => outputs ?? outputsMap(src));
  lazy(vars, "tasks", () => tasksMap(src));
  return vars;
}

/** Variables for one task run: the execution's plus task, taskrun, parent and parents. */
export function taskRunVars(
  src: VarsSource,
  run: TaskRun,
  taskType: string,
  base = executionVars(src),
): Record<string, unknown> {
  // `parents` lists the enclosing loop iterations, innermost first: ancestors that carry an
  // iteration value (Kestra's each-switch test reads parents[1] across a Switch and a ForEach).
  const parents: Record<string, unknown>[] = [];
  for (let p = run.parentTaskRunId ? src.runById.get(run.parentTaskRunId) : undefined; p; ) {
    const parent: Record<string, unknown> = { taskrun: { id: p.id, value: p.value } };
    const taskId = p.taskId;
    lazy(parent, "outputs", () => (base.outputs as Record<string, unknown>)[taskId] ?? {});
    if (p.value !== null) parents.push(parent);
    p = p.parentTaskRunId ? src.runById.get(p.parentTaskRunId) : undefined;
  }
  // Copy the base's properties as they are (its lazy ones stay lazy).
  const vars = Object.defineProperties({} as Record<string, unknown>, Object.getOwnPropertyDescriptors(base));
  Object.assign(vars, {
    task: { id: run.taskId, type: taskType },
    taskrun: {
      id: run.id,
      startDate: new Date(run.startDate ?? Date.parse(run.histories[0]?.date ?? "") ?? 0).toISOString(),
      attemptsCount: Math.max(0, run.attempts.length - 1),
      parentId: run.parentTaskRunId,
      // Inside a loop, tasks nested under other flowables still see the iteration's value.
      value: run.value ?? (parents[0] as { taskrun?: { value?: string } } | undefined)?.taskrun?.value ?? null,
      iteration: run.iteration,
    },
    parents,
  });
  if (parents.length) vars.parent = parents[0];
  return vars;
}
