// Webhook deliveries already accepted: provider delivery id → the execution it created.
// The execution's own dedup key is what makes a delivery exactly-once (it is written in the
// same statement batch as the execution); this table is the fast lookup in front of it and
// the record of which delivery made which execution.
import type { Db } from "./db.ts";

export async function findDelivery(db: Db, id: string): Promise<string | undefined> {
  const rs = await db.$client.execute({ sql: "SELECT execution_id FROM webhook_deliveries WHERE id = ?", args: [id] });
  return rs.rows[0] ? String(rs.rows[0].execution_id) : undefined;
}

/** Idempotent: a retried delivery that raced us to the insert keeps the first row. */
export async function recordDelivery(db: Db, id: string, executionId: string, now: number): Promise<void> {
  await db.$client.execute({
    sql: "INSERT INTO webhook_deliveries (id, execution_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    args: [id, executionId, now],
  });
}

export async function executionIdByDedupKey(db: Db, key: string): Promise<string | undefined> {
  const rs = await db.$client.execute({ sql: "SELECT id FROM executions WHERE dedup_key = ?", args: [key] });
  return rs.rows[0] ? String(rs.rows[0].id) : undefined;
}

/** Forget deliveries older than `before` (providers stop retrying after a few days). */
export async function pruneDeliveries(db: Db, before: number): Promise<number> {
  const rs = await db.$client.execute({ sql: "DELETE FROM webhook_deliveries WHERE created_at < ?", args: [before] });
  return rs.rowsAffected;
}
