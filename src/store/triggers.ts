// Trigger bookkeeping (one row per flow trigger): next fire time, the API's disabled flag,
// backfill state, and the scheduler's claim (owner, lease_until, fence). Lease times are
// database time (DB_NOW), never a local clock; `now` arguments only decide what is due.
import type { Row } from "@libsql/client";
import type { Db } from "./db.ts";
import { fromJson, toJson } from "./json.ts";
import { DB_NOW } from "./sql.ts";

export const SCHEDULE_TYPE = "io.kestra.plugin.core.trigger.Schedule";
export const SCHEDULE_ON_DATES_TYPE = "io.kestra.plugin.core.trigger.ScheduleOnDates";
export const HTTP_TRIGGER_TYPE = "io.kestra.plugin.core.http.Trigger";
/** Trigger types the tick loop claims by next_date (the others fire on events or requests). */
export const TIMED_TYPES = [SCHEDULE_TYPE, SCHEDULE_ON_DATES_TYPE, HTTP_TRIGGER_TYPE];
const TIMED_SQL = `(${TIMED_TYPES.map((t) => `'${t}'`).join(", ")})`;

export interface BackfillState {
  /** Identifies one backfill request (part of its executions' dedup keys). */
  id: string;
  start: number;
  end: number;
  /** The next slot to fire (ms). */
  currentDate: number;
  paused: boolean;
  inputs?: Record<string, unknown>;
  labels?: { key: string; value: string }[];
}

export interface TriggerRow {
  namespace: string;
  flowId: string;
  triggerId: string;
  type: string;
  nextDate: number | null;
  lastDate: number | null;
  disabled: boolean;
  backfill: BackfillState | null;
  owner: string | null;
  leaseUntil: number | null;
  fence: number;
  updatedAt: number;
}

