// `tern backup DIR` while `tern serve` writes: the copy is a consistent data directory that a
// new server starts from, with every execution finished before the backup and its files.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "./helpers/server.ts";

const ROOT = join(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "tern-backup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FLOW = `id: keep
namespace: backup.test
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: "payload of {{ execution.id }}"
    extension: .txt
  - id: done
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.write.uri }}"
`;

async function tern(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([process.execPath, "src/cli.ts", ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

test("a backup taken under load starts a new server with every finished execution and its files", async () => {
  mkdirSync(join(dir, "flows"));
  writeFileSync(join(dir, "flows", "keep.yaml"), FLOW);
  const server = await startServer({ data: join(dir, "data"), flows: join(dir, "flows") });
  // A failed expectation must not leave the server running.
  afterAll(() => void server.proc.kill("SIGKILL"));
  const post = (wait: boolean) => fetch(`${server.url}/api/v1/executions/backup.test/keep${wait ? "?wait=true" : ""}`, { method: "POST" });
  const finished: { id: string; uri: string }[] = [];
  for (let i = 0; i < 20; i++) {
    const ex = await (await post(true)).json();
    expect(ex.state.current).toBe("SUCCESS");
    finished.push({ id: ex.id, uri: ex.taskRunList[0].outputs.uri });
  }
  // Executions keep arriving while the backup runs.
  let loading = true;
  const load = (async () => {
    let n = 0;
    while (loading) (await post(false)).ok && n++;
    return n;
  })();
  await Bun.sleep(200);
  const backup = await tern(["backup", join(dir, "copy"), "--data", join(dir, "data")]);
  loading = false;
  expect(await load).toBeGreaterThan(0);
  expect(backup.err).toBe("");
  expect(backup.code).toBe(0);
  expect(backup.out).toMatch(/tern backup: .*copy \(\d+ flow\(s\), \d+ execution\(s\), files copied\)/);
  expect(await server.stop()).toBe(0);

  const restored = await startServer({ data: join(dir, "copy") });
  afterAll(() => void restored.proc.kill("SIGKILL"));
  try {
    for (const f of finished) {
      const ex = await (await fetch(`${restored.url}/api/v1/executions/${f.id}`)).json();
      expect(ex.state.current).toBe("SUCCESS");
      const file = await fetch(`${restored.url}/api/v1/executions/${f.id}/file?path=${encodeURIComponent(f.uri)}`);
      expect(file.status).toBe(200);
      expect(await file.text()).toBe(`payload of ${f.id}`);
    }
    // Executions that were mid-way in the snapshot are finished by the restored server.
    const deadline = Date.now() + 20_000;
    let unfinished = -1;
    while (Date.now() < deadline) {
      const r = await fetch(`${restored.url}/api/v1/executions/search?namespace=backup.test&state=CREATED&state=RUNNING&size=1`);
      unfinished = (await r.json()).total;
      if (unfinished === 0) break;
      await Bun.sleep(100);
    }
    expect(unfinished).toBe(0);
  } finally {
    await restored.stop();
  }
}, 60_000);

test("a backup goes into an empty directory, and only of an embedded database", async () => {
  mkdirSync(join(dir, "full"));
  writeFileSync(join(dir, "full", "x"), "x");
  const full = await tern(["backup", join(dir, "full"), "--data", join(dir, "data2")]);
  expect(full.code).toBe(2);
  expect(full.err).toContain("is not empty");
  const remote = await tern(["backup", join(dir, "r"), "--data", join(dir, "data2")], { TERN_DATABASE_URL: "http://127.0.0.1:1" });
  expect(remote.code).toBe(2);
  expect(remote.err).toContain("libSQL server (127.0.0.1:1)");
  const usage = await tern(["backup"]);
  expect(usage.code).toBe(2);
  expect(usage.err).toContain("Usage: tern backup DIR");
});
