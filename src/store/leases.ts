// Named leases (singleton duties such as the flow-trigger catch-up sweep): one holder at a
// time, database time, and a fence that grows each time the lease changes hands.
import type { Db } from "./db.ts";
import { DB_NOW } from "./sql.ts";


/**
 * Take or renew `name` for `ttlMs`. Returns the fence when this holder has it, null when
 * another live holder does. Safe across instances: one UPSERT statement decides under the
 * write lock, and its WHERE only lets the current holder renew or anyone take an expired
 * lease — two instances cannot both get a row back.
 */
export async function acquireLease(db: Db, name: string, holder: string, ttlMs: number): Promise<number | null> {
  const rs = await db.$client.execute({
    sql: `INSERT INTO leases (name, holder, fence, expires_at) VALUES (?, ?, 1, ${DB_NOW} + ?)
          ON CONFLICT (name) DO UPDATE SET
            fence = CASE WHEN leases.holder = excluded.holder THEN leases.fence ELSE leases.fence + 1 END,
            holder = excluded.holder, expires_at = excluded.expires_at
          WHERE leases.holder = excluded.holder OR leases.expires_at < ${DB_NOW}
          RETURNING fence`,
    args: [name, holder, ttlMs],
  });
  return rs.rows[0] ? Number(rs.rows[0].fence) : null;
}

/** Give the lease up early (clean stop). Fenced, so a holder that already lost it changes nothing. */
export async function releaseLease(db: Db, name: string, holder: string, fence: number): Promise<void> {
  await db.$client.execute({
    sql: `UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ? AND fence = ?`,
    args: [name, holder, fence],
  });
}
