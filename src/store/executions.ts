// Executions and their task runs: load, create, and persist the executor's effects in one
// transaction. Raw SQL (through the same libSQL client Drizzle wraps) on the hot path.
import type { InStatement, Row } from "@libsql/client";
import type { Execution, LogEntry, TaskRun } from "../engine/model.ts";
import type { Db } from "./db.ts";
import { groupWrite } from "./group-write.ts";
import { fromJson, toJson } from "./json.ts";
import { DB_NOW, UNFINISHED } from "./sql.ts";


export function rowToExecution(r: Row): Execution {
  return {
    id: String(r.id), namespace: String(r.namespace), flowId: String(r.flow_id), flowRevision: Number(r.flow_revision),
    state: String(r.state), histories: fromJson(r.histories, []), inputs: fromJson(r.inputs, {}),
    outputs: fromJson(r.outputs, null), labels: fromJson(r.labels, []), variables: fromJson(r.variables, {}),
    trigger: fromJson(r.trigger, null), parentId: (r.parent_id as string) ?? null, originalId: (r.original_id as string) ?? null,
    createdAt: Number(r.created_at), startDate: num(r.start_date), endDate: num(r.end_date), wakeAt: num(r.wake_at),
    killRequested: Boolean(r.kill_requested),
  };
}

