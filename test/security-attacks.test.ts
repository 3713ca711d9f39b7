// Concrete attacks against a running app, each asserting the safe outcome: CSRF, XSS through
// the login and audit pages, template and command injection, traversal, brute force, bodies,
// secrets at rest and in logs, the audit trail.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSecretStore, decryptValue, encryptValue, MASK, parseSecretKey } from "../src/secrets/index.ts";
import { basic, bearer, createSecureApp, type SecureApp } from "./helpers/secure-app.ts";

const yaml = { "content-type": "application/x-yaml" };
const flowSource = (ns: string, id: string) => `id: ${id}\nnamespace: ${ns}\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;

describe("no users configured (local mode)", () => {
  let s: SecureApp;
  beforeAll(async () => (s = await createSecureApp()));
  afterAll(() => s.close());

  test("cross-site form POST to the dashboard: 403, nothing created", async () => {
    const b = s.browser();
    await b.get("/ui/flows/new");
    const evil = { origin: "https://evil.example", "sec-fetch-site": "cross-site" };
    // A forged form has no token; even one that guessed the field name is cross-site.
    expect((await s.req("POST", "/ui/flows", { body: new URLSearchParams({ source: flowSource("x", "csrf1") }), headers: evil })).status).toBe(403);
    expect((await b.post("/ui/flows", { source: flowSource("x", "csrf2") }, evil)).status).toBe(403);
    expect((await s.req("POST", "/ui/flows", { body: new URLSearchParams({ source: flowSource("x", "csrf3"), _csrf: "guess" }) })).status).toBe(403);
    for (const id of ["csrf1", "csrf2", "csrf3"]) expect((await s.req("GET", `/api/v1/flows/x/${id}`)).status).toBe(404);
    // The same form from the page itself, with its token, works.
    expect((await b.post("/ui/flows", { source: flowSource("x", "ok") })).status).toBe(303);
    expect((await s.req("GET", "/api/v1/flows/x/ok")).status).toBe(200);
  });

  test("cross-site POST to the API (simple form, no preflight): 403, nothing created", async () => {
    const res = await s.req("POST", "/api/v1/flows", { body: flowSource("x", "api1"), headers: { "content-type": "text/plain", origin: "https://evil.example" } });
    expect(res.status).toBe(403);
    expect((await s.req("GET", "/api/v1/flows/x/api1")).status).toBe(404);
  });

  test("DNS rebinding: without auth only loopback host names are answered", async () => {
    expect((await s.app.request("http://evil.example/api/v1/flows/search")).status).toBe(403);
    expect((await s.app.request("http://127.0.0.1/api/v1/flows/search")).status).toBe(200);
  });

  test("pages carry a CSP without unsafe-eval, no framing, and htmx pinned to its origin", async () => {
    const res = await s.req("GET", "/ui/flows");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-eval");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(await res.text()).toContain("&quot;mode&quot;: &quot;same-origin&quot;");
  });

  test("template injection through inputs stays literal", async () => {
    const src = `id: tpl\nnamespace: x\ninputs:\n  - id: name\n    type: STRING\ntasks:\n  - id: say\n    type: io.kestra.plugin.core.log.Log\n    message: "hello {{ inputs.name }}"\n`;
    expect((await s.req("POST", "/api/v1/flows", { body: src, headers: yaml })).status).toBe(200);
    const payload = "{{ 7 * 7 }}{% for i in range(1,3) %}X{% endfor %}{{ secret('PW') }}";
    const fd = new FormData();
    fd.set("name", payload);
    const ex = (await (await s.req("POST", "/api/v1/executions/x/tpl?wait=true", { body: fd })).json()) as { id: string; state: { current: string } };
    expect(ex.state.current).toBe("SUCCESS");
    const logs = (await (await s.req("GET", `/api/v1/logs/${ex.id}`)).json()) as { message: string }[];
    expect(logs.map((l) => l.message)).toContain(`hello ${payload}`);
  });

  test("command injection through an input reaches the script only as data", async () => {
    const marker = `/tmp/tern-pwned-${process.pid}`;
    const src = `id: sh\nnamespace: x\ninputs:\n  - id: v\n    type: STRING\ntasks:\n  - id: run\n    type: io.kestra.plugin.scripts.shell.Commands\n    env:\n      V: "{{ inputs.v }}"\n    commands:\n      - printf 'got:%s\\n' "$V"\n`;
    expect((await s.req("POST", "/api/v1/flows", { body: src, headers: yaml })).status).toBe(200);
    const payload = `$(touch ${marker}); touch ${marker} \`touch ${marker}\` && echo`;
    const res = await s.req("POST", "/api/v1/executions/x/sh?wait=true", { body: JSON.stringify({ v: payload }), headers: { "content-type": "application/json" } });
    const ex = (await res.json()) as { id: string; state: { current: string } };
    expect(ex.state.current).toBe("SUCCESS");
    const logs = (await (await s.req("GET", `/api/v1/logs/${ex.id}`)).json()) as { message: string }[];
    expect(logs.some((l) => l.message.includes(`got:${payload}`))).toBe(true);
    expect(await Bun.file(marker).exists()).toBe(false);
  });

  test("path traversal in file URIs and KV keys is refused (400, never a file)", async () => {
    const ex = (await (await s.req("POST", "/api/v1/executions/x/tpl?wait=true", { body: JSON.stringify({ name: "a" }), headers: { "content-type": "application/json" } })).json()) as { id: string };
    for (const p of ["kestra:///../../../etc/passwd", "kestra:///x/tpl/../../etc/passwd", "kestra:///%2e%2e/%2e%2e/etc/passwd", "/etc/passwd", "file:///etc/passwd"]) {
      const res = await s.req("GET", `/api/v1/executions/${ex.id}/file?path=${encodeURIComponent(p)}`);
      expect(res.status).toBe(400);
      expect(await res.text()).not.toContain("root:");
    }
    expect((await s.req("PUT", "/api/v1/namespaces/x/kv/..%2F..%2Fetc", { body: "v", headers: { "content-type": "text/plain" } })).status).toBe(400);
  });

  test("oversized bodies are 413, malformed ones 400, both JSON without a stack", async () => {
    const big = await s.req("POST", "/api/v1/flows", { body: "x".repeat(65 * 1024), headers: yaml });
    expect(big.status).toBe(413);
    const bad = await s.req("POST", "/api/v1/executions/x/tpl", { body: "{not json", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    for (const r of [big, bad]) {
      const text = await r.text();
      expect(JSON.parse(text).error.message).toBeString();
      expect(text).not.toMatch(/at .*\.ts:\d+/);
    }
    // A YAML alias bomb is refused quickly, not expanded.
    const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\nid: bomb\nnamespace: x\ntasks: []\n`;
    const t0 = performance.now();
    const res = await s.req("POST", "/api/v1/flows", { body: bomb, headers: yaml });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  test("secrets are masked in logs, also base64- and URL-encoded", async () => {
    const pw = "s3cr3t p@ss/word";
    await s.tern.secrets.set("PW", pw);
    const src = `id: leak\nnamespace: x\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message:\n      - "plain {{ secret('PW') }}"\n      - "b64 {{ secret('PW') | base64encode }}"\n      - "url {{ secret('PW') | urlencode }}"\n`;
    expect((await s.req("POST", "/api/v1/flows", { body: src, headers: yaml })).status).toBe(200);
    const ex = (await (await s.req("POST", "/api/v1/executions/x/leak?wait=true")).json()) as { id: string };
    const text = await (await s.req("GET", `/api/v1/logs/${ex.id}/download`)).text();
    expect(text).toContain(`plain ${MASK}`);
    expect(text).toContain(`b64 ${MASK}`);
    expect(text).toContain(`url ${MASK}`);
    for (const form of [pw, Buffer.from(pw).toString("base64"), encodeURIComponent(pw)]) expect(text).not.toContain(form);
    // The dashboard's namespace page lists the name, never the value.
    const page = await (await s.req("GET", "/ui/namespaces/x")).text();
    expect(page).not.toContain(pw);
  });
});

describe("secrets at rest", () => {
  test("a wrong key cannot decrypt, and a tampered value fails the GCM check", async () => {
    const s = await createSecureApp();
    try {
      const right = createSecretStore(s.tern.db, { key: "key-one" });
      await right.set("DB", "hunter2-password");
      const raw = await s.tern.db.$client.execute("SELECT ciphertext FROM secrets WHERE key = 'DB'");
      expect(String(raw.rows[0].ciphertext)).not.toContain("hunter2");
      await expect(createSecretStore(s.tern.db, { key: "key-two" }).get("DB")).rejects.toThrow("not configured");
      const sealed = encryptValue(parseSecretKey("key-one"), "v");
      expect(() => decryptValue(parseSecretKey("key-two"), sealed)).toThrow("cannot decrypt");
      const tampered = Buffer.from(sealed, "base64");
      tampered[14] ^= 1;
      expect(() => decryptValue(parseSecretKey("key-one"), tampered.toString("base64"))).toThrow("cannot decrypt");
    } finally {
      await s.close();
    }
  });
});

describe("with users", () => {
  let s: SecureApp;
  beforeAll(async () => {
    s = await createSecureApp({ env: { TERN_API_RATE: "5" }, auth: { loginBurst: 5, loginEverySec: 60 } });
    await s.user("alice", "correct horse battery", "admin");
    await s.user("vic", "viewer password", "viewer");
  });
  afterAll(() => s.close());

  test("brute-force login is rate limited (429), the right password too once over the limit", async () => {
    const b = s.browser();
    await b.get("/login");
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await b.post("/login", { username: "vic", password: `guess${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await b.post("/login", { username: "vic", password: "viewer password" })).status).toBe(429);
    // Basic auth on the API shares the limit.
    expect((await s.req("GET", "/api/v1/flows/search", { headers: basic("vic", "nope") })).status).toBe(429);
  });

  test("login sets an HttpOnly SameSite=Lax session (Secure behind TLS); logout ends it", async () => {
    const b = s.browser();
    await b.get("/login", { "x-forwarded-proto": "https" });
    const res = await b.post("/login", { username: "alice", password: "correct horse battery", next: "//evil.example/" }, { "x-forwarded-proto": "https" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("tern_session="))!;
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Secure");
    expect((await b.get("/ui/flows")).status).toBe(200);
    expect((await b.get("/api/v1/flows/search")).status).toBe(200);
    expect((await b.post("/logout", {})).status).toBe(303);
    expect((await b.get("/ui/flows")).status).toBe(303); // back to the login page
  });

  test("XSS payloads in the login form and the audit log are rendered as text", async () => {
    const xss = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;
    const b = s.browser();
    await b.get(`/login?next=${encodeURIComponent(xss)}`);
    const page = await (await b.post("/login", { username: xss, password: "x", next: xss })).text();
    expect(page).not.toContain("<script>alert(1)");
    expect(page).not.toContain("<img src=x");
    expect(page).toContain("&lt;script&gt;");
    const admin = s.browser();
    await admin.get("/login");
    await admin.post("/login", { username: "alice", password: "correct horse battery" });
    const audit = await (await admin.get("/ui/audit?action=login.failed")).text();
    expect(audit).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(audit).not.toContain("<script>alert(1)");
  });

  test("the audit log records logins, failures and changes; admins only; exportable", async () => {
    const token = await s.token("admin");
    const h = bearer(token);
    expect((await s.req("POST", "/api/v1/flows", { body: flowSource("team", "audited"), headers: { ...h, ...yaml } })).status).toBe(200);
    const ex = (await (await s.req("POST", "/api/v1/executions/team/audited?wait=true", { headers: h })).json()) as { id: string };
    expect((await s.req("DELETE", "/api/v1/flows/team/audited", { headers: h })).status).toBe(204);
    const page = (await (await s.req("GET", "/api/v1/audit?size=100", { headers: h })).json()) as { results: { action: string; actor: string; target: string }[] };
    const actions = page.results.map((e) => e.action);
    for (const a of ["login", "login.failed", "login.throttled", "logout", "user.create", "token.create", "flow.create", "execution.create", "flow.delete"]) expect(actions).toContain(a);
    expect(page.results.find((e) => e.action === "execution.create")!.target).toContain("/api/v1/executions/team/audited");
    expect(JSON.stringify(page)).toContain(ex.id);
    const csv = await (await s.req("GET", "/api/v1/audit/export?format=csv", { headers: h })).text();
    expect(csv.split("\n")[0]).toBe("id,at,actor,action,target,detail");
    expect(csv).toContain('"flow.delete"');
    const viewer = await s.token("viewer");
    expect((await s.req("GET", "/api/v1/audit", { headers: bearer(viewer) })).status).toBe(403);
    expect((await s.req("GET", "/ui/audit", { headers: bearer(viewer) })).status).toBe(403);
    // Append-only in the database itself.
    await expect(s.tern.db.$client.execute("DELETE FROM audit")).rejects.toThrow("append-only");
  });

  test("the API rate limit per token answers 429 with Retry-After", async () => {
    const h = bearer(await s.token("viewer"));
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await s.req("GET", "/api/v1/namespaces/search", { headers: h })).status);
    expect(statuses.slice(0, 10).every((x) => x === 200)).toBe(true);
    expect(statuses).toContain(429);
    const res = await s.req("GET", "/api/v1/namespaces/search", { headers: h });
    expect(res.headers.get("retry-after")).toBeTruthy();
  });

  test("a viewer cannot run, kill or edit from the dashboard either", async () => {
    const b = s.browser();
    await b.get("/login");
    await b.post("/login", { username: "vic", password: "viewer password" }).catch(() => undefined);
    // vic may be rate limited from the brute-force test: use a fresh viewer.
    await s.user("val", "viewer password2", "viewer");
    const v = s.browser();
    await v.get("/login");
    expect((await v.post("/login", { username: "val", password: "viewer password2" })).status).toBe(303);
    await v.get("/ui/flows/new");
    expect((await v.post("/ui/flows", { source: flowSource("team", "byviewer") })).status).toBe(403);
    expect((await s.req("GET", "/api/v1/flows/team/byviewer", { headers: bearer(await s.token("admin")) })).status).toBe(404);
  });
});
