// Reads for the flow-trigger catch-up sweep.
import type { Execution } from "../engine/model.ts";
import type { Db } from "./db.ts";
import { rowToExecution } from "./executions.ts";
import { TERMINAL_SQL } from "./sql.ts";


/**
 * Terminal executions whose end falls in (since, until]. The `created_at` bound (an hour
 * before `since`) lets SQLite use executions_state_idx instead of scanning the table.
 */
export async function recentlyEnded(db: Db, since: number, until: number, limit = 2000): Promise<Execution[]> {
  const rs = await db.$client.execute({
    sql: `SELECT * FROM executions WHERE state IN ${TERMINAL_SQL} AND created_at > ? AND end_date > ? AND end_date <= ?
          ORDER BY end_date LIMIT ?`,
    args: [since - 3_600_000, since, until, limit],
  });
  return rs.rows.map(rowToExecution);
}

export async function dedupKeyExists(db: Db, key: string): Promise<boolean> {
  const rs = await db.$client.execute({ sql: "SELECT 1 FROM executions WHERE dedup_key = ?", args: [key] });
  return rs.rows.length > 0;
}
