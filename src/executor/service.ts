// The execution service: owns executions (leases), runs executor passes and persists their
// effects, feeds its worker pool, and recovers whatever a dead instance left behind.
// The database is the source of truth; in-process events only make the next step early.
import type { InStatement } from "@libsql/client";
import { EventEmitter } from "node:events";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { FileStore, RunnableDefinition, TaskContext, TaskDef } from "../../plugins/define.ts";
import { findTask } from "../../plugins/index.ts";
import { advance, type Effects, type ExecState, type ExecutorDeps, type SubflowRequest } from "../engine/executor.ts";
import type { Execution, FlowModel, Label, LogEntry, TaskRun } from "../engine/model.ts";
import { endAttempt, isTerminal } from "../engine/states.ts";
import { retryOf, taskById } from "../engine/tree.ts";
import { executionVars, outputsMap, taskRunVars, type VarsSource } from "../engine/variables.ts";
import { applyVariableChanges } from "../engine/variables-change.ts";
import type { Db } from "../store/db.ts";
import {
  claimExecution, findOrphanExecutions, insertExecutionStmt, insertTaskRunsStmts, insertLogsStmt, loadExecution, loadTaskRuns,
  persistEffects, releaseLeases, renewLeases, setKillRequested, updateLabels,
} from "../store/executions.ts";
import { applyLimitStmt, flowsWithQueued, promoteQueued } from "../store/concurrency.ts";
import { groupWrite } from "../store/group-write.ts";
import {
  claimTaskRuns, completeStmt, completionPlan, isLeaseGuard, LEASE_GUARD, lostTaskRuns, requeueExpired, type Claimed, type Completion,
} from "../store/task-queue.ts";
import { runTask, type TaskRequests } from "../worker/run-task.ts";
import type { Renderer, Vars } from "./render.ts";
import { createOperations } from "./operations.ts";
import { resolveRenderedInputs } from "../flow/index.ts";
import { taskRunPrefix } from "../files/uri.ts";
import type { NamespaceFileFilter } from "../files/namespace-copy.ts";

export interface FlowSource {
  /** The flow model of a namespace/id (latest, or a given revision). */
  get(namespace: string, id: string, revision?: number): Promise<FlowModel | undefined>;
}

export interface ServiceDeps {
  db: Db;
  owner: string;
  flows: FlowSource;
  renderer: Renderer;
  /** Everything else a plugin context needs (storage, kv, runtime…), per task run. */
  taskContext(base: BaseContext): TaskContext;
  dataDir: string;
  now?: () => Date;
  newId?: () => string;
  envs?: Record<string, string>;
  workerConcurrency?: number;
  /** Executions with executor passes in flight beyond which new ones are deferred (default 64). */
  maxBusy?: number;
  /** Local folder <-> internal storage for WorkingDirectory inputFiles/outputFiles. */
  files?: {
    write(scope: FileScope, dir: string, files: Record<string, string>): Promise<void>;
    collect(scope: FileScope, dir: string, globs: string[]): Promise<Record<string, string>>;
    /** WorkingDirectory namespaceFiles: copy the scope's namespace files into the folder. */
    namespaceFiles?(scope: FileScope, dir: string, filter: NamespaceFileFilter): Promise<string[]>;
    /** A task run's view of internal storage (ForEachItem reads its batches, writes subflow outputs). */
    store?(scope: FileScope): Pick<FileStore, "getText" | "put">;
  };
  /** Hide secret values (and SECRET inputs) in log lines before they are stored or shown. */
  mask?(text: string, sensitive: string[]): string;
  leaseMs?: number;
  tickMs?: number;
  /** Run workers (claim task runs) in this instance. */
  worker?: boolean;
  /** Walk executions in this instance. */
  executor?: boolean;
}

export type BaseContext = Omit<TaskContext, "storage" | "kv" | "runtime"> & { flow: FlowModel };

export interface NewExecution {
  flow: FlowModel;
  originalId?: string;
  inputs?: Record<string, unknown>;
  labels?: Label[];
  trigger?: Record<string, unknown> | null;
  parentId?: string | null;
  id?: string;
  dedupKey?: string;
}

export type Service = ReturnType<typeof createExecutionService>;

