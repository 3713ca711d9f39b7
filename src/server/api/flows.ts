// /api/v1/flows: flows stored from YAML with revisions; search; validation; and replacing a
// namespace's flows from a set of YAML documents (flows as code, `tern deploy`).
import type { Context } from "hono";
import { z } from "zod";
import { parseFlow } from "../../flow/index.ts";
import type { FlowError } from "../../flow/index.ts";
import { getFlow, listFlows, listRevisions } from "../../store/flows.ts";
import { canRead, requireNamespace } from "../../auth/context.ts";
import { conflict, invalid, notFound } from "../errors.ts";
import { bool, defineRoute, paging, type RouteDef } from "../route.ts";
import { Flow, paged, ValidateResult } from "../schemas.ts";
import { flowJson, type ApiDeps } from "./common.ts";
import { replaceNamespace, validateDocuments } from "./flows-bulk.ts";
import { validateTaskSource } from "../../flow/task-source.ts";

const yamlBody = [{ media: "yaml" as const, description: "the flow's YAML source" }];

export const flowIssues = (errors: FlowError[]) =>
  errors.map((e) => ({ path: e.path, message: e.message, line: e.line, column: e.col }));

export function flowRoutes(deps: ApiDeps): RouteDef[] {
  const { db, flows } = deps.tern;

  async function stored(namespace: string, id: string, revision?: number) {
    const row = await getFlow(db, namespace, id, revision);
    if (!row) throw notFound(`flow '${namespace}.${id}'${revision ? ` revision ${revision}` : ""}`);
    return row;
  }

  /** Parse before storing so the 422 carries line/column issues, not only messages. */
  async function save(c: Context, source: string, expect?: { namespace: string; id: string }) {
    const parsed = parseFlow(source, "flow.yaml");
    if (!parsed.flow) throw invalid("invalid flow", flowIssues(parsed.errors));
    const f = parsed.flow;
    // The namespace is in the source: a scoped editor may only write inside its grants.
    requireNamespace(c, f.namespace, "editor");
    if (expect && (f.namespace !== expect.namespace || f.id !== expect.id)) {
      throw invalid(`the source defines ${f.namespace}.${f.id}, not ${expect.namespace}.${expect.id}: a flow's id and namespace cannot change`);
    }
    const { model } = await flows.save(source, "flow.yaml");
    return flowJson(await stored(f.namespace, f.id), model, true);
  }

  return [
    defineRoute({
      method: "post", path: "/api/v1/flows", tag: "Flows", summary: "Create a flow from YAML",
      access: { role: "editor", ns: "handler", audit: "flow.create" },
      body: yamlBody, responses: { 200: { description: "the stored flow, with its source", schema: Flow }, 409: { description: "a flow with this id exists" } },
      async handler(c) {
        const source = await c.req.text();
        const parsed = parseFlow(source, "flow.yaml");
        if (parsed.flow) requireNamespace(c, parsed.flow.namespace, "editor");
        if (parsed.flow && (await getFlow(db, parsed.flow.namespace, parsed.flow.id))) {
          throw conflict(`flow '${parsed.flow.namespace}.${parsed.flow.id}' already exists: update it with PUT`);
        }
        return c.json(await save(c, source));
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/flows/search", tag: "Flows", summary: "Search flows",
      access: { role: "viewer", ns: "handler" },
      query: z.object({ q: z.string().optional(), namespace: z.string().optional(), ...paging }),
      responses: { 200: { description: "a page of flows", schema: paged(Flow, "Flow") } },
      async handler(c, q) {
        const all = (await listFlows(db, { namespace: q.namespace, q: q.q })).filter((f) => canRead(c, f.namespace));
        const page = all.slice((q.page - 1) * q.size, q.page * q.size);
        const results = await Promise.all(page.map(async (s) => flowJson(s, await flows.get(s.namespace, s.id, s.revision), false)));
        return c.json({ results, total: all.length });
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/flows/validate", tag: "Flows", summary: "Validate YAML flows (multi-document) without storing them",
      access: { role: "editor", ns: "handler" },
      body: [{ media: "yaml", description: "one or more flows separated by ---" }],
      responses: { 200: { description: "one result per document; `errors` is empty when valid", schema: z.array(ValidateResult) } },
      async handler(c) {
        return c.json(validateDocuments(await c.req.text(), c.req.query("filename") ?? "flow.yaml"));
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/flows/validate/task", tag: "Flows", summary: "Validate one task (or, with section=TRIGGERS, one trigger) without a flow",
      access: { role: "editor", ns: "handler" },
      query: z.object({ section: z.enum(["TASKS", "TRIGGERS", "tasks", "triggers"]).default("TASKS") }),
      body: [{ media: "yaml", description: "the task as YAML" }, { media: "json", description: "the task as JSON" }],
      responses: { 200: { description: "the violations; `errors` is empty when valid", schema: ValidateResult } },
      async handler(c, q) {
        const section = q.section.toLowerCase() as "tasks" | "triggers";
        const file = c.req.query("filename") ?? (section === "tasks" ? "task.yaml" : "trigger.yaml");
        const errors = validateTaskSource(await c.req.text(), file, section);
        return c.json({
          index: 0, flow: null, namespace: null,
          ...(errors.length ? { constraints: errors.map((e) => e.format()).join("\n") } : {}),
          outdated: false, deprecationPaths: [], warnings: [], infos: [],
          errors: errors.map((e) => ({ line: e.line, column: e.col, path: e.path, message: e.message })),
        });
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/flows/{namespace}", tag: "Flows", summary: "List a namespace's flows",
      access: { role: "viewer", ns: { param: "namespace" } },
      responses: { 200: { description: "the flows", schema: z.array(Flow) } },
      async handler(c) {
        const ns = c.req.param("namespace")!;
        const rows = (await listFlows(db, { namespace: ns })).filter((f) => f.namespace === ns);
        return c.json(await Promise.all(rows.map(async (s) => flowJson(s, await flows.get(s.namespace, s.id, s.revision), false))));
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/flows/{namespace}", tag: "Flows",
      access: { role: "editor", ns: { param: "namespace" }, audit: "flow.deploy" },
      summary: "Replace a namespace's flows from YAML documents (flows as code)",
      query: z.object({ delete: bool(false).meta({ description: "delete the namespace's flows absent from the body" }) }),
      body: [{ media: "yaml", description: "the namespace's flows separated by ---" }],
      responses: { 200: { description: "the flows of the body as stored", schema: z.array(Flow) } },
      async handler(c, q) {
        return c.json(await replaceNamespace(deps, c.req.param("namespace")!, await c.req.text(), q.delete));
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/flows/{namespace}/{id}", tag: "Flows", summary: "Get a flow",
      access: { role: "viewer", ns: { param: "namespace" } },
      query: z.object({ source: bool(false), revision: z.coerce.number().int().min(1).optional() }),
      responses: { 200: { description: "the flow", schema: Flow } },
      async handler(c, q) {
        const row = await stored(c.req.param("namespace")!, c.req.param("id")!, q.revision);
        return c.json(flowJson(row, await flows.get(row.namespace, row.id, row.revision), q.source));
      },
    }),
    defineRoute({
      method: "put", path: "/api/v1/flows/{namespace}/{id}", tag: "Flows", summary: "Update a flow (a changed source makes a new revision)",
      access: { role: "editor", ns: { param: "namespace" }, audit: "flow.update" },
      body: yamlBody, responses: { 200: { description: "the stored flow, with its source", schema: Flow } },
      async handler(c) {
        const namespace = c.req.param("namespace")!, id = c.req.param("id")!;
        await stored(namespace, id);
        return c.json(await save(c, await c.req.text(), { namespace, id }));
      },
    }),
    defineRoute({
      method: "delete", path: "/api/v1/flows/{namespace}/{id}", tag: "Flows", summary: "Delete a flow (its revisions and executions stay)",
      access: { role: "editor", ns: { param: "namespace" }, audit: "flow.delete" },
      responses: { 204: { description: "deleted" } },
      async handler(c) {
        const namespace = c.req.param("namespace")!, id = c.req.param("id")!;
        if (!(await deps.tern.flows.remove(namespace, id))) throw notFound(`flow '${namespace}.${id}'`);
        return c.body(null, 204);
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/flows/{namespace}/{id}/revisions", tag: "Flows", summary: "A flow's revisions, oldest first",
      access: { role: "viewer", ns: { param: "namespace" } },
      responses: { 200: { description: "every stored revision with its source", schema: z.array(Flow.pick({ id: true, namespace: true, revision: true, source: true })) } },
      async handler(c) {
        const namespace = c.req.param("namespace")!, id = c.req.param("id")!;
        const revs = await listRevisions(db, namespace, id);
        if (!revs.length) throw notFound(`flow '${namespace}.${id}'`);
        return c.json(revs.map((r) => ({ id, namespace, revision: r.revision, source: r.source, updated: new Date(r.createdAt).toISOString() })));
      },
    }),
  ];
}
