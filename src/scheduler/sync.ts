// Keeps the `triggers` table in step with the stored flows: one row per trigger, a Schedule's
// (or ScheduleOnDates') next slot planned from where it stands, a polling trigger's next poll. A row's plan is a function of (cron, last_date), so
// re-planning is idempotent and any instance may run it any time; only a changed cron, a
// disabled/re-enabled trigger or a removed trigger changes a row.
import type { FlowModel } from "../engine/model.ts";
import type { Renderer } from "../executor/render.ts";
import { isoDurationMs, type TriggerDef } from "../flow/index.ts";
import type { Db } from "../store/db.ts";
import { getFlow, listFlows } from "../store/flows.ts";
import {
  deleteOrphanTriggers, deleteTriggersExcept, HTTP_TRIGGER_TYPE, insertTriggerRow, listTriggerRows, replanTrigger, type TriggerKey, type TriggerRow,
} from "../store/triggers.ts";
import { isSlotType, scheduleOf } from "./plan.ts";

export interface SyncDeps {
  db: Db;
  flows: { get(namespace: string, id: string, revision?: number): Promise<FlowModel | undefined> };
  log(message: string): void;
  /** Renders ScheduleOnDates' dates (with secret()); a plain renderer when absent. */
  renderer?: Renderer;
}

export const triggersOf = (flow: FlowModel | undefined) => ((flow?.triggers ?? []) as TriggerDef[]);

/** Re-plan every flow's triggers (start-up, flows changed, periodic). */
export async function syncAllTriggers(deps: SyncDeps, now: number): Promise<void> {
  const rows = await listTriggerRows(deps.db);
  const byFlow = new Map<string, TriggerRow[]>();
  for (const r of rows) {
    const k = `${r.namespace}\u0000${r.flowId}`;
    byFlow.set(k, [...(byFlow.get(k) ?? []), r]);
  }
  for (const stored of await listFlows(deps.db)) {
    const model = await deps.flows.get(stored.namespace, stored.id, stored.revision).catch((e: Error) => {
      deps.log(`flow ${stored.namespace}.${stored.id} cannot be parsed, its triggers are ignored: ${e.message}`);
      return undefined;
    });
    await syncRows(deps, stored.namespace, stored.id, model, stored.disabled, byFlow.get(`${stored.namespace}\u0000${stored.id}`) ?? [], now);
  }
  await deleteOrphanTriggers(deps.db);
}

/** Re-plan one flow's triggers (after the API saved or deleted it). */
export async function syncFlowTriggers(deps: SyncDeps, namespace: string, flowId: string, now: number): Promise<void> {
  const stored = await getFlow(deps.db, namespace, flowId);
  const rows = (await listTriggerRows(deps.db, { namespace, flowId })).filter((r) => r.namespace === namespace);
  if (!stored) return void (await deleteTriggersExcept(deps.db, namespace, flowId, []));
  const model = await deps.flows.get(namespace, flowId, stored.revision);
  await syncRows(deps, namespace, flowId, model, stored.disabled, rows, now);
}

async function syncRows(
  deps: SyncDeps, namespace: string, flowId: string, model: FlowModel | undefined, flowDisabled: boolean, rows: TriggerRow[], now: number,
) {
  const defs = triggersOf(model);
  for (const def of defs) {
    const key = { namespace, flowId, triggerId: def.id };
    const row = rows.find((r) => r.triggerId === def.id);
    const enabled = !def.disabled && !flowDisabled && !model?.disabled;
    if (def.type === HTTP_TRIGGER_TYPE) {
      await syncPolling(deps, key, def, row, enabled, now);
      continue;
    }
    if (!isSlotType(def.type)) {
      if (!row) await insertTriggerRow(deps.db, { ...key, type: def.type, nextDate: null, lastDate: null });
      else if (row.type !== def.type) await replanTrigger(deps.db, key, row.fence, { type: def.type, nextDate: null, lastDate: null });
      continue;
    }
    let schedule;
    try {
      schedule = await scheduleOf(def, model ?? { id: flowId, namespace, revision: 0 }, deps.renderer);
    } catch (e) {
      deps.log(`${namespace}.${flowId} trigger ${def.id}: ${(e as Error).message}`);
    }
    if (!row) {
      // last_date = "evaluated up to": a new trigger starts now, it has missed nothing.
      const next = enabled && schedule ? schedule.next(new Date(now))?.getTime() ?? null : null;
      await insertTriggerRow(deps.db, { ...key, type: def.type, nextDate: next, lastDate: now });
      continue;
    }
    let lastDate = row.lastDate ?? now;
    let nextDate: number | null = null;
    if (enabled && schedule) {
      // A trigger coming back from disabled (no next slot) starts afresh: the slots it skipped
      // while disabled were skipped on purpose, they are not "missed".
      if (row.nextDate === null || row.type !== def.type) lastDate = now;
      nextDate = schedule.next(new Date(lastDate))?.getTime() ?? null;
    }
    if (row.type !== def.type || row.nextDate !== nextDate || row.lastDate !== lastDate) {
      await replanTrigger(deps.db, key, row.fence, { type: def.type, nextDate, lastDate });
    }
  }
  await deleteTriggersExcept(deps.db, namespace, flowId, defs.map((d) => d.id));
}

/**
 * A polling trigger's plan: next = last poll + interval; a new, re-typed or re-enabled trigger
 * polls at once (Kestra evaluates a polling trigger as soon as it is known).
 */
async function syncPolling(deps: SyncDeps, key: TriggerKey, def: TriggerDef, row: TriggerRow | undefined, enabled: boolean, now: number) {
  const intervalMs = pollIntervalMs(def);
  if (!row) return void (await insertTriggerRow(deps.db, { ...key, type: def.type, nextDate: enabled ? now : null, lastDate: null }));
  let nextDate: number | null = null;
  if (enabled) {
    if (row.nextDate === null || row.type !== def.type) nextDate = now;
    else if (row.lastDate === null) nextDate = row.nextDate; // never polled yet: keep its first time
    else nextDate = row.lastDate + intervalMs;
  }
  if (row.type !== def.type || row.nextDate !== nextDate) {
    await replanTrigger(deps.db, key, row.fence, { type: def.type, nextDate, lastDate: row.type === def.type ? row.lastDate : null });
  }
}

/** The polling interval (default PT60S, Kestra's); at least one second. */
export function pollIntervalMs(def: TriggerDef): number {
  return Math.max(1000, isoDurationMs(String(def.interval ?? "PT60S")) ?? 60_000);
}
