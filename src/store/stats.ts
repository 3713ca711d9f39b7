// Queries behind /health and /metrics: cheap aggregate reads, each one statement on an index
// or a bounded scan, so a Prometheus scrape never competes with the executor for long.
import type { Db } from "./db.ts";

export async function ping(db: Db): Promise<void> {
  await db.$client.execute("SELECT 1");
}

export interface Stats {
  executionsByState: { state: string; n: number }[];
  /** Durations (seconds) of the most recently written finished task runs. */
  recentDurations: number[];
  queueDepth: number;
  leases: { kind: "execution" | "task_run"; owner: string; n: number }[];
}

export async function readStats(db: Db, recent = 1000): Promise<Stats> {
  const [states, durations, queue, leases] = await db.$client.batch([
    // executions_state_idx covers the grouping column.
    "SELECT state, count(*) AS n FROM executions GROUP BY state",
    // rowid order is insertion order: the newest runs without an index on end_date.
    {
      sql: `SELECT (end_date - start_date) / 1000.0 AS s FROM
              (SELECT start_date, end_date FROM task_runs ORDER BY rowid DESC LIMIT ?)
            WHERE start_date IS NOT NULL AND end_date IS NOT NULL`,
      args: [recent],
    },
    // task_runs_queue_idx (queued, run_at).
    "SELECT count(*) AS n FROM task_runs WHERE queued = 1",
    `SELECT 'execution' AS kind, owner, count(*) AS n FROM executions WHERE owner IS NOT NULL GROUP BY owner
     UNION ALL
     SELECT 'task_run' AS kind, owner, count(*) AS n FROM task_runs WHERE owner IS NOT NULL GROUP BY owner`,
  ], "read");
  return {
    executionsByState: states.rows.map((r) => ({ state: String(r.state), n: Number(r.n) })),
    recentDurations: durations.rows.map((r) => Number(r.s)),
    queueDepth: Number(queue.rows[0].n),
    leases: leases.rows.map((r) => ({ kind: r.kind as "execution" | "task_run", owner: String(r.owner), n: Number(r.n) })),
  };
}