export function rowToTaskRun(r: Row): TaskRun {
  return {
    id: String(r.id), executionId: String(r.execution_id), seq: Number(r.seq), parentTaskRunId: (r.parent_task_run_id as string) ?? null,
    taskId: String(r.task_id), value: (r.value as string) ?? null, section: r.section as TaskRun["section"], branch: Number(r.branch),
    iteration: Number(r.iteration), state: String(r.state), histories: fromJson(r.histories, []), attempts: fromJson(r.attempts, []),
    outputs: fromJson(r.outputs, null), plan: fromJson(r.plan, null), queued: Boolean(r.queued), runAt: num(r.run_at),
    startDate: num(r.start_date), endDate: num(r.end_date),
  };
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

export function insertExecutionStmt(ex: Execution, opts: { owner?: string; leaseMs?: number; dedupKey?: string } = {}): InStatement {
  return {
    sql: `INSERT INTO executions (id, namespace, flow_id, flow_revision, state, histories, inputs, outputs, labels, variables,
      trigger, parent_id, original_id, dedup_key, created_at, start_date, end_date, wake_at, owner, lease_until, kill_requested, updated_at)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?, ${opts.owner ? `${DB_NOW} + ?` : "?"}, 0, ?)`,
    args: [
      ex.id, ex.namespace, ex.flowId, ex.flowRevision, ex.state, toJson(ex.histories), toJson(ex.inputs), toJson(ex.outputs),
      toJson(ex.labels), toJson(ex.variables), toJson(ex.trigger), ex.parentId, ex.originalId, opts.dedupKey ?? null, ex.createdAt,
      ex.startDate, ex.endDate, ex.wakeAt, opts.owner ?? null, opts.owner ? opts.leaseMs ?? 30_000 : null, ex.createdAt,
    ],
  };
}

export async function insertExecution(db: Db, ex: Execution, opts: { owner?: string; leaseMs?: number; dedupKey?: string } = {}) {
  await db.$client.execute(insertExecutionStmt(ex, opts));
}

export async function loadExecution(db: Db, id: string): Promise<Execution | undefined> {
  const rs = await db.$client.execute({ sql: "SELECT * FROM executions WHERE id = ?", args: [id] });
  return rs.rows[0] ? rowToExecution(rs.rows[0]) : undefined;
}

export async function loadTaskRuns(db: Db, executionId: string): Promise<TaskRun[]> {
  const rs = await db.$client.execute({ sql: "SELECT * FROM task_runs WHERE execution_id = ? ORDER BY seq", args: [executionId] });
  return rs.rows.map(rowToTaskRun);
}

/** A run inserted with an owner is claimed by that instance's worker in the same write. */
function insertRunStmt(r: TaskRun, leaseMs = 30_000): InStatement {
  return {
    sql: `INSERT INTO task_runs (id, execution_id, seq, parent_task_run_id, task_id, value, section, branch, iteration, state,
      histories, attempts, outputs, plan, queued, run_at, start_date, end_date, owner, lease_until, fence)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?, ${r.owner ? `${DB_NOW} + ?` : "?"}, ?)`,
    args: [
      r.id, r.executionId, r.seq, r.parentTaskRunId, r.taskId, r.value, r.section, r.branch, r.iteration, r.state,
      toJson(r.histories), toJson(r.attempts), toJson(r.outputs), toJson(r.plan), r.queued ? 1 : 0, r.runAt, r.startDate, r.endDate,
      r.owner ?? null, r.owner ? leaseMs : null, r.fence ?? 0,
    ],
  };
}

export function insertTaskRunsStmts(runs: TaskRun[]): InStatement[] {
  return runs.map(insertRunStmt);
}

export function deleteTaskRunsStmt(ids: string[]): InStatement {
  return { sql: `DELETE FROM task_runs WHERE id IN (${ids.map(() => "?").join(",")})`, args: ids };
}

/** Executor-side update of a run: never touches the worker's lease columns. */
function updateRunStmt(r: TaskRun): InStatement {
  return {
    sql: `UPDATE task_runs SET state=?, histories=?, attempts=?, outputs=?, plan=?, queued=?, run_at=?, start_date=?, end_date=?,
      owner = CASE WHEN ? THEN NULL ELSE owner END WHERE id=?`,
    args: [
      r.state, toJson(r.histories), toJson(r.attempts), toJson(r.outputs), toJson(r.plan), r.queued ? 1 : 0, r.runAt,
      r.startDate, r.endDate, r.queued ? 1 : 0, r.id,
    ],
  };
}

function updateExecutionStmt(ex: Execution, release: boolean): InStatement {
  return {
    sql: `UPDATE executions SET state=?, histories=?, outputs=?, labels=?, variables=?, start_date=?, end_date=?, wake_at=?, updated_at=?
      ${release ? ", owner = NULL, lease_until = NULL" : ""} WHERE id=?`,
    args: [
      ex.state, toJson(ex.histories), toJson(ex.outputs), toJson(ex.labels), toJson(ex.variables), ex.startDate, ex.endDate, ex.wakeAt,
      Date.now(), ex.id,
    ],
  };
}

export function insertLogsStmt(logs: LogEntry[], namespace: string, flowId: string): InStatement[] {
  const out: InStatement[] = [];
  // Chunked multi-row inserts: one statement per 100 lines keeps write amplification low.
  for (let i = 0; i < logs.length; i += 100) {
    const chunk = logs.slice(i, i + 100);
    out.push({
      sql: `INSERT INTO logs (execution_id, namespace, flow_id, task_run_id, task_id, attempt, level, message, timestamp) VALUES ${chunk
        .map(() => "(?,?,?,?,?,?,?,?,?)")
        .join(",")}`,
      args: chunk.flatMap((l) => [l.executionId, namespace, flowId, l.taskRunId, l.taskId, l.attempt, l.level, l.message, l.timestamp]),
    });
  }
  return out;
}

export interface Persist {
  /** Lease of runs inserted already claimed (the service's TERN_LEASE_MS). */
  leaseMs?: number;
  /** Statements that go first (worker completions and their guards). */
  before?: InStatement[];
  execution?: Execution;
  releaseExecution?: boolean;
  created: TaskRun[];
  changed: Iterable<TaskRun>;
  logs: LogEntry[];
  extra?: InStatement[];
}

/** Apply one executor pass atomically. */
export async function persistEffects(db: Db, p: Persist, ns: string, flowId: string): Promise<void> {
  const stmts: InStatement[] = [...(p.before ?? [])];
  for (const r of p.created) stmts.push(insertRunStmt(r, p.leaseMs));
  for (const r of p.changed) stmts.push(updateRunStmt(r));
  if (p.execution) stmts.push(updateExecutionStmt(p.execution, p.releaseExecution ?? false));
  stmts.push(...insertLogsStmt(p.logs, ns, flowId), ...(p.extra ?? []));
  await groupWrite(db, stmts);
}

export async function setKillRequested(db: Db, id: string): Promise<boolean> {
  const rs = await db.$client.execute({ sql: `UPDATE executions SET kill_requested = 1, wake_at = ? WHERE id = ?
            AND ${UNFINISHED}`, args: [Date.now(), id] });
  return rs.rowsAffected > 0;
}

export async function updateLabels(db: Db, id: string, labels: { key: string; value: string }[]) {
  await db.$client.execute({ sql: "UPDATE executions SET labels = ? WHERE id = ?", args: [toJson(labels), id] });
}

/**
 * Executor ownership: one instance walks an execution at a time. Safe because the UPDATE is a
 * single statement comparing the lease with database time: two instances cannot both see it free.
 */
export async function claimExecution(db: Db, id: string, owner: string, leaseMs: number): Promise<boolean> {
  const rs = await db.$client.execute({
    sql: `UPDATE executions SET owner = ?, lease_until = ${DB_NOW} + ? WHERE id = ?
          AND (owner IS NULL OR owner = ? OR lease_until < ${DB_NOW})`,
    args: [owner, leaseMs, id, owner],
  });
  return rs.rowsAffected > 0;
}

/** Executions that need an executor: unowned (or their owner died) and unfinished, or due to wake. */
export async function findOrphanExecutions(db: Db, owner: string, limit = 100): Promise<string[]> {
  const rs = await db.$client.execute({
    sql: `SELECT id FROM executions WHERE ${UNFINISHED}
          AND state != 'QUEUED' AND (owner IS NULL OR lease_until < ${DB_NOW} OR (owner = ? AND wake_at IS NOT NULL AND wake_at <= ${DB_NOW}))
          LIMIT ?`,
    args: [owner, limit],
  });
  return rs.rows.map((r) => String(r.id));
}

/** Keep this instance's executions and task runs leased while it lives. */
export async function renewLeases(db: Db, owner: string, leaseMs: number) {
  await db.$client.batch(
    [
      // (The state condition lets SQLite use the index of unfinished executions.)
      {
        sql: `UPDATE executions SET lease_until = ${DB_NOW} + ? WHERE owner = ?
              AND ${UNFINISHED}`,
        args: [leaseMs, owner],
      },
      { sql: `UPDATE task_runs SET lease_until = ${DB_NOW} + ? WHERE owner = ? AND state = 'RUNNING'`, args: [leaseMs, owner] },
    ],
    "write",
  );
}

/** On a clean stop: hand our leases back so another instance takes over at once. */
export async function releaseLeases(db: Db, owner: string) {
  await db.$client.batch(
    [
      { sql: "UPDATE executions SET owner = NULL, lease_until = NULL WHERE owner = ?", args: [owner] },
      { sql: `UPDATE task_runs SET owner = NULL, lease_until = NULL, queued = 1, run_at = ${DB_NOW} WHERE owner = ? AND state = 'RUNNING'`, args: [owner] },
    ],
    "write",
  );
}
