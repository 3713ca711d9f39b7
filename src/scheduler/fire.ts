// Firing one claimed Schedule (or ScheduleOnDates) trigger: plan its due slots (recoverMissedSchedules,
// lateMaximumDelay), check conditions per slot, create one execution per slot under the
// dedup key `schedule:{ns}:{flow}:{trigger}:{slotISO}`, continue any backfill, then hand the
// row back fenced on the claim. A crash anywhere in between is safe: the lease expires, the
// next claimer re-plans from the stored row and the dedup keys refuse the slots already made.
import type { FlowModel } from "../engine/model.ts";
import type { Renderer } from "../executor/render.ts";
import { toLabels } from "../executor/service.ts";
import { isoDurationMs, type TriggerDef } from "../flow/index.ts";
import type { Db } from "../store/db.ts";
import type { PollResponse } from "../../plugins/http/poll.ts";
import { completeClaim, HTTP_TRIGGER_TYPE, type BackfillState, type TriggerRow } from "../store/triggers.ts";
import { conditionsPass, type Condition } from "./conditions.ts";
import { isoInZone, type Schedule } from "./cron.ts";
import { launch, type Launcher } from "./launch.ts";
import { scheduleOf } from "./plan.ts";
import { firePoll } from "./poll.ts";
import { planSlots, type RecoverPolicy } from "./slots.ts";
import { triggersOf } from "./sync.ts";

export interface FireDeps {
  db: Db;
  owner: string;
  service: Launcher;
  renderer: Renderer;
  flows: { get(namespace: string, id: string): Promise<FlowModel | undefined> };
  missedAfterMs: number;
  defaultRecover: RecoverPolicy;
  /** Slots per claim; a longer catch-up continues on the next claim. */
  maxSlots: number;
  log(message: string): void;
  onLaunched?(slot: Date, created: boolean): void;
  /** Sends an http.Trigger's request (plugins/http/poll.ts with the instance's settings). */
  httpPoll?(props: Record<string, unknown>): Promise<PollResponse>;
}

/** Returns how many executions this call created. */
export async function fireClaimed(deps: FireDeps, row: TriggerRow, now: number): Promise<number> {
  const key = { namespace: row.namespace, flowId: row.flowId, triggerId: row.triggerId };
  const flow = await deps.flows.get(row.namespace, row.flowId).catch(() => undefined);
  const def = triggersOf(flow).find((t) => t.id === row.triggerId && t.type === row.type);
  if (!flow || !def || def.disabled || flow.disabled) {
    // Gone or disabled since the last sync: park it; the sync re-plans it if it comes back.
    await completeClaim(deps.db, key, deps.owner, row.fence, { nextDate: null, lastDate: row.lastDate, backfill: row.backfill });
    return 0;
  }
  if (def.type === HTTP_TRIGGER_TYPE) return firePoll(deps, flow, def, row, now);
  let schedule: Schedule;
  try {
    schedule = await scheduleOf(def, flow, deps.renderer);
  } catch (e) {
    deps.log(`${row.namespace}.${row.flowId} trigger ${row.triggerId}: ${(e as Error).message}`);
    await completeClaim(deps.db, key, deps.owner, row.fence, { nextDate: null, lastDate: row.lastDate, backfill: row.backfill });
    return 0;
  }
  let created = 0;
  let nextDate = row.nextDate;
  let lastDate = row.lastDate;
  if (row.nextDate !== null && row.nextDate <= now) {
    const plan = planSlots({
      schedule, from: row.nextDate, now, max: deps.maxSlots, missedAfterMs: deps.missedAfterMs,
      policy: (def.recoverMissedSchedules as RecoverPolicy | undefined) ?? deps.defaultRecover,
      lateMaximumDelayMs: def.lateMaximumDelay ? isoDurationMs(String(def.lateMaximumDelay)) : undefined,
    });
    if (plan.jumped || plan.skipped) {
      deps.log(`${row.namespace}.${row.flowId} trigger ${row.triggerId}: ${plan.jumped ? "missed schedules skipped" : ""}${plan.skipped ? ` ${plan.skipped} late slot(s) skipped (lateMaximumDelay)` : ""}`);
    }
    nextDate = plan.next?.getTime() ?? null;
    lastDate = plan.last.getTime();
    for (const slot of plan.fire) {
      try {
        if (await fireSlot(deps, flow, def, schedule, slot, `schedule:${row.namespace}:${row.flowId}:${row.triggerId}:${slot.toISOString()}`)) created++;
      } catch (e) {
        // The database refused the execution (busy, connection lost): this slot is not done.
        // Hand the row back pointing at it so the next tick retries it, rather than skip it.
        deps.log(`${row.namespace}.${row.flowId} trigger ${row.triggerId} at ${slot.toISOString()}: ${(e as Error).message} (will retry)`);
        nextDate = slot.getTime();
        lastDate = slot.getTime() - 1;
        break;
      }
    }
  }
  let backfill = row.backfill;
  if (backfill && !backfill.paused && backfill.currentDate <= now) {
    const r = await runBackfill(deps, flow, def, schedule, row, backfill, now);
    created += r.created;
    backfill = r.state;
  }
  await completeClaim(deps.db, key, deps.owner, row.fence, { nextDate, lastDate, backfill });
  return created;
}

