// /api/v1/executions: create (inputs, files, labels, wait), get, search, delete, and download
// an execution's files.
import { z } from "zod";
import type { Execution } from "../../engine/model.ts";
import { STATES } from "../../engine/states.ts";
import { newExecutionId } from "../../executor/service.ts";
import { executionPrefix, uriToPath } from "../../files/index.ts";
import type { InputDef } from "../../flow/index.ts";
import { getFlow } from "../../store/flows.ts";
import { searchExecutions, SORT_COLUMNS } from "../../store/search.ts";
import { readable } from "../../auth/context.ts";
import { badRequest, conflict, invalid, notFound } from "../errors.ts";
import { bool, defineRoute, paging, type RouteDef } from "../route.ts";
import { Execution as ExecutionSchema, InputsBody, paged, Sse } from "../schemas.ts";
import { createSnapshot, executionJson, loadExecutionJson, parseLabels, requireExecution, type ApiDeps } from "./common.ts";
import { deleteExecution } from "./execution-admin.ts";
import { followExecution } from "./follow.ts";
import { placeFiles, readInputs, storeFiles } from "./inputs.ts";
import { waitSettled } from "./wait.ts";

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO-8601 date").transform((s) => Date.parse(s));
const sortParam = z.string().regex(/^[\w.]+(:(asc|desc))?$/, "expected field:asc|desc")
  .refine((s) => s.split(":")[0] in SORT_COLUMNS, `sortable fields: ${Object.keys(SORT_COLUMNS).join(", ")}`);

/** The filters of /executions/search, shared by the bulk …/by-query routes. */
export const searchFilters = {
  q: z.string().optional().meta({ description: "part of an execution id" }),
  namespace: z.string().optional().meta({ description: "namespace (and its children)" }),
  flowId: z.string().optional(),
  state: z.array(z.enum(STATES)).optional().meta({ description: "repeatable" }),
  startDate: isoDate.optional(), endDate: isoDate.optional(),
  labels: z.array(z.string()).optional().meta({ description: "key:value, repeatable" }),
};

