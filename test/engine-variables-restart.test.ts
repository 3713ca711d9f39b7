// Variables set at run time survive kill -9: the real server on a data dir is killed right after
// SetVariables and again right after UnsetVariables, restarted each time on the same dir, and the
// execution ends with the variables it had, shown by the API and the dashboard; neither task
// runs a second time.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type ServerProcess } from "./helpers/server.ts";

const FLOW = `id: durable_vars
namespace: engine.variables
variables:
  keep: flow
tasks:
  - id: set
    type: io.kestra.plugin.core.execution.SetVariables
    variables:
      greeting: "hello {{ execution.id }}"
      drop: me
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT1S
  - id: unset
    type: io.kestra.plugin.core.execution.UnsetVariables
    variables: [drop]
  - id: nap2
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT1S
  - id: show
    type: io.kestra.plugin.core.debug.Return
    format: "{{ vars.greeting }} {{ vars.keep }} {{ vars.drop ?? 'gone' }}"
`;

interface Run { id: string; taskId: string; state: { current: string }; attempts?: unknown[]; outputs?: Record<string, unknown> }
interface Ex { id: string; state: { current: string }; variables?: Record<string, unknown>; taskRunList: Run[] }

const dir = mkdtempSync(join(tmpdir(), "tern-vars-restart-"));
let server: ServerProcess | undefined;
afterAll(async () => {
  if (server && server.proc.exitCode === null) await server.kill9();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (id: string): Promise<Ex> => (await fetch(`${server!.url}/api/v1/executions/${id}`)).json();
const stateOf = (ex: Ex, taskId: string) => ex.taskRunList.find((r) => r.taskId === taskId)?.state.current;

async function until(what: string, id: string, check: (ex: Ex) => boolean, timeoutMs = 30_000): Promise<Ex> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ex = await get(id);
    if (check(ex)) return ex;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(ex.taskRunList.map((r) => [r.taskId, r.state.current]))}`);
    await Bun.sleep(20);
  }
}

test("kill -9 after SetVariables and after UnsetVariables: the execution keeps its variables and finishes with them", async () => {
  const flows = join(dir, "flows");
  mkdirSync(flows);
  writeFileSync(join(flows, "durable-vars.yaml"), FLOW);
  const data = join(dir, "data");
  const env = { TERN_LEASE_MS: "2000" };
  server = await startServer({ data, flows, env });
  const res = await fetch(`${server.url}/api/v1/executions/engine.variables/durable_vars`, { method: "POST" });
  expect(res.status).toBe(200);
  const id: string = (await res.json()).id;

  const first = await until("set done, nap running", id, (ex) => stateOf(ex, "set") === "SUCCESS" && stateOf(ex, "nap") === "RUNNING");
  expect(first.variables).toEqual({ keep: "flow", greeting: `hello ${id}`, drop: "me" });
  await server.kill9();

  server = await startServer({ data, env });
  const second = await until("unset done, nap2 running", id, (ex) => stateOf(ex, "unset") === "SUCCESS" && stateOf(ex, "nap2") === "RUNNING");
  expect(second.variables).toEqual({ keep: "flow", greeting: `hello ${id}` });
  await server.kill9();

  server = await startServer({ data, env });
  const done = await until("the end", id, (ex) => ex.state.current === "SUCCESS");
  expect(done.taskRunList.map((r) => r.taskId)).toEqual(["set", "nap", "unset", "nap2", "show"]);
  expect(done.taskRunList.find((r) => r.taskId === "show")!.outputs).toEqual({ value: `hello ${id} flow gone` });
  expect(done.variables).toEqual({ keep: "flow", greeting: `hello ${id}` });
  for (const taskId of ["set", "unset"]) expect(done.taskRunList.find((r) => r.taskId === taskId)!.attempts).toHaveLength(1);
  const page = await (await fetch(`${server.url}/ui/executions/${id}/outputs`)).text();
  expect(page).toContain("<h2>Variables</h2>");
  expect(page).toContain(`hello ${id}`);
  expect(await server.stop()).toBe(0);
}, 90_000);
