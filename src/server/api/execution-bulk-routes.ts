// /api/v1/executions/…/by-ids and …/by-query: kill, restart, delete, change-status and labels
// of many executions. Kestra's answers: `{count}`, or 400 with BulkErrorResponse
// `{message, invalids}` (plus Tern's `error`) when any id is invalid — then nothing is done.
import type { Context } from "hono";
import { z } from "zod";
import { principalOf } from "../../auth/context.ts";
import { readablePrefixes } from "../../auth/roles.ts";
import { isTerminal, STATES } from "../../engine/states.ts";
import { searchExecutions } from "../../store/search.ts";
import { badRequest, invalid } from "../errors.ts";
import { bool, defineRoute, type RouteDef } from "../route.ts";
import { parseLabels, type ApiDeps } from "./common.ts";
import { applyBulk, checkBulk, type BulkOp, type Invalid } from "./execution-bulk.ts";
import { jsonBody } from "./execution-ops.ts";
import { LabelSchema } from "./execution-labels.ts";
import { searchFilters } from "./executions.ts";

const Ids = z.array(z.string().min(1)).max(10_000).meta({ description: "execution ids" });
const Count = z.object({ count: z.number().int() }).meta({ id: "BulkResponse" });
const BulkError = z.object({
  message: z.string(),
  invalids: z.array(z.object({ message: z.string(), invalidValue: z.string(), propertyPath: z.string() })),
}).meta({ id: "BulkErrorResponse" });
const filters = z.object(searchFilters);
const deleteQuery = { deleteLogs: bool(true), deleteMetrics: bool(true), deleteStorage: bool(true) };
const terminalStatus = z.enum(STATES).refine(isTerminal, "only a terminal state (SUCCESS, WARNING, FAILED, KILLED…) can be given");
const responses = {
  200: { description: "done: how many executions", schema: Count },
  400: { description: "some ids are unknown, not yours to act on, or in the wrong state: nothing was done", schema: BulkError },
  409: { description: "some executions changed state while the others were done (count says how many)" },
};

/** Kestra's BulkErrorResponse, with Tern's error object so both kinds of client read it. */
function refusal(c: Context, status: 400 | 409, message: string, invalids: Invalid[], count?: number) {
  const code = status === 400 ? "BAD_REQUEST" : "CONFLICT";
  const issues = invalids.map((i) => ({ path: i.invalidValue, message: i.message }));
  return c.json({ message, invalids, ...(count === undefined ? {} : { count }), error: { code, message, issues } }, status);
}