export function executionRoutes(deps: ApiDeps): RouteDef[] {
  const { db, service, storage, flows } = deps.tern;

  return [
    defineRoute({
      method: "get", path: "/api/v1/executions/search", tag: "Executions", summary: "Search executions",
      access: { role: "viewer", ns: "handler" },
      query: z.object({
        ...searchFilters,
        sort: sortParam.optional().meta({ description: "e.g. state.startDate:desc (the default)" }),
        ...paging,
      }),
      responses: { 200: { description: "a page of executions", schema: paged(ExecutionSchema, "Execution") } },
      async handler(c, q) {
        const { labels, bad } = parseLabels(q.labels, { allowSystem: true });
        if (bad.length) throw badRequest(bad.join("; "));
        const [field, dir] = (q.sort ?? "state.startDate:desc").split(":");
        const sort = { column: SORT_COLUMNS[field as keyof typeof SORT_COLUMNS], desc: dir !== "asc" };
        const r = await searchExecutions(db, {
          q: q.q, namespace: q.namespace, within: readable(c), flowId: q.flowId, states: q.state, from: q.startDate, to: q.endDate, labels, sort,
          page: q.page, size: q.size,
        });
        return c.json({ results: r.results.map((x) => executionJson(x.execution, x.runs)), total: r.total });
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/executions/{namespace}/{flowId}", tag: "Executions",
      access: { role: "operator", ns: { param: "namespace" }, audit: "execution.create" },
      summary: "Create an execution (inputs as form fields or JSON, FILE inputs as parts)",
      query: z.object({
        labels: z.array(z.string()).optional().meta({ description: "key:value, repeatable" }),
        wait: bool(false).meta({ description: "answer when the execution has finished (or paused)" }),
        revision: z.coerce.number().int().min(1).optional(),
      }),
      body: [{ media: "multipart", description: "text inputs as fields; FILE inputs as file parts named after the input (or Kestra's `files` parts whose file name is the input id)" }, { media: "json", schema: InputsBody }],
      responses: { 200: { description: "the created (or, with wait, the finished) execution", schema: ExecutionSchema }, 409: { description: "the flow is disabled" }, 422: { description: "invalid inputs or labels; issues name the inputs" } },
      async handler(c, q) {
        const namespace = c.req.param("namespace")!, flowId = c.req.param("flowId")!;
        const stored = q.revision ? await getFlow(db, namespace, flowId, q.revision) : await flows.head(namespace, flowId);
        if (!stored || ("deleted" in stored && stored.deleted)) throw notFound(`flow '${namespace}.${flowId}'${q.revision ? ` revision ${q.revision}` : ""}`);
        if (stored.disabled) throw conflict(`flow '${namespace}.${flowId}' is disabled`);
        const model = await flows.get(namespace, flowId, stored.revision);
        if (!model) throw notFound(`flow '${namespace}.${flowId}'`);
        const { labels, bad } = parseLabels(q.labels, { allowSystem: false });
        if (bad.length) throw invalid("invalid labels", bad.map((message) => ({ path: "labels", message })));

        const body = await readInputs(c);
        const defs = (model.inputs ?? []) as unknown as InputDef[];
        const id = newExecutionId();
        // Only files of declared inputs are kept: an input id becomes a storage path segment.
        const files = placeFiles(body.files.filter((f) => defs.some((d) => d.id === f.inputId)), { namespace, flowId, executionId: id });
        const provided = { ...body.values, ...Object.fromEntries(files.map((f) => [f.inputId, f.uri])) };
        const resolved = await service.resolveInputs(model, provided);
        if (resolved.errors.length) {
          throw invalid(`Invalid entity: ${resolved.errors.map((e) => e.message).join("; ")}`, resolved.errors.map((e) => ({ path: e.input, message: e.message })));
        }
        await storeFiles(storage, files);
        const created = await createSnapshot(deps, { flow: model, inputs: resolved.values, labels, id });
        if (!q.wait) return c.json(created);
        const done = await waitSettled(deps, id, c.req.raw.signal);
        return c.json(executionJson(done.execution, done.runs));
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/executions/{id}", tag: "Executions", summary: "Get an execution with its task runs",
      access: { role: "viewer", ns: { execution: "id" } },
      responses: { 200: { description: "the execution", schema: ExecutionSchema } },
      async handler(c) {
        return c.json(await loadExecutionJson(deps, c.req.param("id")!));
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/executions/{id}/follow", tag: "Executions",
      access: { role: "viewer", ns: { execution: "id" } },
      summary: "Execution updates as Server-Sent Events until it has finished (ids progress…end, then event `end`)",
      responses: { 200: { description: "Execution JSON per message", media: "sse", schema: Sse } },
      async handler(c) {
        const ex = await requireExecution(deps, c.req.param("id")!);
        return followExecution(c, deps, ex.id);
      },
    }),
    defineRoute({
      method: "delete", path: "/api/v1/executions/{id}", tag: "Executions",
      access: { role: "operator", ns: { execution: "id" }, audit: "execution.delete" },
      summary: "Delete a finished execution with its task runs, logs, metrics and files",
      query: z.object({ deleteLogs: bool(true), deleteMetrics: bool(true), deleteStorage: bool(true) }),
      responses: { 204: { description: "deleted" }, 409: { description: "the execution has not finished: kill it first" } },
      async handler(c, q) {
        await deleteExecution(deps, c.req.param("id")!, q);
        return c.body(null, 204);
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/executions/{id}/file", tag: "Executions", summary: "Download a file of the execution",
      access: { role: "viewer", ns: { execution: "id" } },
      query: z.object({ path: z.string().meta({ description: "kestra:///… URI inside this execution" }) }),
      responses: { 200: { description: "the file", media: "binary" }, 400: { description: "not a storage URI, or traversal" }, 422: { description: "a storage URI of another execution" } },
      async handler(c, q) {
        const ex: Execution = await requireExecution(deps, c.req.param("id")!);
        let path: string;
        try {
          path = uriToPath(q.path);
        } catch (e) {
          // Not a storage URI, or one that climbs out of storage (.., encoded or not): a bad request.
          throw badRequest(`invalid path ${JSON.stringify(q.path)}: ${(e as Error).message}`);
        }
        // The prefix check keeps a download inside its execution.
        if (!path.startsWith(`${executionPrefix({ namespace: ex.namespace, flowId: ex.flowId, executionId: ex.id })}/`)) throw invalid(`Invalid prefix path: ${q.path} is not a file of execution ${ex.id}`);
        if (!(await storage.exists(path))) throw notFound(`file ${q.path}`);
        const name = path.split("/").at(-1)!;
        return c.body(await storage.stream(path), 200, {
          "content-type": "application/octet-stream",
          "content-length": String(await storage.size(path)),
          "content-disposition": `attachment; filename="${name.replace(/["\\\r\n]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(name)}`,
        });
      },
    }),
  ];
}
