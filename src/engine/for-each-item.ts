// ForEachItem's `_items` step (plugins/core/for-each-item.ts): one child execution per batch file
// that `_split` wrote, started through the same subflow requests as a Subflow task, and a tally
// of the children's states (Kestra's `iterations`) until they have all ended. A restart
// (src/executor/operations.ts) restarts failed children in place; batches it could not restart
// get new children here.
import type { TaskDef } from "../../plugins/define.ts";
import type { TaskRun } from "./model.ts";
import { isTerminal } from "./states.ts";
import type { Walker } from "./executor.ts";

/** The batch file URIs `_split` wrote, in order. */
async function readBatches(w: Walker, run: TaskRun, task: TaskDef): Promise<string[]> {
  const split = w.byParent.get(run.parentTaskRunId ?? "")
    ?.filter((r) => r.taskId === task.splitTaskId && r.iteration === run.iteration && r.state === "SUCCESS").at(-1);
  const splits = split?.outputs?.splits;
  if (typeof splits !== "string") throw new Error(`no batches: ${String(task.splitTaskId)} has no 'splits' output`);
  if (!w.deps.storage) throw new Error("ForEachItem needs internal storage");
  return (await w.deps.storage.read(run, splits)).split("\n").filter((l) => l.trim() !== "");
}

export async function startItems(w: Walker, run: TaskRun, task: TaskDef): Promise<void> {
  const batches = await readBatches(w, run, task);
  const now = w.deps.now().toISOString();
  run.attempts.push({ state: { current: "RUNNING", histories: [{ state: "RUNNING", date: now }] }, startDate: now });
  if (!batches.length) {
    // Nothing to run: the step succeeds without outputs (Kestra's forEachItemEmptyItems).
    run.plan = { branches: [], concurrency: 0, children: [] };
    return finish(w, run, task, "SUCCESS");
  }
  const children = batches.map(() => w.deps.newId());
  run.plan = { branches: [], concurrency: 0, children };
  const numberOfBatches = batches.length;
  batches.forEach((items, iteration) => w.fx.subflows.push({ parentRun: run, task, childId: children[iteration], batch: { items, iteration } }));
  if (task.wait === false) {
    // Not waiting: every child counts as started and done (Kestra's forEachItemNoWait).
    run.outputs = { numberOfBatches, iterations: { RUNNING: 0, SUCCESS: numberOfBatches }, subflowOutputsBaseUri: w.deps.storage!.folder(run) };
    return finish(w, run, task, "SUCCESS");
  }
  run.outputs = { numberOfBatches, iterations: { CREATED: numberOfBatches, RUNNING: 0 } };
}

export async function advanceItems(w: Walker, run: TaskRun, task: TaskDef): Promise<void> {
  if (run.plan?.restartBatches?.length) return restartBatches(w, run, task, run.plan.restartBatches);
  const ids = run.plan?.children ?? [];
  const numberOfBatches = ids.length;
  const children = ids.map((id) => w.deps.child(id));
  const iterations: Record<string, number> = { CREATED: 0, RUNNING: 0 };
  for (const c of children) {
    const s = !c || c.state === "CREATED" ? "CREATED" : isTerminal(c.state) ? c.state : "RUNNING";
    iterations[s] = (iterations[s] ?? 0) + 1;
  }
  const done = children.every((c) => c && isTerminal(c.state));
  if (!done) {
    const outputs = { numberOfBatches, iterations };
    if (JSON.stringify(outputs) !== JSON.stringify(run.outputs)) {
      run.outputs = outputs;
      w.mutations++;
      if (!w.fx.created.includes(run)) w.fx.changed.add(run);
    }
    return;
  }
  // Each child's flow outputs, one file per iteration, for `_merge` to gather.
  const storage = w.deps.storage!;
  for (let i = 0; i < children.length; i++) {
    const outputs = children[i]!.outputs;
    if (outputs) await storage.write(run, `${i}/outputs.ion`, JSON.stringify(outputs) + "\n");
  }
  run.outputs = { numberOfBatches, iterations, subflowOutputsBaseUri: storage.folder(run) };
  const state = task.transmitFailed === false ? "SUCCESS" : terminalState(iterations);
  finish(w, run, task, state);
}

/** After a restart: start the new child executions of the batches named in the plan (ids already there). */
async function restartBatches(w: Walker, run: TaskRun, task: TaskDef, which: number[]) {
  let batches: string[];
  try {
    batches = await readBatches(w, run, task);
  } catch (e) {
    w.log(run, "ERROR", (e as Error).message);
    return finish(w, run, task, "FAILED");
  }
  const children = run.plan!.children!;
  for (const i of which) w.fx.subflows.push({ parentRun: run, task, childId: children[i], batch: { items: batches[i], iteration: i } });
  run.plan = { ...run.plan!, restartBatches: undefined };
  w.mutations++;
  if (!w.fx.created.includes(run)) w.fx.changed.add(run);
}

/** Kestra's ExecutableUtils.findTerminalState (allowFailure is applied by finishFlowable). */
function terminalState(iterations: Record<string, number>): string {
  if (iterations.FAILED) return "FAILED";
  if (iterations.KILLED) return "KILLED";
  if (iterations.WARNING) return "WARNING";
  return "SUCCESS";
}

function finish(w: Walker, run: TaskRun, task: TaskDef, state: string) {
  const a = run.attempts.at(-1);
  if (a) {
    const date = w.deps.now().toISOString();
    a.state = { current: state, histories: [...a.state.histories, { state, date }] };
    a.endDate = date;
  }
  w.finishFlowable(run, task, state);
}
