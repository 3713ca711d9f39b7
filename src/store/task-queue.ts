// The worker's side of task runs: claim with a lease and a fencing token, complete fenced.
import type { Row } from "@libsql/client";
import type { Attempt, StoredPlan, TaskRun } from "../engine/model.ts";
import type { VariablesChange } from "../engine/variables-change.ts";
import type { Db } from "./db.ts";
import { rowToTaskRun } from "./executions.ts";
import { toJson } from "./json.ts";
import { DB_NOW } from "./sql.ts";


export interface Claimed {
  run: TaskRun;
  fence: number;
}

/**
 * Claim queued task runs that are due. One UPDATE … WHERE id IN (SELECT …) RETURNING: the claim
 * and the check happen in one statement, so two workers can never both claim a run (on SQLite a
 * read-then-write would also fail with SQLITE_BUSY under load). `only` narrows to given ids
 * (the in-process fast path: the executor hands its worker what it just queued).
 */
export async function claimTaskRuns(db: Db, owner: string, leaseMs: number, limit: number, only?: string[]): Promise<Claimed[]> {
  const now = new Date().toISOString();
  const filter = only ? `id IN (${only.map(() => "?").join(",")}) AND queued = 1` : `queued = 1 AND run_at <= ${DB_NOW}`;
  const rs = await db.$client.execute({
    sql: `UPDATE task_runs SET queued = 0, owner = ?, lease_until = ${DB_NOW} + ?, fence = fence + 1, state = 'RUNNING',
            start_date = COALESCE(start_date, ?),
            histories = json_insert(histories, '$[#]', json_object('state', 'RUNNING', 'date', ?)),
            attempts = json_insert(attempts, '$[#]', json_object('state', json_object('current', 'RUNNING',
              'histories', json_array(json_object('state', 'RUNNING', 'date', ?))), 'startDate', ?))
          WHERE id IN (SELECT id FROM task_runs WHERE ${filter} LIMIT ?) RETURNING *`,
    args: [owner, leaseMs, Date.parse(now), now, now, now, ...(only ?? []), limit],
  });
  return rs.rows.map((r: Row) => ({ run: rowToTaskRun(r), fence: Number(r.fence) }));
}

export interface Completion {
  id: string;
  owner: string;
  fence: number;
  state: string;
  outputs: Record<string, unknown> | null;
  attempts: Attempt[];
  histories: TaskRun["histories"];
  /** Retry: back to the queue at runAt instead of ending. */
  requeueAt?: number;
  exit?: string;
  /** SetVariables/UnsetVariables that succeeded: the change the executor applies to the execution. */
  variables?: VariablesChange;
  endDate: number | null;
}

/** What a completion keeps in the run's plan for the executor (Exit's state, a variables change), or null. */
export function completionPlan(c: Completion): StoredPlan | null {
  if (!c.exit && !c.variables) return null;
  return { branches: [], concurrency: 0, ...(c.exit ? { exit: c.exit } : {}), ...(c.variables ? { variables: c.variables } : {}) };
}

/**
 * Finish (or re-queue for retry) a claimed run. Fenced: only the holder of the current claim may
 * write; zero rows means the lease was lost (killed, or re-queued after expiry) and the result is dropped.
 */
export function completeStmt(c: Completion) {
  return {
    sql: `UPDATE task_runs SET state = ?, outputs = ?, attempts = ?, histories = ?, end_date = ?, owner = NULL, lease_until = NULL,
            queued = ?, run_at = ?, plan = COALESCE(?, plan)
          WHERE id = ? AND owner = ? AND fence = ? AND state = 'RUNNING'`,
    args: [
      c.state, toJson(c.outputs), toJson(c.attempts), toJson(c.histories), c.endDate, c.requeueAt !== undefined ? 1 : 0,
      c.requeueAt ?? null, toJson(completionPlan(c)), c.id, c.owner, c.fence,
    ],
  };
}

/** Runs whose worker died: their lease expired. Back to the queue; the next claim is a new attempt. */
export async function requeueExpired(db: Db): Promise<number> {
  const rs = await db.$client.execute(
    `UPDATE task_runs SET queued = 1, owner = NULL, lease_until = NULL, run_at = ${DB_NOW}
     WHERE owner IS NOT NULL AND lease_until < ${DB_NOW} AND state = 'RUNNING' AND +queued = 0`, // owner index, not the queue's
  );
  return rs.rowsAffected;
}

/** Of the runs this worker is running, those whose claim it no longer holds (re-queued, killed). */
export async function lostTaskRuns(db: Db, owner: string, ids: string[]): Promise<string[]> {
  const rs = await db.$client.execute({
    sql: `SELECT id FROM task_runs WHERE id IN (${ids.map(() => "?").join(",")}) AND (owner IS NULL OR owner != ? OR state != 'RUNNING')`,
    args: [...ids, owner],
  });
  return rs.rows.map((r) => String(r.id));
}

/**
 * Placed right after a fenced completion in a batch: if that UPDATE matched no row (the lease
 * was lost), json() of invalid text raises an error and the whole transaction rolls back, so
 * nothing decided on that completion is written. (SQLite has no RAISE outside triggers.)
 */
export const LEASE_GUARD = { sql: "SELECT CASE WHEN changes() = 0 THEN json('tern: lease lost') END", args: [] };

export function isLeaseGuard(e: unknown): boolean {
  return /malformed JSON/i.test(String((e as Error)?.message ?? e));
}
