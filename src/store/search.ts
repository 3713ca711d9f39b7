// Read-side queries of the API: execution search with paging, deleting a finished execution
// with everything that hangs off it, and the namespaces that hold flows.
import type { InArgs } from "@libsql/client";
import type { Execution, TaskRun } from "../engine/model.ts";
import type { Db } from "./db.ts";
import { rowToExecution, rowToTaskRun } from "./executions.ts";
import { toJson } from "./json.ts";

export interface ExecutionQuery {
  namespace?: string;
  flowId?: string;
  states?: string[];
  /** Creation time range, ms. */
  from?: number;
  to?: number;
  labels?: { key: string; value: string }[];
  /** Part of an id. */
  q?: string;
  sort?: { column: SortColumn; desc: boolean };
  /** Only namespaces under these prefixes (the caller's grants); undefined: all. */
  within?: string[];
  page: number;
  size: number;
}

/** Kestra's sort fields -> columns (a whitelist: the column name is spliced into SQL). */
export const SORT_COLUMNS = {
  "id": "id",
  "namespace": "namespace",
  "flowId": "flow_id",
  "state.current": "state",
  "state.startDate": "created_at",
  "state.endDate": "end_date",
  "startDate": "created_at",
  "endDate": "end_date",
} as const;
export type SortColumn = (typeof SORT_COLUMNS)[keyof typeof SORT_COLUMNS];

export async function searchExecutions(db: Db, q: ExecutionQuery): Promise<{ results: { execution: Execution; runs: TaskRun[] }[]; total: number }> {
  const where: string[] = [];
  const args: InArgs = [];
  if (q.namespace) {
    // A namespace matches its children too (company matches company.team), as in Kestra.
    where.push("(namespace = ? OR namespace LIKE ? ESCAPE '\\')");
    args.push(q.namespace, `${escapeLike(q.namespace)}.%`);
  }
  if (q.within) withinPrefixes(q.within, where, args as (string | number)[]);
  if (q.flowId) where.push("flow_id = ?"), args.push(q.flowId);
  if (q.states?.length) where.push(`state IN (${q.states.map(() => "?").join(",")})`), args.push(...q.states);
  if (q.from !== undefined) where.push("created_at >= ?"), args.push(q.from);
  if (q.to !== undefined) where.push("created_at <= ?"), args.push(q.to);
  if (q.q) where.push("id LIKE ? ESCAPE '\\'"), args.push(`%${escapeLike(q.q)}%`);
  for (const l of q.labels ?? []) {
    where.push("EXISTS (SELECT 1 FROM json_each(executions.labels) j WHERE j.value ->> '$.key' = ? AND j.value ->> '$.value' = ?)");
    args.push(l.key, l.value);
  }
  const cond = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const sort = q.sort ?? { column: "created_at", desc: true };
  const [count, page] = await db.$client.batch([
    { sql: `SELECT count(*) AS n FROM executions ${cond}`, args },
    {
      sql: `SELECT * FROM executions ${cond} ORDER BY ${sort.column} ${sort.desc ? "DESC" : "ASC"}, id LIMIT ? OFFSET ?`,
      args: [...args, q.size, (q.page - 1) * q.size],
    },
  ], "read");
  const executions = page.rows.map(rowToExecution);
  const runs = await taskRunsOf(db, executions.map((e) => e.id));
  return { results: executions.map((execution) => ({ execution, runs: runs.get(execution.id) ?? [] })), total: Number(count.rows[0].n) };
}

async function taskRunsOf(db: Db, ids: string[]): Promise<Map<string, TaskRun[]>> {
  const out = new Map<string, TaskRun[]>();
  if (!ids.length) return out;
  const rs = await db.$client.execute({
    sql: `SELECT * FROM task_runs WHERE execution_id IN (${ids.map(() => "?").join(",")}) ORDER BY execution_id, seq`,
    args: ids,
  });
  for (const r of rs.rows.map(rowToTaskRun)) {
    const list = out.get(r.executionId) ?? [];
    list.push(r);
    out.set(r.executionId, list);
  }
  return out;
}

/**
 * Delete an execution with its task runs, logs and metrics in one write batch. Only a finished
 * execution (the WHERE on state): deleting one an executor still walks would let its next
 * pass write task runs of an execution that no longer exists.
 */
