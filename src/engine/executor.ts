// The executor: walks a flow's task tree against the task runs that exist and decides what
// happens next (new task runs, flowables ending, the execution ending). It mutates the
// in-memory state it is given and records every change; the caller persists the changes in
// one transaction. It does no I/O itself: rendering, ids, the clock and child executions
// come in through `deps`.
import { INPUT_TYPES, type InputDef, type InputType } from "../flow/inputs.ts";
import { parseValue } from "../flow/input-values.ts";
import { isTruthy, type Branch, type FlowableDefinition, type TaskDef } from "../../plugins/define.ts";
import { findTask } from "../../plugins/index.ts";
import type { Execution, FlowModel, LogEntry, Section, StoredPlan, TaskRun } from "./model.ts";
import { isFailure, isTerminal, withState, worstState } from "./states.ts";
import { taskById } from "./tree.ts";
import { startSpecial, advanceSpecial } from "./special.ts";
import { checkAssertions, checkMaxDuration } from "./sla.ts";
import { applyVariableChanges } from "./variables-change.ts";
import type { NamespaceFileFilter } from "../files/namespace-copy.ts";

export interface ChildExecution {
  id: string;
  state: string;
  outputs: Record<string, unknown> | null;
}

export interface SubflowRequest {
  parentRun: TaskRun;
  task: TaskDef;
  childId: string;
  /** ForEachItem: the batch file (`taskrun.items`) and its index (`taskrun.iteration`). */
  batch?: { items: string; iteration: number };
}

export interface ExecutorDeps {
  now(): Date;
  newId(): string;
  /** Render a template for a task run (null = execution level) with the current state. */
  render(template: string, run: TaskRun | null): Promise<string>;
  renderDeep<T>(value: T, run: TaskRun | null): Promise<T>;
  /** Render in a child execution's context (Subflow's deprecated `outputs`). */
  renderInChild?(template: unknown, childId: string): Promise<unknown>;
  child(id: string): ChildExecution | undefined;
  workDir(run: TaskRun): string;
  /** WorkingDirectory inputFiles: write name -> content (or kestra:// URI) into the folder. */
  writeFiles?(run: TaskRun, dir: string, files: Record<string, string>): Promise<void>;
  /** WorkingDirectory namespaceFiles: copy the namespace's selected files in; returns their paths. */
  copyNamespaceFiles?(run: TaskRun, dir: string, filter: NamespaceFileFilter): Promise<string[]>;
  /** WorkingDirectory outputFiles: upload the files matching the globs; name -> kestra:// URI. */
  collectFiles?(run: TaskRun, dir: string, globs: string[]): Promise<Record<string, string>>;
  /** Internal storage from a task run's folder (ForEachItem's batches and subflow outputs). */
  storage?: {
    read(run: TaskRun, uri: string): Promise<string>;
    /** Write `name` (may contain folders) under the run's folder; returns its kestra:/// URI. */
    write(run: TaskRun, name: string, data: string): Promise<string>;
    /** The run's folder as a URI path: /<namespace path>/<flow>/executions/<id>/tasks/<task>/<run>. */
    folder(run: TaskRun): string;
  };
}

export interface ExecState {
  flow: FlowModel;
  execution: Execution;
  runs: TaskRun[];
}

export interface Effects {
  created: TaskRun[];
  changed: Set<TaskRun>;
  executionChanged: boolean;
  logs: LogEntry[];
  /** Runnable task runs ready for a worker. */
  dispatch: TaskRun[];
  subflows: SubflowRequest[];
  /** Task runs whose running work must be aborted (kill, Exit). */
  kill: TaskRun[];
  /** The execution just reached a terminal state. */
  ended: boolean;
}

export interface Walker {
  state: ExecState;
  deps: ExecutorDeps;
  fx: Effects;
  byParent: Map<string, TaskRun[]>;
  /** Counts every change, so `advance` knows when a walk changed nothing. */
  mutations: number;
  setRunState(run: TaskRun, state: string): void;
  log(run: TaskRun | null, level: string, message: string): void;
  walkScope(parent: TaskRun | null, plan: StoredPlan, errors: TaskDef[], fin: TaskDef[]): Promise<ScopeResult>;
  finishFlowable(run: TaskRun, task: TaskDef, state: string): void;
  wake(at: number): void;
}

