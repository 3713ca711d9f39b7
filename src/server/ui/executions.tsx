// /ui/executions: the filtered, paged list, the self-refreshing row of a running execution,
// and bulk kill/restart/delete.
import type { Hono } from "hono";
import { canRead, principalOf } from "../../auth/context.ts";
import { allNamespaces, executionSummary, listExecutionSummaries } from "../../store/dashboard.ts";
import { ExecutionRow, ExecutionsPage } from "../../../views/pages/executions.tsx";
import { applyBulk, checkBulk, type BulkOp } from "../api/execution-bulk.ts";
import type { Ctx } from "./deps.ts";
import { notFound } from "./errors.tsx";
import { execFilter, pageParams } from "./params.ts";
import { formOf, redirect, send, wantsFragment } from "./render.ts";

const NOTICES: Record<string, string> = { kill: "Kill requested", restart: "Restarted", delete: "Deleted" };

export function mountExecutions(app: Hono, ctx: Ctx) {
  const db = ctx.deps.tern.db;

  app.get("/ui/executions", async (c) => {
    const { values, filter, query } = execFilter(c);
    const { page, size } = pageParams(c);
    const partial = wantsFragment(c);
    const [{ rows, total }, namespaces] = await Promise.all([
      listExecutionSummaries(db, filter, page, size),
      partial ? Promise.resolve([]) : allNamespaces(db).then((all) => all.filter((n) => canRead(c, n))),
    ]);
    const done = c.req.query("done");
    const notice = done && NOTICES[done] ? `${NOTICES[done]}: ${Number(c.req.query("n") ?? 0)} execution(s)${Number(c.req.query("failed") ?? 0) ? `, ${Number(c.req.query("failed"))} refused` : ""}` : undefined;
    const v = { f: values, rows, total, page, size, now: ctx.now(), query, namespaces, notice };
    return send(c, <ExecutionsPage v={v} partial={partial} />);
  });

  app.get("/ui/executions/:id/row", async (c) => {
    const r = await executionSummary(db, c.req.param("id"));
    if (!r) throw notFound("execution");
    return send(c, <ExecutionRow r={r} now={ctx.now()} checked={c.req.query("id") === r.id} />);
  });

  app.post("/ui/executions/bulk", async (c) => {
    const form = await formOf(c);
    const ids = form.getAll("id").map(String).slice(0, 500);
    const action = String(form.get("action") ?? "");
    const back = safeBack(String(form.get("back") ?? "/ui/executions"));
    const op: BulkOp = action === "delete" ? { action, options: { deleteLogs: true, deleteMetrics: true, deleteStorage: true } }
      : action === "kill" ? { action } : { action: "restart" };
    // The API's bulk operations, but lenient: each id is checked (a scoped operator's selection
    // skips other namespaces' executions), the valid ones are done and the others counted.
    const { valid, invalids } = await checkBulk(ctx.deps, principalOf(c), ids, op);
    const { count, failed } = await applyBulk(ctx.deps, op, valid);
    const sep = back.includes("?") ? "&" : "?";
    return redirect(c, `${back}${sep}done=${op.action}&n=${count}&failed=${invalids.length + failed.length}`);
  });
}

/** Only redirect within the list page (the value comes from a form field). */
function safeBack(back: string): string {
  return back.startsWith("/ui/executions") && !back.startsWith("//") ? back.replace(/[&?](done|n|failed)=[^&]*/g, "") : "/ui/executions";
}
