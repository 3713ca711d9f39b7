// /ui/executions: the filtered, paged list, the self-refreshing row of a running execution,
// and bulk kill/restart.
import type { Hono } from "hono";
import { canRead, principalOf } from "../../auth/context.ts";
import { allows } from "../../auth/roles.ts";
import { executionNamespace } from "../../store/search.ts";
import { allNamespaces, executionSummary, listExecutionSummaries } from "../../store/dashboard.ts";
import { ExecutionRow, ExecutionsPage } from "../../../views/pages/executions.tsx";
import type { Ctx } from "./deps.ts";
import { notFound } from "./errors.tsx";
import { execFilter, pageParams } from "./params.ts";
import { formOf, redirect, send, wantsFragment } from "./render.ts";

const NOTICES: Record<string, string> = { kill: "Kill requested", restart: "Restarted" };

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
    let n = 0;
    let failed = 0;
    const who = principalOf(c);
    for (const id of ids) {
      // Each id is checked: a scoped operator's bulk action skips other namespaces' executions.
      const ns = await executionNamespace(db, id);
      if (ns === undefined || !allows(who, "operator", ns)) {
        failed++;
        continue;
      }
      try {
        if (action === "kill") (await ctx.deps.tern.service.kill(id)) ? n++ : failed++;
        else if (action === "restart") await ctx.deps.tern.service.restart(id), n++;
      } catch {
        failed++; // e.g. restarting a running execution: counted and reported, the rest go on
      }
    }
    const sep = back.includes("?") ? "&" : "?";
    return redirect(c, `${back}${sep}done=${action === "kill" ? "kill" : "restart"}&n=${n}&failed=${failed}`);
  });
}

/** Only redirect within the list page (the value comes from a form field). */
function safeBack(back: string): string {
  return back.startsWith("/ui/executions") && !back.startsWith("//") ? back.replace(/[&?](done|n|failed)=[^&]*/g, "") : "/ui/executions";
}