export interface ScopeResult {
  done: boolean;
  state: string;
}

const ROOT = "";

export async function advance(state: ExecState, deps: ExecutorDeps): Promise<Effects> {
  const fx: Effects = {
    created: [], changed: new Set(), executionChanged: false, logs: [], dispatch: [], subflows: [], kill: [], ended: false,
  };
  const w = createWalker(state, deps, fx);
  const ex = state.execution;
  const wasTerminal = isTerminal(ex.state);
  // A due wake-up is spent: whatever still waits (pauses, loops, SLA deadlines) sets the next one.
  if (ex.wakeAt !== null && ex.wakeAt <= deps.now().getTime()) {
    ex.wakeAt = null;
    fx.executionChanged = true;
  }
  if (ex.state === "CREATED" || ex.state === "RESTARTED" || ex.state === "QUEUED") setExecState(w, "RUNNING");
  // Variables set by finished tasks first: the tasks this pass starts render with them.
  for (const run of applyVariableChanges(state)) {
    if (!fx.created.includes(run)) fx.changed.add(run);
    fx.executionChanged = true;
  }
  if (ex.killRequested && !wasTerminal) {
    terminate(w, "KILLED");
  } else if (!wasTerminal) {
    const exit = state.runs.find((r) => r.plan?.exit && isTerminal(r.state));
    if (exit) exitExecution(w, exit.plan!.exit!);
  }
  // Walk until nothing changes: a new flowable may start children in the same pass.
  if (!isTerminal(ex.state)) await checkMaxDuration(w);
  for (let guard = 0; guard < 10_000; guard++) {
    const before = w.mutations;
    await walkRoot(w);
    if (w.mutations === before) break;
  }
  syncPaused(w);
  fx.ended = !wasTerminal && isTerminal(ex.state);
  return fx;
}

