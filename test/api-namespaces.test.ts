// /api/v1/namespaces in-process: namespaces from flows, and the KV store (typed JSON values,
// text values, ttl, list, delete) shared with kv() in flows.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "./helpers/server.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  for (const ns of ["company.team", "company.data.ingest", "other"]) {
    expect((await t.flow(`id: f\nnamespace: ${ns}\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: x\n`)).status).toBe(200);
  }
});
afterAll(() => t.close());

describe("namespaces", () => {
  test("search lists namespaces holding flows and their parents", async () => {
    const all = await (await t.call("GET", "/api/v1/namespaces/search")).json();
    expect(all.results.map((n: { id: string }) => n.id)).toEqual(["company", "company.data", "company.data.ingest", "company.team", "other"]);
    const q = await (await t.call("GET", "/api/v1/namespaces/search?q=data&size=1")).json();
    expect(q).toEqual({ results: [{ id: "company.data", deleted: false }], total: 2 });
  });
});

describe("kv", () => {
  const kv = (key: string) => `/api/v1/namespaces/company.team/kv/${key}`;

  test("JSON bodies keep their type, text bodies are strings", async () => {
    expect((await t.call("PUT", kv("cfg"), { retries: 3 })).status).toBe(204);
    expect(await (await t.call("GET", kv("cfg"))).json()).toEqual({ type: "JSON", value: { retries: 3 } });
    await t.call("PUT", kv("n"), "42", { "content-type": "application/json" });
    expect(await (await t.call("GET", kv("n"))).json()).toEqual({ type: "NUMBER", value: 42 });
    await t.call("PUT", kv("s"), "42", { "content-type": "text/plain" });
    expect(await (await t.call("GET", kv("s"))).json()).toEqual({ type: "STRING", value: "42" });
    expect((await t.call("PUT", kv("bad"), "{", { "content-type": "application/json" })).status).toBe(400);
  });

  test("a value set through the API is what kv() reads in a flow", async () => {
    await t.call("PUT", kv("greeting"), "bonjour", { "content-type": "text/plain" });
    await t.flow("id: reader\nnamespace: company.team\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: \"{{ kv('greeting') }}\"\n");
    const ex = await (await t.call("POST", "/api/v1/executions/company.team/reader?wait=true", {})).json();
    expect(ex.taskRunList[0].outputs.value).toBe("bonjour");
  });

  test("list, ttl and delete", async () => {
    await t.call("PUT", kv("brief"), "x", { "content-type": "text/plain", ttl: "PT1H" });
    const list = await (await t.call("GET", "/api/v1/namespaces/company.team/kv")).json();
    const brief = list.find((e: { key: string }) => e.key === "brief");
    expect(Date.parse(brief.expirationDate) - Date.now()).toBeGreaterThan(3_500_000);
    expect(list.map((e: { key: string }) => e.key)).toEqual(["brief", "cfg", "greeting", "n", "s"]);
    expect((await t.call("PUT", kv("x"), "1", { "content-type": "text/plain", ttl: "soon" })).status).toBe(400);
    expect((await t.call("DELETE", kv("brief"))).status).toBe(204);
    expect((await t.call("GET", kv("brief"))).status).toBe(404);
    expect((await t.call("DELETE", kv("brief"))).status).toBe(404);
    expect((await t.call("GET", "/api/v1/namespaces/company.team/kv/bad%20key")).status).toBe(400);
  });
});
