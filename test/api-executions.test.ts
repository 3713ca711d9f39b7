// /api/v1/executions in-process: create (JSON, multipart with a FILE input, labels, wait),
// the 404/409/422 answers, get, search, file download and delete.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "./helpers/server.ts";

const GREET = `id: greet
namespace: company.team
inputs:
  - id: name
    type: STRING
  - id: count
    type: INT
    defaults: 1
  - id: doc
    type: FILE
    required: false
tasks:
  - id: hello
    type: io.kestra.plugin.core.debug.Return
    format: "hi {{ inputs.name }} x{{ inputs.count }}"
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.hello.value }}"
`;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  expect((await t.flow(GREET)).status).toBe(200);
  expect((await t.flow("id: off\nnamespace: company.team\ndisabled: true\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: x\n")).status).toBe(200);
});
afterAll(() => t.close());

const create = (query: string, body?: unknown) => t.call("POST", `/api/v1/executions/company.team/greet${query}`, body);

describe("create", () => {
  test("JSON inputs, typed; ?wait=true answers with the finished execution", async () => {
    const res = await create("?wait=true", { name: "Ada", count: "3" });
    expect(res.status).toBe(200);
    const ex = await res.json();
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.inputs).toEqual({ name: "Ada", count: 3, doc: null });
    expect(ex.taskRunList.map((r: { taskId: string }) => r.taskId)).toEqual(["hello", "log"]);
    expect(ex.taskRunList[0].outputs).toEqual({ value: "hi Ada x3" });
    expect(ex.url).toBe(`/ui/executions/company.team/greet/${ex.id}`);
  });

  test("without wait it answers at once with the execution as created", async () => {
    const ex = await (await create("", { name: "B" })).json();
    expect(ex.state).toMatchObject({ current: "CREATED", histories: [{ state: "CREATED" }] });
    expect(ex.taskRunList).toEqual([]);
    expect((await t.ended(ex.id)).state).toBe("SUCCESS");
    const got = await (await t.call("GET", `/api/v1/executions/${ex.id}`)).json();
    expect(got.state.current).toBe("SUCCESS");
    expect(got.taskRunList).toHaveLength(2);
  });

  test("multipart: text fields and a FILE part stored under the execution's inputs", async () => {
    const form = new FormData();
    form.append("name", "Files");
    form.append("doc", new File(["col\n1\n"], "data.csv"));
    const ex = await (await create("?wait=true", form)).json();
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.inputs.doc).toBe(`kestra:///company/team/greet/executions/${ex.id}/inputs/doc/data.csv`);
    const file = await t.call("GET", `/api/v1/executions/${ex.id}/file?path=${encodeURIComponent(ex.inputs.doc)}`);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe("col\n1\n");
    expect(file.headers.get("content-disposition")).toContain("data.csv");
  });

  test("Kestra's client form: parts named `files` whose filename is the input id", async () => {
    const form = new FormData();
    form.append("name", "K");
    form.append("files", new File(["x"], "doc"));
    const ex = await (await create("?wait=true", form)).json();
    expect(ex.inputs.doc).toBe(`kestra:///company/team/greet/executions/${ex.id}/inputs/doc/doc`);
  });

  test("labels from ?labels=k:v; system labels and malformed labels are refused", async () => {
    const ex = await (await create("?labels=team:data&labels=env:prod", { name: "L" })).json();
    expect(ex.labels).toEqual(expect.arrayContaining([{ key: "team", value: "data" }, { key: "env", value: "prod" }]));
    expect((await create("?labels=system.x:1", { name: "L" })).status).toBe(422);
    expect((await create("?labels=nocolon", { name: "L" })).status).toBe(422);
  });

  test("422 names the invalid input; nothing is created", async () => {
    const before = (await (await t.call("GET", "/api/v1/executions/search?flowId=greet")).json()).total;
    const missing = await create("", {});
    expect(missing.status).toBe(422);
    const { error } = await missing.json();
    expect(error.issues[0].path).toBe("name");
    expect(error.message).toContain("`name`");
    const badInt = await create("", { name: "x", count: "many" });
    expect((await badInt.json()).error.issues[0].path).toBe("count");
    expect((await (await t.call("GET", "/api/v1/executions/search?flowId=greet")).json()).total).toBe(before);
  });

  test("expression defaults are rendered at creation; one that renders a bad value is a 422 naming it", async () => {
    const src = (dflt: string) => `id: dyn\nnamespace: company.team\ninputs:\n  - id: when\n    type: DATE\n    defaults: "${dflt}"\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ inputs.when }}"\n`;
    expect((await t.flow(src("{{ '2026-01-0' ~ 2 }}"))).status).toBe(200);
    const ok = await t.call("POST", "/api/v1/executions/company.team/dyn?wait=true", {});
    expect(ok.status).toBe(200);
    const ex = await ok.json();
    expect(ex.inputs).toEqual({ when: "2026-01-02" });
    expect(ex.taskRunList[0].outputs).toEqual({ value: "2026-01-02" });
    expect((await t.call("PUT", "/api/v1/flows/company.team/dyn", src("{{ 'not a date' }}"), { "content-type": "application/x-yaml" })).status).toBe(200);
    const bad = await t.call("POST", "/api/v1/executions/company.team/dyn", {});
    expect(bad.status).toBe(422);
    const { error } = await bad.json();
    expect(error.issues[0].path).toBe("when");
    expect(error.message).toContain("its default {{ 'not a date' }} renders a bad value");
  });

  test("404 unknown flow, 409 disabled flow, 400 malformed JSON", async () => {
    expect((await t.call("POST", "/api/v1/executions/company.team/nope", {})).status).toBe(404);
    expect((await t.call("POST", "/api/v1/executions/company.team/off", {})).status).toBe(409);
    const bad = await t.call("POST", "/api/v1/executions/company.team/greet", "{name:", { "content-type": "application/json" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe("BAD_REQUEST");
  });
});

