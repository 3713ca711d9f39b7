// /api/v1/namespaces: the namespaces that hold flows, and each namespace's KV store.
import { z } from "zod";
import { isoDurationMs } from "../../flow/index.ts";
import { flowNamespaces, listKvEntries } from "../../store/search.ts";
import { canRead } from "../../auth/context.ts";
import { badRequest, notFound } from "../errors.ts";
import { defineRoute, paging, type RouteDef } from "../route.ts";
import { KvEntry, KvValue, Namespace, paged } from "../schemas.ts";
import type { ApiDeps } from "./common.ts";

const KEY = /^[\w.-]+$/;

export function namespaceRoutes(deps: ApiDeps): RouteDef[] {
  const { db } = deps.tern;
  const key = (raw: string) => {
    if (!KEY.test(raw)) throw badRequest(`invalid KV key "${raw}": letters, digits, _ . - only`);
    return raw;
  };
  return [
    defineRoute({
      method: "get", path: "/api/v1/namespaces/search", tag: "Namespaces", summary: "Namespaces holding flows (and their parents)",
      access: { role: "viewer", ns: "handler" },
      query: z.object({ q: z.string().optional(), ...paging }),
      responses: { 200: { description: "a page of namespaces", schema: paged(Namespace, "Namespace") } },
      async handler(c, q) {
        const all = (await flowNamespaces(db)).filter((n) => (!q.q || n.includes(q.q)) && canRead(c, n));
        const results = all.slice((q.page - 1) * q.size, q.page * q.size).map((id) => ({ id, deleted: false }));
        return c.json({ results, total: all.length });
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/namespaces/{namespace}/kv", tag: "KV", summary: "List a namespace's keys",
      access: { role: "viewer", ns: { param: "namespace" } },
      responses: { 200: { description: "the live keys", schema: z.array(KvEntry) } },
      async handler(c) {
        const rows = await listKvEntries(db, c.req.param("namespace")!, Date.now());
        return c.json(rows.map((r) => ({
          key: r.key, type: r.type, updateDate: new Date(r.updatedAt).toISOString(),
          expirationDate: r.expiresAt === null ? null : new Date(r.expiresAt).toISOString(),
        })));
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/namespaces/{namespace}/kv/{key}", tag: "KV", summary: "Get a value with its type",
      access: { role: "viewer", ns: { param: "namespace" } },
      responses: { 200: { description: "the typed value", schema: KvValue } },
      async handler(c) {
        const ns = c.req.param("namespace")!, k = key(c.req.param("key")!);
        const v = await deps.kv.get(ns, k);
        if (!v) throw notFound(`KV key '${k}' in namespace ${ns}`);
        return c.json({ type: v.type, value: v.value });
      },
    }),
    defineRoute({
      method: "put", path: "/api/v1/namespaces/{namespace}/kv/{key}", tag: "KV",
      access: { role: "editor", ns: { param: "namespace" }, audit: "kv.set" },
      summary: "Set a value: a JSON body is stored typed, a text/plain body as a string; header `ttl` (ISO-8601 duration) expires it",
      body: [{ media: "json", schema: z.unknown() }, { media: "text" }],
      responses: { 204: { description: "stored" } },
      async handler(c) {
        const ns = c.req.param("namespace")!, k = key(c.req.param("key")!);
        const text = await c.req.text();
        const isJson = (c.req.header("content-type") ?? "").includes("json");
        let value: unknown = text;
        if (isJson) {
          try {
            value = JSON.parse(text);
          } catch (e) {
            throw badRequest(`malformed JSON: ${(e as Error).message}`);
          }
        }
        const ttl = c.req.header("ttl");
        const ttlMs = ttl ? isoDurationMs(ttl) : undefined;
        if (ttl && (ttlMs === undefined || Number.isNaN(ttlMs))) throw badRequest(`invalid ttl "${ttl}": expected an ISO-8601 duration such as PT1H`);
        await deps.kv.set(ns, k, value, { ttlMs });
        return c.body(null, 204);
      },
    }),
    defineRoute({
      method: "delete", path: "/api/v1/namespaces/{namespace}/kv/{key}", tag: "KV", summary: "Delete a key",
      access: { role: "editor", ns: { param: "namespace" }, audit: "kv.delete" },
      responses: { 204: { description: "deleted" } },
      async handler(c) {
        const ns = c.req.param("namespace")!, k = key(c.req.param("key")!);
        if (!(await deps.kv.delete(ns, k))) throw notFound(`KV key '${k}' in namespace ${ns}`);
        return c.body(null, 204);
      },
    }),
  ];
}
