// The route table: every API path is declared once as a RouteDef. The app registers the
// handlers from it and /api/openapi.json is generated from it, so the two cannot drift.
import type { Context } from "hono";
import { z } from "zod";
import type { Role } from "../auth/roles.ts";
import { badRequest } from "./errors.ts";

export type Method = "get" | "post" | "put" | "delete";
/** How a body or response is encoded (the OpenAPI media type is derived from it). */
export type Media = "json" | "yaml" | "multipart" | "text" | "sse" | "binary" | "prometheus";

export const MEDIA_TYPES: Record<Media, string> = {
  json: "application/json",
  yaml: "application/x-yaml",
  multipart: "multipart/form-data",
  text: "text/plain",
  sse: "text/event-stream",
  binary: "application/octet-stream",
  prometheus: "text/plain; version=0.0.4",
};

export interface ResponseDef {
  description: string;
  media?: Media;
  schema?: z.ZodType;
}

/**
 * Who may call a route (enforced by one guard, src/auth/guard.ts): the least role needed and
 * where its namespace comes from — a path parameter, an execution id in the path (its
 * execution's namespace), "handler" (the body or a search filter; the handler checks),
 * "global" (the role on every namespace). An unreadable namespace answers 404, not 403.
 * `audit` names the audit action recorded when the route succeeds.
 */
export type Access =
  | { role: "public" }
  | { role: Role; ns: { param: string } | { execution: string } | "handler" | "global"; audit?: string };

export interface RouteDef<Q extends z.ZodObject = z.ZodObject> {
  method: Method;
  /** OpenAPI-style path: `/api/v1/flows/{namespace}/{id}`. */
  path: string;
  summary: string;
  tag: string;
  query?: Q;
  body?: { media: Media; schema?: z.ZodType; description?: string }[];
  responses: Record<number, ResponseDef>;
  access: Access;
  handler(c: Context, query: z.infer<Q>): Response | Promise<Response>;
}

/** Identity with inference: `query` types the handler's second argument. */
export function defineRoute<Q extends z.ZodObject = z.ZodObject>(r: RouteDef<Q>): RouteDef {
  return r as unknown as RouteDef;
}

export const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ":$1");

/** Unwrap optional/default/nullable to see whether a query parameter is repeatable. */
function isArray(s: z.ZodType): boolean {
  let def = (s as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
  while (def.innerType && ["optional", "default", "nullable", "prefault"].includes(def.type)) {
    def = (def.innerType as unknown as { _zod: { def: typeof def } })._zod.def;
  }
  return def.type === "array";
}

/** Parse the query string with the route's schema; repeatable parameters come as arrays. */
export function parseQuery<Q extends z.ZodObject>(c: Context, schema: Q | undefined): z.infer<Q> {
  if (!schema) return {} as z.infer<Q>;
  const raw: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(schema.shape)) {
    const v = isArray(s as z.ZodType) ? c.req.queries(key) : c.req.query(key);
    if (v !== undefined && v !== "") raw[key] = v;
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw badRequest("invalid query parameters", r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
  }
  return r.data;
}

/** Query helpers shared by the search endpoints (Kestra pages from 1). */
export const paging = {
  page: z.coerce.number().int().min(1).default(1).meta({ description: "page number, from 1" }),
  size: z.coerce.number().int().min(1).max(1000).default(25).meta({ description: "results per page (max 1000)" }),
};
export const bool = (dflt: boolean) =>
  z.enum(["true", "false"]).default(dflt ? "true" : "false").transform((v) => v === "true");