describe("read", () => {
  test("GET of an unknown execution is 404", async () => {
    const res = await t.call("GET", "/api/v1/executions/doesnotexist");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "NOT_FOUND", message: "execution 'doesnotexist' not found" } });
  });

  test("search filters by namespace, flow, state, labels, dates; pages and sorts", async () => {
    const a = await (await create("?wait=true&labels=batch:s1", { name: "s" })).json();
    const b = await (await create("?wait=true&labels=batch:s1", { name: "s" })).json();
    const all = await (await t.call("GET", "/api/v1/executions/search?labels=batch:s1")).json();
    expect(all.total).toBe(2);
    expect(all.results.map((e: { id: string }) => e.id)).toEqual([b.id, a.id]);
    const asc = await (await t.call("GET", "/api/v1/executions/search?labels=batch:s1&sort=state.startDate:asc&size=1&page=2")).json();
    expect(asc.results.map((e: { id: string }) => e.id)).toEqual([b.id]);
    expect(asc.results[0].taskRunList).toHaveLength(2);
    const ns = await (await t.call("GET", "/api/v1/executions/search?namespace=company&flowId=greet&state=SUCCESS&state=FAILED")).json();
    expect(ns.total).toBeGreaterThanOrEqual(2);
    expect((await (await t.call("GET", "/api/v1/executions/search?state=RUNNING&labels=batch:s1")).json()).total).toBe(0);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await (await t.call("GET", `/api/v1/executions/search?startDate=${future}`)).json()).total).toBe(0);
    expect((await t.call("GET", "/api/v1/executions/search?state=NOPE")).status).toBe(400);
    expect((await t.call("GET", "/api/v1/executions/search?sort=password:asc")).status).toBe(400);
  });

  test("file download refuses paths outside the execution and traversal", async () => {
    const form = new FormData();
    form.append("name", "F");
    form.append("doc", new File(["secret"], "f.txt"));
    const ex = await (await create("?wait=true", form)).json();
    const other = await (await create("?wait=true", { name: "other" })).json();
    const url = (p: string) => `/api/v1/executions/${other.id}/file?path=${encodeURIComponent(p)}`;
    expect((await t.call("GET", url(ex.inputs.doc))).status).toBe(422);
    const prefix = `kestra:///company/team/greet/executions/${other.id}`;
    expect((await t.call("GET", url(`${prefix}/../${ex.id}/inputs/doc/f.txt`))).status).toBe(400);
    expect((await t.call("GET", url(`${prefix}/%2e%2e/x`))).status).toBe(400);
    expect((await t.call("GET", url("/etc/passwd"))).status).toBe(400);
    expect((await t.call("GET", url(`${prefix}/inputs/none.txt`))).status).toBe(404);
  });
});

describe("delete", () => {
  test("DELETE removes the execution, its task runs, logs and files", async () => {
    const form = new FormData();
    form.append("name", "D");
    form.append("doc", new File(["bye"], "d.txt"));
    const ex = await (await create("?wait=true", form)).json();
    expect((await (await t.call("GET", `/api/v1/logs/${ex.id}`)).json()).length).toBeGreaterThan(0);
    expect((await t.call("DELETE", `/api/v1/executions/${ex.id}`)).status).toBe(204);
    expect((await t.call("GET", `/api/v1/executions/${ex.id}`)).status).toBe(404);
    const rs = await t.tern.db.$client.execute({ sql: "SELECT (SELECT count(*) FROM task_runs WHERE execution_id = ?) + (SELECT count(*) FROM logs WHERE execution_id = ?) AS n", args: [ex.id, ex.id] });
    expect(Number(rs.rows[0].n)).toBe(0);
    expect(await t.tern.storage.exists(`company/team/greet/executions/${ex.id}/inputs/doc/d.txt`)).toBe(false);
    expect((await t.call("DELETE", `/api/v1/executions/${ex.id}`)).status).toBe(404);
  });
});
