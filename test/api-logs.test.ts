// /api/v1/logs in-process: an execution's lines with filters, download, search, and the SSE
// follow stream (existing lines, live lines, each exactly once, then `end`).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, readSse, type TestApp } from "./helpers/server.ts";

const CHATTY = `id: chatty
namespace: logs.test
tasks:
  - id: one
    type: io.kestra.plugin.core.log.Log
    message: "first line"
  - id: warn
    type: io.kestra.plugin.core.log.Log
    level: WARN
    message: "careful"
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.3S
  - id: two
    type: io.kestra.plugin.core.log.Log
    message: ["second line", "third line"]
`;

let t: TestApp;
let exId: string;
beforeAll(async () => {
  t = await createTestApp();
  expect((await t.flow(CHATTY)).status).toBe(200);
  exId = (await (await t.call("POST", "/api/v1/executions/logs.test/chatty?wait=true", {})).json()).id;
});
afterAll(() => t.close());

const messages = (lines: { message: string }[]) => lines.map((l) => l.message);

describe("logs", () => {
  test("an execution's lines in order, in Kestra's LogEntry shape", async () => {
    const lines = await (await t.call("GET", `/api/v1/logs/${exId}`)).json();
    expect(messages(lines)).toEqual(["first line", "careful", "second line", "third line"]);
    expect(lines[0]).toMatchObject({ namespace: "logs.test", flowId: "chatty", executionId: exId, taskId: "one", level: "INFO" });
    expect(Date.parse(lines[0].timestamp)).toBeGreaterThan(0);
  });

  test("minLevel, taskId and taskRunId filter; unknown execution is 404", async () => {
    expect(messages(await (await t.call("GET", `/api/v1/logs/${exId}?minLevel=WARN`)).json())).toEqual(["careful"]);
    expect(messages(await (await t.call("GET", `/api/v1/logs/${exId}?minLevel=warning`)).json())).toEqual(["careful"]);
    const two = await (await t.call("GET", `/api/v1/logs/${exId}?taskId=two`)).json();
    expect(messages(two)).toEqual(["second line", "third line"]);
    expect(messages(await (await t.call("GET", `/api/v1/logs/${exId}?taskRunId=${two[0].taskRunId}`)).json())).toHaveLength(2);
    expect((await t.call("GET", `/api/v1/logs/${exId}?minLevel=LOUD`)).status).toBe(400);
    expect((await t.call("GET", "/api/v1/logs/nope")).status).toBe(404);
  });

  test("download is plain text, one line per entry", async () => {
    const res = await t.call("GET", `/api/v1/logs/${exId}/download`);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text.trim().split("\n")).toHaveLength(4);
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO  one first line\n/);
  });

  test("search by text, namespace, level and time, newest first with paging", async () => {
    const r = await (await t.call("GET", "/api/v1/logs/search?q=line&namespace=logs&size=2")).json();
    expect(r.total).toBe(3);
    expect(messages(r.results)).toEqual(["third line", "second line"]);
    const warn = await (await t.call("GET", "/api/v1/logs/search?minLevel=WARN&flowId=chatty")).json();
    expect(messages(warn.results)).toEqual(["careful"]);
    const later = await (await t.call("GET", `/api/v1/logs/search?startDate=${new Date(Date.now() + 60_000).toISOString()}`)).json();
    expect(later.total).toBe(0);
    // LIKE wildcards in q are literal.
    expect((await (await t.call("GET", "/api/v1/logs/search?q=%25")).json()).total).toBe(0);
  });

  test("follow: lines already written, then live ones, each once, then `end`", async () => {
    const ex = await (await t.call("POST", "/api/v1/executions/logs.test/chatty", {})).json();
    const events = await readSse(await t.call("GET", `/api/v1/logs/${ex.id}/follow`));
    expect(events.at(-1)).toMatchObject({ event: "end", data: "SUCCESS" });
    const lines = events.slice(0, -1).map((e) => JSON.parse(e.data));
    expect(messages(lines)).toEqual(["first line", "careful", "second line", "third line"]);
    expect(lines.every((l) => l.executionId === ex.id)).toBe(true);
    const warnOnly = await readSse(await t.call("GET", `/api/v1/logs/${ex.id}/follow?minLevel=WARN`));
    expect(warnOnly.map((e) => (e.event ? e.event : JSON.parse(e.data).message))).toEqual(["careful", "end"]);
  });
});