function createWalker(state: ExecState, deps: ExecutorDeps, fx: Effects): Walker {
  const byParent = new Map<string, TaskRun[]>();
  for (const r of state.runs) push(byParent, r.parentTaskRunId ?? ROOT, r);
  const w: Walker = {
    state, deps, fx, byParent, mutations: 0,
    setRunState(run, s) {
      if (run.state === s) return;
      w.mutations++;
      const now = deps.now();
      run.state = s;
      run.histories = withState(run.histories, s, now);
      if (isTerminal(s)) run.endDate = now.getTime();
      if (!fx.created.includes(run)) fx.changed.add(run);
    },
    log(run, level, message) {
      fx.logs.push({
        executionId: state.execution.id, taskRunId: run?.id ?? null, taskId: run?.taskId ?? null,
        attempt: run ? Math.max(0, run.attempts.length - 1) : null, level, message, timestamp: deps.now().getTime(),
      });
    },
    walkScope: (parent, plan, errors, fin) => walkScope(w, parent, plan, errors, fin),
    finishFlowable: (run, task, s) => finishFlowable(w, run, task, s),
    wake(at) {
      const ex = state.execution;
      if (ex.wakeAt === null || at < ex.wakeAt || ex.wakeAt <= deps.now().getTime()) {
        ex.wakeAt = at;
        fx.executionChanged = true;
      }
    },
  };
  return w;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function setExecState(w: Walker, s: string) {
  const ex = w.state.execution;
  if (ex.state === s) return;
  w.mutations++;
  const now = w.deps.now();
  ex.state = s;
  ex.histories = withState(ex.histories, s, now);
  if (s === "RUNNING" && ex.startDate === null) ex.startDate = now.getTime();
  if (isTerminal(s)) ex.endDate = now.getTime();
  w.fx.executionChanged = true;
}

/** Kill or Exit: every unfinished task run and the execution end in `state`. */
export function terminate(w: Walker, state: string) {
  for (const run of w.state.runs) {
    if (isTerminal(run.state)) continue;
    // A run waiting in the queue (e.g. RETRYING until its next attempt) leaves it: no worker
    // may claim it after it ended.
    run.queued = false;
    run.runAt = null;
    w.setRunState(run, state);
    w.fx.kill.push(run);
  }
  setExecState(w, state);
}

/**
 * Exit task: KILLED kills what runs (like a kill). Any other state ends the execution now but
 * lets task runs already running on a worker finish (Kestra's Exit: "Using KILLED will end
 * existing running tasks, any other state will continue to run"); nothing new starts.
 */
function exitExecution(w: Walker, state: string) {
  if (state === "KILLED") return terminate(w, state);
  for (const run of w.state.runs) {
    if (isTerminal(run.state)) continue;
    const onWorker = run.state === "RUNNING" && !run.queued && findTask(taskById(w.state.flow, run.taskId).type)?.kind === "runnable";
    if (onWorker) continue;
    run.queued = false;
    run.runAt = null;
    w.setRunState(run, state);
  }
  setExecState(w, state);
}

async function walkRoot(w: Walker) {
  const { flow, execution: ex } = w.state;
  if (!isTerminal(ex.state)) {
    const plan: StoredPlan = { branches: [{ tasks: flow.tasks }], concurrency: 1 };
    const res = await walkScope(w, null, plan, flow.errors ?? [], flow.finally ?? []);
    if (!res.done) return;
    let final = res.state;
    if (flow.outputs?.length) {
      try {
        const out: Record<string, unknown> = {};
        for (const o of flow.outputs) out[o.id] = typedOutput(o, await w.deps.renderDeep(o.value, null));
        ex.outputs = out;
      } catch (e) {
        ex.outputs = null;
        w.log(null, "ERROR", `Failed to render the flow outputs: ${(e as Error).message}`);
        final = "FAILED";
      }
    }
    setExecState(w, await checkAssertions(w, final));
  }
  // afterExecution runs once the execution has its final state (it can read execution.state).
  const after = w.state.flow.afterExecution ?? [];
  if (after.length) await walkList(w, null, "after", 0, 0, null, after);
}

/** A flow output converted to its declared type, as Kestra does (INT "4" → 4); a mismatch fails. */
function typedOutput(o: { id: string; type?: string }, value: unknown): unknown {
  const type = String(o.type ?? "STRING").toUpperCase();
  if (typeof value !== "string" || type === "STRING" || !INPUT_TYPES.includes(type as InputType)) return value;
  const r = parseValue({ id: o.id, type: type as InputType, required: false } as InputDef, value);
  if (!r.ok) throw new Error(`output '${o.id}': ${r.reason}`);
  return r.value;
}

/** Progress of one sequential list of tasks under a parent. */
interface ListProgress {
  status: "notStarted" | "pending" | "running" | "done" | "failed";
  state: string;
  next?: TaskDef;
}

function listProgress(tasks: TaskDef[], runs: TaskRun[]): ListProgress {
  // Finished runs before the first unfinished task are SUCCESS, WARNING or SKIPPED (a failure
  // returns at once): the list's state so far is WARNING if any of them is.
  let warning = false;
  let first = true;
  const latest = latestByTask(tasks, runs);
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i];
    if (t.disabled === true) continue;
    const run = latest(t.id, i);
    if (!run) return { status: first ? "notStarted" : "pending", state: warning ? "WARNING" : "SUCCESS", next: t };
    first = false;
    if (!isTerminal(run.state)) return { status: "running", state: warning ? "WARNING" : "SUCCESS" };
    if (isFailure(run.state)) return { status: "failed", state: run.state };
    if (run.state === "WARNING") warning = true;
  }
  return { status: "done", state: warning ? "WARNING" : "SUCCESS" };
}

/**
 * The latest run of each task (a restarted task has several). Usually the runs are exactly
 * one per task in the list's order: then the i-th run is the i-th task's, without an index.
 */
function latestByTask(tasks: TaskDef[], runs: TaskRun[]): (taskId: string, i: number) => TaskRun | undefined {
  let inOrder = runs.length <= tasks.length;
  for (let i = 0; inOrder && i < runs.length; i++) inOrder = runs[i].taskId === tasks[i].id;
  if (inOrder) return (_id, i) => runs[i];
  const latest = new Map<string, TaskRun>();
  for (const r of runs) latest.set(r.taskId, r);
  return (id) => latest.get(id);
}

