// Flow concurrency (`concurrency: {limit, behavior}`): at most `limit` executions of a flow
// run at once. The limit is checked inside the writing transaction, against the database, so
// instances sharing it cannot both take the last slot.
import type { InStatement } from "@libsql/client";
import type { Db } from "./db.ts";
import { DB_NOW, UNFINISHED } from "./sql.ts";

/** Executions holding a slot: unfinished and not waiting in the queue. */
const holding = (self: string) =>
  `(SELECT count(*) FROM executions WHERE namespace = ? AND flow_id = ? AND ${UNFINISHED} AND state != 'QUEUED' AND id != ${self})`;

/**
 * Right after an execution's INSERT: if the flow already has `limit` executions holding a slot,
 * turn the new one into `over` (QUEUED, CANCELLED or FAILED) and give up its lease.
 */
export function applyLimitStmt(id: string, ns: string, flowId: string, limit: number, over: string, at: Date): InStatement {
  const terminal = over !== "QUEUED";
  return {
    sql: `UPDATE executions SET state = ?, histories = json_insert(histories, '$[#]', json_object('state', ?, 'date', ?)),
            end_date = ?, owner = NULL, lease_until = NULL
          WHERE id = ? AND ${holding("?")} >= ?`,
    args: [over, over, at.toISOString(), terminal ? at.getTime() : null, id, ns, flowId, id, limit],
  };
}

/** Start the oldest QUEUED execution of a flow if a slot is free; its id, claimed by `owner`. */
export async function promoteQueued(db: Db, ns: string, flowId: string, limit: number, owner: string, leaseMs: number): Promise<string | undefined> {
  const at = new Date();
  const rs = await db.$client.execute({
    sql: `UPDATE executions SET state = 'RUNNING', histories = json_insert(histories, '$[#]', json_object('state', 'RUNNING', 'date', ?)),
            start_date = COALESCE(start_date, ?), owner = ?, lease_until = ${DB_NOW} + ?
          WHERE id = (SELECT id FROM executions WHERE namespace = ? AND flow_id = ? AND state = 'QUEUED' ORDER BY created_at, rowid LIMIT 1)
            AND ${holding("''")} < ?
          RETURNING id`,
    args: [at.toISOString(), at.getTime(), owner, leaseMs, ns, flowId, ns, flowId, limit],
  });
  return rs.rows[0] ? String(rs.rows[0].id) : undefined;
}

/** Flows with executions waiting for a slot. */
export async function flowsWithQueued(db: Db): Promise<{ namespace: string; flowId: string }[]> {
  const rs = await db.$client.execute("SELECT DISTINCT namespace, flow_id FROM executions WHERE state = 'QUEUED'");
  return rs.rows.map((r) => ({ namespace: String(r.namespace), flowId: String(r.flow_id) }));
}
