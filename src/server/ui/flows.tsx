// /ui/flows: the list with namespace filter and search.
import type { Hono } from "hono";
import { canRead } from "../../auth/context.ts";
import { allNamespaces, listFlowRows } from "../../store/dashboard.ts";
import { FlowsPage } from "../../../views/pages/flows.tsx";
import type { Ctx } from "./deps.ts";
import { send, wantsFragment } from "./render.ts";

export function mountFlows(app: Hono, ctx: Ctx) {
  const db = ctx.deps.tern.db;
  app.get("/ui/flows", async (c) => {
    const namespace = (c.req.query("namespace") ?? "").trim();
    const q = (c.req.query("q") ?? "").trim();
    const partial = wantsFragment(c);
    const [rows, namespaces] = await Promise.all([listFlowRows(db, { namespace: namespace || undefined, q: q || undefined }), partial ? [] : allNamespaces(db).then((all) => all.filter((n) => canRead(c, n)))]);
    return send(c, <FlowsPage v={{ rows, namespace, q, namespaces }} partial={partial} />);
  });
}
