// /api/openapi.json: an OpenAPI 3.1 document generated from the route table and the zod
// schemas (z.toJSONSchema). Schemas carrying a meta id become shared components.
import { z } from "zod";
import { MEDIA_TYPES, type RouteDef } from "./route.ts";
import { ErrorBody } from "./schemas.ts";

type Json = Record<string, unknown>;

/** JSON Schema of one zod schema; its named sub-schemas are hoisted into `components`. */
function toSchema(schema: z.ZodType, components: Json, io: "input" | "output"): Json {
  const raw = z.toJSONSchema(schema, { target: "draft-2020-12", unrepresentable: "any", io }) as Json;
  // One rewrite of the reference prefix: $defs live in components.schemas in OpenAPI.
  const json = JSON.parse(JSON.stringify(raw).replaceAll('"#/$defs/', '"#/components/schemas/')) as Json;
  const { $schema: _s, $defs, ...root } = json as Json & { $defs?: Json };
  Object.assign(components, $defs ?? {});
  return root;
}

const ERROR_STATUSES: Record<number, string> = {
  400: "malformed request", 404: "not found", 409: "conflict with the current state", 413: "body too large",
  422: "invalid entity (flow, inputs, state change)",
};

export function openApiDocument(routes: RouteDef[], info: { title: string; version: string }) {
  const components: Json = {};
  const paths: Record<string, Json> = {};
  const errorRef = toSchema(ErrorBody, components, "output");
  for (const r of routes) {
    const params: Json[] = [];
    for (const m of r.path.matchAll(/\{(\w+)\}/g)) params.push({ name: m[1], in: "path", required: true, schema: { type: "string" } });
    for (const [name, s] of Object.entries(r.query?.shape ?? {})) {
      const schema = toSchema(s as z.ZodType, components, "input");
      const repeated = schema.type === "array";
      params.push({
        name, in: "query", required: !(s as z.ZodType).safeParse(undefined).success, schema,
        ...(repeated ? { explode: true, style: "form" } : {}),
        ...(schema.description ? { description: schema.description } : {}),
      });
    }
    const responses: Json = {};
    for (const [status, res] of Object.entries(r.responses)) {
      const media = MEDIA_TYPES[res.media ?? "json"];
      responses[status] = {
        description: res.description,
        ...(res.schema || res.media ? { content: { [media]: { schema: res.schema ? toSchema(res.schema, components, "output") : { type: "string" } } } } : {}),
      };
    }
    for (const status of Object.keys(ERROR_STATUSES).map(Number)) {
      if (responses[status] || !mayFail(r, status)) continue;
      responses[status] = { description: ERROR_STATUSES[status], content: { "application/json": { schema: errorRef } } };
    }
    const op: Json = { summary: r.summary, tags: [r.tag], operationId: operationId(r), parameters: params, responses };
    if (r.body?.length) {
      op.requestBody = {
        content: Object.fromEntries(r.body.map((b) => [
          MEDIA_TYPES[b.media],
          { schema: b.schema ? toSchema(b.schema, components, "input") : { type: "string" }, ...(b.description ? { description: b.description } : {}) },
        ])),
      };
    }
    (paths[r.path] ??= {})[r.method] = op;
  }
  return { openapi: "3.1.0", info, paths, components: { schemas: components } };
}

/** Which generic errors a route can answer with (keeps the document honest, not exhaustive). */
function mayFail(r: RouteDef, status: number): boolean {
  if (status === 400) return Boolean(r.query || r.body);
  if (status === 413) return Boolean(r.body);
  if (status === 404) return r.path.includes("{");
  return false;
}

function operationId(r: RouteDef): string {
  const words = r.path.replace(/^\/api\/v1\//, "").split("/").map((s) => s.replace(/[{}]/g, ""));
  return [r.method, ...words].map((w, i) => (i ? w.charAt(0).toUpperCase() + w.slice(1) : w)).join("").replace(/[^\w]/g, "");
}
