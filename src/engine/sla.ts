// Flow SLAs (Kestra `sla`): MAX_DURATION ends an execution that runs too long;
// EXECUTION_ASSERTION checks an expression when it ends. Behaviour FAIL | CANCEL | NONE, plus labels.
import { durationMs, isTruthy } from "../../plugins/define.ts";
import { isTerminal } from "./states.ts";
import { terminate, type Walker } from "./executor.ts";

interface Sla {
  id: string;
  type: "MAX_DURATION" | "EXECUTION_ASSERTION";
  behavior?: "FAIL" | "CANCEL" | "NONE";
  duration?: string;
  assert?: string;
  labels?: Record<string, unknown> | { key: string; value: unknown }[];
}

function slas(w: Walker): Sla[] {
  return (w.state.flow.sla as Sla[] | undefined) ?? [];
}

function addLabels(w: Walker, sla: Sla) {
  const raw = sla.labels ?? {};
  const list = Array.isArray(raw) ? raw : Object.entries(raw).map(([key, value]) => ({ key, value }));
  const ex = w.state.execution;
  for (const l of list) {
    ex.labels = [...ex.labels.filter((x) => x.key !== l.key), { key: l.key, value: String(l.value) }];
  }
  w.fx.executionChanged = true;
}

function violated(w: Walker, sla: Sla, detail: string): string | undefined {
  w.log(null, "WARN", `SLA '${sla.id}' violated: ${detail}`);
  addLabels(w, sla);
  if (sla.behavior === "FAIL") return "FAILED";
  if (sla.behavior === "CANCEL") return "CANCELLED";
  return undefined;
}

/** Executions whose MAX_DURATION violation was already handled (NONE keeps running). */
const reported = new WeakSet<object>();

/** MAX_DURATION: past the deadline, end the execution now; before it, wake up at the deadline. */
export async function checkMaxDuration(w: Walker): Promise<void> {
  const ex = w.state.execution;
  const start = ex.startDate ?? ex.createdAt;
  const now = w.deps.now().getTime();
  for (const sla of slas(w)) {
    if (sla.type !== "MAX_DURATION" || !sla.duration) continue;
    const deadline = start + durationMs(sla.duration);
    if (now < deadline) {
      w.wake(deadline);
      continue;
    }
    if (reported.has(ex)) continue;
    reported.add(ex);
    const state = violated(w, sla, `the execution ran longer than ${sla.duration}`);
    if (state && !isTerminal(ex.state)) return terminate(w, state);
  }
}

/** EXECUTION_ASSERTION: evaluated once the execution has its final state. */
export async function checkAssertions(w: Walker, final: string): Promise<string> {
  let state = final;
  for (const sla of slas(w)) {
    if (sla.type !== "EXECUTION_ASSERTION" || !sla.assert) continue;
    let ok: boolean;
    try {
      ok = isTruthy(await w.deps.render(sla.assert, null));
    } catch (e) {
      w.log(null, "ERROR", `SLA '${sla.id}': ${(e as Error).message}`);
      ok = false;
    }
    if (!ok) state = violated(w, sla, `assertion ${sla.assert} is false`) ?? state;
  }
  return state;
}
