// Kestra's Webhook trigger: routing by namespace/flow/key, trigger.body/headers/parameters,
// conditions (204), wait/returnOutputs, and the durable execution behind every 200.
import { afterEach, expect, test } from "bun:test";
import { loadExecution } from "../src/store/executions.ts";
import { createWebhookFixture, hookFlow, type WebhookFixture } from "./helpers/webhook-fixture.ts";

let fx: WebhookFixture;
afterEach(async () => {
  await fx.close();
});

async function setup(flow: string, env: Record<string, string> = {}) {
  fx = await createWebhookFixture({}, env);
  await fx.save(flow);
  await fx.scheduler.syncAll();
}

test("POST JSON: 200 with the created execution; body, headers and parameters reach the flow", async () => {
  await setup(hookFlow("h", "key: s3cr3t-key"));
  const res = await fx.call("POST", "/api/v1/executions/webhook/hooks/h/s3cr3t-key?age=12&age=13&name=x", JSON.stringify({ a: 1, b: [true] }), {
    "content-type": "application/json", "x-custom": "yes",
  });
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body).toMatchObject({ namespace: "hooks", flowId: "h", trigger: { id: "hook" } });
  expect(body.state.histories[0].state).toBe("CREATED");
  const stored = (await loadExecution(fx.tern.db, body.id))!;
  const vars = stored.trigger!.variables as { body: unknown; headers: Record<string, string[]>; parameters: Record<string, string[]> };
  expect(stored.trigger).toMatchObject({ id: "hook", type: "io.kestra.plugin.core.trigger.Webhook" });
  expect(vars.body).toEqual({ a: 1, b: [true] });
  expect(vars.parameters).toEqual({ age: ["12", "13"], name: ["x"] });
  expect(vars.headers["x-custom"]).toEqual(["yes"]);
  expect(vars.headers["content-type"]).toEqual(["application/json"]);
});

test("GET has a null body; a non-JSON body is raw text; PUT works too", async () => {
  await setup(hookFlow("h", "key: k"));
  const get = await (await fx.call("GET", "/api/v1/executions/webhook/hooks/h/k")).json();
  expect((await loadExecution(fx.tern.db, get.id))!.trigger!.variables).toMatchObject({ body: null });
  const put = await (await fx.call("PUT", "/api/v1/executions/webhook/hooks/h/k", "plain words", { "content-type": "text/plain" })).json();
  expect((await loadExecution(fx.tern.db, put.id))!.trigger!.variables).toMatchObject({ body: "plain words" });
  const num = await (await fx.call("POST", "/api/v1/executions/webhook/hooks/h/k", "42")).json();
  expect((await loadExecution(fx.tern.db, num.id))!.trigger!.variables).toMatchObject({ body: "42" });
});

test("unknown flow or wrong key: 404 and nothing created", async () => {
  await setup(hookFlow("h", "key: right"));
  const wrong = await fx.call("POST", "/api/v1/executions/webhook/hooks/h/wrong", "{}");
  expect(wrong.status).toBe(404);
  expect((await wrong.json()).error.message).toBe("Webhook not found");
  const noFlow = await fx.call("POST", "/api/v1/executions/webhook/hooks/nope/right", "{}");
  expect(noFlow.status).toBe(404);
  expect((await noFlow.json()).error.message).toBe("Flow not found");
  expect(await fx.count("h")).toBe(0);
});

test("the key may be an expression: a secret, or the flow id", async () => {
  await setup(hookFlow("h", "key: \"{{ secret('HOOK_KEY') }}\"") , { SECRET_HOOK_KEY: Buffer.from("from-secret").toString("base64") });
  expect((await fx.call("POST", "/api/v1/executions/webhook/hooks/h/from-secret")).status).toBe(200);
  expect((await fx.call("POST", "/api/v1/executions/webhook/hooks/h/%7B%7B%20secret('HOOK_KEY')%20%7D%7D")).status).toBe(404);
  await fx.save(hookFlow("byid", "key: \"{{ flow.id }}-hook\""));
  expect((await fx.call("POST", "/api/v1/executions/webhook/hooks/byid/byid-hook")).status).toBe(200);
});