export function createExecutionService(deps: ServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? newExecutionId;
  const leaseMs = deps.leaseMs ?? 30_000;
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const cache = new Map<string, ExecState>();
  /** Finished child executions, kept until their parent's Subflow task has read them. */
  const finished = new Map<string, { id: string; state: string; outputs: Record<string, unknown> | null }>();
  const busy = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const running = new Map<string, AbortController>();
  /** Worker tasks in flight, until their results are written. */
  const working = new Set<Promise<void>>();
  /** Worker completions waiting to be persisted with the execution's next pass. */
  const pending = new Map<string, { stmts: InStatement[]; errors: boolean; apply(state: ExecState): void }[]>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  let slots = deps.workerConcurrency ?? 16;
  const backlog: Claimed[] = [];
  let stopped = false;
  let tick: ReturnType<typeof setInterval> | undefined;

  /** Executions this instance is the executor of (it holds their lease). */
  const owned = new Set<string>();

  /** An execution as this instance sees it; cached only while this instance owns it. */
  async function load(id: string): Promise<ExecState | undefined> {
    const hit = cache.get(id);
    if (hit) return hit;
    const execution = await loadExecution(deps.db, id);
    if (!execution) return undefined;
    const flow = await deps.flows.get(execution.namespace, execution.flowId, execution.flowRevision);
    if (!flow) throw new Error(`flow ${execution.namespace}.${execution.flowId} revision ${execution.flowRevision} not found`);
    const state = { flow, execution, runs: await loadTaskRuns(deps.db, id) };
    if (owned.has(id)) cache.set(id, state);
    return state;
  }

  /** Become the executor of an execution (or confirm it): one walker per execution. */
  async function own(id: string): Promise<boolean> {
    if (owned.has(id)) return true;
    if (!(await claimExecution(deps.db, id, deps.owner, leaseMs))) return false;
    adopt(id);
    return true;
  }

  /** Now the executor of `id`: whatever we held was read without (or before) the lease, read it again. */
  function adopt(id: string) {
    owned.add(id);
    cache.delete(id);
  }

  // Runs are only ever appended to a state's list (and updated in place): the id index is
  // rebuilt when the list grew, not for every expression.
  const indexes = new WeakMap<TaskRun[], Map<string, TaskRun>>();
  function source(state: ExecState): VarsSource {
    let runById = indexes.get(state.runs);
    if (!runById || runById.size !== state.runs.length) {
      runById = new Map(state.runs.map((r) => [r.id, r]));
      indexes.set(state.runs, runById);
    }
    return { ...state, runById, envs: deps.envs };
  }

  function varsFor(state: ExecState, run: TaskRun | null): Vars {
    const src = source(state);
    if (!run) return executionVars(src);
    return taskRunVars(src, run, taskById(state.flow, run.taskId).type);
  }

  /** More executions with passes in flight than this, and new ones wait in the database. */
  const maxBusy = deps.maxBusy ?? 64;
  let deferred = false;
  let pickingUp = false;

  /** Start queued executions of a concurrency-limited flow while it has free slots. */
  async function startQueued(ns: string, flowId: string, limit: number) {
    if (stopped || deps.executor === false) return;
    try {
      for (let id; (id = await promoteQueued(deps.db, ns, flowId, limit, deps.owner, leaseMs)); ) {
        adopt(id);
        void kick(id);
      }
    } catch (e) {
      console.error(`[tern] starting queued executions of ${ns}.${flowId}:`, (e as Error).message);
    }
  }

  /** Queued executions whose slot was freed elsewhere (or by an instance that died since). */
  async function sweepQueued() {
    for (const f of await flowsWithQueued(deps.db)) {
      const flow = await deps.flows.get(f.namespace, f.flowId).catch(() => undefined);
      const limit = flow?.concurrency?.limit;
      await startQueued(f.namespace, f.flowId, limit ?? Number.MAX_SAFE_INTEGER);
    }
  }

  /** Claim unowned executions (deferred by create, or left by a dead instance) while there is room. */
  async function pickUp() {
    if (pickingUp || stopped || deps.executor === false) return;
    pickingUp = true;
    try {
      const room = maxBusy - busy.size;
      if (room <= 0) return;
      const ids = await findOrphanExecutions(deps.db, deps.owner, room);
      // A full page means more may wait: look again as soon as passes drain.
      deferred = ids.length >= room;
      for (const id of ids) {
        if (busy.has(id)) continue;
        // Claimed again even when ours (a wake-up is due, or a remote worker finished one of its
        // tasks): it is then reread. If the claim fails, the lease went elsewhere: forget it.
        if (await claimExecution(deps.db, id, deps.owner, leaseMs)) {
          adopt(id);
          void kick(id);
        } else {
          owned.delete(id);
          cache.delete(id);
        }
      }
    } catch (e) {
      console.error("[tern] pick-up failed:", (e as Error).message);
    } finally {
      pickingUp = false;
    }
  }

  /** Run one executor pass; passes on one execution never overlap, extra requests coalesce. */
  function kick(id: string): Promise<void> {
    if (stopped || deps.executor === false) return Promise.resolve();
    const current = busy.get(id);
    if (current) {
      again.add(id);
      return current;
    }
    const p = (async () => {
      try {
        do {
          again.delete(id);
          await pass(id);
        } while (again.has(id) && !stopped);
      } catch (e) {
        console.error(`[tern] executor error on ${id}:`, e);
      } finally {
        busy.delete(id);
        if (deferred && busy.size < maxBusy / 2) void pickUp();
      }
    })();
    busy.set(id, p);
    return p;
  }

  async function pass(id: string) {
    const completions = pending.get(id) ?? [];
    pending.delete(id);
    if (!(await own(id))) {
      // Another live instance walks it: our workers' results go straight to the database.
      for (const c of completions) await writeCompletion(id, c.stmts);
      return;
    }
    const state = await load(id);
    if (!state) return;
    for (const c of completions) c.apply(state);
    try {
      await walk(id, state, completions.flatMap((c) => c.stmts), completions.some((c) => c.errors));
    } catch (e) {
      if (!isLeaseGuard(e)) throw e;
      // A completion's lease was lost (another instance took the run): drop our view and reload.
      console.error(`[tern] a task run of ${id} lost its lease; its result was dropped`);
      cache.delete(id);
      owned.delete(id);
      again.add(id);
    }
  }

  async function walk(id: string, state: ExecState, before: InStatement[], unwrittenErrors = false) {
    const ex = state.execution;
    const wasTerminal = isTerminal(ex.state) && state.runs.every((r) => isTerminal(r.state));
    if (wasTerminal && !ex.killRequested && !before.length) return;
    // An afterExecution task ended after the execution did: the next one starts (the walk below),
    // or, after the last one, the execution finishes up now.
    const afterLeft = (state.flow.afterExecution ?? []).some((t) => !state.runs.some((r) => r.taskId === t.id));
    if (wasTerminal && !ex.killRequested && !afterLeft) {
      const changed = applyVariableChanges(state);
      await persistEffects(deps.db, { before, execution: ex, releaseExecution: true, created: [], changed, logs: [] }, ex.namespace, ex.flowId);
      return finish(ex, state.flow);
    }
    // After a restart the children of waiting Subflow tasks may be finished and uncached.
    for (const r of state.runs) {
      if (isTerminal(r.state)) continue;
      for (const cid of childIds(r)) {
        if (cache.has(cid) || finished.has(cid)) continue;
        const child = await loadExecution(deps.db, cid);
        if (child && isTerminal(child.state)) finished.set(cid, { id: cid, state: child.state, outputs: child.outputs });
        else if (child) void kick(cid);
      }
    }
    const executorDeps: ExecutorDeps = {
      now, newId,
      render: (t, run) => deps.renderer.render(t, varsFor(state, run)),
      renderDeep: (v, run) => deps.renderer.renderDeep(v, varsFor(state, run)),
      renderInChild: async (tpl, childId) => {
        const child = await load(childId);
        if (!child) throw new Error(`child execution ${childId} not found`);
        return deps.renderer.renderDeep(tpl, varsFor(child, null));
      },
      child: (cid) => {
        const c = cache.get(cid)?.execution;
        return c ? { id: c.id, state: c.state, outputs: c.outputs } : finished.get(cid);
      },
      workDir: (run) => {
        const dir = join(deps.dataDir, "work", run.id);
        mkdirSync(dir, { recursive: true });
        return dir;
      },
      writeFiles: deps.files ? (run, dir, files) => deps.files!.write(fileScope(ex, run), dir, files) : undefined,
      collectFiles: deps.files ? (run, dir, globs) => deps.files!.collect(fileScope(ex, run), dir, globs) : undefined,
      copyNamespaceFiles: deps.files?.namespaceFiles ? (run, dir, filter) => deps.files!.namespaceFiles!(fileScope(ex, run), dir, filter) : undefined,
      storage: deps.files?.store ? {
        read: (run, uri) => deps.files!.store!(fileScope(ex, run)).getText(uri),
        write: (run, name, data) => deps.files!.store!(fileScope(ex, run)).put(name, data),
        folder: (run) => `/${taskRunPrefix(fileScope(ex, run))}`,
      } : undefined,
    };
    const fx = await advance(state, executorDeps);
    if (!unwrittenErrors) await runInline(state, fx, executorDeps);
    const done = isTerminal(ex.state) && state.runs.every((r) => isTerminal(r.state));
    const local = preclaim(fx.dispatch.filter((r) => fx.created.includes(r)));
    const subStmts = await subflowStatements(state, fx.subflows, fx.logs);
    await persistEffects(deps.db, {
      leaseMs,
      before,
      execution: fx.executionChanged || done ? ex : undefined,
      releaseExecution: done,
      created: fx.created, changed: fx.changed, logs: fx.logs, extra: subStmts,
    }, ex.namespace, ex.flowId);
    for (const l of fx.logs) events.emit("log", l);
    for (const r of [...fx.created, ...fx.changed]) {
      events.emit("taskRun", ex, r);
      if (r.plan?.workingDir && isTerminal(r.state)) rmSync(r.plan.workingDir, { recursive: true, force: true });
    }
    for (const r of fx.kill) {
      running.get(r.id)?.abort(new Error("killed"));
      // Killing a Subflow task kills the execution it started (and so on down the tree).
      for (const child of childIds(r)) void api.kill(child).catch((e: Error) => console.error(`[tern] kill of child ${child}: ${e.message}`));
    }
    for (const s of fx.subflows) {
      if (s.parentRun.state === "FAILED") again.add(id); // the flow was missing: walk on
      else void kick(s.childId);
    }
    if (fx.executionChanged) events.emit("execution", ex);
    schedule(ex);
    for (const run of local) backlog.push({ run, fence: run.fence! });
    if (local.length) drain();
    const rest = fx.dispatch.filter((r) => !local.includes(r));
    if (rest.length && deps.worker !== false) void claimLocal(rest.map((r) => r.id));
    if (done) finish(ex, state.flow);
  }

  function finish(ex: Execution, flow?: FlowModel) {
    cache.delete(ex.id);
    owned.delete(ex.id);
    if (flow?.concurrency?.limit !== undefined) void startQueued(ex.namespace, ex.flowId, flow.concurrency.limit);
    if (ex.parentId) finished.set(ex.id, { id: ex.id, state: ex.state, outputs: ex.outputs });
    events.emit("end", ex);
    if (ex.parentId) void kick(ex.parentId);
  }

  /** Child executions of Subflow tasks are created in the same transaction as the parent's pass. */
  async function subflowStatements(state: ExecState, reqs: SubflowRequest[], logs: LogEntry[]) {
    const stmts = [];
    for (const req of reqs) {
      if (req.parentRun.state === "FAILED") continue; // an earlier batch of the same ForEachItem failed
      const child = await buildChild(state, req).catch((e: Error) => {
        const run = req.parentRun;
        const date = now();
        logs.push({ executionId: state.execution.id, taskRunId: run.id, taskId: run.taskId, attempt: Math.max(0, run.attempts.length - 1), level: "ERROR", message: e.message, timestamp: date.getTime() });
        run.state = "FAILED";
        run.histories.push({ state: "FAILED", date: date.toISOString() });
        // Its attempt ends with it (it would otherwise stay RUNNING in the attempt history).
        endAttempt(run, "FAILED", date);
        return undefined;
      });
      if (!child) continue;
      stmts.push(insertExecutionStmt(child.execution, { owner: deps.owner, leaseMs }));
      owned.add(child.execution.id);
      cache.set(child.execution.id, child);
    }
    return stmts;
  }

  async function buildChild(state: ExecState, req: SubflowRequest): Promise<ExecState> {
    const { task, parentRun, batch } = req;
    const vars = varsFor(state, parentRun);
    if (batch) vars.taskrun = { ...(vars.taskrun as object), items: batch.items, iteration: batch.iteration };
    const ns = await deps.renderer.render(String(task.namespace), vars);
    const fid = await deps.renderer.render(String(task.flowId), vars);
    const flow = await deps.flows.get(ns, fid, task.revision ? Number(task.revision) : undefined);
    if (!flow) throw new Error(`Unable to find flow '${ns}'.'${fid}'`);
    const provided = (await deps.renderer.renderDeep(task.inputs ?? {}, vars)) as Record<string, unknown>;
    const resolved = await api.resolveInputs(flow, provided);
    if (resolved.errors.length) throw new Error(resolved.errors.map((e) => e.message).join("; "));
    const inputs = resolved.values;
    const labels: Label[] = [];
    if (task.inheritLabels === true) labels.push(...state.execution.labels.filter((l) => !l.key.startsWith("system.")));
    labels.push(...toLabels(await deps.renderer.renderDeep(task.labels ?? {}, vars)));
    const correlation = state.execution.labels.find((l) => l.key === "system.correlationId")?.value ?? state.execution.id;
    labels.push({ key: "system.correlationId", value: correlation });
    const execution = newExecutionRecord({
      flow, id: req.childId, inputs, labels, parentId: state.execution.id,
      trigger: {
        type: batch ? String(task.type) : "io.kestra.plugin.core.flow.Subflow",
        variables: {
          executionId: state.execution.id, namespace: state.execution.namespace, flowId: state.execution.flowId, flowRevision: state.execution.flowRevision,
          ...(batch ? { taskRunId: parentRun.id, taskId: parentRun.taskId, taskRunIteration: batch.iteration } : {}),
        },
      },
    }, now());
    return { flow, execution, runs: [] };
  }

  /**
   * Instant tasks (Log, Return …) the pass just queued run here and now, and the pass goes on
   * with their results: a chain of them ends in the one write of this pass. Bounded in rounds
   * and time so one execution cannot hold the process; what is left goes to the workers.
   */
  async function runInline(state: ExecState, fx: Effects, executorDeps: ExecutorDeps) {
    if (deps.worker === false || stopped) return;
    const started = performance.now();
    for (let round = 0; round < 1000 && performance.now() - started < 50; round++) {
      // Error lines must be stored before anything else runs (errorLogs() reads them back).
      if (fx.logs.some((l) => l.level === "ERROR")) return;
      const batch = fx.dispatch.filter((r) => fx.created.includes(r) && isInline(state, r));
      if (!batch.length) return;
      fx.dispatch = fx.dispatch.filter((r) => !batch.includes(r));
      for (const run of batch) {
        startAttempt(run, now());
        run.runAt = null;
        const task = taskById(state.flow, run.taskId);
        const completion = await runTask({
          run, fence: 0, owner: deps.owner, task, def: findTask(task.type) as RunnableDefinition, retry: retryOf(state.flow, task.id), now,
          signal: new AbortController().signal,
          onLog: (l) => {
            if (deps.mask) l.message = deps.mask(l.message, secretInputs(state));
            fx.logs.push(l);
          },
          context: (logger, signal, requests) => buildContext(state, run, task, logger, signal, requests),
        });
        applyCompletion(run, completion);
        if (completion.requeueAt !== undefined) wakeQueueAt(completion.requeueAt);
      }
      // Walk on with the results: the next tasks may start (and be instant too).
      const more = await advance(state, executorDeps);
      for (const r of more.created) fx.created.push(r);
      for (const r of more.changed) if (!fx.created.includes(r)) fx.changed.add(r);
      fx.logs.push(...more.logs);
      fx.dispatch.push(...more.dispatch);
      fx.subflows.push(...more.subflows);
      fx.kill.push(...more.kill);
      fx.executionChanged ||= more.executionChanged;
      fx.ended ||= more.ended;
    }
  }

  function isInline(state: ExecState, run: TaskRun): boolean {
    const def = findTask(taskById(state.flow, run.taskId).type);
    return def?.kind === "runnable" && def.inline === true;
  }

  // ---- worker side -------------------------------------------------------------------------

  /**
   * New runnable runs this instance has room for are inserted already claimed (owner, lease,
   * fence 1, RUNNING): one write instead of an insert plus a claim. If we die, the lease
   * expires and any instance re-queues them.
   */
  function preclaim(created: TaskRun[]): TaskRun[] {
    if (deps.worker === false || stopped) return [];
    // Admission control bounds the executions in flight, so the backlog stays bounded too.
    const room = Math.max(0, 1000 - backlog.length);
    const out = created.slice(0, room);
    const date = now();
    for (const run of out) {
      startAttempt(run, date);
      run.owner = deps.owner;
      run.fence = 1;
    }
    return out;
  }

  async function claimLocal(ids: string[]) {
    const claimed = await claimTaskRuns(deps.db, deps.owner, leaseMs, ids.length, ids);
    for (const c of claimed) backlog.push(c);
    drain();
  }

  async function claimRemote() {
    if (slots <= 0 || deps.worker === false) return;
    const claimed = await claimTaskRuns(deps.db, deps.owner, leaseMs, slots);
    for (const c of claimed) backlog.push(c);
    drain();
  }

  function drain() {
    // After stop, claimed runs stay queued: releaseLeases hands them back to other instances.
    while (slots > 0 && backlog.length && !stopped) {
      const c = backlog.shift()!;
      slots--;
      const p = work(c).catch((e: Error) => {
        if (!stopped) console.error(`[tern] task run ${c.run.id} of ${c.run.executionId}: ${e.message}`);
      }).finally(() => {
        working.delete(p);
        slots++;
        drain();
      });
      working.add(p);
    }
  }

  async function work(c: Claimed) {
    const state = await load(c.run.executionId).catch(() => undefined);
    if (!state) return;
    // Keep the cached run in step with the claim (attempt pushed, RUNNING).
    const cached = state.runs.find((r) => r.id === c.run.id);
    if (cached) Object.assign(cached, c.run);
    else state.runs.push(c.run);
    events.emit("taskRun", state.execution, cached ?? c.run);
    const task = taskById(state.flow, c.run.taskId);
    const def = findTask(task.type);
    if (!def || def.kind !== "runnable") return;
    const controller = new AbortController();
    running.set(c.run.id, controller);
    const logs: LogEntry[] = [];
    try {
      const completion = await runTask({
        run: c.run, fence: c.fence, owner: deps.owner, task, def, retry: retryOf(state.flow, task.id), now,
        signal: controller.signal,
        onLog: (l) => {
          if (deps.mask) l.message = deps.mask(l.message, secretInputs(state));
          logs.push(l);
          events.emit("log", l);
        },
        context: (logger, signal, requests) => buildContext(state, c.run, task, logger, signal, requests),
      });
      const ex = state.execution;
      const stmts = [completeStmt(completion), LEASE_GUARD, ...insertLogsStmt(logs, ex.namespace, ex.flowId)];
      // Applied to whichever state object is current when the completion is folded in (the
      // cache may have been reloaded meanwhile, e.g. when a sweep re-claimed the execution).
      const apply = (current: ExecState) => {
        const run = current.runs.find((r) => r.id === c.run.id);
        if (!run) return;
        applyCompletion(run, completion);
        events.emit("taskRun", current.execution, run);
      };
      if (completion.requeueAt !== undefined) wakeQueueAt(completion.requeueAt);
      if (deps.executor === false || stopped || !owned.has(c.run.executionId)) {
        // This instance does not walk the execution: write the result now and wake its owner.
        if (await writeCompletion(c.run.executionId, stmts)) events.emit("taskRun", ex, { ...c.run, ...completion });
        return;
      }
      // The completion is written in the same transaction as the executor's next decision:
      // one write per task, and nothing decided on a completion that is not durable.
      const queued = pending.get(c.run.executionId) ?? [];
      queued.push({ stmts, apply, errors: logs.some((l) => l.level === "ERROR") });
      pending.set(c.run.executionId, queued);
      void kick(c.run.executionId);
    } finally {
      running.delete(c.run.id);
    }
  }

  /** A worker result written on its own (fenced), waking the execution's owner to read it. */
  async function writeCompletion(executionId: string, stmts: InStatement[]): Promise<boolean> {
    const rs = await deps.db.$client.batch([
      ...stmts.filter((x) => x !== LEASE_GUARD),
      { sql: `UPDATE executions SET wake_at = ? WHERE id = ?`, args: [now().getTime(), executionId] },
    ], "write");
    return rs[0].rowsAffected > 0;
  }

  function buildContext(state: ExecState, run: TaskRun, task: TaskDef, logger: TaskContext["logger"], signal: AbortSignal, requests: TaskRequests) {
    const ex = state.execution;
    const vars = varsFor(state, run);
    const wdRun = nearestWorkingDir(state, run);
    if (wdRun) vars.workingDir = wdRun;
    return deps.taskContext({
      flow: state.flow,
      execution: { id: ex.id, namespace: ex.namespace, flowId: ex.flowId, flowRevision: ex.flowRevision, labels: ex.labels, state: ex.state },
      taskRun: { id: run.id, taskId: run.taskId, value: run.value, attempt: run.attempts.length - 1, parentTaskRunId: run.parentTaskRunId },
      logger, signal, vars,
      workingDir: wdRun,
      render: (t, extra) => deps.renderer.render(t, extra ? { ...vars, ...extra } : vars),
      renderDeep: (v) => deps.renderer.renderDeep(v, vars),
      metric: () => {},
      engine: {
        setLabels: async (labels) => {
          const merged = new Map(ex.labels.map((l) => [l.key, l.value]));
          for (const l of labels) merged.set(l.key, l.value);
          ex.labels = [...merged].map(([key, value]) => ({ key, value }));
          await updateLabels(deps.db, ex.id, ex.labels);
        },
        exit: requests.exit,
        variables: requests.variables,
        resume: async (id, inputs) => void (await api.resume(id, inputs)),
      },
      now,
    });
    void task;
  }

  function nearestWorkingDir(state: ExecState, run: TaskRun): string | undefined {
    for (let p = run.parentTaskRunId; p; ) {
      const parent = state.runs.find((r) => r.id === p);
      if (!parent) return undefined;
      if (parent.plan?.workingDir) return parent.plan.workingDir;
      p = parent.parentTaskRunId;
    }
    return undefined;
  }

  function operations() {
    // Forgetting also drops a child's remembered end: a restarted child is no longer finished.
    const forget = (id: string) => (cache.delete(id), finished.delete(id));
    return createOperations({ db: deps.db, now, newId, load, forget, kick, claim: own, create: (r, runs) => api.create(r, runs) });
  }

  // ---- timers and sweeps ---------------------------------------------------------------------

  function schedule(ex: Execution) {
    const old = timers.get(ex.id);
    if (old) clearTimeout(old);
    timers.delete(ex.id);
    if (ex.wakeAt === null || isTerminal(ex.state)) return;
    const delay = Math.max(0, ex.wakeAt - now().getTime());
    timers.set(ex.id, setTimeout(() => {
      timers.delete(ex.id);
      void kick(ex.id);
    }, delay));
  }

  let queueTimer: ReturnType<typeof setTimeout> | undefined;
  let queueAt = Infinity;
  function wakeQueueAt(at: number) {
    if (at >= queueAt) return;
    if (queueTimer) clearTimeout(queueTimer);
    queueAt = at;
    queueTimer = setTimeout(() => {
      queueAt = Infinity;
      void claimRemote();
    }, Math.max(0, at - now().getTime()) + 5);
  }

  let renewedAt = Date.now();

  /** A worker that cannot keep its leases stops the tasks it no longer holds. */
  async function keepLeases() {
    try {
      await renewLeases(deps.db, deps.owner, leaseMs);
      renewedAt = Date.now();
    } catch (e) {
      if (Date.now() - renewedAt > leaseMs) for (const c of running.values()) c.abort(new Error("task lease could not be renewed"));
      throw e;
    }
    if (running.size === 0) return;
    for (const id of await lostTaskRuns(deps.db, deps.owner, [...running.keys()])) {
      console.error(`[tern] task run ${id} was taken over by another instance: stopping it here`);
      running.get(id)?.abort(new Error("task lease lost"));
    }
  }

  async function sweep() {
    if (stopped) return;
    try {
      await keepLeases();
      await requeueExpired(deps.db);
      await pickUp();
      if (deps.executor !== false) await sweepQueued();
      await claimRemote();
    } catch (e) {
      console.error("[tern] sweep failed:", (e as Error).message);
    }
  }

  const api = {
    events,
    now,
    /**
     * Type a flow's inputs from the values given for them; expression defaults are rendered
     * with the flow, the inputs defined before them, envs and the functions (now(), kv(), secret()…).
     */
    resolveInputs(flow: FlowModel, provided: Record<string, unknown>) {
      const vars = (inputs: Record<string, unknown>) => ({
        flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision, tenantId: "main" }, inputs, envs: deps.envs ?? {},
      });
      return resolveRenderedInputs((flow.inputs ?? []) as never, provided, (template, inputs) => deps.renderer.render(template, vars(inputs)));
    },
    /** Create an execution (durably) and start walking it. */
    async create(req: NewExecution, runs: TaskRun[] = []): Promise<Execution> {
      const execution = newExecutionRecord({ ...req, id: req.id ?? newId() }, now());
      for (const r of runs) r.executionId = execution.id;
      // Take it on now if the executor keeps up; otherwise it is stored unowned and picked up
      // (here or by another instance) as passes drain: accepted at once, run at the pace the
      // machine allows, memory bounded.
      const limit = req.flow.concurrency?.limit;
      const admit = deps.executor !== false && !stopped && (limit !== undefined || busy.size + backlog.length < maxBusy);
      const insert = [
        insertExecutionStmt(execution, { owner: admit ? deps.owner : undefined, leaseMs, dedupKey: req.dedupKey }),
        ...insertTaskRunsStmts(runs),
      ];
      if (limit !== undefined) {
        // Over the flow's concurrency limit the execution is QUEUED, CANCELLED or FAILED.
        const over = { QUEUE: "QUEUED", CANCEL: "CANCELLED", FAIL: "FAILED" }[req.flow.concurrency?.behavior ?? "QUEUE"] ?? "QUEUED";
        const at = now();
        const rs = await deps.db.$client.batch([
          ...insert, applyLimitStmt(execution.id, execution.namespace, execution.flowId, limit, over, at),
        ], "write");
        if (rs.at(-1)!.rowsAffected > 0) {
          execution.state = over;
          execution.histories = [...execution.histories, { state: over, date: at.toISOString() }];
          if (over !== "QUEUED") execution.endDate = at.getTime();
          events.emit("execution", execution);
          if (over !== "QUEUED") events.emit("end", execution);
          return { ...execution };
        }
      } else await groupWrite(deps.db, insert);
      events.emit("execution", execution);
      if (admit) {
        owned.add(execution.id);
        cache.set(execution.id, { flow: req.flow, execution, runs });
        void kick(execution.id);
      } else deferred = true;
      return { ...execution };
    },
    kick,
    async kill(id: string): Promise<boolean> {
      if (!(await setKillRequested(deps.db, id))) return false;
      const st = cache.get(id);
      if (st) st.execution.killRequested = true;
      await kick(id);
      return true;
    },
    /** Restart a FAILED/KILLED/PAUSED execution from its failed task runs (same id). */
    restart: (id: string) => operations().restart(id),
    /** Resume a PAUSED execution; `inputs` are the Pause task's onResume values. */
    resume: (id: string, inputs?: Record<string, unknown>) => operations().resume(id, inputs ?? {}),
    /** New execution copying the task runs before `taskRunId` (or a fresh run without it). */
    replay: (id: string, taskRunId?: string) => operations().replay(id, taskRunId),
    /** Set one task run's state (e.g. mark a failed task SUCCESS) and continue. */
    changeTaskRunState: (id: string, taskRunId: string, state: string) => operations().changeTaskRunState(id, taskRunId, state),
    /**
     * Render an expression with one task run's variables (the API's eval); undefined when the
     * execution or the task run does not exist. Template errors are thrown as they are.
     */
    async renderInTaskRun(id: string, taskRunId: string, expression: string): Promise<string | undefined> {
      const state = await load(id);
      const run = state?.runs.find((r) => r.id === taskRunId);
      return state && run ? deps.renderer.render(expression, varsFor(state, run)) : undefined;
    },
    /** Resolves when the execution (and its afterExecution tasks) has finished. */
    async waitFor(id: string): Promise<Execution> {
      return new Promise((resolve) => {
        const onEnd = (ex: Execution) => {
          if (ex.id !== id) return;
          events.off("end", onEnd);
          resolve(ex);
        };
        events.on("end", onEnd);
        loadExecution(deps.db, id).then(async (ex) => {
          if (!ex || !isTerminal(ex.state)) return;
          const runs = await loadTaskRuns(deps.db, id);
          if (runs.every((r) => isTerminal(r.state))) onEnd(ex);
        });
      });
    },
    start(tickMs = deps.tickMs ?? 1000) {
      void sweep();
      tick = setInterval(sweep, tickMs);
    },
    async stop(graceMs = 10_000) {
      stopped = true;
      if (tick) clearInterval(tick);
      for (const t of timers.values()) clearTimeout(t);
      if (queueTimer) clearTimeout(queueTimer);
      const deadline = Date.now() + graceMs;
      while (running.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      for (const c of running.values()) c.abort(new Error("shutdown"));
      // Interrupted tasks still write what they ended with before the database closes.
      await Promise.race([Promise.allSettled([...working]), new Promise((r) => setTimeout(r, 5000))]);
      await Promise.allSettled([...busy.values()]);
      await releaseLeases(deps.db, deps.owner);
    },
    outputsOf: (state: ExecState) => outputsMap(source(state)),
  };
  return api;
}

