// API token expiry and description, tokens of no user over the API and the dashboard, and a
// password change signing the user out elsewhere. The guard's clock is a variable here: time
// moves by assignment, never by waiting.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, spyOn, test } from "bun:test";
import { join } from "node:path";
import { findAccount } from "../src/auth/accounts.ts";
import { ROLES } from "../src/auth/roles.ts";
import { tokenCommand } from "../src/cli/user.ts";
import { basic, bearer, createSecureApp, type Browser, type SecureApp } from "./helpers/secure-app.ts";

// Users hash passwords and sign-ins verify them (argon2id, 64 MiB): seconds on a loaded machine.
setDefaultTimeout(30_000);

const HOUR = 3600_000;
let clock = Date.now();
let s: SecureApp;
let admin: Record<string, string>;
let aliceId = "";

const json = { "content-type": "application/json" };

async function call(method: string, path: string, body?: unknown, headers = admin) {
  const res = await s.req(method, path, { body: body === undefined ? undefined : JSON.stringify(body), headers: { ...json, ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: (text ? JSON.parse(text) : undefined) as any };
}

async function signIn(username: string, password: string): Promise<Browser> {
  const b = s.browser();
  await b.get("/login");
  expect((await b.post("/login", { username, password })).status).toBe(303);
  return b;
}

const flowsStatus = async (headers: Record<string, string>) => (await s.req("GET", "/api/v1/flows/search", { headers })).status;
/** A signed-in browser's standing: 200 on a page, 303 to the login page once its session is gone. */
const pageStatus = async (b: Browser) => (await b.get("/ui/flows")).status;
const apiStatus = async (b: Browser) => (await b.get("/api/v1/flows/search")).status;

beforeAll(async () => {
  // Several sign-ins per user on purpose: room above the login limit of 5.
  s = await createSecureApp({ env: { TERN_API_RATE: "10000" }, auth: { now: () => clock, loginBurst: 50 } });
  await s.user("root", "root password", "admin");
  await s.user("alice", "alice password", "viewer");
  aliceId = (await findAccount(s.tern.db, "alice")).id;
  admin = bearer(await s.token("admin"));
});
afterAll(() => s.close());

describe("token expiry", () => {
  test("a token with maxAge works until then, then gets a 401 that says it expired; the list shows it", async () => {
    const created = await call("POST", `/api/v1/users/${aliceId}/api-tokens`, { name: "ci", description: "deploys from CI", maxAge: "PT1H" });
    expect(created.status).toBe(201);
    const t = created.body;
    expect(t).toMatchObject({ name: "ci", description: "deploys from CI", expired: false, lastUsed: null });
    expect(Date.parse(t.exp) - Date.parse(t.iat)).toBe(HOUR);
    const forever = (await call("POST", `/api/v1/users/${aliceId}/api-tokens`, { name: "forever" })).body;
    expect(forever).toMatchObject({ exp: null, expired: false, description: null });

    expect(await flowsStatus(bearer(t.fullToken))).toBe(200);
    clock += HOUR - 1000;
    expect(await flowsStatus(bearer(t.fullToken))).toBe(200);
    clock += 2000;
    const res = await call("GET", "/api/v1/flows/search", undefined, bearer(t.fullToken));
    expect(res.status).toBe(401);
    // The same shape as every 401: a JSON error, the challenge header, no stack trace.
    expect(res.body).toEqual({ error: { code: "UNAUTHORIZED", message: `the API token expired at ${t.exp}: an admin can create a new one` } });
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(res.text).not.toContain("    at ");
    // A token without expiry is not affected by time.
    expect(await flowsStatus(bearer(forever.fullToken))).toBe(200);

    const listed = (await call("GET", `/api/v1/users/${aliceId}/api-tokens`)).body.results as { id: string; exp: string | null; expired: boolean; description: string | null }[];
    expect(listed.find((x) => x.id === t.id)).toMatchObject({ exp: t.exp, expired: true, description: "deploys from CI" });
    expect(listed.find((x) => x.id === forever.id)).toMatchObject({ exp: null, expired: false });
  });

  test("expiresAt sets an instant; ttl is maxAge's alias; bad expiries are 422s naming the field", async () => {
    const at = new Date(clock + 24 * HOUR).toISOString();
    const a = await call("POST", `/api/v1/users/${aliceId}/api-tokens`, { name: "until", expiresAt: at });
    expect(a.status).toBe(201);
    expect(a.body.exp).toBe(at);
    const b = await call("POST", `/api/v1/users/${aliceId}/api-tokens`, { name: "ttl", ttl: "P30D" });
    expect(b.status).toBe(201);
    expect(Date.parse(b.body.exp) - Date.parse(b.body.iat)).toBe(30 * 24 * HOUR);

    const issue = async (body: object, field: string) => {
      const r = await call("POST", `/api/v1/users/${aliceId}/api-tokens`, { name: "bad", ...body });
      expect({ status: r.status, code: r.body.error.code }).toEqual({ status: 422, code: "INVALID" });
      expect(r.body.error.issues.map((i: { path: string }) => i.path)).toContain(field);
    };
    await issue({ expiresAt: new Date(clock - 1000).toISOString() }, "expiresAt");
    await issue({ expiresAt: "tomorrow" }, "expiresAt");
    await issue({ maxAge: "30 days" }, "maxAge");
    await issue({ maxAge: "PT0S" }, "maxAge");
    await issue({ ttl: "-P1D" }, "ttl");
    await issue({ maxAge: "P1D", expiresAt: at }, "maxAge");
    await issue({ description: "x".repeat(501) }, "description");
    const names = (await call("GET", `/api/v1/users/${aliceId}/api-tokens`)).body.results.map((t: { name: string }) => t.name);
    expect(names).not.toContain("bad");
  });

  test("`tern token create --expires-in` and --description; `tern token list` shows the expiry", async () => {
    const out: string[] = [];
    const log = spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
    const err = spyOn(console, "error").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
    try {
      const data = ["--data", s.tern.config.dataDir];
      expect(await tokenCommand(["create", "nightly", "--role", "operator", "--namespace", "finance", "--expires-in", "P7D", "--description", "nightly job", ...data])).toBe(0);
      expect(out.join("\n")).toMatch(/token nightly \(.+\) created, expires \d{4}-/);
      const token = out.find((l) => l.startsWith("tern_"))!;
      expect(await flowsStatus(bearer(token))).toBe(200);
      out.length = 0;
      expect(await tokenCommand(["list", ...data])).toBe(0);
      expect(out.find((l) => l.includes("\tnightly\t"))).toMatch(/\toperator@finance\t.+\texpires \d{4}-.+\tnightly job$/);
      clock += 8 * 24 * HOUR;
      expect(await flowsStatus(bearer(token))).toBe(401);
      expect(await tokenCommand(["create", "bad", "--role", "viewer", "--expires-in", "soon", ...data]).catch((e: Error) => e.message)).toContain("not a positive ISO-8601 duration");
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });
});

describe("tokens of no user over the API", () => {
  test("an admin lists them with their grants and revokes one; a user's token is not among them", async () => {
    const viewer = await s.token("viewer", "finance.*");
    const list = await call("GET", "/api/v1/api-tokens");
    expect(list.status).toBe(200);
    const tokens = list.body.results as { id: string; name: string; grants: { role: string; namespace: string }[]; createdBy: string; exp: string | null; expired: boolean }[];
    expect(list.body.total).toBe(tokens.length);
    const mine = tokens.find((t) => t.grants.some((g) => g.role === "viewer" && g.namespace === "finance"))!;
    expect(mine).toMatchObject({ createdBy: "test", exp: null, expired: false });
    expect(tokens.find((t) => t.name === "nightly")).toMatchObject({ grants: [{ role: "operator", namespace: "finance" }], createdBy: "cli", expired: true });
    expect(tokens.map((t) => t.name)).not.toContain("forever"); // alice's
    expect(JSON.stringify(list.body)).not.toContain(viewer);

    expect(await flowsStatus(bearer(viewer))).toBe(200);
    const del = await call("DELETE", `/api/v1/api-tokens/${mine.id}`);
    expect(del.status).toBe(204);
    expect(await flowsStatus(bearer(viewer))).toBe(401);
    expect((await call("DELETE", `/api/v1/api-tokens/${mine.id}`)).status).toBe(404);
    const left = await s.tern.db.$client.execute({ sql: "SELECT count(*) AS n FROM grants WHERE subject = ?", args: [`token:${mine.id}`] });
    expect(Number(left.rows[0].n)).toBe(0);

    // A user's token is revoked under its user, not here.
    const alices = (await call("GET", `/api/v1/users/${aliceId}/api-tokens`)).body.results[0];
    const refused = await call("DELETE", `/api/v1/api-tokens/${alices.id}`);
    expect(refused.status).toBe(404);
    expect(refused.body.error.message).toContain("revoked under the user");
    expect((await call("GET", `/api/v1/users/${aliceId}/api-tokens`)).body.results.map((t: { id: string }) => t.id)).toContain(alices.id);

    const audit = (await call("GET", "/api/v1/audit?size=500")).body.results as { action: string; target: string }[];
    expect(audit).toContainEqual(expect.objectContaining({ action: "token.delete", target: `/api/v1/api-tokens/${mine.id}` }));
    expect(audit.filter((e) => e.target === `/api/v1/api-tokens/${alices.id}`)).toEqual([]);
  });

  test("only admins on every namespace: 401 without credentials, 403 for anyone less", async () => {
    const callers = [
      ...(await Promise.all(ROLES.filter((r) => r !== "admin").map(async (r) => bearer(await s.token(r))))),
      bearer(await s.token("admin", "finance.*")),
      basic("alice", "alice password"),
    ];
    const victim = (await call("GET", "/api/v1/api-tokens")).body.results[0].id as string;
    for (const [method, path] of [["GET", "/api/v1/api-tokens"], ["DELETE", `/api/v1/api-tokens/${victim}`]]) {
      expect({ path, status: (await s.req(method, path)).status }).toEqual({ path, status: 401 });
      for (const h of callers) expect({ path, status: (await s.req(method, path, { headers: h })).status }).toEqual({ path, status: 403 });
    }
    expect((await call("GET", "/api/v1/api-tokens")).body.results.map((t: { id: string }) => t.id)).toContain(victim);
  });

  test("the routes and the new fields are in /api/openapi.json", async () => {
    const doc = (await (await s.req("GET", "/api/openapi.json")).json()) as { paths: Record<string, object>; components: { schemas: Record<string, any> } };
    expect(Object.keys(doc.paths["/api/v1/api-tokens"])).toEqual(["get"]);
    expect(Object.keys(doc.paths["/api/v1/api-tokens/{id}"])).toEqual(["delete"]);
    const sc = doc.components.schemas;
    for (const k of ["exp", "expired", "description"]) expect(sc.ApiToken.properties[k]).toBeDefined();
    for (const k of ["maxAge", "expiresAt", "description"]) expect(sc.ApiTokenCreate.properties[k]).toBeDefined();
    expect(sc.OwnApiToken.properties.grants).toBeDefined();
  });
});

describe("the dashboard", () => {
  test("tokens of no user are listed on /ui/admin/users and revoked there, audited", async () => {
    const token = await s.token("editor", "hr");
    const root = await signIn("root", "root password");
    const html = await (await root.get("/ui/admin/users")).text();
    expect(html).toContain("API tokens of no user");
    expect(html).toContain('<span class="label">editor@hr</span>');
    expect(html).toContain("nightly job");
    expect(html).toContain('<span class="state s-killed">EXPIRED</span>'); // nightly, 8 days on
    const id = /action="\/ui\/admin\/api-tokens\/([^/"]+)\/revoke"/g;
    const listed = [...html.matchAll(id)].map((m) => m[1]);
    const row = (await call("GET", "/api/v1/api-tokens")).body.results.find((t: { grants: { role: string; namespace: string }[] }) => t.grants.some((g) => g.role === "editor" && g.namespace === "hr"));
    expect(listed).toContain(row.id);

    const res = await root.post(`/ui/admin/api-tokens/${row.id}/revoke`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/ui/admin/users#api-tokens");
    expect(await flowsStatus(bearer(token))).toBe(401);
    expect((await root.post(`/ui/admin/api-tokens/${row.id}/revoke`, {})).status).toBe(404);
    const vic = await signIn("alice", "alice password");
    expect((await vic.post(`/ui/admin/api-tokens/${row.id}/revoke`, {})).status).toBe(403);

    const audit = (await call("GET", "/api/v1/audit?size=500")).body.results as { action: string; actor: string; target: string; detail: { via?: string } }[];
    expect(audit).toContainEqual(expect.objectContaining({ action: "token.delete", actor: "user:root", target: `/ui/admin/api-tokens/${row.id}/revoke` }));
  });

  test("the token form takes a description and an expiry, and the list shows both", async () => {
    const root = await signIn("root", "root password");
    await root.get(`/ui/admin/users/${aliceId}`);
    const res = await root.post(`/ui/admin/users/${aliceId}/tokens`, { name: "weekly", description: "<i>weekly</i> report", maxAge: "P7D" });
    expect(res.status).toBe(200);
    const token = /<pre class="mono" id="new-token">(tern_[\w-]+)<\/pre>/.exec(await res.text())![1];
    const page = await (await root.get(`/ui/admin/users/${aliceId}`)).text();
    expect(page).toContain("&lt;i&gt;weekly&lt;/i&gt; report");
    expect(page).toContain(`<time datetime="${new Date(clock + 7 * 24 * HOUR).toISOString()}"`);
    expect(page).toContain('<option value="P30D">30 days</option>');
    const odd = await root.post(`/ui/admin/users/${aliceId}/tokens`, { name: "odd", maxAge: "soon" });
    expect(odd.status).toBe(422);
    expect(await odd.text()).toContain("not a positive ISO-8601 duration");
    expect(await flowsStatus(bearer(token))).toBe(200);
    clock += 7 * 24 * HOUR + 1;
    expect(await flowsStatus(bearer(token))).toBe(401);
  });
});

describe("a password change signs the user out elsewhere", () => {
  test("over the API: every session of the user ends; the user's tokens stay", async () => {
    const b1 = await signIn("alice", "alice password");
    const b2 = await signIn("alice", "alice password");
    const t = (await call("POST", `/api/v1/users/${aliceId}/api-tokens`, { name: "stays" })).body.fullToken as string;
    expect([await pageStatus(b1), await apiStatus(b2)]).toEqual([200, 200]);
    expect((await call("PUT", `/api/v1/users/${aliceId}/password`, { password: "alice password 2" })).status).toBe(204);
    expect(await pageStatus(b1)).toBe(303);
    expect(await apiStatus(b2)).toBe(401);
    expect(await flowsStatus(bearer(t))).toBe(200);
    const entry = (await call("GET", "/api/v1/audit?size=500")).body.results.find((e: { action: string; target: string }) => e.action === "user.password" && e.target === `/api/v1/users/${aliceId}/password`);
    expect(entry).toBeDefined();
  });

  test("on the dashboard: changing your own password keeps this browser signed in, not the others", async () => {
    const here = await signIn("root", "root password");
    const there = await signIn("root", "root password");
    const rootId = (await findAccount(s.tern.db, "root")).id;
    await here.get(`/ui/admin/users/${rootId}`);
    expect((await here.post(`/ui/admin/users/${rootId}/password`, { password: "root password 2" })).status).toBe(303);
    expect(await pageStatus(here)).toBe(200);
    expect(await pageStatus(there)).toBe(303);
    // An admin changing someone else's password ends all of that user's sessions.
    const alice = await signIn("alice", "alice password 2");
    await here.get(`/ui/admin/users/${aliceId}`);
    expect((await here.post(`/ui/admin/users/${aliceId}/password`, { password: "alice password 3" })).status).toBe(303);
    expect(await pageStatus(alice)).toBe(303);
    expect(await pageStatus(here)).toBe(200);
  });

  test("`tern user passwd` from another process ends the user's sessions", async () => {
    const alice = await signIn("alice", "alice password 3");
    expect(await pageStatus(alice)).toBe(200);
    const proc = Bun.spawn([process.execPath, "src/cli.ts", "user", "passwd", "alice", "--data", s.tern.config.dataDir], {
      cwd: join(import.meta.dir, ".."), stdin: new Blob(["alice password 4\n"]), stdout: "pipe", stderr: "pipe",
    });
    const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out).toContain("password of alice changed; 1 session(s) signed out");
    expect(await pageStatus(alice)).toBe(303);
    expect(await apiStatus(alice)).toBe(401);
    await signIn("alice", "alice password 4");
  });
});
