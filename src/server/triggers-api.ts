// /api/v1/triggers (Kestra's TriggerController subset): search triggers with their next fire
// time, disable/enable them, and backfill a Schedule over a time range. Declared as RouteDefs
// (so they join the OpenAPI document) and wrapped in a Hono sub-app for mounting.
import { Hono, type Context } from "hono";
import { z } from "zod";
import { TriggerAdminError, type TriggerAdmin } from "../scheduler/admin.ts";
import { canRead, requireNamespace } from "../auth/context.ts";
import { badRequest, invalid, notFound, onError } from "./errors.ts";
import { defineRoute, honoPath, paging, parseQuery, type RouteDef } from "./route.ts";
import { paged } from "./schemas.ts";

export interface TriggersApiDeps {
  admin: TriggerAdmin;
  /** Called after a change (the app forwards it to the webhook cache and the scheduler). */
  onChange?(namespace: string, flowId: string): void | Promise<void>;
}

const TriggerKey = z.object({ namespace: z.string().min(1), flowId: z.string().min(1), triggerId: z.string().min(1) });
const Backfill = z.object({
  start: z.string().meta({ description: "ISO 8601 date-time, first slot at or after it" }),
  end: z.string().nullable().optional().meta({ description: "ISO 8601 date-time (default: now)" }),
  inputs: z.record(z.string(), z.unknown()).nullable().optional(),
  labels: z.array(z.object({ key: z.string(), value: z.string() })).nullable().optional(),
  paused: z.boolean().optional(),
}).meta({ id: "Backfill" });
const TriggerUpdate = TriggerKey.extend({ disabled: z.boolean().optional(), backfill: Backfill.nullable().optional() }).meta({ id: "TriggerUpdate" });
const TriggerContext = z.object({
  namespace: z.string(), flowId: z.string(), triggerId: z.string(), type: z.string(),
  date: z.string().nullable(), nextExecutionDate: z.string().nullable(), disabled: z.boolean(),
  backfill: z.unknown().nullable(), workerId: z.string().nullable(), updatedDate: z.string().nullable(),
}).meta({ id: "TriggerContext" });
const TriggerItem = z.object({ abstractTrigger: z.unknown(), triggerContext: TriggerContext }).meta({ id: "Trigger" });

async function body<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const r = schema.safeParse(await c.req.json().catch(() => undefined));
  if (!r.success) throw badRequest("invalid body", r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
  return r.data;
}

/** The admin's errors as API errors. */
async function api<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof TriggerAdminError) throw e.status === 404 ? notFound(e.message.replace(/ not found$/, "")) : invalid(e.message);
    throw e;
  }
}