export interface FileScope {
  namespace: string;
  flowId: string;
  executionId: string;
  taskId: string;
  taskRunId: string;
}

/** A new attempt of a run starts (what a worker's claim does in SQL, done in memory). */
function startAttempt(run: TaskRun, date: Date) {
  const iso = date.toISOString();
  run.queued = false;
  run.state = "RUNNING";
  run.histories = [...run.histories, { state: "RUNNING", date: iso }];
  run.attempts = [...run.attempts, { state: { current: "RUNNING", histories: [{ state: "RUNNING", date: iso }] }, startDate: iso }];
  run.startDate = date.getTime();
}

/** A task's result on its run: ended, or back in the queue for a retry. */
function applyCompletion(run: TaskRun, completion: Completion) {
  Object.assign(run, {
    state: completion.state, outputs: completion.outputs, attempts: completion.attempts, histories: completion.histories,
    endDate: completion.endDate, queued: completion.requeueAt !== undefined, runAt: completion.requeueAt ?? null, owner: null,
  });
  const plan = completionPlan(completion);
  if (plan) run.plan = plan;
}

/** The child executions a task run started: a Subflow's one, a ForEachItem's one per batch. */
function childIds(run: TaskRun): string[] {
  const p = run.plan;
  if (!p) return [];
  return p.childExecutionId ? [p.childExecutionId, ...(p.children ?? [])] : (p.children ?? []);
}