test("conditions false → 204 and nothing created; true → 200", async () => {
  await setup(hookFlow("h", `key: k
conditions:
  - type: io.kestra.plugin.core.condition.Expression
    expression: "{{ trigger.body.action == 'opened' and trigger.parameters.env[0] == 'prod' }}"`));
  const skipped = await fx.call("POST", "/api/v1/executions/webhook/hooks/h/k?env=prod", JSON.stringify({ action: "closed" }));
  expect(skipped.status).toBe(204);
  expect(await fx.count("h")).toBe(0);
  expect((await fx.call("POST", "/api/v1/executions/webhook/hooks/h/k?env=prod", JSON.stringify({ action: "opened" }))).status).toBe(200);
  expect(await fx.count("h")).toBe(1);
});

test("inputs are rendered from the request and typed; a bad one is 422 with nothing created", async () => {
  await setup(hookFlow("h", `key: k
inputs:
  count: "{{ trigger.body.count }}"`, "inputs:\n  - id: count\n    type: INT\n"));
  const ok = await (await fx.call("POST", "/api/v1/executions/webhook/hooks/h/k", JSON.stringify({ count: 7 }))).json();
  expect((await loadExecution(fx.tern.db, ok.id))!.inputs).toEqual({ count: 7 });
  const bad = await fx.call("POST", "/api/v1/executions/webhook/hooks/h/k", JSON.stringify({ count: "seven" }));
  expect(bad.status).toBe(422);
  expect(await fx.count("h")).toBe(1);
});

const echo = (id: string, trigger: string) => `id: ${id}
namespace: hooks
inputs:
  - id: msg
    type: STRING
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.msg }}"
outputs:
  - id: echoed
    type: STRING
    value: "{{ outputs.r.value }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: k
    inputs:
      msg: "{{ trigger.body }}"
${trigger.replace(/^/gm, "    ")}
`;

test("wait + returnOutputs answers with the finished execution's outputs; wait alone with the execution", async () => {
  await setup(echo("h", "wait: true\nreturnOutputs: true"));
  const res = await fx.call("POST", "/api/v1/executions/webhook/hooks/h/k", "ping");
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ echoed: "ping" });
  await fx.save(echo("w", "wait: true"));
  const full = await (await fx.call("POST", "/api/v1/executions/webhook/hooks/w/k", "pong")).json();
  expect(full.state.current).toBe("SUCCESS");
  expect(full.taskRunList.map((t: { taskId: string }) => t.taskId)).toEqual(["r"]);
  expect(full.outputs).toEqual({ echoed: "pong" });
  await fx.save(echo("fails", "wait: true\nresponseCode: 202").replace("io.kestra.plugin.core.debug.Return\n    format: \"{{ inputs.msg }}\"", "io.kestra.plugin.core.execution.Fail"));
  expect((await fx.call("POST", "/api/v1/executions/webhook/hooks/fails/k", "x")).status).toBe(202);
});

// Kestra exposes an execution's trigger *variables* as `trigger` in task expressions.
test("trigger.body, trigger.headers and trigger.parameters reach task expressions", async () => {
  await setup(`id: t
namespace: hooks
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.body.name }}/{{ trigger.parameters.env[0] }}/{{ trigger.headers['x-demo'][0] }}"
outputs:
  - id: got
    type: STRING
    value: "{{ outputs.r.value }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: k
    wait: true
    returnOutputs: true
`);
  const res = await fx.call("POST", "/api/v1/executions/webhook/hooks/t/k?env=prod", JSON.stringify({ name: "ada" }), { "x-demo": "yes" });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ got: "ada/prod/yes" });
});

test("a trigger disabled through the API answers 404", async () => {
  await setup(hookFlow("h", "key: k"));
  await fx.admin.setDisabled({ namespace: "hooks", flowId: "h", triggerId: "hook" }, true);
  fx.webhooks.invalidate("hooks", "h"); // what the triggers API does after a change
  expect((await fx.call("POST", "/api/v1/executions/webhook/hooks/h/k")).status).toBe(404);
});
