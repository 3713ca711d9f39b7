// Operations on existing executions (Kestra's ExecutionService): restart from the failed task
// runs (and the failed child executions of Subflow/ForEachItem), resume a pause, replay from a
// task run into a new execution, change a task run's state. Each loads the execution under this
// instance's lease, edits it, persists in one transaction and lets the executor take it from there.
import type { InStatement } from "@libsql/client";
import { findTask } from "../../plugins/index.ts";
import type { ExecState } from "../engine/executor.ts";
import type { Execution, TaskRun } from "../engine/model.ts";
import { isFailure, isTerminal, normaliseState, withState } from "../engine/states.ts";
import { taskById } from "../engine/tree.ts";
import { resolveInputs } from "../flow/index.ts";
import type { Db } from "../store/db.ts";
import { deleteTaskRunsStmt, loadExecution, persistEffects } from "../store/executions.ts";
import type { NewExecution } from "./service.ts";

export interface OperationDeps {
  db: Db;
  now(): Date;
  newId(): string;
  load(id: string): Promise<ExecState | undefined>;
  forget(id: string): void;
  kick(id: string): Promise<void>;
  claim(id: string): Promise<boolean>;
  create(req: NewExecution, runs?: TaskRun[]): Promise<Execution>;
}

export class OperationError extends Error {
  constructor(readonly status: 404 | 409 | 422, message: string) {
    super(message);
  }
}

