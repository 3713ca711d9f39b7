// Role and namespace checks on every API route, generated from the route table itself: a new
// route is covered the moment it is declared. Roles: anonymous (no credentials), a token per
// role on every namespace, and an admin token scoped to `finance` reaching into `hr` (404).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ROLES, type Role } from "../src/auth/roles.ts";
import type { RouteDef } from "../src/server/route.ts";
import { bearer, createSecureApp, type SecureApp } from "./helpers/secure-app.ts";

let s: SecureApp;
let routes: RouteDef[];
const ids: Record<string, string> = {};
const tokens: Partial<Record<Role, string>> = {};
let financeAdmin = "";

const flow = (ns: string) => `id: f
namespace: ${ns}
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hi from ${ns}
`;

beforeAll(async () => {
  // High API rate: this file sends a few hundred requests per token on purpose.
  s = await createSecureApp({ env: { TERN_API_RATE: "10000" } });
  for (const ns of ["finance", "hr"]) {
    // No user yet: the local anonymous admin sets the scene.
    expect((await s.req("POST", "/api/v1/flows", { body: flow(ns), headers: { "content-type": "application/x-yaml" } })).status).toBe(200);
    const ex = await (await s.req("POST", `/api/v1/executions/${ns}/f?wait=true`)).json() as { id: string };
    ids[ns] = ex.id;
    await s.tern.service.waitFor(ex.id);
  }
  for (const r of ROLES) tokens[r] = await s.token(r);
  financeAdmin = await s.token("admin", "finance.*");
  routes = s.app.routeTable;
});
afterAll(() => s.close());

const rank = (r: Role) => ROLES.indexOf(r);

/** A concrete request for a route: its parameters point at `ns`'s flow and execution. */
function requestFor(r: RouteDef, ns: string): { method: string; path: string; body?: string; headers: Record<string, string> } {
  const path = r.path.replace(/\{(\w+)\}/g, (_, p: string) => {
    if (p === "namespace") return ns;
    if (p === "id" && r.path.startsWith("/api/v1/flows")) return "f";
    if (p === "id" || p === "executionId") return ids[ns];
    if (p === "flowId") return "f";
    return "k";
  });
  // Required query parameters get a harmless value; bodies are minimal (validation may refuse them: not 401/403).
  const query = r.path.endsWith("/change-status") ? "?status=SUCCESS" : r.path.endsWith("/file") ? "?path=kestra:///x" : "";
  const write = r.method !== "get";
  return { method: r.method.toUpperCase(), path: path + query, body: write ? "{}" : undefined, headers: write ? { "content-type": "application/json" } : {} };
}

async function call(r: RouteDef, ns: string, headers: Record<string, string>) {
  const q = requestFor(r, ns);
  const res = await s.req(q.method, q.path, { body: q.body, headers: { ...q.headers, ...headers } });
  await res.arrayBuffer().catch(() => {}); // SSE routes end on their own (finished executions)
  return res.status;
}

describe("every route × every role", () => {
  test("the route table is the one the app serves, and every route declares its access", () => {
    expect(routes.length).toBeGreaterThanOrEqual(40);
    for (const r of routes) expect(r.access.role === "public" || ROLES.includes(r.access.role as Role)).toBe(true);
    // Users and their tokens: admins on every namespace only (a scoped admin must not mint a global one).
    const accounts = routes.filter((r) => r.path.startsWith("/api/v1/users"));
    expect(accounts.length).toBe(9);
    for (const r of accounts) expect({ route: `${r.method} ${r.path}`, access: r.access }).toMatchObject({ route: `${r.method} ${r.path}`, access: { role: "admin", ns: "global" } });
    // Tokens of no user (`tern token create`): listed and revoked by the same admins, the revocation audited.
    const tokens = routes.filter((r) => r.path.startsWith("/api/v1/api-tokens"));
    expect(tokens.map((r) => `${r.method} ${r.path}`).sort()).toEqual(["delete /api/v1/api-tokens/{id}", "get /api/v1/api-tokens"]);
    for (const r of tokens) expect({ route: `${r.method} ${r.path}`, access: r.access }).toMatchObject({ route: `${r.method} ${r.path}`, access: { role: "admin", ns: "global" } });
    expect(tokens.find((r) => r.method === "delete")!.access).toEqual({ role: "admin", ns: "global", audit: "token.delete" });
  });

  test("without credentials every non-public route is 401 with a JSON message", async () => {
    for (const r of routes) {
      const status = await call(r, "finance", {});
      expect({ route: `${r.method} ${r.path}`, status }).toEqual({ route: `${r.method} ${r.path}`, status: r.access.role === "public" ? status : 401 });
    }
    const res = await s.req("GET", "/api/v1/flows/search");
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
  });

  test("a wrong token is 401, not anonymous access", async () => {
    expect((await s.req("GET", "/api/v1/flows/search", { headers: bearer("tern_not-a-token") })).status).toBe(401);
    expect((await s.req("GET", "/api/v1/flows/search", { headers: { authorization: "Digest x" } })).status).toBe(401);
  });
});

