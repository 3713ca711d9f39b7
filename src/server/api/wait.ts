// Waiting for an execution to settle (`?wait=true`): finished, or paused with nobody to resume
// it. Events wake the check early; the database decides, so an execution walked by another
// instance settles too.
import type { Execution, TaskRun } from "../../engine/model.ts";
import { loadExecution, loadTaskRuns } from "../../store/executions.ts";
import { notFound } from "../errors.ts";
import { settled, type ApiDeps } from "./common.ts";

const POLL_MS = 1000;

export async function waitSettled(deps: ApiDeps, id: string, signal?: AbortSignal): Promise<{ execution: Execution; runs: TaskRun[] }> {
  const { events } = deps.tern.service;
  let wake: (() => void) | undefined;
  const onEvent = (ex: Execution) => {
    if (ex.id === id) wake?.();
  };
  const onAbort = () => wake?.();
  events.on("execution", onEvent);
  events.on("end", onEvent);
  signal?.addEventListener("abort", onAbort);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    for (;;) {
      // Subscribed before reading: an end between the read and the wait still wakes us.
      clearTimeout(timer);
      const woken = new Promise<void>((r) => {
        wake = r;
        timer = setTimeout(r, POLL_MS);
      });
      const execution = await loadExecution(deps.tern.db, id);
      if (!execution) throw notFound(`execution '${id}' (deleted while waited for)`);
      const runs = await loadTaskRuns(deps.tern.db, id);
      if (settled(execution, runs) || (execution.state === "PAUSED" && execution.wakeAt === null) || signal?.aborted) {
        return { execution, runs };
      }
      await woken;
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    events.off("execution", onEvent);
    events.off("end", onEvent);
  }
}