export function triggerRoutes(deps: TriggersApiDeps): RouteDef[] {
  const { admin } = deps;
  const changed = async (k: { namespace: string; flowId: string }) => deps.onChange?.(k.namespace, k.flowId);
  return [
    defineRoute({
      method: "get", path: "/api/v1/triggers/search", tag: "Triggers", summary: "Search triggers, with their next fire time",
      access: { role: "viewer", ns: "handler" },
      query: z.object({ q: z.string().optional(), namespace: z.string().optional(), flowId: z.string().optional(), ...paging }),
      responses: { 200: { description: "a page of triggers", schema: paged(TriggerItem, "Trigger") } },
      async handler(c, q) {
        const all = (await admin.list({ namespace: q.namespace, flowId: q.flowId, q: q.q })).filter((t) => canRead(c, t.triggerContext.namespace));
        return c.json({ results: all.slice((q.page - 1) * q.size, q.page * q.size), total: all.length });
      },
    }),
    defineRoute({
      method: "put", path: "/api/v1/triggers", tag: "Triggers",
      access: { role: "operator", ns: "handler", audit: "trigger.update" },
      summary: "Update a trigger's state: `disabled`, or `backfill` (an object starts one, null cancels it)",
      body: [{ media: "json", schema: TriggerUpdate }],
      responses: { 200: { description: "the trigger's state", schema: TriggerContext }, 404: { description: "no such trigger" } },
      async handler(c) {
        const u = await body(c, TriggerUpdate);
        requireNamespace(c, u.namespace, "operator", `trigger '${u.triggerId}'`);
        let out = await api(admin.get(u).then((t) => t ?? Promise.reject(new TriggerAdminError(404, `trigger '${u.triggerId}' not found`))));
        if (u.disabled !== undefined) out = await api(admin.setDisabled(u, u.disabled));
        if (u.backfill === null) out = await api(admin.deleteBackfill(u));
        else if (u.backfill) {
          out = await api(admin.backfill(u, { start: u.backfill.start, end: u.backfill.end, inputs: u.backfill.inputs ?? undefined, labels: u.backfill.labels ?? undefined }));
          if (u.backfill.paused) out = await api(admin.pauseBackfill(u, true));
        }
        await changed(u);
        return c.json(out);
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/triggers/{namespace}/{flowId}/{triggerId}/backfill", tag: "Triggers",
      access: { role: "operator", ns: { param: "namespace" }, audit: "trigger.backfill" },
      summary: "Backfill a Schedule trigger: one execution per slot of [start, end]",
      body: [{ media: "json", schema: Backfill }],
      responses: { 200: { description: "the trigger's state with its backfill", schema: TriggerContext }, 422: { description: "not a Schedule, or a bad range" } },
      async handler(c) {
        const k = { namespace: c.req.param("namespace")!, flowId: c.req.param("flowId")!, triggerId: c.req.param("triggerId")! };
        const b = await body(c, Backfill);
        const out = await api(admin.backfill(k, { start: b.start, end: b.end, inputs: b.inputs ?? undefined, labels: b.labels ?? undefined }));
        await changed(k);
        return c.json(out);
      },
    }),
    ...(["pause", "unpause"] as const).map((op) => defineRoute({
      method: "put", path: `/api/v1/triggers/backfill/${op}`, tag: "Triggers", summary: `${op === "pause" ? "Pause" : "Resume"} a trigger's backfill`,
      access: { role: "operator", ns: "handler", audit: `trigger.backfill-${op}` },
      body: [{ media: "json", schema: TriggerKey }],
      responses: { 200: { description: "the trigger's state", schema: TriggerContext } },
      async handler(c) {
        const k = await body(c, TriggerKey);
        requireNamespace(c, k.namespace, "operator", `trigger '${k.triggerId}'`);
        return c.json(await api(admin.pauseBackfill(k, op === "pause")));
      },
    })),
    defineRoute({
      method: "post", path: "/api/v1/triggers/backfill/delete", tag: "Triggers", summary: "Cancel a trigger's backfill",
      access: { role: "operator", ns: "handler", audit: "trigger.backfill-delete" },
      body: [{ media: "json", schema: TriggerKey }],
      responses: { 200: { description: "the trigger's state", schema: TriggerContext } },
      async handler(c) {
        const k = await body(c, TriggerKey);
        requireNamespace(c, k.namespace, "operator", `trigger '${k.triggerId}'`);
        return c.json(await api(admin.deleteBackfill(k)));
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/triggers/{namespace}/{flowId}", tag: "Triggers", summary: "A flow's triggers",
      access: { role: "viewer", ns: { param: "namespace" } },
      responses: { 200: { description: "the flow's triggers", schema: z.array(TriggerItem) } },
      async handler(c) {
        const ns = c.req.param("namespace")!;
        const list = await admin.list({ namespace: ns, flowId: c.req.param("flowId")! });
        return c.json(list.filter((t) => t.triggerContext.namespace === ns));
      },
    }),
  ];
}

/** The routes as a Hono sub-app (`app.route("/", createTriggersApi(deps))`). */
export function createTriggersApi(deps: TriggersApiDeps) {
  const app = new Hono();
  app.onError(onError);
  for (const r of triggerRoutes(deps)) app.on(r.method.toUpperCase(), honoPath(r.path), (c) => r.handler(c, parseQuery(c, r.query)));
  return app;
}
