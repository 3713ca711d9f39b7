// Retention and execution statistics for the tasks that act on other executions' records:
// PurgeExecutions (finished executions with their task runs, logs, metrics and files),
// PurgeLogs (log lines in bulk), Count (executions per flow) and log.Fetch.
import { deleteExecutionFiles } from "../files/task-store.ts";
import type { StorageBackend } from "../files/backend.ts";
import type { Db } from "./db.ts";
import { executionLogs, type Level, type StoredLog } from "./logs.ts";
import { withinPrefixes } from "./search.ts";
import { TERMINAL_SQL } from "./sql.ts";

/** Which executions: a namespace (with its children unless a flow is named) and a creation-time range. */
export interface ExecutionScope {
  namespace?: string;
  flowId?: string;
  /** Inclusive lower bound, ms. */
  startDate?: number;
  /** Exclusive upper bound, ms. */
  endDate?: number;
}

function scopeWhere(s: ExecutionScope, where: string[], args: (string | number)[], timeColumn: string) {
  if (s.namespace !== undefined && s.flowId !== undefined) where.push("namespace = ? AND flow_id = ?"), args.push(s.namespace, s.flowId);
  else if (s.namespace !== undefined) withinPrefixes([s.namespace], where, args);
  if (s.startDate !== undefined) where.push(`${timeColumn} >= ?`), args.push(s.startDate);
  if (s.endDate !== undefined) where.push(`${timeColumn} < ?`), args.push(s.endDate);
}

export interface PurgeRequest extends ExecutionScope {
  endDate: number;
  /** Terminal states to purge (others are never purged); undefined: every terminal state. */
  states?: string[];
  purgeExecution: boolean;
  purgeLog: boolean;
  purgeMetric: boolean;
  purgeStorage: boolean;
  batchSize: number;
}

export interface PurgeCounts {
  executionsCount: number;
  logsCount: number;
  metricsCount: number;
  storagesCount: number;
}

/**
 * Purge finished executions created in the scope, `batchSize` at a time, each batch one write
 * transaction. An unfinished execution is never touched: its executor would go on writing rows
 * of an execution that no longer exists. Files go after their batch's rows.
 */
export async function purgeExecutions(db: Db, storage: StorageBackend, r: PurgeRequest): Promise<PurgeCounts> {
  const counts: PurgeCounts = { executionsCount: 0, logsCount: 0, metricsCount: 0, storagesCount: 0 };
  const where: string[] = [`state IN ${TERMINAL_SQL}`];
  const args: (string | number)[] = [];
  scopeWhere(r, where, args, "created_at");
  if (r.states) where.push(`state IN (${r.states.map(() => "?").join(",") || "NULL"})`), args.push(...r.states);
  // Without purgeExecution the rows stay: page on the creation time instead of re-reading them.
  let after: { at: number; id: string } | undefined;
  for (;;) {
    const page = [...where];
    const pageArgs = [...args];
    if (after) page.push("(created_at > ? OR (created_at = ? AND id > ?))"), pageArgs.push(after.at, after.at, after.id);
    const rs = await db.$client.execute({
      sql: `SELECT id, namespace, flow_id, created_at FROM executions WHERE ${page.join(" AND ")} ORDER BY created_at, id LIMIT ?`,
      args: [...pageArgs, r.batchSize],
    });
    if (!rs.rows.length) return counts;
    const batch = rs.rows.map((x) => ({ id: String(x.id), namespace: String(x.namespace), flowId: String(x.flow_id), at: Number(x.created_at) }));
    after = batch.at(-1)!;
    const ids = batch.map((b) => b.id);
    const inIds = `(${ids.map(() => "?").join(",")})`;
    const stmts = [];
    if (r.purgeLog) stmts.push({ sql: `DELETE FROM logs WHERE execution_id IN ${inIds}`, args: ids });
    if (r.purgeMetric) stmts.push({ sql: `DELETE FROM metrics WHERE execution_id IN ${inIds}`, args: ids });
    if (r.purgeExecution) {
      stmts.push({ sql: `DELETE FROM task_runs WHERE execution_id IN ${inIds}`, args: ids });
      // Guarded by the state again: one restarted since the SELECT stays.
      stmts.push({ sql: `DELETE FROM executions WHERE id IN ${inIds} AND state IN ${TERMINAL_SQL}`, args: ids });
    }
    const done = stmts.length ? await db.$client.batch(stmts, "write") : [];
    let i = 0;
    if (r.purgeLog) counts.logsCount += done[i++].rowsAffected;
    if (r.purgeMetric) counts.metricsCount += done[i++].rowsAffected;
    if (r.purgeExecution) i++, (counts.executionsCount += done[i++].rowsAffected);
    if (r.purgeStorage) {
      for (const b of batch) counts.storagesCount += await deleteExecutionFiles(storage, { namespace: b.namespace, flowId: b.flowId, executionId: b.id });
    }
    if (batch.length < r.batchSize) return counts;
  }
}