export interface TriggerKey {
  namespace: string;
  flowId: string;
  triggerId: string;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toRow(r: Row): TriggerRow {
  return {
    namespace: String(r.namespace), flowId: String(r.flow_id), triggerId: String(r.trigger_id), type: String(r.type),
    nextDate: num(r.next_date), lastDate: num(r.last_date), disabled: Boolean(r.disabled), backfill: fromJson(r.backfill, null),
    owner: (r.owner as string) ?? null, leaseUntil: num(r.lease_until), fence: Number(r.fence), updatedAt: Number(r.updated_at),
  };
}

const PK = "namespace = ? AND flow_id = ? AND trigger_id = ?";
const pk = (k: TriggerKey) => [k.namespace, k.flowId, k.triggerId];

/** The database clock (ms). */
export async function dbNow(db: Db): Promise<number> {
  const rs = await db.$client.execute(`SELECT ${DB_NOW} AS now`);
  return Number(rs.rows[0].now);
}

export async function listTriggerRows(db: Db, f: { namespace?: string; flowId?: string; type?: string } = {}): Promise<TriggerRow[]> {
  const where: string[] = [];
  const args: string[] = [];
  if (f.namespace) {
    where.push("(namespace = ? OR namespace LIKE ?)");
    args.push(f.namespace, `${f.namespace}.%`);
  }
  if (f.flowId) where.push("flow_id = ?"), args.push(f.flowId);
  if (f.type) where.push("type = ?"), args.push(f.type);
  const rs = await db.$client.execute({
    sql: `SELECT * FROM triggers ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY namespace, flow_id, trigger_id`,
    args,
  });
  return rs.rows.map(toRow);
}

export async function getTriggerRow(db: Db, k: TriggerKey): Promise<TriggerRow | undefined> {
  const rs = await db.$client.execute({ sql: `SELECT * FROM triggers WHERE ${PK}`, args: pk(k) });
  return rs.rows[0] ? toRow(rs.rows[0]) : undefined;
}

/** A new trigger row; an existing one is left alone (safe when instances sync at once: one insert wins). */
export async function insertTriggerRow(db: Db, k: TriggerKey & { type: string; nextDate: number | null; lastDate: number | null }) {
  await db.$client.execute({
    sql: `INSERT INTO triggers (namespace, flow_id, trigger_id, type, next_date, last_date, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ${DB_NOW}) ON CONFLICT DO NOTHING`,
    args: [...pk(k), k.type, k.nextDate, k.lastDate],
  });
}

/**
 * Re-plan a trigger after its flow changed (new cron, type, enabled state). Compare-and-set on
 * the fence the caller read, and only while nobody holds the claim: a scheduler firing it right
 * now keeps its plan, and the next sync re-plans from what it wrote. Bumps the fence.
 */
export async function replanTrigger(
  db: Db, k: TriggerKey, expectFence: number, set: { type: string; nextDate: number | null; lastDate: number | null },
): Promise<boolean> {
  const rs = await db.$client.execute({
    sql: `UPDATE triggers SET type = ?, next_date = ?, last_date = ?, fence = fence + 1, updated_at = ${DB_NOW}
          WHERE ${PK} AND fence = ? AND (owner IS NULL OR lease_until < ${DB_NOW})`,
    args: [set.type, set.nextDate, set.lastDate, ...pk(k), expectFence],
  });
  return rs.rowsAffected > 0;
}

/** Rows of a flow whose trigger ids are not in `keep` (trigger removed, flow deleted). */
export async function deleteTriggersExcept(db: Db, namespace: string, flowId: string, keep: string[]) {
  await db.$client.execute({
    sql: `DELETE FROM triggers WHERE namespace = ? AND flow_id = ?${keep.length ? ` AND trigger_id NOT IN (${keep.map(() => "?").join(",")})` : ""}`,
    args: [namespace, flowId, ...keep],
  });
}

/** Rows whose flow no longer exists (deleted flows). */
export async function deleteOrphanTriggers(db: Db) {
  await db.$client.execute(`DELETE FROM triggers WHERE NOT EXISTS
    (SELECT 1 FROM flows f WHERE f.namespace = triggers.namespace AND f.id = triggers.flow_id AND f.deleted = 0)`);
}

/**
 * Claim due timed triggers (Schedule, ScheduleOnDates, http polling: a slot at or before `now`, or an unpaused backfill) for this
 * instance. Safe with any number of instances: it is ONE statement, so SQLite/libSQL takes the
 * write lock before the inner SELECT reads, and no two instances can both see a row unowned or
 * its lease expired. The lease expiry is compared with database time. `fence + 1` gives the
 * claim a token: whatever the holder writes afterwards is fenced on it, so a holder that
 * stalled past its lease and lost the row to another instance changes nothing.
 * `now` is the database time read at the start of the tick (a fixed clock in tests).
 */
export async function claimDueTriggers(db: Db, owner: string, leaseMs: number, now: number, limit: number): Promise<TriggerRow[]> {
  const rs = await db.$client.execute({
    sql: `UPDATE triggers SET owner = ?, lease_until = ${DB_NOW} + ?, fence = fence + 1
          WHERE rowid IN (
            SELECT rowid FROM triggers
            WHERE type IN ${TIMED_SQL} AND disabled = 0 AND (owner IS NULL OR lease_until < ${DB_NOW})
              AND (next_date <= ? OR (backfill IS NOT NULL AND json_extract(backfill, '$.paused') = 0
                                      AND json_extract(backfill, '$.currentDate') <= ?))
            ORDER BY next_date LIMIT ?)
          RETURNING *`,
    args: [owner, leaseMs, now, now, limit],
  });
  return rs.rows.map(toRow);
}

/**
 * Record what a claim fired and hand the row back. Fenced on (owner, fence): zero rows means
 * the lease was lost (expired and re-claimed, or the API changed the row) — the caller drops
 * its result; the executions it created are already safe behind their dedup keys.
 */
export async function completeClaim(
  db: Db, k: TriggerKey, owner: string, fence: number,
  set: { nextDate: number | null; lastDate: number | null; backfill: BackfillState | null },
): Promise<boolean> {
  const rs = await db.$client.execute({
    sql: `UPDATE triggers SET next_date = ?, last_date = ?, backfill = ?, owner = NULL, lease_until = NULL, updated_at = ${DB_NOW}
          WHERE ${PK} AND owner = ? AND fence = ?`,
    args: [set.nextDate, set.lastDate, toJson(set.backfill), ...pk(k), owner, fence],
  });
  return rs.rowsAffected > 0;
}

/**
 * API-side changes (disable/enable, backfill, stopAfter). They bump the fence and drop any
 * claim so an in-flight scheduler pass cannot overwrite them with its stale view; a slot it
 * was firing stays exactly-once through the executions' dedup keys.
 */
export async function updateTriggerAdmin(
  db: Db, k: TriggerKey,
  set: { disabled?: boolean; backfill?: BackfillState | null; nextDate?: number | null; lastDate?: number | null },
): Promise<boolean> {
  const cols: string[] = [];
  const args: (string | number | null)[] = [];
  if (set.disabled !== undefined) cols.push("disabled = ?"), args.push(set.disabled ? 1 : 0);
  if (set.backfill !== undefined) cols.push("backfill = ?"), args.push(toJson(set.backfill));
  if (set.nextDate !== undefined) cols.push("next_date = ?"), args.push(set.nextDate);
  if (set.lastDate !== undefined) cols.push("last_date = ?"), args.push(set.lastDate);
  const rs = await db.$client.execute({
    sql: `UPDATE triggers SET ${[...cols, "fence = fence + 1", "owner = NULL", "lease_until = NULL", `updated_at = ${DB_NOW}`].join(", ")}
          WHERE ${PK}`,
    args: [...args, ...pk(k)],
  });
  return rs.rowsAffected > 0;
}

/** When the scheduler should look again: the earliest slot nobody else is holding (ms), and db time. */
export async function nextWake(db: Db): Promise<{ next: number | null; now: number; backfills: number }> {
  const rs = await db.$client.execute(`SELECT
      (SELECT MIN(next_date) FROM triggers WHERE type IN ${TIMED_SQL} AND disabled = 0
         AND (owner IS NULL OR lease_until < ${DB_NOW})) AS next,
      (SELECT COUNT(*) FROM triggers WHERE backfill IS NOT NULL AND json_extract(backfill, '$.paused') = 0) AS backfills,
      ${DB_NOW} AS now`);
  const r = rs.rows[0];
  return { next: num(r.next), now: Number(r.now), backfills: Number(r.backfills) };
}

/** A cheap fingerprint of the flows table: the scheduler resyncs its triggers when it changes. */
export async function flowsFingerprint(db: Db): Promise<string> {
  const rs = await db.$client.execute(
    "SELECT COUNT(*) AS n, MAX(updated_at) AS u, SUM(revision) AS r, SUM(disabled) AS d FROM flows WHERE deleted = 0",
  );
  const r = rs.rows[0];
  return `${r.n}:${r.u}:${r.r}:${r.d}`;
}