export async function deleteFinishedExecution(
  db: Db, id: string, terminal: readonly string[], keep: { logs?: boolean; metrics?: boolean } = {},
): Promise<boolean> {
  // The rest goes only if the execution went: nothing is orphaned by a refused delete.
  const gone = "NOT EXISTS (SELECT 1 FROM executions WHERE id = ?)";
  const rs = await db.$client.batch([
    { sql: `DELETE FROM executions WHERE id = ? AND state IN (${terminal.map(() => "?").join(",")})`, args: [id, ...terminal] },
    { sql: `DELETE FROM task_runs WHERE execution_id = ? AND ${gone}`, args: [id, id] },
    ...(keep.logs ? [] : [{ sql: `DELETE FROM logs WHERE execution_id = ? AND ${gone}`, args: [id, id] }]),
    ...(keep.metrics ? [] : [{ sql: `DELETE FROM metrics WHERE execution_id = ? AND ${gone}`, args: [id, id] }]),
  ], "write");
  return rs[0].rowsAffected > 0;
}

/**
 * Kestra's change-status: overwrite the state of a finished execution (SUCCESS -> WARNING…),
 * appending to its history. One UPDATE guarded by the state, so an execution restarted in
 * between is left alone (zero rows).
 */
export async function overwriteFinishedState(db: Db, id: string, state: string, date: string, terminal: readonly string[]): Promise<boolean> {
  const rs = await db.$client.execute({
    sql: `UPDATE executions SET state = ?, histories = json_insert(histories, '$[#]', json_object('state', ?, 'date', ?)), updated_at = ?
          WHERE id = ? AND state IN (${terminal.map(() => "?").join(",")})`,
    args: [state, state, date, Date.parse(date), id, ...terminal],
  });
  return rs.rowsAffected > 0;
}

/**
 * Replace a finished execution's labels (Kestra's POST /executions/{id}/labels). Guarded by the
 * state like overwriteFinishedState: a running execution's labels belong to its executor, which
 * would write its own copy over ours on its next pass.
 */
export async function replaceFinishedLabels(db: Db, id: string, labels: { key: string; value: string }[], terminal: readonly string[]): Promise<boolean> {
  const rs = await db.$client.execute({
    sql: `UPDATE executions SET labels = ? WHERE id = ? AND state IN (${terminal.map(() => "?").join(",")})`,
    args: [toJson(labels), id, ...terminal],
  });
  return rs.rowsAffected > 0;
}

/**
 * The latest revision of a live flow and whether it is disabled: the hot path of creating an
 * execution (the model itself comes from the flow cache, keyed by revision).
 */
export async function flowHead(db: Db, namespace: string, id: string): Promise<{ revision: number; disabled: boolean } | undefined> {
  const rs = await db.$client.execute({ sql: "SELECT revision, disabled FROM flows WHERE namespace = ? AND id = ? AND deleted = 0", args: [namespace, id] });
  const r = rs.rows[0];
  return r ? { revision: Number(r.revision), disabled: Boolean(r.disabled) } : undefined;
}

/** Distinct namespaces of live flows, with their parents (company.team -> company). */
export async function flowNamespaces(db: Db): Promise<string[]> {
  const rs = await db.$client.execute("SELECT DISTINCT namespace FROM flows WHERE deleted = 0");
  const all = new Set<string>();
  for (const r of rs.rows) {
    const parts = String(r.namespace).split(".");
    for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join("."));
  }
  return [...all].sort();
}

/** KV entries of a namespace with their dates (the KvStore interface only lists keys). */
export async function listKvEntries(db: Db, namespace: string, now: number) {
  const rs = await db.$client.execute({
    sql: "SELECT key, type, updated_at, expires_at FROM kv WHERE namespace = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key",
    args: [namespace, now],
  });
  return rs.rows.map((r) => ({
    key: String(r.key), type: String(r.type), updatedAt: Number(r.updated_at),
    expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  }));
}

/** The namespace of an execution (the auth guard scopes routes by it). */
export async function executionNamespace(db: Db, id: string): Promise<string | undefined> {
  const rs = await db.$client.execute({ sql: "SELECT namespace FROM executions WHERE id = ?", args: [id] });
  return rs.rows[0] ? String(rs.rows[0].namespace) : undefined;
}

/**
 * Restrict a search to namespaces under `prefixes` (a caller's grants): each prefix matches
 * itself and its children; an empty list matches nothing.
 */
export function withinPrefixes(prefixes: string[], where: string[], args: (string | number)[]): void {
  if (!prefixes.length) return void where.push("0");
  where.push(`(${prefixes.map(() => "namespace = ? OR namespace LIKE ? ESCAPE '\\'").join(" OR ")})`);
  for (const p of prefixes) args.push(p, `${escapeLike(p)}.%`);
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
