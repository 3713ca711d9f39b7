// A worker that no longer holds a task run's claim stops running it: another instance took the
// run over (its lease had expired), or the execution was killed by an instance that does not
// run the task. Its late result changes nothing.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { createEngine, type Engine } from "./helpers/engine.ts";

/** Whether the task's `sleep 29.817` process exists (read from /proc). */
function sleeping(): boolean {
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").includes("sleep 29.817")) return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

let e: Engine;
beforeAll(async () => {
  e = await createEngine();
});
afterAll(() => e.close());

test("a task run taken over by another instance is stopped here, and its result is not written", async () => {
  const id = await e.start(`id: long
namespace: engine.leases
tasks:
  - id: nap
    type: io.kestra.plugin.scripts.shell.Commands
    commands: ["sleep 29.817", "echo finished"]
`);
  const running = await e.until(id, (o) => o.runsOf("nap")[0]?.state === "RUNNING");
  await e.until(id, () => sleeping());
  const run = running.run("nap");
  // What another instance's claim looks like in the database: a new owner and fence.
  await e.tern.db.$client.execute({ sql: "UPDATE task_runs SET owner = 'other-instance', fence = fence + 1 WHERE id = ?", args: [run.id] });
  const t0 = Date.now();
  // The local process is stopped within a few sweeps, long before its 30 s.
  await e.until(id, () => Date.now() - t0 > 1500);
  // The task's process is gone.
  expect(sleeping()).toBe(false);
  const after = await e.read(id);
  expect(after.run("nap").state).toBe("RUNNING");
  expect(after.logsOf("nap").join("\n")).not.toContain("finished");
  const row = await e.tern.db.$client.execute({ sql: "SELECT owner, attempts FROM task_runs WHERE id = ?", args: [run.id] });
  expect(row.rows[0].owner).toBe("other-instance");
  expect(JSON.parse(String(row.rows[0].attempts))).toHaveLength(1);
}, 20_000);