export interface LogPurgeRequest extends ExecutionScope {
  endDate: number;
  executionId?: string;
  /** Only lines of these levels; undefined: all. */
  levels?: string[];
}

/** Delete log lines written in the range (by their timestamp); returns how many. */
export async function purgeLogs(db: Db, r: LogPurgeRequest): Promise<number> {
  const where: string[] = [];
  const args: (string | number)[] = [];
  scopeWhere(r, where, args, "timestamp");
  if (r.executionId !== undefined) where.push("execution_id = ?"), args.push(r.executionId);
  if (r.levels) where.push(`level IN (${r.levels.map(() => "?").join(",") || "NULL"})`), args.push(...r.levels);
  const rs = await db.$client.execute({ sql: `DELETE FROM logs WHERE ${where.join(" AND ")}`, args });
  return rs.rowsAffected;
}

export interface CountRequest {
  /** Named flows: each gets a line, 0 when it has no execution in the range. */
  flows?: { namespace: string; flowId: string }[];
  /** Namespaces (with their children): a line per flow that has executions. */
  namespaces?: string[];
  states?: string[];
  startDate?: number;
  endDate?: number;
}

/** Executions per flow created in the range (Kestra's executionCounts). */
export async function countExecutions(db: Db, r: CountRequest): Promise<{ namespace: string; flowId: string; count: number }[]> {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (r.startDate !== undefined) where.push("created_at >= ?"), args.push(r.startDate);
  if (r.endDate !== undefined) where.push("created_at < ?"), args.push(r.endDate);
  if (r.states?.length) where.push(`state IN (${r.states.map(() => "?").join(",")})`), args.push(...r.states);
  if (r.flows?.length) {
    where.push(`(${r.flows.map(() => "(namespace = ? AND flow_id = ?)").join(" OR ")})`);
    for (const f of r.flows) args.push(f.namespace, f.flowId);
  }
  if (r.namespaces?.length) withinPrefixes(r.namespaces, where, args);
  const rs = await db.$client.execute({
    sql: `SELECT namespace, flow_id, count(*) AS n FROM executions ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
          GROUP BY namespace, flow_id ORDER BY namespace, flow_id`,
    args,
  });
  const found = rs.rows.map((x) => ({ namespace: String(x.namespace), flowId: String(x.flow_id), count: Number(x.n) }));
  if (!r.flows?.length) return found;
  const key = (f: { namespace: string; flowId: string }) => `${f.namespace}\u0000${f.flowId}`;
  const byKey = new Map(found.map((f) => [key(f), f]));
  return r.flows.map((f) => byKey.get(key(f)) ?? { namespace: f.namespace, flowId: f.flowId, count: 0 });
}

export interface KvPurgeRequest {
  /** Namespaces (with their children when `includeChildren`); undefined: all. */
  namespaces?: string[];
  includeChildren: boolean;
  /** Further conditions on the namespace and the key (globs, already compiled). */
  namespaceMatch?: (ns: string) => boolean;
  keyMatch?: (key: string) => boolean;
  /** Only keys whose TTL has passed. */
  expiredOnly: boolean;
  now: number;
}

/** Delete KV entries (Kestra's PurgeKV); returns how many went. */
export async function purgeKv(db: Db, r: KvPurgeRequest): Promise<number> {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (r.namespaces) {
    if (r.includeChildren) withinPrefixes(r.namespaces, where, args);
    else where.push(`namespace IN (${r.namespaces.map(() => "?").join(",") || "NULL"})`), args.push(...r.namespaces);
  }
  if (r.expiredOnly) where.push("expires_at IS NOT NULL AND expires_at <= ?"), args.push(r.now);
  const rs = await db.$client.execute({ sql: `SELECT namespace, key FROM kv ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`, args });
  const doomed = rs.rows
    .map((x) => ({ namespace: String(x.namespace), key: String(x.key) }))
    .filter((x) => (r.namespaceMatch?.(x.namespace) ?? true) && (r.keyMatch?.(x.key) ?? true));
  if (!doomed.length) return 0;
  const done = await db.$client.batch(doomed.map((x) => ({ sql: "DELETE FROM kv WHERE namespace = ? AND key = ?", args: [x.namespace, x.key] })), "write");
  return done.reduce((n, d) => n + d.rowsAffected, 0);
}

/** An execution's log lines at `minLevel` and above, of some tasks only when named. */
export async function fetchLogs(db: Db, executionId: string, minLevel: Level, taskIds?: string[]): Promise<StoredLog[]> {
  const lines = await executionLogs(db, executionId, { minLevel });
  return taskIds?.length ? lines.filter((l) => l.taskId !== null && taskIds.includes(l.taskId)) : lines;
}
