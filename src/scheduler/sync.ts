// Keeps the `triggers` table in step with the stored flows: one row per trigger, a Schedule's
// next slot planned from where it stands. A row's plan is a function of (cron, last_date), so
// re-planning is idempotent and any instance may run it any time; only a changed cron, a
// disabled/re-enabled trigger or a removed trigger changes a row.
import type { FlowModel } from "../engine/model.ts";
import type { TriggerDef } from "../flow/index.ts";
import type { Db } from "../store/db.ts";
import { getFlow, listFlows } from "../store/flows.ts";
import {
  deleteOrphanTriggers, deleteTriggersExcept, insertTriggerRow, listTriggerRows, replanTrigger, SCHEDULE_TYPE, type TriggerRow,
} from "../store/triggers.ts";
import { compileCron } from "./cron.ts";

export interface SyncDeps {
  db: Db;
  flows: { get(namespace: string, id: string, revision?: number): Promise<FlowModel | undefined> };
  log(message: string): void;
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
    if (def.type !== SCHEDULE_TYPE) {
      if (!row) await insertTriggerRow(deps.db, { ...key, type: def.type, nextDate: null, lastDate: null });
      else if (row.type !== def.type) await replanTrigger(deps.db, key, row.fence, { type: def.type, nextDate: null, lastDate: null });
      continue;
    }
    let schedule;
    try {
      schedule = compileCron({ cron: String(def.cron), timezone: def.timezone as string | undefined, withSeconds: def.withSeconds === true });
    } catch (e) {
      deps.log(`${namespace}.${flowId} trigger ${def.id}: ${(e as Error).message}`);
    }
    if (!row) {
      // last_date = "evaluated up to": a new trigger starts now, it has missed nothing.
      const next = enabled && schedule ? schedule.next(new Date(now))?.getTime() ?? null : null;
      await insertTriggerRow(deps.db, { ...key, type: SCHEDULE_TYPE, nextDate: next, lastDate: now });
      continue;
    }
    let lastDate = row.lastDate ?? now;
    let nextDate: number | null = null;
    if (enabled && schedule) {
      // A trigger coming back from disabled (no next slot) starts afresh: the slots it skipped
      // while disabled were skipped on purpose, they are not "missed".
      if (row.nextDate === null || row.type !== SCHEDULE_TYPE) lastDate = now;
      nextDate = schedule.next(new Date(lastDate))?.getTime() ?? null;
    }
    if (row.type !== SCHEDULE_TYPE || row.nextDate !== nextDate || row.lastDate !== lastDate) {
      await replanTrigger(deps.db, key, row.fence, { type: SCHEDULE_TYPE, nextDate, lastDate });
    }
  }
  await deleteTriggersExcept(deps.db, namespace, flowId, defs.map((d) => d.id));
}
