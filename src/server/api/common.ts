// What every API module receives, and the JSON shapes shared between them.
import type { KvStore } from "../../../plugins/define.ts";
import type { Execution, FlowModel, TaskRun } from "../../engine/model.ts";
import { executionToApi } from "../../engine/serialize.ts";
import { isTerminal } from "../../engine/states.ts";
import type { NewExecution } from "../../executor/service.ts";
import type { Tern } from "../../main.ts";
import { loadExecution, loadTaskRuns } from "../../store/executions.ts";
import type { StoredFlow } from "../../store/flows.ts";
import type { StoredLog } from "../../store/logs.ts";
import { notFound } from "../errors.ts";

export interface ApiDeps {
  tern: Pick<Tern, "config" | "db" | "storage" | "service" | "flows">;
  kv: KvStore;
  /** Whether the loops this process runs (executor, worker, scheduler) are alive. */
  loopsAlive(): boolean;
}

/** What the single-execution operations need (the dashboard's bulk actions call them too). */
export interface ExecutionDeps {
  tern: Pick<ApiDeps["tern"], "db" | "storage" | "service">;
}

export async function requireExecution(deps: ExecutionDeps, id: string): Promise<Execution> {
  const ex = await loadExecution(deps.tern.db, id);
  if (!ex) throw notFound(`execution '${id}'`);
  return ex;
}

/** Kestra's Execution JSON, plus where the dashboard shows it. */
export function executionJson(ex: Execution, runs: TaskRun[]) {
  return { ...executionToApi(ex, runs), url: `/ui/executions/${ex.namespace}/${ex.flowId}/${ex.id}` };
}

/**
 * Create an execution and answer with it as created. service.create resolves with the live
 * object the executor is already changing (RUNNING, no task runs yet): the JSON is taken when
 * the service announces the new execution, before its first pass. Should that event ever come
 * later, the stored row is read instead, which is consistent too.
 */
export async function createSnapshot(deps: ApiDeps, req: NewExecution & { id: string }) {
  const { service } = deps.tern;
  let snapshot: ReturnType<typeof executionJson> | undefined;
  const onCreated = (ex: Execution) => {
    if (ex.id === req.id && !snapshot) snapshot = executionJson(ex, []);
  };
  service.events.on("execution", onCreated);
  try {
    await service.create(req);
    return snapshot ?? (await loadExecutionJson(deps, req.id));
  } finally {
    service.events.off("execution", onCreated);
  }
}

export async function loadExecutionJson(deps: ApiDeps, id: string) {
  const ex = await requireExecution(deps, id);
  return executionJson(ex, await loadTaskRuns(deps.tern.db, id));
}

/**
 * Finished for good: a terminal state and no task run left (afterExecution tasks run after
 * the state turns terminal) — the same test as the service's waitFor.
 */
export function settled(ex: Execution, runs: TaskRun[]): boolean {
  return isTerminal(ex.state) && runs.every((r) => isTerminal(r.state));
}

/** Kestra's Flow JSON: the parsed model with the stored revision and flags; source on request. */
export function flowJson(stored: StoredFlow, model: FlowModel | undefined, withSource: boolean) {
  const { source: _s, revision: _r, ...rest } = (model ?? {}) as FlowModel & { source?: string };
  return {
    ...rest,
    id: stored.id,
    namespace: stored.namespace,
    revision: stored.revision,
    disabled: stored.disabled,
    deleted: stored.deleted,
    updated: new Date(stored.updatedAt).toISOString(),
    ...(withSource ? { source: stored.source } : {}),
  };
}

/** Kestra's LogEntry JSON. */
export function logJson(l: Omit<StoredLog, "id">) {
  return {
    namespace: l.namespace, flowId: l.flowId, executionId: l.executionId, taskRunId: l.taskRunId, taskId: l.taskId,
    attemptNumber: l.attempt, level: l.level, message: l.message, timestamp: new Date(l.timestamp).toISOString(),
  };
}

/** `k:v` query labels (Kestra's ?labels=team:data); system.* labels are Kestra's own. */
export function parseLabels(raw: string[] | undefined, { allowSystem }: { allowSystem: boolean }) {
  const labels: { key: string; value: string }[] = [];
  const bad: string[] = [];
  for (const l of raw ?? []) {
    const i = l.indexOf(":");
    if (i < 1) bad.push(`label "${l}" must be key:value`);
    else if (!allowSystem && l.startsWith("system.")) bad.push(`label "${l.slice(0, i)}": system labels are set by Tern only`);
    else labels.push({ key: l.slice(0, i), value: l.slice(i + 1) });
  }
  return { labels, bad };
}