export function createOperations(deps: OperationDeps) {
  async function open(id: string): Promise<ExecState> {
    if (!(await deps.claim(id))) {
      // Another live instance walks it; it is still ours to edit through the database, but
      // our in-memory copy may be stale.
      deps.forget(id);
    }
    const state = await deps.load(id);
    if (!state) throw new OperationError(404, `Execution '${id}' not found`);
    return state;
  }

  function ancestors(state: ExecState, run: TaskRun): TaskRun[] {
    const out: TaskRun[] = [];
    for (let p = run.parentTaskRunId; p; ) {
      const parent = state.runs.find((r) => r.id === p);
      if (!parent) break;
      out.push(parent);
      p = parent.parentTaskRunId;
    }
    return out;
  }

  function setState(run: TaskRun, s: string, changed: Set<TaskRun>) {
    run.state = s;
    run.histories = withState(run.histories, s, deps.now());
    run.endDate = isTerminal(s) ? deps.now().getTime() : null;
    changed.add(run);
  }

  /** Re-open a run and its ancestors: runnables go back to the queue, flowables are walked again. */
  function reopen(state: ExecState, run: TaskRun, changed: Set<TaskRun>) {
    const isFlowable = findTask(taskById(state.flow, run.taskId).type)?.kind === "flowable";
    setState(run, "RESTARTED", changed);
    if (!isFlowable) {
      run.queued = true;
      run.runAt = deps.now().getTime();
    } else setState(run, "RUNNING", changed);
    for (const a of ancestors(state, run)) if (a.state !== "RUNNING") setState(a, "RUNNING", changed);
  }

  async function save(state: ExecState, changed: Set<TaskRun>, extra: InStatement[] = []) {
    const ex = state.execution;
    await persistEffects(deps.db, { execution: ex, created: [], changed, logs: [], extra }, ex.namespace, ex.flowId);
    await deps.kick(ex.id);
    return ex;
  }

  function restartExecution(ex: Execution) {
    ex.state = "RESTARTED";
    ex.histories = withState(ex.histories, "RESTARTED", deps.now());
    ex.endDate = null;
    ex.killRequested = false;
  }

  async function restart(id: string): Promise<Execution> {
    const state = await open(id);
    const ex = state.execution;
    if (!isTerminal(ex.state) && ex.state !== "PAUSED") throw new OperationError(409, `Execution '${id}' is ${ex.state}: only a finished or paused execution can be restarted`);
    const failed = state.runs.filter((r) => isFailure(r.state) && !state.runs.some((c) => c.parentTaskRunId === r.id && isFailure(c.state)));
    if (!failed.length) throw new OperationError(422, "No task found to restart execution from!");
    // Error handlers and finally/afterExecution branches run again after the retry.
    const dropped = new Set(state.runs.filter((r) => r.section !== "main").map((r) => r.id));
    const dropDescendants = (rid: string) => {
      for (const r of state.runs) if (r.parentTaskRunId === rid && !dropped.has(r.id)) (dropped.add(r.id), dropDescendants(r.id));
    };
    for (const rid of [...dropped]) dropDescendants(rid);
    const reopened = failed.filter((r) => !dropped.has(r.id));
    // Children first, before this execution changes: one that ends at once then finds its
    // parent still finished (and ignored), not half-restarted.
    const edits: (() => void)[] = [];
    for (const r of reopened) edits.push(await restartChildren(state, r));
    state.runs = state.runs.filter((r) => !dropped.has(r.id));
    const changed = new Set<TaskRun>();
    for (const r of reopened) reopen(state, r, changed);
    for (const edit of edits) edit();
    restartExecution(ex);
    return save(state, changed, dropped.size ? [deleteTaskRunsStmt([...dropped])] : []);
  }

  /**
   * A Subflow or ForEachItem `_items` run about to be restarted, and its child executions
   * (Kestra's restartBehavior). RETRY_FAILED, the default: a failed child is restarted in place
   * and one that succeeded is left alone; a batch whose child never started (its flow was
   * missing, say) or has no task to restart from gets a new child execution. NEW_EXECUTION: the
   * run is decided again, a new child for every batch. Returns the edit of the run, applied
   * with the rest of the restart.
   */
  async function restartChildren(state: ExecState, run: TaskRun): Promise<() => void> {
    const task = taskById(state.flow, run.taskId);
    const def = findTask(task.type);
    const special = def?.kind === "flowable" ? def.special : undefined;
    const plan = run.plan;
    if (special !== "subflow" && special !== "forEachItem") return () => {};
    // Without a plan the run is decided again anyway (new children).
    if (!plan || task.restartBehavior === "NEW_EXECUTION") return () => (run.plan = null);
    const ids = special === "subflow" ? [plan.childExecutionId].filter((c) => c !== undefined) : plan.children ?? [];
    const fresh: number[] = [];
    for (const [i, cid] of ids.entries()) {
      const child = await loadExecution(deps.db, cid);
      if (child && !isFailure(child.state)) continue;
      // The service remembers the child's end; forgotten, the parent reads it again.
      if (child) deps.forget(cid);
      if (child && (await restartIfPossible(cid))) continue;
      fresh.push(i);
    }
    return () => {
      if (special === "subflow" && (fresh.length || !ids.length)) return void (run.plan = null);
      const date = deps.now().toISOString();
      run.attempts.push({ state: { current: "RUNNING", histories: [{ state: "RUNNING", date }] }, startDate: date });
      if (fresh.length) run.plan = { ...plan, children: ids.map((c, i) => (fresh.includes(i) ? deps.newId() : c)), restartBatches: fresh };
    };
  }

  /** Restart a child execution; false when it has no failed task to restart from. */
  async function restartIfPossible(id: string): Promise<boolean> {
    try {
      await restart(id);
      return true;
    } catch (e) {
      if (e instanceof OperationError && e.status === 422) return false;
      throw e;
    }
  }

  return {
    restart,

    async resume(id: string, inputs: Record<string, unknown>): Promise<Execution> {
      const state = await open(id);
      const ex = state.execution;
      if (ex.state !== "PAUSED") throw new OperationError(409, `Execution '${id}' is ${ex.state}, not PAUSED`);
      const changed = new Set<TaskRun>();
      for (const run of state.runs.filter((r) => r.state === "PAUSED")) {
        const task = taskById(state.flow, run.taskId);
        const defs = (task.onResume as never[]) ?? [];
        const resolved = resolveInputs(defs, inputs);
        if (resolved.errors.length) throw new OperationError(422, resolved.errors.map((e) => e.message).join("; "));
        if (defs.length) run.outputs = { ...(run.outputs ?? {}), onResume: resolved.values };
        if (run.plan) run.plan = { ...run.plan, resumeAt: undefined, timeoutAt: undefined };
        setState(run, "RUNNING", changed);
      }
      restartExecution(ex);
      return save(state, changed);
    },

    async changeTaskRunState(id: string, taskRunId: string, target: string): Promise<Execution> {
      const state = await open(id);
      const run = state.runs.find((r) => r.id === taskRunId);
      if (!run) throw new OperationError(404, `Task run '${taskRunId}' not found in execution '${id}'`);
      const s = normaliseState(target);
      if (!isTerminal(s)) throw new OperationError(422, `State ${target} is not a terminal state`);
      const changed = new Set<TaskRun>();
      setState(run, s, changed);
      run.queued = false;
      for (const a of ancestors(state, run)) if (a.state !== "RUNNING") setState(a, "RUNNING", changed);
      restartExecution(state.execution);
      return save(state, changed);
    },

    async replay(id: string, taskRunId?: string): Promise<Execution> {
      const state = await open(id);
      const ex = state.execution;
      const req: NewExecution = { flow: state.flow, inputs: ex.inputs, labels: ex.labels, trigger: ex.trigger, originalId: ex.originalId ?? ex.id };
      if (!taskRunId) return deps.create(req);
      const target = state.runs.find((r) => r.id === taskRunId);
      if (!target) throw new OperationError(422, `No task found with task run id '${taskRunId}'`);
      const up = new Set(ancestors(state, target).map((r) => r.id));
      const isUnder = (r: TaskRun): boolean => {
        for (let p: TaskRun | undefined = r; p; p = state.runs.find((x) => x.id === p!.parentTaskRunId)) if (p.id === target.id) return true;
        return false;
      };
      const newId = new Map<string, string>();
      const copies: TaskRun[] = [];
      for (const r of state.runs) {
        if (r.seq >= target.seq && !up.has(r.id)) continue;
        if (isUnder(r) || r.section !== "main") continue;
        newId.set(r.id, deps.newId());
        copies.push({ ...structuredClone(r), seq: copies.length });
      }
      for (const c of copies) {
        const oldId = c.id;
        c.id = newId.get(oldId)!;
        c.parentTaskRunId = c.parentTaskRunId ? newId.get(c.parentTaskRunId) ?? null : null;
        // The new execution starts from the flow's variables; the copied runs' changes are
        // applied to it again, so it has the variables the original had at this point.
        if (c.plan?.variables) c.plan.variables.applied = false;
        if (up.has(oldId)) {
          c.state = "RUNNING";
          c.histories = withState(c.histories, "RUNNING", deps.now());
          c.endDate = null;
        }
      }
      return deps.create(req, copies);
    },
  };
}
