// Kestra's bulk execution operations (…/by-ids, …/by-query), labels of a finished execution,
// eval in a task run's context and deleting an execution's logs, in-process on a real libSQL file.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "./helpers/server.ts";

const SLOW = `id: slow
namespace: bulk
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT30S
`;
const HELLO = `id: hello
namespace: bulk.team
labels:
  team: data
tasks:
  - id: first
    type: io.kestra.plugin.core.debug.Return
    format: "one {{ inputs.who }}"
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "said {{ outputs.first.value }}"
inputs:
  - id: who
    type: STRING
    defaults: world
`;
const FAIL = `id: fail
namespace: bulk
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: no
`;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  for (const f of [SLOW, HELLO, FAIL]) expect((await t.flow(f)).status).toBe(200);
});
afterAll(() => t.close());

type Ex = { id: string; state: { current: string }; labels: { key: string; value: string }[]; taskRunList: { id: string; taskId: string }[] };
const run = async (ns: string, flowId: string): Promise<Ex> => (await t.call("POST", `/api/v1/executions/${ns}/${flowId}?wait=true`, {})).json();
const start = async (ns: string, flowId: string): Promise<Ex> => (await t.call("POST", `/api/v1/executions/${ns}/${flowId}`, {})).json();
const get = async (id: string): Promise<Ex> => (await t.call("GET", `/api/v1/executions/${id}`)).json();
const state = async (id: string) => (await get(id)).state.current;

describe("bulk by ids", () => {
  test("kill: {count}; an unknown or finished id refuses the whole call (400, Kestra's invalids)", async () => {
    const [a, b] = [await start("bulk", "slow"), await start("bulk", "slow")];
    const done = await run("bulk.team", "hello");
    const refused = await t.call("DELETE", "/api/v1/executions/kill/by-ids", [a.id, done.id, "nope"]);
    expect(refused.status).toBe(400);
    const body = await refused.json() as { message: string; invalids: { invalidValue: string; message: string }[]; error: { code: string } };
    expect(body.message).toBe("invalid bulk kill");
    expect(body.error.code).toBe("BAD_REQUEST");
    expect(body.invalids.map((i) => [i.invalidValue, i.message]).sort()).toEqual([[done.id, "execution already finished"], ["nope", "execution not found"]]);
    expect(await state(a.id)).not.toBe("KILLED"); // nothing was done

    const ok = await t.call("DELETE", "/api/v1/executions/kill/by-ids", [a.id, b.id]);
    expect(await ok.json()).toEqual({ count: 2 });
    expect((await t.ended(a.id)).state).toBe("KILLED");
    expect((await t.ended(b.id)).state).toBe("KILLED");
  });

  test("restart, change-status, labels and delete reuse the single operations", async () => {
    const failed = await run("bulk", "fail");
    expect(failed.state.current).toBe("FAILED");
    const hello = await run("bulk.team", "hello");
    // Restart: only failed/killed/paused ones.
    expect((await t.call("POST", "/api/v1/executions/restart/by-ids", [failed.id, hello.id])).status).toBe(400);
    expect(await (await t.call("POST", "/api/v1/executions/restart/by-ids", [failed.id])).json()).toEqual({ count: 1 });
    expect((await t.ended(failed.id)).state).toBe("FAILED"); // failed again, from the same task

    // change-status: a terminal target only, finished executions only.
    expect((await t.call("POST", "/api/v1/executions/change-status/by-ids?newStatus=RUNNING", [hello.id])).status).toBe(400);
    expect(await (await t.call("POST", "/api/v1/executions/change-status/by-ids?newStatus=WARNING", [hello.id, failed.id])).json()).toEqual({ count: 2 });
    expect(await state(hello.id)).toBe("WARNING");
    expect(await state(failed.id)).toBe("WARNING");

    // labels: added to the existing ones; system labels refused.
    const labelled = await t.call("POST", "/api/v1/executions/labels/by-ids", { executionsId: [hello.id], executionLabels: [{ key: "reviewed", value: "yes" }] });
    expect(await labelled.json()).toEqual({ count: 1 });
    const labels = (await get(hello.id)).labels;
    expect(labels).toContainEqual({ key: "reviewed", value: "yes" });
    expect(labels).toContainEqual({ key: "team", value: "data" });
    expect(labels.some((l) => l.key === "system.correlationId")).toBe(true);
    expect((await t.call("POST", "/api/v1/executions/labels/by-ids", { executionsId: [hello.id], executionLabels: [{ key: "system.x", value: "1" }] })).status).toBe(422);

    // delete: finished ones, with their logs.
    const res = await t.call("DELETE", "/api/v1/executions/by-ids", [hello.id, failed.id]);
    expect(await res.json()).toEqual({ count: 2 });
    expect((await t.call("GET", `/api/v1/executions/${hello.id}`)).status).toBe(404);
    expect(await (await t.call("GET", `/api/v1/logs/${failed.id}`)).status).toBe(404);
    // Malformed bodies: 400 / 422, never a 500.
    expect((await t.call("DELETE", "/api/v1/executions/by-ids", "not json", { "content-type": "application/json" })).status).toBe(400);
    expect((await t.call("DELETE", "/api/v1/executions/by-ids", { ids: [] })).status).toBe(422);
  });
});

