// /api/v1/logs: an execution's lines (JSON, plain-text download, live SSE, delete) and a paged search.
import { z } from "zod";
import { deleteExecutionLogs, executionLogs, LEVELS, searchLogs } from "../../store/logs.ts";
import { readable } from "../../auth/context.ts";
import { defineRoute, paging, type RouteDef } from "../route.ts";
import { LogEntry, paged, Sse } from "../schemas.ts";
import { logJson, requireExecution, type ApiDeps } from "./common.ts";
import { followLogs } from "./follow.ts";

const level = z.preprocess((v) => (typeof v === "string" ? v.toUpperCase().replace(/^WARNING$/, "WARN") : v), z.enum(LEVELS));
const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO-8601 date").transform((s) => Date.parse(s));
const lineFilter = z.object({
  minLevel: level.optional(),
  taskRunId: z.string().optional(),
  taskId: z.string().optional(),
  attempt: z.coerce.number().int().min(0).optional(),
});

export function logRoutes(deps: ApiDeps): RouteDef[] {
  const { db } = deps.tern;
  return [
    defineRoute({
      method: "get", path: "/api/v1/logs/search", tag: "Logs", summary: "Search log lines, newest first",
      access: { role: "viewer", ns: "handler" },
      query: z.object({
        q: z.string().optional().meta({ description: "part of the message" }),
        namespace: z.string().optional(), flowId: z.string().optional(), executionId: z.string().optional(),
        minLevel: level.optional(), startDate: isoDate.optional(), endDate: isoDate.optional(), ...paging,
      }),
      responses: { 200: { description: "a page of log lines", schema: paged(LogEntry, "LogEntry") } },
      async handler(c, q) {
        const r = await searchLogs(db, { ...q, from: q.startDate, to: q.endDate, within: readable(c) });
        return c.json({ results: r.results.map(logJson), total: r.total });
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/logs/{executionId}", tag: "Logs", summary: "An execution's log lines, in order",
      access: { role: "viewer", ns: { execution: "executionId" } },
      query: lineFilter,
      responses: { 200: { description: "the lines", schema: z.array(LogEntry) } },
      async handler(c, q) {
        const ex = await requireExecution(deps, c.req.param("executionId")!);
        return c.json((await executionLogs(db, ex.id, q)).map(logJson));
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/logs/{executionId}/download", tag: "Logs", summary: "An execution's log as plain text",
      access: { role: "viewer", ns: { execution: "executionId" } },
      query: lineFilter,
      responses: { 200: { description: "one line per log entry", media: "text" } },
      async handler(c, q) {
        const ex = await requireExecution(deps, c.req.param("executionId")!);
        const lines = (await executionLogs(db, ex.id, q)).map((l) =>
          `${new Date(l.timestamp).toISOString()} ${l.level.padEnd(5)} ${l.taskId ?? "-"} ${l.message}\n`);
        return c.body(lines.join(""), 200, {
          "content-type": "text/plain; charset=utf-8",
          "content-disposition": `attachment; filename="${ex.id}.log"`,
        });
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/logs/{executionId}/follow", tag: "Logs",
      access: { role: "viewer", ns: { execution: "executionId" } },
      summary: "Log lines as Server-Sent Events: the existing ones, then live ones until the execution ends (final event `end`)",
      query: lineFilter.omit({ attempt: true }),
      responses: { 200: { description: "one LogEntry JSON per message, then `event: end`", media: "sse", schema: Sse } },
      async handler(c, q) {
        const ex = await requireExecution(deps, c.req.param("executionId")!);
        return followLogs(c, deps, ex, q);
      },
    }),
    defineRoute({
      method: "delete", path: "/api/v1/logs/{executionId}", tag: "Logs", summary: "Delete an execution's log lines (of one task run or attempt with the filters)",
      access: { role: "operator", ns: { execution: "executionId" }, audit: "logs.delete" },
      query: lineFilter.pick({ taskRunId: true, taskId: true, attempt: true }),
      responses: { 204: { description: "deleted" } },
      async handler(c, q) {
        const ex = await requireExecution(deps, c.req.param("executionId")!);
        await deleteExecutionLogs(db, ex.id, q);
        return c.body(null, 204);
      },
    }),
  ];
}
