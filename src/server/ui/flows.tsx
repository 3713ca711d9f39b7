// /ui/flows: the list with namespace filter and search; the import form posts here too.
import type { Hono } from "hono";
import { canRead, principalOf } from "../../auth/context.ts";
import { allows } from "../../auth/roles.ts";
import { AppError } from "../errors.ts";
import { importFlows } from "../api/flows-import.ts";
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
  // The form works without JavaScript: the page comes back with the import's result on top.
  app.post("/ui/flows/import", async (c) => {
    const part = (await c.req.parseBody())["fileUpload"];
    let imported: NonNullable<Parameters<typeof FlowsPage>[0]["v"]["imported"]>;
    if (!(part instanceof File) || !part.name) imported = { count: 0, invalid: [], error: "choose a .yaml, .yml or .zip file to import" };
    else {
      const p = principalOf(c);
      try {
        const r = await importFlows(ctx.deps, { name: part.name, bytes: new Uint8Array(await part.arrayBuffer()) }, (ns) => allows(p, "editor", ns));
        imported = { count: r.imported.length, invalid: r.invalid };
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        imported = { count: 0, invalid: [], error: e.message };
      }
    }
    const [rows, namespaces] = await Promise.all([listFlowRows(db, {}).then((all) => all.filter((f) => canRead(c, f.namespace))), allNamespaces(db).then((all) => all.filter((n) => canRead(c, n)))]);
    return send(c, <FlowsPage v={{ rows, namespace: "", q: "", namespaces, imported }} partial={false} />, imported.error || imported.invalid.length ? 422 : 200);
  });
}
