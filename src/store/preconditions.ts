// Flow-trigger precondition windows, kept in the `kv` table under a reserved namespace (a
// namespace cannot start with "_", so no flow can read or clobber it). One JSON value per
// trigger: {window, seen: {conditionId: {executionId, date}}}.
import type { Db } from "./db.ts";

export const PRECONDITIONS_NAMESPACE = "__tern.preconditions";

export interface WindowState {
  window: string;
  seen: Record<string, { executionId: string; date: number }>;
}

/** Condition ids go into JSON paths: keep them to safe characters. */
const path = (id: string) => `$.seen."${id.replace(/[^A-Za-z0-9_.-]/g, "_")}"`;

/**
 * Record that `conditionId` was met by an execution in `window`, and return the state after
 * the write. One UPSERT with RETURNING: writes are serialised by the database, so when two
 * upstream executions complete the set on two instances, exactly one of them reads it back
 * complete (the second writer) — the other sees its own entry only.
 * A value for an older window is replaced, which is how a window resets.
 */
export async function recordCondition(
  db: Db, key: string, window: string, conditionId: string, executionId: string, date: number,
): Promise<WindowState> {
  const entry = JSON.stringify({ executionId, date });
  const fresh = JSON.stringify({ window, seen: { [conditionId.replace(/[^A-Za-z0-9_.-]/g, "_")]: { executionId, date } } });
  const rs = await db.$client.execute({
    sql: `INSERT INTO kv (namespace, key, value, type, updated_at) VALUES (?, ?, ?, 'JSON', ?)
          ON CONFLICT (namespace, key) DO UPDATE SET
            value = CASE WHEN json_extract(kv.value, '$.window') = ? THEN json_set(kv.value, ?, json(?)) ELSE excluded.value END,
            updated_at = excluded.updated_at
          RETURNING value`,
    args: [PRECONDITIONS_NAMESPACE, key, fresh, date, window, path(conditionId), entry],
  });
  return JSON.parse(String(rs.rows[0].value)) as WindowState;
}

/**
 * Consume the members that fired the downstream flow (resetOnSuccess). Compare-and-set on
 * every member: if another upstream replaced one in the meantime nothing is removed, and that
 * newer set fires on its own (under its own dedup key).
 */
export async function consumeConditions(db: Db, key: string, window: string, members: Record<string, string>): Promise<boolean> {
  const ids = Object.keys(members);
  if (!ids.length) return false;
  const rs = await db.$client.execute({
    sql: `UPDATE kv SET value = json_remove(value, ${ids.map(() => "?").join(", ")})
          WHERE namespace = ? AND key = ? AND json_extract(value, '$.window') = ?
            ${ids.map(() => `AND json_extract(value, ? || '.executionId') = ?`).join(" ")}`,
    args: [...ids.map(path), PRECONDITIONS_NAMESPACE, key, window, ...ids.flatMap((id) => [path(id), members[id]])],
  });
  return rs.rowsAffected > 0;
}

export async function readWindow(db: Db, key: string): Promise<WindowState | undefined> {
  const rs = await db.$client.execute({ sql: "SELECT value FROM kv WHERE namespace = ? AND key = ?", args: [PRECONDITIONS_NAMESPACE, key] });
  return rs.rows[0] ? (JSON.parse(String(rs.rows[0].value)) as WindowState) : undefined;
}
