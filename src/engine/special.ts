// Flowables the executor handles itself: Pause (waits), Subflow (a child execution),
// LoopUntil/WaitFor (repeats its children), WorkingDirectory (a shared folder) and
// ForEachItem's `_items` step (a child execution per batch, in for-each-item.ts).
import { durationMs, type FlowableDefinition, type TaskDef } from "../../plugins/define.ts";
import type { TaskRun } from "./model.ts";
import { endAttempt, isFailure, isTerminal } from "./states.ts";
import { decideRetry } from "./retry.ts";
import { retryOf } from "./tree.ts";
import { truthy, type Walker } from "./executor.ts";
import { advanceItems, startItems } from "./for-each-item.ts";

type Special = NonNullable<FlowableDefinition["special"]>;

export async function startSpecial(w: Walker, run: TaskRun, task: TaskDef, def: FlowableDefinition): Promise<void> {
  const now = w.deps.now().getTime();
  const tasks = (task.tasks as TaskDef[] | undefined) ?? [];
  switch (def.special) {
    case "pause": {
      run.plan = { branches: [{ tasks }], concurrency: 1 };
      if (task.delay) run.plan.resumeAt = now + durationMs(await w.deps.render(String(task.delay), run));
      if (task.timeout) run.plan.timeoutAt = now + durationMs(await w.deps.render(String(task.timeout), run));
      w.setRunState(run, "PAUSED");
      const at = Math.min(run.plan.resumeAt ?? Infinity, run.plan.timeoutAt ?? Infinity);
      if (at !== Infinity) w.wake(at);
      return;
    }
    case "subflow":
      return startChild(w, run, task);
    case "forEachItem":
      return startItems(w, run, task);
    case "loop":
      run.plan = { branches: [{ tasks }], concurrency: 1, iteration: 0 };
      run.outputs = { iterationCount: 0 };
      return;
    case "workingDirectory": {
      const dir = w.deps.workDir(run);
      run.plan = { branches: [{ tasks }], concurrency: 1, workingDir: dir };
      return fillWorkingDirectory(w, run, task, dir);
    }
    default:
      throw new Error(`${task.type} is not supported by Tern yet`);
  }
}

/**
 * WorkingDirectory's folder before its children run: namespace files first, then inputFiles,
 * so an input file replaces a namespace file of the same name (Kestra's preExecuteTasks order).
 */
async function fillWorkingDirectory(w: Walker, run: TaskRun, task: TaskDef, dir: string) {
  const ns = task.namespaceFiles as { enabled?: boolean; include?: string[]; exclude?: string[] } | undefined;
  if (ns && ns.enabled !== false) {
    if (!w.deps.copyNamespaceFiles) throw new Error("namespaceFiles: namespace files are not available here");
    const { include, exclude } = await w.deps.renderDeep(ns, run);
    const copied = await w.deps.copyNamespaceFiles(run, dir, { include, exclude });
    if (copied.length) w.log(run, "DEBUG", `namespaceFiles: copied ${copied.length} file(s) into the working directory`);
  }
  if (task.inputFiles && w.deps.writeFiles) {
    let files = await w.deps.renderDeep(task.inputFiles, run);
    if (typeof files === "string") files = JSON.parse(files);
    await w.deps.writeFiles(run, dir, files as Record<string, string>);
  }
}

function startChild(w: Walker, run: TaskRun, task: TaskDef) {
  const childId = w.deps.newId();
  const now = w.deps.now().toISOString();
  run.plan = { branches: [], concurrency: 0, childExecutionId: childId };
  run.attempts.push({ state: { current: "RUNNING", histories: [{ state: "RUNNING", date: now }] }, startDate: now });
  run.outputs = { executionId: childId };
  w.fx.subflows.push({ parentRun: run, task, childId });
  if (task.wait === false) {
    endAttempt(run, "SUCCESS", w.deps.now());
    w.setRunState(run, "SUCCESS");
  }
}