function childrenOf(w: Walker, parent: TaskRun | null, section: Section, iteration: number): TaskRun[] {
  return (w.byParent.get(parent?.id ?? ROOT) ?? []).filter((r) => r.section === section && r.iteration === iteration);
}

/** Advance the unfinished flowable children of a scope first: they may end now. */
async function advanceChildren(w: Walker, runs: TaskRun[]) {
  for (const run of runs) {
    if (isTerminal(run.state)) continue;
    const task = taskById(w.state.flow, run.taskId);
    const def = findTask(task.type);
    if (def?.kind !== "flowable") continue;
    if (!run.plan) {
      // A restarted flowable whose plan had failed: decide it again.
      await planFlowable(w, run, task, def);
      continue;
    }
    if (def.special) await advanceSpecial(w, run, task, def.special);
    else {
      const res = await walkScope(w, run, run.plan, (task.errors as TaskDef[]) ?? [], (task.finally as TaskDef[]) ?? []);
      if (res.done) finishFlowable(w, run, task, res.state);
    }
  }
}

async function walkScope(
  w: Walker, parent: TaskRun | null, plan: StoredPlan, errors: TaskDef[], fin: TaskDef[],
): Promise<ScopeResult> {
  const iteration = plan.iteration ?? 0;
  const main = childrenOf(w, parent, "main", iteration);
  await advanceChildren(w, main);
  const byBranch = new Map<number, TaskRun[]>();
  for (const r of main) push(byBranch, r.branch, r);
  const progress = plan.branches.map((b, i) => listProgress(b.tasks, byBranch.get(i) ?? []));
  const failed = progress.some((p) => p.status === "failed");
  if (!failed || plan.continueOnFailure) {
    let active = progress.filter((p) => p.status === "running" || p.status === "pending").length;
    for (let i = 0; i < plan.branches.length; i++) {
      const p = progress[i];
      if (p.status === "pending") await startRun(w, parent, "main", i, iteration, plan.branches[i], p.next!);
      else if (p.status === "notStarted" && (plan.concurrency === 0 || active < plan.concurrency) && depsDone(plan.branches[i], progress)) {
        await startRun(w, parent, "main", i, iteration, plan.branches[i], p.next!);
        active++;
      }
    }
  }
  const running = progress.some((p, i) => p.status === "running" || p.status === "pending" ||
    (p.status === "notStarted" && (!failed || plan.continueOnFailure) && !blocked(plan.branches[i], progress)));
  if (running) return { done: false, state: "RUNNING" };
  const mainState = failed
    ? worstState(progress.filter((p) => p.status === "failed").map((p) => p.state))
    : worstState(progress.map((p) => p.state));
  let errorsState = "SUCCESS";
  if (isFailure(mainState) && errors.length) {
    const r = await walkList(w, parent, "errors", 0, iteration, null, errors);
    if (!r.done) return { done: false, state: "RUNNING" };
    errorsState = r.state;
  }
  let finallyState = "SUCCESS";
  if (fin.length) {
    const r = await walkList(w, parent, "finally", 0, iteration, null, fin);
    if (!r.done) return { done: false, state: "RUNNING" };
    finallyState = r.state;
  }
  if (isFailure(mainState)) return { done: true, state: mainState };
  void errorsState;
  return { done: true, state: worstState([mainState, finallyState]) };
}

function depsDone(branch: Branch, progress: ListProgress[]): boolean {
  return (branch.after ?? []).every((i) => progress[i]?.status === "done");
}

/** A Dag branch whose dependency failed can never start. */
function blocked(branch: Branch, progress: ListProgress[]): boolean {
  return (branch.after ?? []).some((i) => progress[i]?.status === "failed");
}

/** One sequential list (errors, finally, afterExecution) under a parent. */
async function walkList(
  w: Walker, parent: TaskRun | null, section: Section, branch: number, iteration: number, value: string | null, tasks: TaskDef[],
): Promise<ScopeResult> {
  const runs = childrenOf(w, parent, section, iteration);
  await advanceChildren(w, runs);
  const p = listProgress(tasks, runs);
  if (p.status === "notStarted" || p.status === "pending") {
    await startRun(w, parent, section, branch, iteration, { value, tasks }, p.next!);
    return { done: false, state: "RUNNING" };
  }
  if (p.status === "running") return { done: false, state: "RUNNING" };
  return { done: true, state: p.state };
}

