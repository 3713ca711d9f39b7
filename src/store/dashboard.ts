// Read queries behind the dashboard pages. Each is one statement (or one read batch) shaped
// for a page: summaries without the heavy JSON columns, bounded by LIMIT, on an index.
import type { InArgs, Row } from "@libsql/client";
import type { Label } from "../engine/model.ts";
import type { Db } from "./db.ts";
import { fromJson } from "./json.ts";
import { escapeLike } from "./search.ts";
import { TERMINAL_SQL } from "./sql.ts";

/** What a list row shows of an execution (no inputs/outputs/variables: they can be large). */
export interface ExecutionSummary {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  state: string;
  labels: Label[];
  createdAt: number;
  startDate: number | null;
  endDate: number | null;
  parentId: string | null;
}

const SUMMARY_COLS = "id, namespace, flow_id, flow_revision, state, labels, created_at, start_date, end_date, parent_id";

function toSummary(r: Row): ExecutionSummary {
  return {
    id: String(r.id), namespace: String(r.namespace), flowId: String(r.flow_id), flowRevision: Number(r.flow_revision),
    state: String(r.state), labels: fromJson(r.labels, []), createdAt: Number(r.created_at),
    startDate: r.start_date === null ? null : Number(r.start_date), endDate: r.end_date === null ? null : Number(r.end_date),
    parentId: (r.parent_id as string) ?? null,
  };
}

export interface ExecutionFilter {
  namespace?: string;
  /** Match the namespace only, not its children (a flow's own executions). */
  exactNamespace?: boolean;
  flowId?: string;
  states?: string[];
  from?: number;
  to?: number;
  labels?: Label[];
  /** Part of an execution id. */
  q?: string;
}

function where(f: ExecutionFilter): { cond: string; args: InArgs } {
  const w: string[] = [];
  const args: (string | number)[] = [];
  if (f.namespace && f.exactNamespace) w.push("namespace = ?"), args.push(f.namespace);
  else if (f.namespace) w.push("(namespace = ? OR namespace LIKE ? ESCAPE '\\')"), args.push(f.namespace, `${escapeLike(f.namespace)}.%`);
  if (f.flowId) w.push("flow_id = ?"), args.push(f.flowId);
  if (f.states?.length) w.push(`state IN (${f.states.map(() => "?").join(",")})`), args.push(...f.states);
  if (f.from !== undefined) w.push("created_at >= ?"), args.push(f.from);
  if (f.to !== undefined) w.push("created_at <= ?"), args.push(f.to);
  if (f.q) w.push("id LIKE ? ESCAPE '\\'"), args.push(`%${escapeLike(f.q)}%`);
  for (const l of f.labels ?? []) {
    // The LIKE on the value's JSON text is a cheap prefilter (no JSON parsing) that cannot
    // drop a match: any JSON writer encodes the string the same way. json_each then checks
    // key and value exactly on the few rows left.
    w.push("labels LIKE ? ESCAPE '\\'");
    args.push(`%${escapeLike(JSON.stringify(l.value))}%`);
    w.push("EXISTS (SELECT 1 FROM json_each(executions.labels) j WHERE j.value ->> '$.key' = ? AND j.value ->> '$.value' = ?)");
    args.push(l.key, l.value);
  }
  return { cond: w.length ? `WHERE ${w.join(" AND ")}` : "", args };
}

/**
 * One page of executions, newest first. The count and the page are one read batch (one
 * snapshot). ORDER BY created_at walks executions_created_idx backwards, so the page costs
 * LIMIT+OFFSET rows whatever the table size; the count is the price of "page N of M".
 */
export async function listExecutionSummaries(db: Db, f: ExecutionFilter, page: number, size: number) {
  const { cond, args } = where(f);
  const [count, rows] = await db.$client.batch([
    { sql: `SELECT count(*) AS n FROM executions ${cond}`, args },
    { sql: `SELECT ${SUMMARY_COLS} FROM executions ${cond} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`, args: [...(args as unknown[]), size, (page - 1) * size] as InArgs },
  ], "read");
  return { total: Number(count.rows[0].n), rows: rows.rows.map(toSummary) };
}

export async function executionSummary(db: Db, id: string): Promise<ExecutionSummary | undefined> {
  const rs = await db.$client.execute({ sql: `SELECT ${SUMMARY_COLS} FROM executions WHERE id = ?`, args: [id] });
  return rs.rows[0] ? toSummary(rs.rows[0]) : undefined;
}

export const ACTIVE_STATES = ["CREATED", "QUEUED", "RUNNING", "PAUSED", "RESTARTED", "KILLING", "RETRYING"];

