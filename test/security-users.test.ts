// The admin API over users and API tokens, end to end through app.request: a created user
// logs in and its role applies, a user's token acts as the user and dies when revoked, when the
// user is disabled or deleted; the last enabled admin is kept (409); invalid fields are 422s
// naming the field; every route is admin-only, in the OpenAPI document and audited.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { sha256 } from "../src/auth/credentials.ts";
import { ROLES } from "../src/auth/roles.ts";
import { userCommand } from "../src/cli/user.ts";
import { basic, bearer, createSecureApp, type SecureApp } from "./helpers/secure-app.ts";

// Each new user hashes a password and each sign-in verifies one (argon2id, 64 MiB): seconds
// on a loaded two-core machine, so these tests get more than bun's default 5 s.
setDefaultTimeout(30_000);

let s: SecureApp;
let admin: Record<string, string>;

const json = { "content-type": "application/json" };
const flow = (ns: string, id: string) => `id: ${id}\nnamespace: ${ns}\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;

interface UserJson { id: string; username: string; role: string | null; namespaces: string[]; grants: { role: string; namespace: string }[]; disabled: boolean; created: string }
interface ErrorJson { error: { code: string; message: string; issues?: { path: string; message: string }[] } }

async function call(method: string, path: string, body?: unknown, headers = admin) {
  const res = await s.req(method, path, { body: body === undefined ? undefined : JSON.stringify(body), headers: { ...json, ...headers } });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
}

const createUser = async (username: string, role: string, namespaces?: string[]) => {
  const r = await call("POST", "/api/v1/users", { username, password: `${username} password`, role, ...(namespaces && { namespaces }) });
  expect(r.status).toBe(201);
  return r.body as UserJson;
};

const createToken = async (user: string, name = "ci") => {
  const r = await call("POST", `/api/v1/users/${user}/api-tokens`, { name });
  expect(r.status).toBe(201);
  return r.body as { id: string; name: string; iat: string; lastUsed: string | null; fullToken: string };
};

async function signIn(username: string, password: string) {
  const b = s.browser();
  await b.get("/login");
  expect((await b.post("/login", { username, password })).status).toBe(303);
  return b;
}

const flowsStatus = async (headers: Record<string, string>) => (await s.req("GET", "/api/v1/flows/search", { headers })).status;

beforeAll(async () => {
  s = await createSecureApp({ env: { TERN_API_RATE: "10000" } });
  // The one admin user; the requests below come from an admin token of the CLI's kind.
  await s.user("root", "root password", "admin");
  admin = bearer(await s.token("admin"));
});
afterAll(() => s.close());

describe("users", () => {
  test("a created user logs in with its password and its role applies", async () => {
    const alice = await createUser("alice", "viewer", ["finance.*"]);
    expect(alice).toMatchObject({ username: "alice", role: "viewer", namespaces: ["finance"], grants: [{ role: "viewer", namespace: "finance" }], disabled: false });
    expect(Date.parse(alice.created)).toBeGreaterThan(0);
    expect(JSON.stringify(alice)).not.toContain("password");

    const list = await call("GET", "/api/v1/users");
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.results.map((u: UserJson) => [u.username, u.role, u.namespaces])).toEqual([["alice", "viewer", ["finance"]], ["root", "admin", ["*"]]]);
    expect((await call("GET", "/api/v1/users?q=ALI")).body.results.map((u: UserJson) => u.username)).toEqual(["alice"]);
    // By id or by user name.
    expect((await call("GET", `/api/v1/users/${alice.id}`)).body.username).toBe("alice");
    expect((await call("GET", "/api/v1/users/alice")).body.id).toBe(alice.id);

    expect(await flowsStatus(basic("alice", "alice password"))).toBe(200);
    const write = await s.req("POST", "/api/v1/flows", { body: flow("finance", "f"), headers: { ...basic("alice", "alice password"), "content-type": "application/x-yaml" } });
    expect(write.status).toBe(403);
    expect((await call("GET", "/api/v1/users", undefined, basic("alice", "alice password"))).status).toBe(403);
    const b = await signIn("alice", "alice password");
    expect((await b.get("/ui/flows?namespace=finance")).status).toBe(200);
  });

  test("a user's token acts as the user, follows its role changes, and is 401 once revoked", async () => {
    const bob = await createUser("bob", "viewer", ["finance"]);
    const t = await createToken(bob.id);
    expect(t.fullToken).toStartWith("tern_");
    expect(t).toMatchObject({ name: "ci", lastUsed: null });
    const h = bearer(t.fullToken);
    expect(await flowsStatus(h)).toBe(200);
    const post = (ns: string) => s.req("POST", "/api/v1/flows", { body: flow(ns, "bobs"), headers: { ...h, "content-type": "application/x-yaml" } });
    expect((await post("finance")).status).toBe(403);

    // Promoted to editor of finance: the same token may now write there, still not in hr.
    const up = await call("PUT", `/api/v1/users/${bob.id}`, { role: "editor", namespaces: ["finance"] });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ role: "editor", namespaces: ["finance"], grants: [{ role: "editor", namespace: "finance" }] });
    expect((await post("finance")).status).toBe(200);
    expect((await post("hr")).status).toBe(404);

    // The list never shows the secret; the database holds only its SHA-256.
    const listed = await call("GET", `/api/v1/users/${bob.id}/api-tokens`);
    expect(listed.body.total).toBe(1);
    expect(listed.body.results[0]).toMatchObject({ id: t.id, name: "ci", iat: t.iat });
    expect(typeof listed.body.results[0].lastUsed).toBe("string");
    expect(JSON.stringify(listed.body)).not.toContain(t.fullToken);
    const rows = await s.tern.db.$client.execute({ sql: "SELECT * FROM api_tokens WHERE id = ?", args: [t.id] });
    expect(rows.rows[0].token_hash).toBe(sha256(t.fullToken));
    expect(JSON.stringify(rows.rows)).not.toContain(t.fullToken.slice(5));

    expect((await call("DELETE", `/api/v1/users/${bob.id}/api-tokens/${t.id}`)).status).toBe(204);
    expect(await flowsStatus(h)).toBe(401);
    expect((await call("DELETE", `/api/v1/users/${bob.id}/api-tokens/${t.id}`)).status).toBe(404);
    // Another user's token id is not this user's to revoke.
    const other = await createToken("alice", "alices");
    expect((await call("DELETE", `/api/v1/users/${bob.id}/api-tokens/${other.id}`)).status).toBe(404);
    expect(await flowsStatus(bearer(other.fullToken))).toBe(200);
  });

  test("disabling a user revokes its sessions and tokens at once; enabling lets the password in again", async () => {
    const carol = await createUser("carol", "operator");
    const t = await createToken("carol");
    const b = await signIn("carol", "carol password");
    expect(await flowsStatus(basic("carol", "carol password"))).toBe(200); // now remembered for a minute
    expect((await b.get("/ui/flows")).status).toBe(200);

    const off = await call("PUT", "/api/v1/users/carol", { disabled: true });
    expect(off.status).toBe(200);
    expect(off.body.disabled).toBe(true);
    expect(await flowsStatus(bearer(t.fullToken))).toBe(401);
    expect(await flowsStatus(basic("carol", "carol password"))).toBe(401);
    expect((await b.get("/ui/flows")).status).toBe(303); // to the login page
    expect((await call("GET", `/api/v1/users/${carol.id}/api-tokens`)).body.total).toBe(0);
    expect((await call("POST", `/api/v1/users/${carol.id}/api-tokens`, { name: "x" })).status).toBe(409);

    expect((await call("PUT", "/api/v1/users/carol", { disabled: false })).body.disabled).toBe(false);
    expect(await flowsStatus(basic("carol", "carol password"))).toBe(200);
    expect(await flowsStatus(bearer(t.fullToken))).toBe(401); // revoked for good
  });

  test("deleting a user revokes its sessions and tokens at once", async () => {
    const dan = await createUser("dan", "viewer");
    const t = await createToken(dan.id);
    const b = await signIn("dan", "dan password");
    expect(await flowsStatus(bearer(t.fullToken))).toBe(200);
    expect((await call("DELETE", `/api/v1/users/${dan.id}`)).status).toBe(204);
    expect(await flowsStatus(bearer(t.fullToken))).toBe(401);
    expect((await b.get("/ui/flows")).status).toBe(303);
    expect(await flowsStatus(basic("dan", "dan password"))).toBe(401);
    expect((await call("GET", `/api/v1/users/${dan.id}`)).status).toBe(404);
    expect((await call("DELETE", `/api/v1/users/${dan.id}`)).status).toBe(404);
    const left = await s.tern.db.$client.execute({ sql: "SELECT (SELECT count(*) FROM sessions WHERE user_id = ?1) + (SELECT count(*) FROM api_tokens WHERE user_id = ?1) + (SELECT count(*) FROM grants WHERE subject = 'user:' || ?1) AS n", args: [dan.id] });
    expect(Number(left.rows[0].n)).toBe(0);
  });

  test("a password is set over the API, with the CLI's minimum", async () => {
    expect((await call("PUT", "/api/v1/users/alice/password", { password: "short" })).status).toBe(422);
    expect((await call("PUT", "/api/v1/users/alice/password", { password: "a new alice password" })).status).toBe(204);
    expect(await flowsStatus(basic("alice", "alice password"))).toBe(401);
    expect(await flowsStatus(basic("alice", "a new alice password"))).toBe(200);
  });
});

describe("the last enabled admin", () => {
  const conflict = (r: { status: number; body: ErrorJson }) => {
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("CONFLICT");
    expect(r.body.error.message).toContain("last enabled admin");
  };

  test("cannot be deleted, disabled or demoted; with a second admin it can", async () => {
    conflict(await call("DELETE", "/api/v1/users/root"));
    conflict(await call("PUT", "/api/v1/users/root", { disabled: true }));
    conflict(await call("PUT", "/api/v1/users/root", { role: "editor" }));
    // An admin of one namespace does not count.
    conflict(await call("PUT", "/api/v1/users/root", { role: "admin", namespaces: ["finance"] }));
    const erin = await createUser("erin", "admin", ["finance"]);
    conflict(await call("PUT", "/api/v1/users/root", { role: "viewer" }));
    // A refused change changes nothing, not even part of it.
    conflict(await call("PUT", "/api/v1/users/root", { grants: [{ role: "viewer", namespace: "*" }, { role: "editor", namespace: "hr" }], disabled: true }));
    expect((await call("GET", "/api/v1/users/root")).body).toMatchObject({ role: "admin", namespaces: ["*"], grants: [{ role: "admin", namespace: "*" }], disabled: false });
    expect(await flowsStatus(basic("root", "root password"))).toBe(200);

    // Promote erin to admin everywhere: now root may go down, and erin is the last one.
    expect((await call("PUT", `/api/v1/users/${erin.id}`, { grants: [{ role: "admin", namespace: "*" }] })).status).toBe(200);
    expect((await call("PUT", "/api/v1/users/root", { role: "viewer" })).body.role).toBe("viewer");
    conflict(await call("PUT", "/api/v1/users/erin", { disabled: true }));
    conflict(await call("DELETE", "/api/v1/users/erin"));
    // A disabled admin does not count either.
    expect((await call("PUT", "/api/v1/users/root", { role: "admin", disabled: true })).status).toBe(200);
    conflict(await call("DELETE", "/api/v1/users/erin"));
    expect((await call("PUT", "/api/v1/users/root", { disabled: false })).status).toBe(200);
    expect((await call("DELETE", "/api/v1/users/erin")).status).toBe(204);
    conflict(await call("DELETE", "/api/v1/users/root"));
  });

  test("two admins demoting each other at once: one wins, one gets 409, an admin remains", async () => {
    await createUser("frank", "admin");
    const [a, b] = await Promise.all([
      call("PUT", "/api/v1/users/root", { role: "viewer" }),
      call("PUT", "/api/v1/users/frank", { role: "viewer" }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const admins = (await call("GET", "/api/v1/users")).body.results.filter((u: UserJson) => u.role === "admin" && u.namespaces.includes("*") && !u.disabled);
    expect(admins.length).toBe(1);
    if (a.status === 200) expect((await call("PUT", "/api/v1/users/root", { role: "admin" })).status).toBe(200);
    expect((await call("DELETE", "/api/v1/users/frank")).status).toBe(204);
  });

  test("the CLI goes through the same rules", async () => {
    const data = ["--data", s.tern.config.dataDir];
    expect(await userCommand(["disable", "alice", ...data])).toBe(0);
    expect((await call("GET", "/api/v1/users/alice")).body.disabled).toBe(true);
    expect(await userCommand(["enable", "alice", ...data])).toBe(0);
    await expect(userCommand(["delete", "root", ...data])).rejects.toThrow("last enabled admin");
  });
});

describe("validation", () => {
  const issue = async (method: string, path: string, body: unknown, field: string) => {
    const r = await call(method, path, body);
    expect({ status: r.status, code: r.body.error.code }).toEqual({ status: 422, code: "INVALID" });
    expect(r.body.error.issues.map((i: { path: string }) => i.path)).toContain(field);
  };

  test("422s name the field", async () => {
    await issue("POST", "/api/v1/users", { username: "gina", password: "short", role: "viewer" }, "password");
    await issue("POST", "/api/v1/users", { username: "bad name!", password: "long enough", role: "viewer" }, "username");
    await issue("POST", "/api/v1/users", { username: "gina", password: "long enough", role: "superuser" }, "role");
    await issue("POST", "/api/v1/users", { username: "gina", password: "long enough" }, "role");
    await issue("POST", "/api/v1/users", { username: "gina", password: "long enough", role: "viewer", namespaces: ["../etc"] }, "namespaces.0");
    await issue("POST", "/api/v1/users", { username: "gina", password: "long enough", role: "viewer", grants: [{ role: "viewer" }] }, "grants");
    await issue("PUT", "/api/v1/users/alice", { namespaces: ["hr"] }, "role");
    await issue("PUT", "/api/v1/users/alice", { disabled: "yes" }, "disabled");
    await issue("POST", "/api/v1/users/alice/api-tokens", { name: "" }, "name");
    expect((await call("GET", "/api/v1/users/gina")).status).toBe(404);
    const dup = await call("POST", "/api/v1/users", { username: "alice", password: "long enough", role: "viewer" });
    expect({ status: dup.status, code: dup.body.error.code }).toEqual({ status: 409, code: "CONFLICT" });
    const bad = await s.req("POST", "/api/v1/users", { body: "{", headers: { ...admin, ...json } });
    expect(bad.status).toBe(400);
    expect((await call("PUT", "/api/v1/users/nobody", { disabled: true })).status).toBe(404);
    expect((await call("POST", "/api/v1/users/nobody/api-tokens", { name: "x" })).status).toBe(404);
  });
});

describe("access, OpenAPI and audit", () => {
  const userRoutes = () => s.app.routeTable.filter((r) => r.path.startsWith("/api/v1/users"));

  test("every user route is admin on every namespace: 401 without credentials, 403 for anyone less", async () => {
    expect(userRoutes().length).toBe(9);
    const editorUser = await createUser("henry", "editor");
    const callers: Record<string, string>[] = [
      ...(await Promise.all(ROLES.filter((r) => r !== "admin").map(async (r) => bearer(await s.token(r))))),
      bearer(await s.token("admin", "finance.*")),
      bearer((await createToken(editorUser.id)).fullToken),
      basic("henry", "henry password"),
    ];
    for (const r of userRoutes()) {
      const path = r.path.replace("{id}", editorUser.id).replace("{tokenId}", "x");
      const body = r.method === "get" || r.method === "delete" ? undefined : "{}";
      const anon = await s.req(r.method.toUpperCase(), path, { body, headers: json });
      expect({ route: `${r.method} ${r.path}`, status: anon.status }).toEqual({ route: `${r.method} ${r.path}`, status: 401 });
      for (const h of callers) {
        const res = await s.req(r.method.toUpperCase(), path, { body, headers: { ...json, ...h } });
        expect({ route: `${r.method} ${r.path}`, status: res.status }).toEqual({ route: `${r.method} ${r.path}`, status: 403 });
      }
    }
    expect((await call("GET", "/api/v1/users/henry")).body.disabled).toBe(false); // nothing changed
  });

  test("the routes and their schemas are in /api/openapi.json", async () => {
    const doc = (await (await s.req("GET", "/api/openapi.json")).json()) as { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };
    expect(Object.keys(doc.paths["/api/v1/users"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/api/v1/users/{id}"]).sort()).toEqual(["delete", "get", "put"]);
    expect(Object.keys(doc.paths["/api/v1/users/{id}/password"])).toEqual(["put"]);
    expect(Object.keys(doc.paths["/api/v1/users/{id}/api-tokens"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/api/v1/users/{id}/api-tokens/{tokenId}"])).toEqual(["delete"]);
    const s2 = doc.components.schemas;
    expect(s2.UserCreate.properties.password.minLength).toBe(8);
    expect(s2.UserCreate.required).toEqual(expect.arrayContaining(["username", "password"]));
    expect(s2.User.properties.role.anyOf ?? s2.User.properties.role.enum).toBeDefined();
    expect(s2.CreatedApiToken.properties.fullToken).toBeDefined();
    expect(s2.ApiToken.properties.fullToken).toBeUndefined();
    expect(doc.paths["/api/v1/users"].post.responses["201"].content["application/json"].schema.$ref).toBe("#/components/schemas/User");
  });

  test("every change is in the audit log, never a token's secret", async () => {
    const t = await createToken("alice", "audited");
    expect((await call("DELETE", `/api/v1/users/alice/api-tokens/${t.id}`)).status).toBe(204);
    const page = await call("GET", "/api/v1/audit?size=500");
    const entries = page.body.results as { action: string; actor: string; target: string; detail: Record<string, string> }[];
    const actions = new Set(entries.map((e) => e.action));
    for (const a of ["user.create", "user.update", "user.password", "user.delete", "token.create", "token.delete"]) expect(actions).toContain(a);
    const created = entries.find((e) => e.action === "user.create" && e.detail?.username === "alice")!;
    expect(created.target).toBe("/api/v1/users");
    expect(created.actor).toStartWith("token:");
    const tokenEntry = entries.find((e) => e.action === "token.create" && e.detail?.id === t.id)!;
    expect(tokenEntry.detail.name).toBe("audited");
    // Refused changes (409, 422) are not recorded as changes.
    expect(entries.filter((e) => e.action === "user.delete" && e.target === "/api/v1/users/root")).toEqual([]);
    const all = await (await s.req("GET", "/api/v1/audit/export", { headers: admin })).text();
    expect(all).not.toContain(t.fullToken);
  });
});
