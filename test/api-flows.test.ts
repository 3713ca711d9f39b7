// /api/v1/flows in-process: create, get (with source, by revision), update, revisions,
// search, validate, replace a namespace, delete.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "./helpers/server.ts";

const flow = (id: string, ns = "company.team", message = "hello") =>
  `id: ${id}\nnamespace: ${ns}\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${message}\n`;
const YAML = { "content-type": "application/x-yaml" };

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("flows", () => {
  test("POST creates a flow from YAML and answers with its source", async () => {
    const res = await t.flow(flow("first"));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ id: "first", namespace: "company.team", revision: 1, disabled: false, deleted: false, source: flow("first") });
    expect(body.tasks[0]).toMatchObject({ id: "log", type: "io.kestra.plugin.core.log.Log" });
  });

  test("POST of an existing flow is a conflict", async () => {
    const res = await t.flow(flow("first"));
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe("CONFLICT");
  });

  test("POST of an invalid flow is 422 with line and column", async () => {
    const res = await t.flow("id: bad\nnamespace: company.team\ntasks:\n  - id: x\n    type: io.kestra.plugin.core.log.Lgo\n");
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.issues[0]).toMatchObject({ path: "tasks[0].type", line: 5, column: 11 });
    expect(error.issues[0].message).toContain("did you mean io.kestra.plugin.core.log.Log");
  });

  test("GET omits the source unless asked, 404 for an unknown flow", async () => {
    const plain = await (await t.call("GET", "/api/v1/flows/company.team/first")).json();
    expect(plain.source).toBeUndefined();
    expect(plain.revision).toBe(1);
    const withSource = await (await t.call("GET", "/api/v1/flows/company.team/first?source=true")).json();
    expect(withSource.source).toBe(flow("first"));
    const missing = await t.call("GET", "/api/v1/flows/company.team/nope");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatchObject({ code: "NOT_FOUND" });
  });

  test("PUT makes a new revision only when the source changes; revisions lists them", async () => {
    const same = await t.call("PUT", "/api/v1/flows/company.team/first", flow("first"), YAML);
    expect((await same.json()).revision).toBe(1);
    const changed = await t.call("PUT", "/api/v1/flows/company.team/first", flow("first", "company.team", "bye"), YAML);
    expect(changed.status).toBe(200);
    expect((await changed.json()).revision).toBe(2);
    const revs = await (await t.call("GET", "/api/v1/flows/company.team/first/revisions")).json();
    expect(revs.map((r: { revision: number }) => r.revision)).toEqual([1, 2]);
    expect(revs[0].source).toBe(flow("first"));
    const old = await (await t.call("GET", "/api/v1/flows/company.team/first?revision=1&source=true")).json();
    expect(old.source).toBe(flow("first"));
  });

  test("PUT refuses a source of another flow and an unknown flow", async () => {
    const other = await t.call("PUT", "/api/v1/flows/company.team/first", flow("second"), YAML);
    expect(other.status).toBe(422);
    const unknown = await t.call("PUT", "/api/v1/flows/company.team/ghost", flow("ghost"), YAML);
    expect(unknown.status).toBe(404);
  });

  test("search pages through flows by namespace and text", async () => {
    for (const id of ["s1", "s2", "s3"]) expect((await t.flow(flow(id, "search.ns"))).status).toBe(200);
    const page = await (await t.call("GET", "/api/v1/flows/search?namespace=search&size=2&page=2")).json();
    expect(page.total).toBe(3);
    expect(page.results.map((f: { id: string }) => f.id)).toEqual(["s3"]);
    const q = await (await t.call("GET", "/api/v1/flows/search?q=s2")).json();
    expect(q.results.map((f: { id: string }) => f.id)).toEqual(["s2"]);
    const list = await (await t.call("GET", "/api/v1/flows/search.ns")).json();
    expect(list).toHaveLength(3);
    const bad = await t.call("GET", "/api/v1/flows/search?size=0");
    expect(bad.status).toBe(400);
  });

  test("validate reports every document, Kestra-style plus line/column errors", async () => {
    const src = `${flow("ok")}---\nid: broken\nnamespace: company.team\ntasks:\n  - id: x\n    type: nope.Nope\n`;
    const res = await t.call("POST", "/api/v1/flows/validate", src, YAML);
    expect(res.status).toBe(200);
    const [a, b] = await res.json();
    expect(a).toMatchObject({ index: 0, flow: "ok", namespace: "company.team", errors: [] });
    expect(a.constraints).toBeUndefined();
    expect(b).toMatchObject({ index: 1, flow: "broken", namespace: "company.team" });
    expect(b.errors[0]).toMatchObject({ line: 12, path: "tasks[0].type" });
    expect(b.constraints).toContain("tasks[0].type");
    // Nothing was stored.
    expect((await t.call("GET", "/api/v1/flows/company.team/ok")).status).toBe(404);
  });

  test("POST /flows/{namespace} replaces a namespace's flows, atomically validated", async () => {
    const v1 = [flow("a", "gitops"), flow("b", "gitops"), flow("c", "gitops")].join("---\n");
    const first = await t.call("POST", "/api/v1/flows/gitops", v1, YAML);
    expect(first.status).toBe(200);
    expect((await first.json()).map((f: { id: string }) => f.id)).toEqual(["a", "b", "c"]);

    // A bad document: nothing stored, nothing deleted.
    const bad = await t.call("POST", "/api/v1/flows/gitops?delete=true", `${flow("a", "gitops", "v2")}---\nid: z\nnamespace: gitops\n`, YAML);
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.issues.length).toBeGreaterThan(0);
    expect((await (await t.call("GET", "/api/v1/flows/gitops/a")).json()).revision).toBe(1);

    const wrongNs = await t.call("POST", "/api/v1/flows/gitops", flow("x", "elsewhere"), YAML);
    expect(wrongNs.status).toBe(422);

    const v2 = await t.call("POST", "/api/v1/flows/gitops?delete=true", [flow("a", "gitops", "v2"), flow("b", "gitops")].join("---\n"), YAML);
    expect(v2.status).toBe(200);
    expect((await (await t.call("GET", "/api/v1/flows/gitops/a")).json()).revision).toBe(2);
    expect((await (await t.call("GET", "/api/v1/flows/gitops/b")).json()).revision).toBe(1);
    expect((await t.call("GET", "/api/v1/flows/gitops/c")).status).toBe(404);
  });

  test("DELETE removes a flow; a second delete is 404", async () => {
    expect((await t.flow(flow("doomed"))).status).toBe(200);
    expect((await t.call("DELETE", "/api/v1/flows/company.team/doomed")).status).toBe(204);
    expect((await t.call("GET", "/api/v1/flows/company.team/doomed")).status).toBe(404);
    expect((await t.call("DELETE", "/api/v1/flows/company.team/doomed")).status).toBe(404);
    // Re-creating a deleted flow is allowed.
    expect((await t.flow(flow("doomed"))).status).toBe(200);
  });
});
