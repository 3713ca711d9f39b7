// /ui/admin/users in-process: admins see users and grants and change them with CSRF-protected
// form posts (add, grants, disable, delete, tokens shown once, revoke); everyone else is
// refused; refused changes show the page again with the reason; user data is escaped.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { findAccount } from "../src/auth/accounts.ts";
import { bearer, createSecureApp, type Browser, type SecureApp } from "./helpers/secure-app.ts";

// Each new user hashes a password and each sign-in verifies one (argon2id, 64 MiB): seconds
// on a loaded two-core machine, so these tests get more than bun's default 5 s.
setDefaultTimeout(30_000);

let s: SecureApp;
let root: Browser;

async function signIn(username: string, password: string) {
  const b = s.browser();
  await b.get("/login");
  expect((await b.post("/login", { username, password })).status).toBe(303);
  return b;
}

const flowsStatus = async (token: string) => (await s.req("GET", "/api/v1/flows/search", { headers: bearer(token) })).status;

beforeAll(async () => {
  s = await createSecureApp({ env: { TERN_API_RATE: "10000" } });
  await s.user("root", "root password", "admin");
  await s.user("vic", "viewer password", "viewer");
  await s.user("fin", "finance admin password", "admin", "finance.*");
  root = await signIn("root", "root password");
});
afterAll(() => s.close());

describe("who may open it", () => {
  test("an admin gets the page, linked from the navigation", async () => {
    const res = await root.get("/ui/admin/users");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<a href="/ui/admin/users">Users and tokens</a>');
    for (const name of ["root", "vic", "fin"]) expect(html).toContain(`>${name}</a>`);
    expect(html).toContain('<span class="label">admin@*</span>');
    expect(html).toContain('<span class="label">admin@finance</span>');
    expect(html).toContain('action="/ui/admin/users"');
    expect(html).toMatch(/name="_csrf" value="[^"]+"/);
  });

  test("a viewer gets 403 and no link; an admin of one namespace is sent to its flows", async () => {
    const vic = await signIn("vic", "viewer password");
    expect((await vic.get("/ui/admin/users")).status).toBe(403);
    expect(await (await vic.get("/ui/flows")).text()).not.toContain("/ui/admin/users");
    const fin = await signIn("fin", "finance admin password");
    const res = await fin.get("/ui/admin/users");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/ui/flows?namespace=finance");
    expect((await vic.post("/ui/admin/users", { username: "sneaky", password: "sneaky password", role: "admin" })).status).toBe(403);
    expect((await fin.post("/ui/admin/users", { username: "sneaky", password: "sneaky password", role: "admin" })).status).toBe(403);
    await expect(findAccount(s.tern.db, "sneaky")).rejects.toThrow("no user");
  });
});