async function startRun(
  w: Walker, parent: TaskRun | null, section: Section, branch: number, iteration: number, b: Branch, task: TaskDef,
) {
  const now = w.deps.now();
  const run: TaskRun = {
    id: w.deps.newId(),
    executionId: w.state.execution.id,
    seq: w.state.runs.length,
    parentTaskRunId: parent?.id ?? null,
    taskId: task.id,
    value: section === "main" && b.value !== undefined ? b.value : null,
    section, branch, iteration,
    state: "CREATED",
    histories: [{ state: "CREATED", date: now.toISOString() }],
    attempts: [],
    outputs: null,
    plan: null,
    queued: false,
    runAt: null,
    startDate: null,
    endDate: null,
  };
  w.mutations++;
  w.state.runs.push(run);
  push(w.byParent, run.parentTaskRunId ?? ROOT, run);
  w.fx.created.push(run);
  const cond = task.runIf ?? task.when;
  if (cond !== undefined && cond !== null) {
    try {
      const rendered = typeof cond === "string" ? await w.deps.render(cond, run) : String(cond);
      if (!truthy(rendered)) return w.setRunState(run, "SKIPPED");
    } catch (e) {
      w.log(run, "ERROR", `runIf: ${(e as Error).message}`);
      return w.setRunState(run, "FAILED");
    }
  }
  const def = findTask(task.type);
  if (!def) {
    w.log(run, "ERROR", `unknown task type "${task.type}"`);
    return w.setRunState(run, "FAILED");
  }
  if (def.kind === "runnable") {
    run.queued = true;
    run.runAt = now.getTime();
    w.fx.dispatch.push(run);
    return;
  }
  w.setRunState(run, "RUNNING");
  run.startDate = now.getTime();
  await planFlowable(w, run, task, def);
}

/** Decide a flowable's plan (rendering its expressions once); a failure fails the task. */
async function planFlowable(w: Walker, run: TaskRun, task: TaskDef, def: FlowableDefinition) {
  try {
    if (def.special) await startSpecial(w, run, task, def);
    else run.plan = await def.plan(flowableContext(w, run), task);
  } catch (e) {
    w.log(run, "ERROR", (e as Error).message);
    return finishFlowable(w, run, task, "FAILED");
  }
  w.mutations++;
  if (run.plan?.outputs) run.outputs = run.plan.outputs;
}

export function flowableContext(w: Walker, run: TaskRun) {
  const ex = w.state.execution;
  const logAt = (level: string) => (m: string) => w.log(run, level, m);
  return {
    execution: { id: ex.id, namespace: ex.namespace, flowId: ex.flowId, flowRevision: ex.flowRevision, labels: ex.labels, state: ex.state },
    taskRun: { id: run.id, taskId: run.taskId, value: run.value, attempt: 0, parentTaskRunId: run.parentTaskRunId },
    logger: {
      trace: logAt("TRACE"), debug: logAt("DEBUG"), info: logAt("INFO"), warn: logAt("WARN"), error: logAt("ERROR"),
      log: (level: string, m: string) => w.log(run, level, m),
    },
    render: (t: string) => w.deps.render(t, run),
    renderDeep: <T,>(v: T) => w.deps.renderDeep(v, run),
    vars: {},
  };
}

/** End a flowable task run, applying allowFailure / allowWarning and AllowFailure's rule. */
function finishFlowable(w: Walker, run: TaskRun, task: TaskDef, state: string) {
  let s = state;
  if (s === "FAILED" && run.plan?.childFailure === "warn") s = "WARNING";
  if (s === "FAILED" && task.allowFailure === true) s = task.allowWarning === true ? "SUCCESS" : "WARNING";
  w.setRunState(run, s);
}

export const truthy = isTruthy;

function syncPaused(w: Walker) {
  const ex = w.state.execution;
  if (isTerminal(ex.state)) return;
  const paused = w.state.runs.some((r) => r.state === "PAUSED");
  if (paused && ex.state === "RUNNING") setExecState(w, "PAUSED");
  else if (!paused && ex.state === "PAUSED") setExecState(w, "RUNNING");
}