describe("namespace scoping", () => {
  test("an admin of finance.* gets 404 for every hr route that names a namespace or execution", async () => {
    let checked = 0;
    for (const r of routes) {
      if (r.access.role === "public" || typeof r.access.ns !== "object") continue;
      const status = await call(r, "hr", bearer(financeAdmin));
      expect({ route: `${r.method} ${r.path}`, status }).toEqual({ route: `${r.method} ${r.path}`, status: 404 });
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(20);
    // …and "global" routes (metrics, audit) need a grant on every namespace.
    for (const r of routes.filter((x) => x.access.role !== "public" && x.access.ns === "global")) {
      expect(await call(r, "hr", bearer(financeAdmin))).toBe(403);
    }
  });

  test("searches only return the scoped user's namespaces", async () => {
    const get = async (path: string) => (await (await s.req("GET", path, { headers: bearer(financeAdmin) })).json()) as { results: { namespace?: string; id?: string }[]; total: number };
    const flows = await get("/api/v1/flows/search");
    expect(flows.results.map((f) => f.namespace)).toEqual(["finance"]);
    const exs = await get("/api/v1/executions/search");
    expect(exs.total).toBeGreaterThan(0);
    expect(exs.results.every((e) => e.namespace === "finance")).toBe(true);
    const logs = await get("/api/v1/logs/search");
    expect(logs.total).toBeGreaterThan(0);
    expect(logs.results.every((l) => l.namespace === "finance")).toBe(true);
    expect((await get("/api/v1/namespaces/search")).results.map((n) => n.id)).toEqual(["finance"]);
    // Asking for hr explicitly finds nothing rather than an error that confirms it exists.
    expect((await get("/api/v1/executions/search?namespace=hr")).total).toBe(0);
  });

  test("a scoped editor cannot create a flow in another namespace through the body", async () => {
    const res = await s.req("POST", "/api/v1/flows", { body: flow("hr.payroll"), headers: { ...bearer(financeAdmin), "content-type": "application/x-yaml" } });
    expect(res.status).toBe(404);
    expect((await s.req("GET", "/api/v1/flows/hr.payroll/f", { headers: bearer(tokens.admin!) })).status).toBe(404);
  });
});

// Last: the allowed calls delete and kill what the tests above read.
describe("every route × every role, allowed", () => {
  test("a role below the route's is 403; at or above it passes the guard", async () => {
    // Denials first: they change nothing. Allowed calls may delete or kill, so they run last.
    const allowed: [RouteDef, Role][] = [];
    for (const r of routes) {
      if (r.access.role === "public") continue;
      for (const role of ROLES) {
        if (rank(role) < rank(r.access.role)) {
          const status = await call(r, "finance", bearer(tokens[role]!));
          expect({ route: `${r.method} ${r.path}`, role, status }).toEqual({ route: `${r.method} ${r.path}`, role, status: 403 });
        } else allowed.push([r, role]);
      }
    }
    for (const [r, role] of allowed) {
      const status = await call(r, "finance", bearer(tokens[role]!));
      expect({ route: `${r.method} ${r.path}`, role, denied: status === 401 || status === 403 }).toEqual({ route: `${r.method} ${r.path}`, role, denied: false });
    }
  });
});