export function executionBulkRoutes(deps: ApiDeps): RouteDef[] {
  /** Check every id, then act on all of them or on none. */
  async function run(c: Context, ids: string[], op: BulkOp) {
    const { valid, invalids } = await checkBulk(deps, principalOf(c), ids, op);
    if (invalids.length) return refusal(c, 400, `invalid bulk ${op.action}`, invalids);
    const { count, failed } = await applyBulk(deps, op, valid);
    if (failed.length) return refusal(c, 409, `bulk ${op.action}: ${failed.length} of ${valid.length} failed`, failed, count);
    return c.json({ count });
  }

  /** The ids a search finds, among the namespaces where the caller is an operator. */
  async function idsOf(c: Context, q: z.infer<typeof filters>): Promise<string[]> {
    const { labels, bad } = parseLabels(q.labels, { allowSystem: true });
    if (bad.length) throw badRequest(bad.join("; "));
    const within = readablePrefixes(principalOf(c), "operator");
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const r = await searchExecutions(deps.tern.db, {
        q: q.q, namespace: q.namespace, flowId: q.flowId, states: q.state, from: q.startDate, to: q.endDate, labels, within,
        sort: { column: "created_at", desc: true }, page, size: 1000,
      });
      ids.push(...r.results.map((x) => x.execution.id));
      if (r.results.length < 1000 || ids.length >= r.total) return ids;
    }
  }

  const ids = (c: Context) => jsonBody(c.req.text(), Ids);
  const access = (action: string) => ({ role: "operator", ns: "handler", audit: `executions.${action}-bulk` }) as const;
  const routes: RouteDef[] = [];
  // One pair of routes per action: by ids (JSON list) and by the search filters.
  const pair = (
    action: string, method: "post" | "delete", prefix: string, summary: string,
    byIds: { query?: z.ZodObject; body?: z.ZodType; op(c: Context, q: never): Promise<{ ids: string[]; op: BulkOp }> },
    byQuery: { query?: z.ZodRawShape; body?: z.ZodType; op(c: Context, q: never): Promise<BulkOp> },
  ) => {
    routes.push(defineRoute({
      method, path: `/api/v1/executions${prefix}/by-ids`, tag: "Executions", summary: `${summary} (by ids)`, access: access(action),
      query: byIds.query, body: [{ media: "json", schema: byIds.body ?? Ids }], responses,
      async handler(c, q) {
        const r = await byIds.op(c, q as never);
        return run(c, r.ids, r.op);
      },
    }));
    routes.push(defineRoute({
      method, path: `/api/v1/executions${prefix}/by-query`, tag: "Executions", summary: `${summary} (those the search filters find)`, access: access(action),
      query: filters.extend(byQuery.query ?? {}), ...(byQuery.body ? { body: [{ media: "json" as const, schema: byQuery.body }] } : {}), responses,
      async handler(c, q) {
        const op = await byQuery.op(c, q as never);
        return run(c, await idsOf(c, q as z.infer<typeof filters>), op);
      },
    }));
  };

  pair("kill", "delete", "/kill", "Kill executions",
    { op: async (c) => ({ ids: await ids(c), op: { action: "kill" } }) },
    { op: async () => ({ action: "kill" }) });
  pair("restart", "post", "/restart", "Restart failed, killed or paused executions",
    { op: async (c) => ({ ids: await ids(c), op: { action: "restart" } }) },
    { op: async () => ({ action: "restart" }) });
  pair("delete", "delete", "", "Delete finished executions with their logs, metrics and files",
    { query: z.object(deleteQuery), op: async (c, q: { deleteLogs: boolean; deleteMetrics: boolean; deleteStorage: boolean }) => ({ ids: await ids(c), op: { action: "delete", options: q } }) },
    { query: deleteQuery, op: async (_c, q: { deleteLogs: boolean; deleteMetrics: boolean; deleteStorage: boolean }) => ({ action: "delete", options: q }) });
  const newStatus = { newStatus: terminalStatus };
  pair("change-status", "post", "/change-status", "Overwrite finished executions' state",
    { query: z.object(newStatus), op: async (c, q: { newStatus: string }) => ({ ids: await ids(c), op: { action: "change-status", status: q.newStatus } }) },
    { query: newStatus, op: async (_c, q: { newStatus: string }) => ({ action: "change-status", status: q.newStatus }) });
  const LabelsByIds = z.object({ executionsId: Ids, executionLabels: z.array(LabelSchema) });
  pair("labels", "post", "/labels", "Add labels to finished executions",
    { body: LabelsByIds, op: async (c) => {
      const b = await jsonBody(c.req.text(), LabelsByIds);
      return { ids: b.executionsId, op: { action: "labels", labels: noSystem(b.executionLabels) } };
    } },
    { body: z.array(LabelSchema), op: async (c) => ({ action: "labels", labels: noSystem(await jsonBody(c.req.text(), z.array(LabelSchema))) }) });
  return routes;
}

/** Labels added in bulk are the caller's: a system.* key is refused before anything is done. */
function noSystem<T extends { key: string }>(labels: T[]): T[] {
  const bad = labels.find((l) => l.key.startsWith("system."));
  if (bad) throw invalid(`System labels can only be set by Tern itself, offending label: ${bad.key}`, [{ path: "executionLabels", message: `label "${bad.key}": system labels are set by Tern only` }]);
  return labels;
}
