// Synthetic rows for benchmarks (bench/ui-pages.ts): many executions inserted by SQLite
// itself (a recursive CTE, one statement per chunk) instead of row by row from JavaScript.
import type { Db } from "./db.ts";

export interface SyntheticExecutions {
  count: number;
  namespaces: string[];
  flowIds: string[];
  /** Creation time of the newest row; older rows step back by stepMs. */
  newest: number;
  stepMs: number;
}

const STATES = "'SUCCESS','SUCCESS','SUCCESS','SUCCESS','SUCCESS','SUCCESS','FAILED','WARNING','KILLED','RUNNING'";

/** Insert `count` finished-looking executions (ids bench-000000…), 50,000 per statement. */
export async function insertSyntheticExecutions(db: Db, s: SyntheticExecutions): Promise<void> {
  const ns = s.namespaces.map((n) => `'${n.replace(/'/g, "''")}'`).join(",");
  const flows = s.flowIds.map((f) => `'${f.replace(/'/g, "''")}'`).join(",");
  for (let from = 0; from < s.count; from += 50_000) {
    const to = Math.min(s.count, from + 50_000) - 1;
    await db.$client.execute({
      sql: `WITH RECURSIVE n(i) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT i + 1 FROM n WHERE i < ?),
              pick AS (SELECT i,
                json_extract(json_array(${ns}), '$[' || (i % ${s.namespaces.length}) || ']') AS namespace,
                json_extract(json_array(${flows}), '$[' || (i % ${s.flowIds.length}) || ']') AS flow_id,
                json_extract(json_array(${STATES}), '$[' || (i % 10) || ']') AS state,
                CAST(? AS INTEGER) - i * CAST(? AS INTEGER) AS created FROM n)
            INSERT INTO executions (id, namespace, flow_id, flow_revision, state, histories, inputs, labels, variables,
              created_at, start_date, end_date, kill_requested, updated_at)
            SELECT printf('bench-%06d', i), namespace, flow_id, 1, state,
              json_array(json_object('state', 'CREATED', 'date', strftime('%Y-%m-%dT%H:%M:%fZ', created / 1000.0, 'unixepoch'))),
              '{}', json_array(json_object('key', 'batch', 'value', 'b' || (i % 100))), '{}',
              created, created + 5, CASE WHEN state = 'RUNNING' THEN NULL ELSE created + 1000 + i % 5000 END, 0, created
            FROM pick`,
      args: [from, to, s.newest, s.stepMs],
    });
  }
}