describe("forms", () => {
  let id = "";

  test("adding a user: a form post creates it (and it can sign in); without the CSRF token nothing happens", async () => {
    const forged = await s.req("POST", "/ui/admin/users", { body: new URLSearchParams({ username: "forged", password: "forged password", role: "admin" }), headers: { cookie: [...root.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } });
    expect(forged.status).toBe(403);
    await expect(findAccount(s.tern.db, "forged")).rejects.toThrow("no user");

    const res = await root.post("/ui/admin/users", { username: "nina", password: "nina password", role: "operator", namespaces: "finance.*, hr" });
    expect(res.status).toBe(303);
    const account = await findAccount(s.tern.db, "nina");
    id = account.id;
    expect(res.headers.get("location")).toBe(`/ui/admin/users/${id}`);
    expect(account.grants).toEqual([{ role: "operator", prefix: "finance" }, { role: "operator", prefix: "hr" }]);
    await signIn("nina", "nina password");
    const page = await (await root.get(`/ui/admin/users/${id}`)).text();
    expect(page).toContain('<span class="label">operator@finance</span>');
    expect(page).toContain("No API tokens.");
  });

  test("a refused form shows the page again with the reason and the values entered", async () => {
    const short = await root.post("/ui/admin/users", { username: "oscar", password: "short", role: "viewer", namespaces: "" });
    expect(short.status).toBe(422);
    const html = await short.text();
    expect(html).toContain("the password needs at least 8 characters");
    expect(html).toContain('value="oscar"');
    const dup = await root.post("/ui/admin/users", { username: "nina", password: "long enough", role: "viewer", namespaces: "" });
    expect(dup.status).toBe(409);
    const xss = await root.post("/ui/admin/users", { username: "<script>alert(1)</script>", password: "long enough", role: "viewer", namespaces: "" });
    expect(xss.status).toBe(422);
    const body = await xss.text();
    expect(body).not.toContain("<script>alert(1)");
    expect(body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  test("a token is shown once, with a note, then only listed; it works until revoked", async () => {
    const res = await root.post(`/ui/admin/users/${id}/tokens`, { name: "<b>ci</b>" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("it will not be shown again");
    const token = /<pre class="mono" id="new-token">(tern_[\w-]+)<\/pre>/.exec(html)![1];
    expect(html).toContain("&lt;b&gt;ci&lt;/b&gt;");
    expect(html).not.toContain("<b>ci</b>");
    expect(await flowsStatus(token)).toBe(200);

    const later = await (await root.get(`/ui/admin/users/${id}`)).text();
    expect(later).not.toContain(token);
    const tokenId = /action="\/ui\/admin\/users\/[^/]+\/tokens\/([^/]+)\/revoke"/.exec(later)![1];
    const revoke = await root.post(`/ui/admin/users/${id}/tokens/${tokenId}/revoke`, {});
    expect(revoke.status).toBe(303);
    expect(await flowsStatus(token)).toBe(401);
  });

  test("grants are replaced; disable and enable return to the page they came from", async () => {
    expect((await root.post(`/ui/admin/users/${id}/grants`, { role: "editor", namespaces: "" })).status).toBe(303);
    expect((await findAccount(s.tern.db, id)).grants).toEqual([{ role: "editor", prefix: "*" }]);

    const off = await root.post(`/ui/admin/users/${id}/disable`, { back: "user" });
    expect(off.headers.get("location")).toBe(`/ui/admin/users/${id}`);
    expect((await findAccount(s.tern.db, id)).disabled).toBe(true);
    expect(await (await root.get(`/ui/admin/users/${id}`)).text()).toContain("Enable the user to create API tokens.");
    const on = await root.post(`/ui/admin/users/${id}/enable`, { back: "list" });
    expect(on.headers.get("location")).toBe("/ui/admin/users");
    expect((await findAccount(s.tern.db, id)).disabled).toBe(false);
  });

  test("the last enabled admin is kept (409 page); deleting a user removes it; changes are audited", async () => {
    const rootId = (await findAccount(s.tern.db, "root")).id;
    const last = await root.post(`/ui/admin/users/${rootId}/delete`, {});
    expect(last.status).toBe(409);
    expect(await last.text()).toContain("last enabled admin");
    expect((await root.post(`/ui/admin/users/${rootId}/disable`, { back: "list" })).status).toBe(409);

    const del = await root.post(`/ui/admin/users/${id}/delete`, {});
    expect(del.status).toBe(303);
    expect(del.headers.get("location")).toBe("/ui/admin/users");
    await expect(findAccount(s.tern.db, id)).rejects.toThrow("no user");
    expect((await root.get(`/ui/admin/users/${id}`)).status).toBe(404);

    const audit = (await (await s.req("GET", "/api/v1/audit?size=500", { headers: bearer(await s.token("admin")) })).json()) as { results: { action: string; actor: string; target: string; detail: { via?: string } }[] };
    const mine = audit.results.filter((e) => e.actor === "user:root" && e.detail?.via === "dashboard").map((e) => e.action);
    for (const a of ["user.create", "token.create", "token.delete", "user.grants", "user.disable", "user.enable", "user.delete"]) expect(mine).toContain(a);
    // Refused posts are not recorded as changes.
    expect(audit.results.filter((e) => e.target === `/ui/admin/users/${rootId}/delete`)).toEqual([]);
  });
});
