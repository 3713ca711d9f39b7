// What the API (and `tern backfill`) can do with triggers: list them with their next fire
// time, disable/enable them, and start, pause or cancel a backfill of a time range. Every
// write goes through updateTriggerAdmin, which fences out an in-flight scheduler pass.
import type { FlowModel } from "../engine/model.ts";
import type { Renderer } from "../executor/render.ts";
import type { Db } from "../store/db.ts";
import {
  dbNow, getTriggerRow, HTTP_TRIGGER_TYPE, listTriggerRows, updateTriggerAdmin, type BackfillState, type TriggerKey, type TriggerRow,
} from "../store/triggers.ts";
import { isSlotType, scheduleOf } from "./plan.ts";
import { triggersOf } from "./sync.ts";

export interface AdminDeps {
  db: Db;
  flows: { get(namespace: string, id: string): Promise<FlowModel | undefined> };
  /** Renders ScheduleOnDates' dates (secret()); a plain renderer when absent. */
  renderer?: Renderer;
}

export class TriggerAdminError extends Error {
  constructor(readonly status: 404 | 422, message: string) {
    super(message);
  }
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** Kestra's trigger context JSON (models/triggers/Trigger.java). */
export function triggerContextJson(r: TriggerRow) {
  return {
    namespace: r.namespace, flowId: r.flowId, triggerId: r.triggerId, type: r.type,
    date: iso(r.lastDate), nextExecutionDate: iso(r.nextDate), disabled: r.disabled,
    backfill: r.backfill && {
      start: iso(r.backfill.start), end: iso(r.backfill.end), currentDate: iso(r.backfill.currentDate),
      paused: r.backfill.paused, inputs: r.backfill.inputs ?? null, labels: r.backfill.labels ?? null,
    },
    workerId: r.owner, updatedDate: iso(r.updatedAt),
  };
}

export function createTriggerAdmin(deps: AdminDeps) {
  async function requireTrigger(k: TriggerKey) {
    const row = await getTriggerRow(deps.db, k);
    if (!row) throw new TriggerAdminError(404, `trigger '${k.namespace}.${k.flowId}.${k.triggerId}' not found`);
    const def = triggersOf(await deps.flows.get(k.namespace, k.flowId)).find((d) => d.id === k.triggerId);
    return { row, def };
  }

  async function slotsOf(def: ReturnType<typeof triggersOf>[number] | undefined, k: TriggerKey) {
    if (!def || !isSlotType(def.type)) throw new TriggerAdminError(422, `trigger '${k.triggerId}' is not a Schedule trigger`);
    try {
      return await scheduleOf(def, { id: k.flowId, namespace: k.namespace, revision: 0 }, deps.renderer);
    } catch (e) {
      throw new TriggerAdminError(422, `trigger '${k.triggerId}': ${(e as Error).message}`);
    }
  }

  return {
    /** Triggers with their definition and state; `q` matches flow or trigger id. */
    async list(f: { namespace?: string; flowId?: string; q?: string } = {}) {
      const rows = await listTriggerRows(deps.db, { namespace: f.namespace, flowId: f.flowId });
      const out = [];
      for (const r of rows) {
        if (f.q && !`${r.flowId} ${r.triggerId}`.toLowerCase().includes(f.q.toLowerCase())) continue;
        const def = triggersOf(await deps.flows.get(r.namespace, r.flowId).catch(() => undefined)).find((d) => d.id === r.triggerId);
        out.push({ abstractTrigger: def ?? null, triggerContext: triggerContextJson(r) });
      }
      return out;
    },
    async get(k: TriggerKey) {
      const row = await getTriggerRow(deps.db, k);
      return row ? triggerContextJson(row) : undefined;
    },
    /**
     * Disable or enable. Enabling a Schedule (or ScheduleOnDates) starts it afresh from now: slots skipped while
     * it was disabled were skipped on purpose and are not recovered as missed.
     */
    async setDisabled(k: TriggerKey, disabled: boolean) {
      const { row, def } = await requireTrigger(k);
      if (!disabled && isSlotType(row.type) && def) {
        const now = await dbNow(deps.db);
        const next = (await slotsOf(def, k)).next(new Date(now))?.getTime() ?? null;
        await updateTriggerAdmin(deps.db, k, { disabled, nextDate: next, lastDate: now });
      } else if (!disabled && row.type === HTTP_TRIGGER_TYPE && def) {
        // A polling trigger polls again at once; what happened while it was disabled is not replayed.
        await updateTriggerAdmin(deps.db, k, { disabled, nextDate: await dbNow(deps.db) });
      } else await updateTriggerAdmin(deps.db, k, { disabled });
      return triggerContextJson((await getTriggerRow(deps.db, k))!);
    },
    /** Fire every slot of [start, end] (end defaults to now), beside the regular schedule. */
    async backfill(k: TriggerKey, req: { start: string; end?: string | null; inputs?: Record<string, unknown>; labels?: { key: string; value: string }[] }) {
      const { def } = await requireTrigger(k);
      const schedule = await slotsOf(def, k);
      const start = Date.parse(req.start);
      const end = req.end ? Date.parse(req.end) : await dbNow(deps.db);
      if (Number.isNaN(start) || Number.isNaN(end)) throw new TriggerAdminError(422, "backfill start and end must be ISO 8601 date-times");
      if (end < start) throw new TriggerAdminError(422, "backfill end is before its start");
      const first = schedule.next(new Date(start - 1));
      const state: BackfillState = {
        id: crypto.randomUUID().slice(0, 8), start, end, currentDate: first?.getTime() ?? end + 1, paused: false,
        inputs: req.inputs, labels: req.labels,
      };
      await updateTriggerAdmin(deps.db, k, { backfill: state });
      return triggerContextJson((await getTriggerRow(deps.db, k))!);
    },
    async pauseBackfill(k: TriggerKey, paused: boolean) {
      const { row } = await requireTrigger(k);
      if (!row.backfill) throw new TriggerAdminError(422, `trigger '${k.triggerId}' has no backfill`);
      await updateTriggerAdmin(deps.db, k, { backfill: { ...row.backfill, paused } });
      return triggerContextJson((await getTriggerRow(deps.db, k))!);
    },
    async deleteBackfill(k: TriggerKey) {
      await requireTrigger(k);
      await updateTriggerAdmin(deps.db, k, { backfill: null });
      return triggerContextJson((await getTriggerRow(deps.db, k))!);
    },
  };
}

export type TriggerAdmin = ReturnType<typeof createTriggerAdmin>;
