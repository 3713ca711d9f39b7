// Cross-cutting API behaviour in-process: health, metrics, the OpenAPI document, and the
// error contract (413 before parsing, 400 malformed, 404 unknown route, no stack traces).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createApp } from "../src/server/app.ts";
import { createTestApp, type TestApp } from "./helpers/server.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ maxBodyBytes: 4096 });
  await t.flow("id: m\nnamespace: sys\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: x\n");
  await t.call("POST", "/api/v1/executions/sys/m?wait=true", {});
});
afterAll(() => t.close());

describe("health and metrics", () => {
  test("/health is UP with the database and loops; DOWN (503) when loops are not alive", async () => {
    expect(await (await t.call("GET", "/health")).json()).toEqual({ status: "UP", checks: { database: "UP", loops: "UP" } });
    const down = createApp({ tern: t.tern, loopsAlive: () => false });
    const res = await down.request("/health");
    expect(res.status).toBe(503);
    expect((await res.json()).checks.loops).toBe("DOWN");
  });

  test("/metrics is Prometheus text with executions, durations, queue depth, leases", async () => {
    const res = await t.call("GET", "/metrics");
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain('tern_executions{state="SUCCESS"} 1');
    expect(text).toMatch(/# TYPE tern_task_runs_duration_seconds summary\n/);
    expect(text).toMatch(/tern_task_runs_duration_seconds_count 1\n/);
    expect(text).toMatch(/tern_queue_depth 0\n/);
    expect(text).toContain("# TYPE tern_leases gauge");
    for (const line of text.trim().split("\n")) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? [-\d.e+NaN]+)$/);
  });
});

describe("openapi", () => {
  test("an OpenAPI 3.1 document listing every route, schemas as components", async () => {
    const doc = await (await t.call("GET", "/api/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    for (const [path, method] of [
      ["/api/v1/flows", "post"], ["/api/v1/flows/{namespace}/{id}", "put"], ["/api/v1/flows/validate", "post"],
      ["/api/v1/executions/{namespace}/{flowId}", "post"], ["/api/v1/executions/{id}/follow", "get"],
      ["/api/v1/executions/{id}/kill", "delete"], ["/api/v1/logs/{executionId}/follow", "get"],
      ["/api/v1/namespaces/{namespace}/kv/{key}", "put"], ["/health", "get"], ["/metrics", "get"],
    ]) expect(doc.paths[path]?.[method]).toBeDefined();
    const search = doc.paths["/api/v1/executions/search"].get;
    const state = search.parameters.find((p: { name: string }) => p.name === "state");
    expect(state).toMatchObject({ in: "query", explode: true, schema: { type: "array" } });
    expect(search.responses["200"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/PagedResultsExecution" });
    expect(doc.components.schemas.Execution.properties.taskRunList.items).toEqual({ $ref: "#/components/schemas/TaskRun" });
    expect(doc.components.schemas.Error).toBeDefined();
    // Every $ref resolves.
    for (const m of JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)) expect(doc.components.schemas[m[1]]).toBeDefined();
  });
});

describe("errors", () => {
  test("a body over maxBodyBytes is 413 before it is parsed (Content-Length)", async () => {
    const res = await t.call("POST", "/api/v1/flows", "x".repeat(5000), { "content-type": "application/x-yaml" });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  test("a chunked body is counted while it streams in", async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (sent >= 100_000) return ctrl.close();
        sent += 1000;
        ctrl.enqueue(new Uint8Array(1000).fill(120));
      },
    });
    const req = new Request("http://x/api/v1/flows/validate", { method: "POST", body, headers: { "transfer-encoding": "chunked" }, duplex: "half" } as RequestInit);
    const res = await t.app.request(req);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(100_000);
  });

  test("unknown routes are JSON 404s; internal errors carry no stack", async () => {
    const res = await t.call("GET", "/api/v1/nothing");
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("NOT_FOUND");
    const app = createApp({ tern: { ...t.tern, db: { $client: { execute: () => Promise.reject(new Error("boom at /secret/path.ts:1")) } } as never } });
    const broken = await app.request("/api/v1/flows/search");
    expect(broken.status).toBe(500);
    const text = await broken.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "INTERNAL", message: "internal error" } });
  });
});
