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
    // Bulk and file flow calls name their flows in the body or a query: the handler checks each one.
    const flowFiles = routes.filter((r) => /^\/api\/v1\/flows\/(export|import|delete|disable|enable)\b/.test(r.path));
    expect(flowFiles.map((r) => `${r.method} ${r.path} ${r.access.role}`).sort()).toEqual([
      "delete /api/v1/flows/delete/by-ids editor", "delete /api/v1/flows/delete/by-query editor",
      "get /api/v1/flows/export/by-query viewer", "post /api/v1/flows/disable/by-ids editor", "post /api/v1/flows/disable/by-query editor",
      "post /api/v1/flows/enable/by-ids editor", "post /api/v1/flows/enable/by-query editor", "post /api/v1/flows/export/by-ids viewer",
      "post /api/v1/flows/import editor",
    ]);
    for (const r of flowFiles) expect(r.access).toMatchObject({ ns: "handler" });
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

  test("bulk operations check every execution's namespace; by-query only reaches the caller's", async () => {
    const op = await s.token("operator", "finance.*");
    const json = (t: string) => ({ ...bearer(t), "content-type": "application/json" });
    const body = JSON.stringify([ids.finance, ids.hr]);
    // hr's execution is "not found" for a finance operator, and then nothing at all is done.
    const res = await s.req("POST", "/api/v1/executions/change-status/by-ids?newStatus=WARNING", { body, headers: json(op) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { invalids: unknown[] }).invalids).toEqual([{ message: "execution not found", invalidValue: ids.hr, propertyPath: "execution" }]);
    const stateOf = async (id: string) => ((await (await s.req("GET", `/api/v1/executions/${id}`, { headers: bearer(tokens.admin!) })).json()) as { state: { current: string } }).state.current;
    expect(await stateOf(ids.finance)).toBe("SUCCESS");
    // By query: only finance's executions are found, even without a namespace filter.
    const q = await s.req("POST", "/api/v1/executions/labels/by-query", { body: JSON.stringify([{ key: "seen", value: "1" }]), headers: json(op) });
    expect(await q.json()).toEqual({ count: 1 });
    const labels = async (id: string) => ((await (await s.req("GET", `/api/v1/executions/${id}`, { headers: bearer(tokens.admin!) })).json()) as { labels: { key: string }[] }).labels.map((l) => l.key);
    expect(await labels(ids.finance)).toContain("seen");
    expect(await labels(ids.hr)).not.toContain("seen");
    // A viewer may not call them at all; the bulk routes declare the operator role.
    expect((await s.req("DELETE", "/api/v1/executions/kill/by-ids", { body, headers: json(tokens.viewer!) })).status).toBe(403);
    const bulk = routes.filter((r) => /\/by-(ids|query)$/.test(r.path) && r.path.startsWith("/api/v1/executions"));
    expect(bulk.length).toBe(10);
    for (const r of bulk) expect(r.access).toMatchObject({ role: "operator", ns: "handler" });
  });

  test("eval needs the editor role (an expression can call secret()); deleting logs needs operator", async () => {
    const find = (m: string, p: string) => routes.find((r) => r.method === m && r.path === p)!.access;
    expect(find("post", "/api/v1/executions/{id}/eval/{taskRunId}")).toEqual({ role: "editor", ns: { execution: "id" } });
    expect(find("delete", "/api/v1/logs/{executionId}")).toEqual({ role: "operator", ns: { execution: "executionId" }, audit: "logs.delete" });
    expect(find("post", "/api/v1/executions/{id}/labels")).toEqual({ role: "operator", ns: { execution: "id" }, audit: "execution.labels" });
    const ex = (await (await s.req("GET", `/api/v1/executions/${ids.finance}`, { headers: bearer(tokens.admin!) })).json()) as { taskRunList: { id: string }[] };
    const path = `/api/v1/executions/${ids.finance}/eval/${ex.taskRunList[0].id}`;
    const evalAs = (t: string) => s.req("POST", path, { body: "{{ taskrun.id }}", headers: { ...bearer(t), "content-type": "text/plain" } });
    expect((await evalAs(tokens.operator!)).status).toBe(403);
    expect(await (await evalAs(tokens.editor!)).json()).toEqual({ result: ex.taskRunList[0].id });
  });

  test("a scoped admin's bulk call naming an hr flow is refused whole (404) and changes nothing", async () => {
    const body = JSON.stringify([{ namespace: "finance", id: "f" }, { namespace: "hr", id: "f" }]);
    const headers = { ...bearer(financeAdmin), "content-type": "application/json" };
    expect((await s.req("POST", "/api/v1/flows/disable/by-ids", { body, headers })).status).toBe(404);
    expect((await s.req("DELETE", "/api/v1/flows/delete/by-ids", { body, headers })).status).toBe(404);
    for (const ns of ["finance", "hr"]) {
      const f = (await (await s.req("GET", `/api/v1/flows/${ns}/f`, { headers: bearer(tokens.admin!) })).json()) as { disabled: boolean };
      expect(f.disabled).toBe(false);
    }
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
