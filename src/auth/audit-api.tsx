// The audit log for admins: GET /api/v1/audit (paged JSON), /api/v1/audit/export (every
// entry as JSON lines or CSV), and the dashboard page /ui/audit.
import type { Hono } from "hono";
import { z } from "zod";
import type { Db } from "../store/db.ts";
import { searchAudit, type AuditEntry } from "../store/audit.ts";
import { defineRoute, paging, parseQuery, type RouteDef } from "../server/route.ts";
import { send, wantsFragment } from "../server/ui/render.ts";
import { AuditPage } from "../../views/pages/audit.tsx";

const filters = { action: z.string().optional(), actor: z.string().optional() };
const Entry = z.object({ id: z.number(), at: z.string(), actor: z.string().nullable(), action: z.string(), target: z.string().nullable(), detail: z.unknown() }).meta({ id: "AuditEntry" });

const entryJson = (e: AuditEntry & { id: number }) => ({
  id: e.id, at: new Date(e.at).toISOString(), actor: e.actor, action: e.action, target: e.target,
  detail: e.detail ? (JSON.parse(e.detail) as unknown) : null,
});

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
  // Quote always; a leading = + - @ would run as a formula in a spreadsheet.
  return `"${(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`;
};

export function auditRoutes(db: Db): RouteDef[] {
  return [
    defineRoute({
      method: "get", path: "/api/v1/audit", tag: "Audit", summary: "The audit log, newest first (admins)",
      access: { role: "admin", ns: "global" },
      query: z.object({ ...filters, ...paging }),
      responses: { 200: { description: "a page of entries", schema: z.object({ results: z.array(Entry), total: z.number() }) } },
      async handler(c, q) {
        const r = await searchAudit(db, q);
        return c.json({ results: r.results.map(entryJson), total: r.total });
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/audit/export", tag: "Audit", summary: "Every audit entry, newest first, as JSON lines or CSV (admins)",
      access: { role: "admin", ns: "global" },
      query: z.object({ ...filters, format: z.enum(["jsonl", "csv"]).default("jsonl") }),
      responses: { 200: { description: "one entry per line", media: "text" } },
      async handler(c, q) {
        const lines: string[] = q.format === "csv" ? ["id,at,actor,action,target,detail"] : [];
        for (let page = 1; ; page++) {
          const r = await searchAudit(db, { ...q, page, size: 1000 });
          for (const e of r.results.map(entryJson)) {
            lines.push(q.format === "csv" ? [e.id, e.at, e.actor, e.action, e.target, e.detail].map(csvCell).join(",") : JSON.stringify(e));
          }
          if (r.results.length < 1000) break;
        }
        return c.body(lines.join("\n") + "\n", 200, {
          "content-type": q.format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
          "content-disposition": `attachment; filename="tern-audit.${q.format}"`,
        });
      },
    }),
  ];
}

export function mountAuditPage(app: Hono, db: Db) {
  const query = z.object({ ...filters, ...paging, size: paging.size.default(50) });
  app.get("/ui/audit", async (c) => {
    const q = parseQuery(c, query);
    const r = await searchAudit(db, q);
    const rows = r.results.map(entryJson);
    return send(c, <AuditPage v={{ rows, total: r.total, page: q.page, size: q.size, action: q.action ?? "", actor: q.actor ?? "" }} partial={wantsFragment(c)} />);
  });
}