export async function advanceSpecial(w: Walker, run: TaskRun, task: TaskDef, special: Special): Promise<void> {
  const now = w.deps.now().getTime();
  const plan = run.plan;
  if (!plan) return;
  if (special === "pause" && run.state === "PAUSED") {
    if (plan.timeoutAt !== undefined && now >= plan.timeoutAt) {
      w.log(run, "WARN", `Pause timed out after ${task.timeout}`);
      return w.finishFlowable(run, task, "FAILED");
    }
    if (plan.resumeAt !== undefined && now >= plan.resumeAt) w.setRunState(run, "RUNNING");
    else {
      // Still paused: keep the execution's wake-up at this pause's next deadline.
      const at = Math.min(plan.resumeAt ?? Infinity, plan.timeoutAt ?? Infinity);
      if (at !== Infinity) w.wake(at);
      return;
    }
  }
  if (special === "subflow") return advanceChild(w, run, task);
  if (special === "forEachItem") return advanceItems(w, run, task);
  const res = await w.walkScope(run, plan, (task.errors as TaskDef[]) ?? [], (task.finally as TaskDef[]) ?? []);
  if (!res.done) return;
  if (special === "workingDirectory" && !isFailure(res.state) && Array.isArray(task.outputFiles) && w.deps.collectFiles) {
    const globs = await w.deps.renderDeep(task.outputFiles as string[], run);
    run.outputs = { ...(run.outputs ?? {}), outputFiles: await w.deps.collectFiles(run, plan.workingDir!, globs) };
  }
  if (special !== "loop" || isFailure(res.state)) return w.finishFlowable(run, task, res.state);
  await nextIteration(w, run, task, now);
}

/** LoopUntil/WaitFor: stop when the condition holds or a limit is reached, else go again. */
async function nextIteration(w: Walker, run: TaskRun, task: TaskDef, now: number) {
  const plan = run.plan!;
  if (plan.nextIterationAt !== undefined && now < plan.nextIterationAt) return w.wake(plan.nextIterationAt);
  const iteration = plan.iteration ?? 0;
  if (plan.nextIterationAt === undefined) {
    let met: boolean;
    try {
      met = truthy(await w.deps.render(String(task.condition), run));
    } catch (e) {
      w.log(run, "ERROR", (e as Error).message);
      return w.finishFlowable(run, task, "FAILED");
    }
    const freq = (task.checkFrequency ?? {}) as Record<string, unknown>;
    const maxIterations = Number(freq.maxIterations ?? 100);
    const maxDuration = freq.maxDuration ? durationMs(String(freq.maxDuration)) : 3_600_000;
    if (met) return w.finishFlowable(run, task, "SUCCESS");
    if (iteration + 1 >= maxIterations || now - (run.startDate ?? now) >= maxDuration) {
      w.log(run, "WARN", `Maximum ${iteration + 1 >= maxIterations ? "iterations" : "duration"} reached`);
      return w.finishFlowable(run, task, task.failOnMaxReached === true ? "FAILED" : "SUCCESS");
    }
    const interval = freq.interval ? durationMs(String(freq.interval)) : 1000;
    plan.nextIterationAt = now + interval;
    w.state.execution.wakeAt = null;
    return w.wake(plan.nextIterationAt);
  }
  plan.nextIterationAt = undefined;
  plan.iteration = iteration + 1;
  run.outputs = { iterationCount: iteration + 1 };
  w.mutations++;
  w.fx.changed.add(run);
}

async function advanceChild(w: Walker, run: TaskRun, task: TaskDef) {
  const child = w.deps.child(run.plan!.childExecutionId!);
  if (!child || !isTerminal(child.state)) return;
  const outputs: Record<string, unknown> = { executionId: child.id, state: child.state, outputs: child.outputs ?? {} };
  let state = child.state === "WARNING" ? "WARNING" : "SUCCESS";
  if (isFailure(child.state) && task.transmitFailed !== false) state = child.state === "KILLED" ? "KILLED" : "FAILED";
  if (task.outputs && w.deps.renderInChild) {
    try {
      outputs.outputs = await w.deps.renderInChild(task.outputs, child.id);
    } catch (e) {
      w.log(run, "ERROR", `Subflow outputs: ${(e as Error).message}`);
      state = "FAILED";
    }
  }
  run.outputs = outputs;
  endAttempt(run, state, w.deps.now());
  if (state === "FAILED") {
    const retry = decideRetry(retryOf(w.state.flow, task.id), run.attempts.length,
      Date.parse(run.attempts[0]?.startDate ?? "") || w.deps.now().getTime(), w.deps.now().getTime());
    if (retry.retry) {
      // A new attempt is a new child execution (Kestra's Subflow retry).
      w.mutations++;
      return startChild(w, run, task);
    }
  }
  w.finishFlowable(run, task, state);
}