function fileScope(ex: Execution, run: TaskRun): FileScope {
  return { namespace: ex.namespace, flowId: ex.flowId, executionId: ex.id, taskId: run.taskId, taskRunId: run.id };
}

/** Values of the execution's SECRET inputs (masked in logs like secret() values). */
function secretInputs(state: ExecState): string[] {
  const out: string[] = [];
  for (const def of (state.flow.inputs ?? []) as { id: string; type: string }[]) {
    const v = def.type === "SECRET" ? state.execution.inputs[def.id] : undefined;
    if (typeof v === "string" && v) out.push(v);
  }
  return out;
}

export function toLabels(raw: unknown): Label[] {
  if (!raw) return [];
  if (Array.isArray(raw)) return raw.map((l) => ({ key: String(l.key), value: String(l.value) }));
  return Object.entries(raw as Record<string, unknown>).map(([key, value]) => ({ key, value: String(value) }));
}

export function newExecutionRecord(req: NewExecution & { id: string }, now: Date): Execution {
  const flowLabels = toLabels(req.flow.labels);
  const labels = new Map<string, string>();
  for (const l of [...flowLabels, ...(req.labels ?? [])]) labels.set(l.key, l.value);
  // Every execution carries the id of the execution at the root of its call tree.
  if (!labels.has("system.correlationId")) labels.set("system.correlationId", req.id);
  return {
    id: req.id, namespace: req.flow.namespace, flowId: req.flow.id, flowRevision: req.flow.revision ?? 1,
    state: "CREATED", histories: [{ state: "CREATED", date: now.toISOString() }], inputs: req.inputs ?? {}, outputs: null,
    labels: [...labels].map(([key, value]) => ({ key, value })), variables: (req.flow.variables as Record<string, unknown>) ?? {},
    trigger: req.trigger ?? null, parentId: req.parentId ?? null, originalId: req.originalId ?? null, createdAt: now.getTime(),
    startDate: null, endDate: null, wakeAt: null, killRequested: false,
  };
}

const ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * Kestra-shaped ids (22 base62 characters) that sort by creation time: 8 characters of the
 * millisecond clock, then 14 random ones (~83 bits, rejection-sampled so unbiased). New rows then
 * land at the right edge of every index keyed by an id (executions, task runs, logs by
 * execution), so a commit of many new rows dirties a few shared pages instead of one random page
 * per row: that write volume, not the statements, was most of the database's time.
 */
export function newExecutionId(at = Date.now()): string {
  let s = "";
  for (let i = 0, t = at; i < 8; i++, t = Math.floor(t / 62)) s = ID_ALPHABET[t % 62] + s;
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  for (let i = 0; s.length < 22; i++) {
    if (i === bytes.length) crypto.getRandomValues(bytes), (i = 0);
    const v = bytes[i] & 63;
    if (v < 62) s += ID_ALPHABET[v];
  }
  return s;
}