async function runBackfill(deps: FireDeps, flow: FlowModel, def: TriggerDef, schedule: Schedule, row: TriggerRow, bf: BackfillState, now: number) {
  let created = 0;
  let cursor: Date | null = new Date(bf.currentDate);
  const until = Math.min(bf.end, now);
  for (let n = 0; cursor && cursor.getTime() <= until && n < deps.maxSlots; n++) {
    const dedup = `backfill:${bf.id}:${row.namespace}:${row.flowId}:${row.triggerId}:${cursor.toISOString()}`;
    try {
      if (await fireSlot(deps, flow, def, schedule, cursor, dedup, bf)) created++;
    } catch (e) {
      deps.log(`${row.namespace}.${row.flowId} trigger ${row.triggerId} backfill at ${cursor.toISOString()}: ${(e as Error).message} (will retry)`);
      break; // currentDate stays on this slot
    }
    cursor = schedule.next(cursor);
  }
  const done = !cursor || cursor.getTime() > bf.end;
  return { created, state: done ? null : { ...bf, currentDate: cursor!.getTime() } };
}

async function fireSlot(
  deps: FireDeps, flow: FlowModel, def: TriggerDef, schedule: Schedule, slot: Date, dedupKey: string, backfill?: BackfillState,
): Promise<boolean> {
  const tz = schedule.timezone;
  const next = schedule.next(slot);
  const previous = schedule.prev(slot);
  const variables: Record<string, unknown> = {
    date: isoInZone(slot, tz),
    next: next ? isoInZone(next, tz) : null,
    previous: previous ? isoInZone(previous, tz) : null,
  };
  if (backfill) variables.backfill = true;
  const vars = { flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision }, trigger: variables };
  try {
    const conditions = [...((def.conditions ?? []) as Condition[]), ...((def.scheduleConditions ?? []) as Condition[])];
    if (!(await conditionsPass(conditions, { vars, render: deps.renderer.render }))) return false;
  } catch (e) {
    // A condition that cannot be evaluated skips its slot (logged) instead of stalling the trigger.
    deps.log(`${flow.namespace}.${flow.id} trigger ${def.id} at ${variables.date}: ${(e as Error).message}`);
    return false;
  }
  const labels = [...toLabels(def.labels), ...(backfill?.labels ?? []), ...(backfill ? [{ key: "system.backfill", value: "true" }] : [])];
  // launch() throws only when the database refused the execution: the caller retries the slot.
  const r = await launch(deps.service, deps.renderer, {
    flow, vars, dedupKey, labels,
    inputs: { ...((def.inputs ?? {}) as Record<string, unknown>), ...(backfill?.inputs ?? {}) },
    trigger: { id: def.id, type: def.type, variables },
  });
  if (r.status === "invalid") deps.log(`${flow.namespace}.${flow.id} trigger ${def.id} at ${variables.date}: ${r.message}`);
  deps.onLaunched?.(slot, r.status === "created");
  return r.status === "created";
}
