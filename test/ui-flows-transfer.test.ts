// /ui/flows: the Export link carries the current filter; the import form (multipart, CSRF)
// stores the flows a scoped user may edit and shows the others with file:line:col errors.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createSecureApp, type Browser, type SecureApp } from "./helpers/secure-app.ts";

let s: SecureApp;
let b: Browser;
const flow = (id: string, ns: string) => `id: ${id}\nnamespace: ${ns}\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;

beforeAll(async () => {
  s = await createSecureApp();
  await s.user("fin", "finance editor password", "editor", "finance.*");
  b = s.browser();
  await b.get("/login");
  expect((await b.post("/login", { username: "fin", password: "finance editor password" })).status).toBe(303);
});
afterAll(() => s.close());

function postImport(name: string, text: string, csrf = b.csrf()) {
  const fd = new FormData();
  fd.append("_csrf", csrf);
  fd.append("fileUpload", new File([text], name));
  const cookie = [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  return s.app.request("/ui/flows/import", { method: "POST", body: fd, headers: { cookie } });
}

test("the Export link is the by-query ZIP of the current filter, and it downloads with the session", async () => {
  const page = await (await b.get("/ui/flows?namespace=finance&q=x")).text();
  expect(page).toContain('href="/api/v1/flows/export/by-query?namespace=finance&amp;q=x"');
  expect(page).toContain('action="/ui/flows/import"');
  const zip = await b.get("/api/v1/flows/export/by-query?namespace=finance");
  expect(zip.status).toBe(200);
  expect(zip.headers.get("content-type")).toBe("application/octet-stream");
});

test("import: the finance flow is stored, the hr one and an invalid one are shown with their errors", async () => {
  const yaml = `${flow("ui1", "finance")}---\n${flow("ui1", "hr")}---\nid: bad\nnamespace: finance\ntasks:\n  - id: x\n    type: io.kestra.plugin.core.log.Lgo\n`;
  const res = await postImport("mine.yaml", yaml);
  expect(res.status).toBe(422);
  const html = await res.text();
  expect(html).toContain("Imported 1 flow.");
  expect(html).toContain("Not imported: 1");
  expect(html).toContain("the editor role on namespace hr is required");
  expect(html).toContain("Not imported: 2");
  expect(html).toContain("mine.yaml:19:11 tasks[0].type: unknown task type");
  expect(await s.tern.flows.get("finance", "ui1")).toBeDefined();
  expect(await s.tern.flows.get("hr", "ui1")).toBeUndefined();
});

test("without the CSRF token the import is refused and nothing is stored", async () => {
  const res = await postImport("x.yaml", flow("ui2", "finance"), "wrong");
  expect(res.status).toBe(403);
  expect(await s.tern.flows.get("finance", "ui2")).toBeUndefined();
});
