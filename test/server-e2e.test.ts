// The real server as a child process on 127.0.0.1: start-up time, the API over HTTP (SSE
// streams through Bun.serve included), `tern deploy`, the bind guard and a clean SIGTERM.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSse, startServer, type ServerProcess } from "./helpers/server.ts";

const ROOT = join(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "tern-e2e-"));
const flowsDir = join(dir, "flows");
mkdirSync(flowsDir);
writeFileSync(join(flowsDir, "hello.yaml"), `id: hello
namespace: e2e
inputs:
  - id: who
    type: STRING
    defaults: world
tasks:
  - id: greet
    type: io.kestra.plugin.core.log.Log
    message: "hello {{ inputs.who }}"
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.2S
  - id: bye
    type: io.kestra.plugin.core.log.Log
    message: bye
`);

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({ data: join(dir, "data"), flows: flowsDir });
});
afterAll(async () => {
  if (server.proc.exitCode === null) await server.kill9();
  rmSync(dir, { recursive: true, force: true });
});

const api = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
const cli = (...args: string[]) => Bun.spawn([process.execPath, "src/cli.ts", ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env } });

describe("tern serve", () => {
  test("answers its first request well under a second after spawn", async () => {
    expect(server.output()).toContain("1 flow(s) loaded from");
    // Spawn to first answer, imports, migrations and flow loading included. Other test files
    // share the CPU, so one slow start is measured again before it counts as a failure.
    let best = server.startupMs;
    if (best >= 1000) {
      const again = await startServer({ data: join(dir, "data-again"), flows: flowsDir });
      best = Math.min(best, again.startupMs);
      await again.stop();
    }
    expect(best).toBeLessThan(1000);
  });

  test("a fresh data dir also gets the examples", async () => {
    const flows = await (await api("/api/v1/flows/search?size=100")).json();
    expect(flows.results.map((f: { id: string }) => f.id)).toContain("hello");
    expect(flows.total).toBeGreaterThan(1);
  });

  test("create with ?wait=true, then follow and logs over real HTTP", async () => {
    const res = await api("/api/v1/executions/e2e/hello?wait=true", { method: "POST", body: new URLSearchParams({ who: "e2e" }) });
    expect(res.status).toBe(200);
    const ex = await res.json();
    expect(ex.state.current).toBe("SUCCESS");
    const logs = await (await api(`/api/v1/logs/${ex.id}`)).json();
    expect(logs.map((l: { message: string }) => l.message)).toEqual(["hello e2e", "bye"]);
  });

  test("SSE streams end with the execution, through Bun.serve", async () => {
    const ex = await (await api("/api/v1/executions/e2e/hello", { method: "POST" })).json();
    const [execEvents, logEvents] = await Promise.all([
      api(`/api/v1/executions/${ex.id}/follow`).then(readSse),
      api(`/api/v1/logs/${ex.id}/follow`).then(readSse),
    ]);
    expect(execEvents.at(-1)).toMatchObject({ event: "end", data: "SUCCESS" });
    expect(JSON.parse(execEvents.at(-2)!.data).taskRunList).toHaveLength(3);
    expect(logEvents.map((e) => e.event ?? JSON.parse(e.data).message)).toEqual(["hello world", "bye", "end"]);
  });

  test("413 for a body over the limit, as JSON", async () => {
    const res = await api("/api/v1/flows", { method: "POST", body: "x".repeat(11 * 1024 * 1024), headers: { "content-type": "application/x-yaml" } });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  test("tern deploy posts a directory's flows per namespace; --delete prunes", async () => {
    const repo = join(dir, "repo");
    mkdirSync(join(repo, "sub"), { recursive: true });
    const f = (id: string, ns: string) => `id: ${id}\nnamespace: ${ns}\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: ${id}\n`;
    writeFileSync(join(repo, "a.yaml"), f("a", "deploy.one"));
    writeFileSync(join(repo, "sub", "multi.yml"), `${f("b", "deploy.one")}---\n${f("c", "deploy.two")}`);
    const first = cli("deploy", repo, "--server", server.url);
    expect(await first.exited).toBe(0);
    const out = await new Response(first.stdout).text();
    expect(out).toContain("deploy.one: 2 flow(s) deployed");
    expect(out).toContain("deploy.two: 1 flow(s) deployed");

    rmSync(join(repo, "sub"), { recursive: true });
    const second = cli("deploy", repo, "--server", server.url, "--delete");
    expect(await second.exited).toBe(0);
    expect((await api("/api/v1/flows/deploy.one/b")).status).toBe(404);
    expect((await api("/api/v1/flows/deploy.one/a")).status).toBe(200);

    writeFileSync(join(repo, "bad.yaml"), "id: bad\nnamespace: deploy.one\ntasks: []\n");
    const bad = cli("deploy", repo, "--server", server.url);
    expect(await bad.exited).toBe(1);
    expect(await new Response(bad.stderr).text()).toContain("nothing was stored");
  });

  test("refuses a non-loopback bind without auth", async () => {
    const p = cli("serve", "--host", "0.0.0.0", "--port", "0", "--data", join(dir, "other"));
    expect(await p.exited).toBe(2);
    expect(await new Response(p.stderr).text()).toContain("TERN_ALLOW_INSECURE_BIND");
  });

  test("SIGTERM stops cleanly with exit code 0", async () => {
    expect(await server.stop()).toBe(0);
    expect(server.output()).toContain("SIGTERM: stopping");
  });
});
