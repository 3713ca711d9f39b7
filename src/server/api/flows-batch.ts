// Kestra's bulk flow calls: delete, disable and enable flows chosen by ids or by a search
// query, answering {count}. Every flow a call touches must be in a namespace the caller holds
// the role on: the whole call is refused (404 unreadable, 403 read-only) before any change.
import type { Context } from "hono";
import { z } from "zod";
import { checkNamespace, forbidden, principalOf } from "../../auth/context.ts";
import { allows, type Role } from "../../auth/roles.ts";
import { getFlow, listFlows, type StoredFlow } from "../../store/flows.ts";
import { badRequest, notFound } from "../errors.ts";
import { defineRoute, type RouteDef } from "../route.ts";
import type { ApiDeps } from "./common.ts";

export const IdsBody = z.array(z.object({ namespace: z.string().min(1), id: z.string().min(1) })).meta({ id: "IdWithNamespaceList" });
export const flowQuery = z.object({
  q: z.string().optional().meta({ description: "text in the flow id or namespace" }),
  namespace: z.string().optional().meta({ description: "namespace prefix (the namespace and its children)" }),
});
const Bulk = z.object({ count: z.number() }).meta({ id: "BulkResponse" });

/** The flows a by-ids body names, each checked for `role` and existence before any is touched. */
export async function flowsByIds(c: Context, deps: ApiDeps, role: Role): Promise<StoredFlow[]> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw badRequest("expected a JSON array of {namespace, id}");
  }
  const body = IdsBody.safeParse(raw);
  if (!body.success) throw badRequest("expected a JSON array of {namespace, id}", body.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
  const p = principalOf(c);
  const out: StoredFlow[] = [];
  for (const { namespace, id } of body.data) {
    checkNamespace(p, namespace, role, `flow '${namespace}.${id}'`);
    const row = await getFlow(deps.tern.db, namespace, id);
    if (!row) throw notFound(`flow '${namespace}.${id}'`);
    out.push(row);
  }
  return out;
}

/**
 * The flows a search query matches among those the caller can read (the others stay invisible,
 * as in /flows/search); a write is refused whole if one of them needs a role the caller lacks.
 */
export async function flowsByQuery(c: Context, deps: ApiDeps, q: z.infer<typeof flowQuery>, role: Role): Promise<StoredFlow[]> {
  const p = principalOf(c);
  const rows = (await listFlows(deps.tern.db, { namespace: q.namespace, q: q.q })).filter((f) => allows(p, "viewer", f.namespace));
  const denied = rows.find((f) => !allows(p, role, f.namespace));
  if (denied) throw forbidden(`the ${role} role on namespace ${denied.namespace} is required (flow ${denied.namespace}.${denied.id} matches the query)`);
  return rows;
}

export function flowBatchRoutes(deps: ApiDeps): RouteDef[] {
  const { flows } = deps.tern;
  const remove = async (rows: StoredFlow[]) => {
    for (const f of rows) await flows.remove(f.namespace, f.id);
    return rows.length;
  };
  // Kestra counts the flows whose state changed.
  const setDisabled = async (rows: StoredFlow[], disabled: boolean) => {
    let n = 0;
    for (const f of rows) if (await flows.setDisabled(f.namespace, f.id, disabled)) n++;
    return n;
  };
  const ok = { 200: { description: "how many flows were changed", schema: Bulk } };
  const idsBody = [{ media: "json" as const, schema: IdsBody, description: "the flows as [{namespace, id}]" }];
  const routes: RouteDef[] = [];
  const actions = [
    { verb: "delete", method: "delete" as const, audit: "flow.delete", run: remove, what: "Delete" },
    { verb: "disable", method: "post" as const, audit: "flow.disable", run: (r: StoredFlow[]) => setDisabled(r, true), what: "Disable" },
    { verb: "enable", method: "post" as const, audit: "flow.enable", run: (r: StoredFlow[]) => setDisabled(r, false), what: "Enable" },
  ];
  for (const a of actions) {
    routes.push(
      defineRoute({
        method: a.method, path: `/api/v1/flows/${a.verb}/by-ids`, tag: "Flows", summary: `${a.what} flows by their ids`,
        access: { role: "editor", ns: "handler", audit: a.audit },
        body: idsBody, responses: { ...ok, 404: { description: "a flow is missing or its namespace unreadable: nothing changed" } },
        async handler(c) {
          return c.json({ count: await a.run(await flowsByIds(c, deps, "editor")) });
        },
      }),
      defineRoute({
        method: a.method, path: `/api/v1/flows/${a.verb}/by-query`, tag: "Flows", summary: `${a.what} the flows a search matches`,
        access: { role: "editor", ns: "handler", audit: a.audit }, query: flowQuery,
        responses: { ...ok, 403: { description: "a matching flow is in a namespace the caller may only read: nothing changed" } },
        async handler(c, q) {
          return c.json({ count: await a.run(await flowsByQuery(c, deps, q, "editor")) });
        },
      }),
    );
  }
  return routes;
}