/** The overview's numbers: one read batch over indexed ranges. */
export async function overview(db: Db, since: number) {
  const active = ACTIVE_STATES.map(() => "?").join(",");
  const [days, failures, running, fires] = await db.$client.batch([
    // executions_created_idx bounds the scan to the chart's window.
    { sql: "SELECT created_at / 86400000 AS day, state, count(*) AS n FROM executions WHERE created_at >= ? GROUP BY day, state", args: [since] },
    { sql: `SELECT ${SUMMARY_COLS} FROM executions WHERE state IN ('FAILED','KILLED') ORDER BY created_at DESC LIMIT 10`, args: [] },
    { sql: `SELECT ${SUMMARY_COLS} FROM executions WHERE state IN (${active}) ORDER BY created_at DESC LIMIT 20`, args: ACTIVE_STATES },
    // triggers_next_idx.
    { sql: "SELECT namespace, flow_id, trigger_id, type, next_date FROM triggers WHERE next_date IS NOT NULL AND disabled = 0 ORDER BY next_date LIMIT 10", args: [] },
  ], "read");
  return {
    perDay: days.rows.map((r) => ({ day: Number(r.day), state: String(r.state), n: Number(r.n) })),
    failures: failures.rows.map(toSummary),
    running: running.rows.map(toSummary),
    nextFires: fires.rows.map((r) => ({
      namespace: String(r.namespace), flowId: String(r.flow_id), triggerId: String(r.trigger_id), type: String(r.type), nextDate: Number(r.next_date),
    })),
  };
}

export interface FlowRow {
  namespace: string;
  id: string;
  revision: number;
  disabled: boolean;
  updatedAt: number;
  lastState: string | null;
  lastDate: number | null;
}

/** Flows with their last execution's state: a correlated lookup per flow on executions_flow_idx. */
export async function listFlowRows(db: Db, f: { namespace?: string; q?: string }): Promise<FlowRow[]> {
  const w = ["f.deleted = 0"];
  const args: string[] = [];
  if (f.namespace) w.push("(f.namespace = ? OR f.namespace LIKE ? ESCAPE '\\')"), args.push(f.namespace, `${escapeLike(f.namespace)}.%`);
  if (f.q) w.push("(f.id LIKE ? ESCAPE '\\' OR f.namespace LIKE ? ESCAPE '\\')"), args.push(`%${escapeLike(f.q)}%`, `%${escapeLike(f.q)}%`);
  const last = (col: string) =>
    `(SELECT e.${col} FROM executions e WHERE e.namespace = f.namespace AND e.flow_id = f.id ORDER BY e.created_at DESC LIMIT 1)`;
  const rs = await db.$client.execute({
    sql: `SELECT f.namespace, f.id, f.revision, f.disabled, f.updated_at, ${last("state")} AS last_state, ${last("created_at")} AS last_date
          FROM flows f WHERE ${w.join(" AND ")} ORDER BY f.namespace, f.id LIMIT 1000`,
    args,
  });
  return rs.rows.map((r) => ({
    namespace: String(r.namespace), id: String(r.id), revision: Number(r.revision), disabled: Boolean(r.disabled),
    updatedAt: Number(r.updated_at), lastState: (r.last_state as string) ?? null, lastDate: r.last_date === null ? null : Number(r.last_date),
  }));
}

/** KV entries of a namespace with a short preview of each value (values may be large JSON). */
export async function kvPreview(db: Db, namespace: string, now: number) {
  const rs = await db.$client.execute({
    sql: `SELECT key, type, substr(value, 1, 200) AS preview, length(value) AS size, updated_at, expires_at FROM kv
          WHERE namespace = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key LIMIT 1000`,
    args: [namespace, now],
  });
  return rs.rows.map((r) => ({
    key: String(r.key), type: String(r.type), preview: String(r.preview), size: Number(r.size),
    updatedAt: Number(r.updated_at), expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  }));
}

/** Namespaces known anywhere (flows, KV, secrets), with their parents. */
export async function allNamespaces(db: Db): Promise<string[]> {
  const rs = await db.$client.execute(
    "SELECT namespace FROM flows WHERE deleted = 0 UNION SELECT namespace FROM kv UNION SELECT namespace FROM secrets WHERE namespace != ''",
  );
  const all = new Set<string>();
  for (const r of rs.rows) {
    const parts = String(r.namespace).split(".");
    for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join("."));
  }
  return [...all].sort();
}


/** An execution's state and whether it is settled (terminal, no task run left open). */
export async function executionState(db: Db, id: string): Promise<{ state: string; settled: boolean } | undefined> {
  const rs = await db.$client.execute({
    sql: `SELECT state, state IN ${TERMINAL_SQL} AND NOT EXISTS
            (SELECT 1 FROM task_runs WHERE execution_id = executions.id AND state NOT IN ${TERMINAL_SQL}) AS settled
          FROM executions WHERE id = ?`,
    args: [id],
  });
  const r = rs.rows[0];
  return r ? { state: String(r.state), settled: Boolean(r.settled) } : undefined;
}