describe("bulk by query", () => {
  test("the search filters choose the executions; a wrong state among them refuses the call", async () => {
    const a = await run("bulk.team", "hello"), b = await run("bulk.team", "hello");
    const f = await run("bulk", "fail");
    const changed = await t.call("POST", "/api/v1/executions/change-status/by-query?namespace=bulk.team&state=SUCCESS&newStatus=WARNING");
    expect(((await changed.json()) as { count: number }).count).toBeGreaterThanOrEqual(2);
    expect([await state(a.id), await state(b.id), await state(f.id)]).toEqual(["WARNING", "WARNING", "FAILED"]);

    const labelled = await t.call("POST", `/api/v1/executions/labels/by-query?q=${a.id}`, [{ key: "k", value: "v" }]);
    expect(await labelled.json()).toEqual({ count: 1 });
    expect((await get(a.id)).labels).toContainEqual({ key: "k", value: "v" });

    const slow = await start("bulk", "slow");
    // Deleting everything in `bulk` finds the running one: nothing is deleted.
    const refused = await t.call("DELETE", "/api/v1/executions/by-query?namespace=bulk");
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { invalids: { invalidValue: string }[] }).invalids.map((i) => i.invalidValue)).toEqual([slow.id]);
    expect((await t.call("GET", `/api/v1/executions/${a.id}`)).status).toBe(200);

    expect(await (await t.call("DELETE", `/api/v1/executions/kill/by-query?flowId=slow&state=RUNNING&state=CREATED`)).json()).toEqual({ count: 1 });
    await t.ended(slow.id);
    const deleted = (await (await t.call("DELETE", "/api/v1/executions/by-query?namespace=bulk.team")).json()) as { count: number };
    expect(deleted.count).toBeGreaterThanOrEqual(2);
    expect((await t.call("GET", `/api/v1/executions/${b.id}`)).status).toBe(404);
    expect((await t.call("GET", `/api/v1/executions/${f.id}`)).status).toBe(200); // namespace bulk, not bulk.team
  });
});

describe("labels of one execution", () => {
  test("replaced, system labels kept; forged system labels 422, running 409, unknown 404", async () => {
    const ex = await run("bulk.team", "hello");
    const correlation = ex.labels.find((l) => l.key === "system.correlationId")!;
    const res = await t.call("POST", `/api/v1/executions/${ex.id}/labels`, [{ key: "env", value: "prod" }, correlation]);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Ex).labels).toEqual([{ key: "env", value: "prod" }, correlation]);
    // Without the system label in the request, it stays anyway; team (not sent) is gone.
    const again = (await (await t.call("POST", `/api/v1/executions/${ex.id}/labels`, [{ key: "a", value: "1" }])).json()) as Ex;
    expect(again.labels).toEqual([{ key: "a", value: "1" }, correlation]);

    const forged = await t.call("POST", `/api/v1/executions/${ex.id}/labels`, [{ key: "system.correlationId", value: "other" }]);
    expect(forged.status).toBe(422);
    expect((await get(ex.id)).labels).toEqual(again.labels);
    expect((await t.call("POST", `/api/v1/executions/${ex.id}/labels`, { key: "a" })).status).toBe(422);

    const slow = await start("bulk", "slow");
    expect((await t.call("POST", `/api/v1/executions/${slow.id}/labels`, [{ key: "a", value: "1" }])).status).toBe(409);
    await t.call("DELETE", `/api/v1/executions/${slow.id}/kill`);
    await t.ended(slow.id);
    expect((await t.call("POST", "/api/v1/executions/nope/labels", [])).status).toBe(404);
  });
});

describe("eval in a task run", () => {
  test("{result} with the task run's variables; {error} for a failing expression; 404 for an unknown run", async () => {
    const ex = await run("bulk.team", "hello");
    const logRun = ex.taskRunList.find((r) => r.taskId === "log")!;
    const ok = await t.call("POST", `/api/v1/executions/${ex.id}/eval/${logRun.id}`, "{{ outputs.first.value }} / {{ taskrun.id }} / {{ inputs.who }}", { "content-type": "text/plain" });
    expect(await ok.json()).toEqual({ result: `one world / ${logRun.id} / world` });
    const bad = await t.call("POST", `/api/v1/executions/${ex.id}/eval/${logRun.id}`, "{{ nothing.here }}", { "content-type": "text/plain" });
    expect(bad.status).toBe(200);
    const err = (await bad.json()) as { error: string; stackTrace?: string };
    expect(err.error).toContain("nothing");
    expect(err.stackTrace).toBeUndefined();
    const syntax = (await (await t.call("POST", `/api/v1/executions/${ex.id}/eval/${logRun.id}`, "{{ 1 + }}", { "content-type": "text/plain" })).json()) as { error?: string };
    expect(typeof syntax.error).toBe("string");
    expect((await t.call("POST", `/api/v1/executions/${ex.id}/eval/nope`, "{{ 1 }}", { "content-type": "text/plain" })).status).toBe(404);
    expect((await t.call("POST", `/api/v1/executions/nope/eval/x`, "{{ 1 }}", { "content-type": "text/plain" })).status).toBe(404);
  });
});

describe("DELETE /api/v1/logs/{executionId}", () => {
  test("all lines, or one task run's", async () => {
    const ex = await run("bulk.team", "hello");
    const logs = async (q = "") => (await (await t.call("GET", `/api/v1/logs/${ex.id}${q}`)).json()) as { taskRunId: string }[];
    const all = await logs();
    const logRun = ex.taskRunList.find((r) => r.taskId === "log")!;
    expect(all.some((l) => l.taskRunId === logRun.id)).toBe(true);
    expect(all.some((l) => l.taskRunId !== logRun.id)).toBe(true);
    expect((await t.call("DELETE", `/api/v1/logs/${ex.id}?taskRunId=${logRun.id}`)).status).toBe(204);
    const rest = await logs();
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.some((l) => l.taskRunId === logRun.id)).toBe(false);
    expect((await t.call("DELETE", `/api/v1/logs/${ex.id}`)).status).toBe(204);
    expect(await logs()).toEqual([]);
    expect((await t.call("DELETE", "/api/v1/logs/nope")).status).toBe(404);
  });
});
