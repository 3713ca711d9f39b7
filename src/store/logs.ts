// Log queries: one execution's lines (filtered by level, task run, task), the lines written
// after a given row id (SSE followers catch up from there), and a paged search.
import type { InArgs, Row } from "@libsql/client";
import type { Db } from "./db.ts";
import { escapeLike, withinPrefixes } from "./search.ts";

export const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"] as const;
export type Level = (typeof LEVELS)[number];

export interface StoredLog {
  id: number;
  executionId: string;
  namespace: string;
  flowId: string;
  taskRunId: string | null;
  taskId: string | null;
  attempt: number | null;
  level: string;
  message: string;
  timestamp: number;
}

export interface LogFilter {
  minLevel?: Level;
  taskRunId?: string;
  taskId?: string;
  attempt?: number;
  /** Only rows with a larger id (rows are numbered in insertion order). */
  afterId?: number;
}

function rowToLog(r: Row): StoredLog {
  return {
    id: Number(r.id), executionId: String(r.execution_id), namespace: String(r.namespace), flowId: String(r.flow_id),
    taskRunId: (r.task_run_id as string) ?? null, taskId: (r.task_id as string) ?? null,
    attempt: r.attempt === null ? null : Number(r.attempt), level: String(r.level), message: String(r.message),
    timestamp: Number(r.timestamp),
  };
}

/** The level and the ones above it; WARNING is Kestra's alias of WARN. */
export function levelsFrom(min: Level): string[] {
  const i = LEVELS.indexOf(min);
  const out: string[] = LEVELS.slice(i);
  if (out.includes("WARN")) out.push("WARNING");
  return out;
}

function filters(f: LogFilter, where: string[], args: (string | number)[]) {
  if (f.minLevel && f.minLevel !== "TRACE") {
    const lv = levelsFrom(f.minLevel);
    where.push(`level IN (${lv.map(() => "?").join(",")})`);
    args.push(...lv);
  }
  if (f.taskRunId) where.push("task_run_id = ?"), args.push(f.taskRunId);
  if (f.taskId) where.push("task_id = ?"), args.push(f.taskId);
  if (f.attempt !== undefined) where.push("attempt = ?"), args.push(f.attempt);
  if (f.afterId !== undefined) where.push("id > ?"), args.push(f.afterId);
}

/** An execution's lines in the order they were written (the logs_execution_idx index). */
export async function executionLogs(db: Db, executionId: string, f: LogFilter = {}, limit = 100_000): Promise<StoredLog[]> {
  const where = ["execution_id = ?"];
  const args: (string | number)[] = [executionId];
  filters(f, where, args);
  const rs = await db.$client.execute({ sql: `SELECT * FROM logs WHERE ${where.join(" AND ")} ORDER BY id LIMIT ?`, args: [...args, limit] });
  return rs.rows.map(rowToLog);
}

/** Delete an execution's lines (optionally of one task run or attempt); the number deleted. */
export async function deleteExecutionLogs(db: Db, executionId: string, f: LogFilter = {}): Promise<number> {
  const where = ["execution_id = ?"];
  const args: (string | number)[] = [executionId];
  filters(f, where, args);
  const rs = await db.$client.execute({ sql: `DELETE FROM logs WHERE ${where.join(" AND ")}`, args });
  return rs.rowsAffected;
}

export interface LogSearch extends LogFilter {
  q?: string;
  namespace?: string;
  flowId?: string;
  executionId?: string;
  from?: number;
  to?: number;
  /** Only namespaces under these prefixes (the caller's grants); undefined: all. */
  within?: string[];
  page: number;
  size: number;
}

/** Newest first, like Kestra's log search. */
export async function searchLogs(db: Db, s: LogSearch): Promise<{ results: StoredLog[]; total: number }> {
  const where: string[] = [];
  const args: (string | number)[] = [];
  filters(s, where, args);
  if (s.q) where.push("message LIKE ? ESCAPE '\\'"), args.push(`%${escapeLike(s.q)}%`);
  if (s.namespace) where.push("(namespace = ? OR namespace LIKE ? ESCAPE '\\')"), args.push(s.namespace, `${escapeLike(s.namespace)}.%`);
  if (s.within) withinPrefixes(s.within, where, args);
  if (s.flowId) where.push("flow_id = ?"), args.push(s.flowId);
  if (s.executionId) where.push("execution_id = ?"), args.push(s.executionId);
  if (s.from !== undefined) where.push("timestamp >= ?"), args.push(s.from);
  if (s.to !== undefined) where.push("timestamp <= ?"), args.push(s.to);
  const cond = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const [count, page] = await db.$client.batch([
    { sql: `SELECT count(*) AS n FROM logs ${cond}`, args: args as InArgs },
    { sql: `SELECT * FROM logs ${cond} ORDER BY timestamp DESC, id DESC LIMIT ? OFFSET ?`, args: [...args, s.size, (s.page - 1) * s.size] },
  ], "read");
  return { results: page.rows.map(rowToLog), total: Number(count.rows[0].n) };
}
