// Kestra's API shapes for an execution and its task runs (what `tern run --json` prints and
// the REST API returns).
import type { Execution, TaskRun } from "./model.ts";

export function taskRunToApi(ex: Execution, r: TaskRun) {
  return {
    id: r.id,
    executionId: ex.id,
    namespace: ex.namespace,
    flowId: ex.flowId,
    taskId: r.taskId,
    parentTaskRunId: r.parentTaskRunId,
    value: r.value,
    iteration: r.iteration || undefined,
    state: stateToApi(r.state, r.histories),
    outputs: r.outputs ?? undefined,
    attempts: r.attempts.length ? r.attempts : undefined,
  };
}

export function stateToApi(current: string, histories: { state: string; date: string }[]) {
  const start = histories[0]?.date;
  const end = histories.at(-1)?.date;
  return {
    current,
    histories,
    startDate: start,
    endDate: end,
    duration: start && end ? isoDuration(Date.parse(end) - Date.parse(start)) : undefined,
  };
}

export function executionToApi(ex: Execution, runs: TaskRun[]) {
  return {
    id: ex.id,
    namespace: ex.namespace,
    flowId: ex.flowId,
    flowRevision: ex.flowRevision,
    state: stateToApi(ex.state, ex.histories),
    inputs: ex.inputs,
    outputs: ex.outputs,
    labels: ex.labels,
    variables: Object.keys(ex.variables).length ? ex.variables : undefined,
    trigger: ex.trigger ?? undefined,
    parentId: ex.parentId ?? undefined,
    originalId: ex.originalId ?? ex.id,
    taskRunList: [...runs].sort((a, b) => a.seq - b.seq).map((r) => taskRunToApi(ex, r)),
  };
}

function isoDuration(ms: number): string {
  return `PT${(ms / 1000).toFixed(3).replace(/\.?0+$/, "")}S`;
}
