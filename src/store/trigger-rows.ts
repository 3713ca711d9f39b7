// The dashboard's side of the `triggers` table: list next fire times, enable/disable a trigger,
// ask for a backfill. The scheduler owns the rows' timing columns; these writes only touch
// `disabled` and `backfill`, each in one statement, so they cannot undo a concurrent tick.
import type { Db } from "./db.ts";
import { fromJson, toJson } from "./json.ts";

export interface TriggerRow {
  namespace: string;
  flowId: string;
  triggerId: string;
  type: string;
  nextDate: number | null;
  lastDate: number | null;
  disabled: boolean;
  backfill: Backfill | null;
}

/** Stored in triggers.backfill; the scheduler walks currentDate from start to end. */
export interface Backfill {
  start: number;
  end: number | null;
  currentDate: number;
  paused: boolean;
  inputs?: Record<string, unknown>;
  labels?: { key: string; value: string }[];
}

export async function listTriggerRows(db: Db, f: { namespace?: string; flowId?: string } = {}): Promise<TriggerRow[]> {
  const w: string[] = [];
  const args: string[] = [];
  if (f.namespace) w.push("namespace = ?"), args.push(f.namespace);
  if (f.flowId) w.push("flow_id = ?"), args.push(f.flowId);
  const rs = await db.$client.execute({
    sql: `SELECT namespace, flow_id, trigger_id, type, next_date, last_date, disabled, backfill FROM triggers
          ${w.length ? `WHERE ${w.join(" AND ")}` : ""} ORDER BY next_date IS NULL, next_date, namespace, flow_id, trigger_id LIMIT 1000`,
    args,
  });
  return rs.rows.map((r) => ({
    namespace: String(r.namespace), flowId: String(r.flow_id), triggerId: String(r.trigger_id), type: String(r.type),
    nextDate: r.next_date === null ? null : Number(r.next_date), lastDate: r.last_date === null ? null : Number(r.last_date),
    disabled: Boolean(r.disabled), backfill: fromJson<Backfill | null>(r.backfill, null),
  }));
}

/**
 * Enable or disable a trigger. Upsert: the row may not exist yet if the scheduler has not seen
 * the flow; the scheduler fills next_date on its next tick and keeps `disabled` as set here.
 */
export async function setTriggerDisabled(db: Db, key: { namespace: string; flowId: string; triggerId: string; type: string }, disabled: boolean, now: number) {
  await db.$client.execute({
    sql: `INSERT INTO triggers (namespace, flow_id, trigger_id, type, disabled, updated_at) VALUES (?,?,?,?,?,?)
          ON CONFLICT (namespace, flow_id, trigger_id) DO UPDATE SET disabled = excluded.disabled, updated_at = excluded.updated_at`,
    args: [key.namespace, key.flowId, key.triggerId, key.type, disabled ? 1 : 0, now],
  });
}

/** Ask for a backfill (replaces any running one of that trigger). */
export async function setTriggerBackfill(db: Db, key: { namespace: string; flowId: string; triggerId: string; type: string }, backfill: Backfill | null, now: number) {
  await db.$client.execute({
    sql: `INSERT INTO triggers (namespace, flow_id, trigger_id, type, backfill, updated_at) VALUES (?,?,?,?,?,?)
          ON CONFLICT (namespace, flow_id, trigger_id) DO UPDATE SET backfill = excluded.backfill, updated_at = excluded.updated_at`,
    args: [key.namespace, key.flowId, key.triggerId, key.type, toJson(backfill), now],
  });
}
