// The process runner: kills reach the whole process group, output floods stay bounded.
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunnableDefinition } from "../plugins/define.ts";
import { scriptTasks } from "../plugins/scripts/index.ts";
import { createLineSplitter } from "../src/runtime/lines.ts";
import { spawnProcess } from "../src/runtime/spawn.ts";
import { createHarness, type Harness } from "./helpers/task-context.ts";

/** Gone, or a zombie waiting for init to reap it (it can run no more code). */
function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.startsWith("Z");
  } catch {
    return true;
  }
}

/** A SIGKILLed process needs a moment to finish exiting; poll briefly (bounded) for that. */
async function dies(pid: number, withinMs = 2000): Promise<boolean> {
  const end = performance.now() + withinMs;
  while (!isDead(pid)) {
    if (performance.now() > end) return false;
    await Bun.sleep(10);
  }
  return true;
}

/** 2,000,000 lines of 101 bytes: about 200 MB (TERN_FLOOD_LINES makes it bigger by hand). */
const FLOOD_LINES = Number(process.env.TERN_FLOOD_LINES ?? 2_000_000);

/** The flood, run by a child Bun process that reports its RSS before and at peak as JSON. */
const FLOOD_CHILD = `
const { createHarness } = await import(${JSON.stringify(join(import.meta.dir, "helpers/task-context.ts"))});
const { scriptTasks } = await import(${JSON.stringify(join(import.meta.dir, "../plugins/scripts/index.ts"))});
const h = await createHarness();
const shell = scriptTasks.find((t) => t.type === "io.kestra.plugin.scripts.shell.Commands");
Bun.gc(true);
const before = process.memoryUsage().rss;
let peak = before;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const started = performance.now();
const out = await h.run(shell, { commands: [
  "yes '${"x".repeat(100)}' | head -n " + process.env.FLOOD_LINES,
  "head -c 20000000 /dev/zero | tr '\\\\0' a", "echo",
  "echo '::{\\"outputs\\":{\\"after\\":\\"flood\\"}}::'",
] });
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage().rss);
const dropped = Number(/^(\\d+) line/.exec(h.logs.at(-1).message)?.[1]);
await h.cleanup();
console.log(JSON.stringify({ before, peak, ms: performance.now() - started, logs: h.logs.length, dropped, vars: out.vars }));
`;

let dir: string;
let h: Harness | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  if (h) await h.cleanup();
  h = undefined;
});

/** Spawn a shell script; abort as soon as it prints "ready". */
async function runUntilReady(script: string, killGraceMs: number) {
  dir = await mkdtemp(join(tmpdir(), "tern-spawn-"));
  const ac = new AbortController();
  const started = performance.now();
  const res = await spawnProcess({
    cmd: ["/bin/sh", "-c", script],
    cwd: dir,
    env: { PATH: process.env.PATH! },
    signal: ac.signal,
    killGraceMs,
    onStdout: (l) => l === "ready" && ac.abort(),
    onStderr: () => {},
  });
  return { res, ms: performance.now() - started, pids: (await readFile(join(dir, "pids"), "utf8")).trim().split(/\s+/).map(Number) };
}

describe("kill", () => {
  test("abort sends SIGTERM to the whole group: no child or grandchild survives", async () => {
    const { res, pids } = await runUntilReady("sleep 300 & echo $! > pids; (sleep 300 & echo $! >> pids; echo ready; wait) & wait", 5000);
    expect(res.signal ?? "").toBe("SIGTERM");
    expect(pids.length).toBe(2);
    for (const pid of pids) expect(await dies(pid)).toBe(true);
  });

  test("a process ignoring SIGTERM is SIGKILLed after the grace period", async () => {
    const { res, ms, pids } = await runUntilReady("trap '' TERM; sleep 300 & echo $! > pids; echo ready; while :; do sleep 0.05; done", 300);
    expect(res.signal).toBe("SIGKILL");
    expect(ms).toBeGreaterThanOrEqual(300);
    expect(ms).toBeLessThan(5000);
    for (const pid of pids) expect(await dies(pid)).toBe(true);
  });

  test("processes left in the background by a finished script are ended with it", async () => {
    dir = await mkdtemp(join(tmpdir(), "tern-spawn-"));
    const res = await spawnProcess({
      cmd: ["/bin/sh", "-c", "sleep 300 & echo $! > pids; echo done"],
      cwd: dir,
      env: { PATH: process.env.PATH! },
      signal: new AbortController().signal,
      onStdout: () => {},
      onStderr: () => {},
    });
    expect(res.exitCode).toBe(0);
    expect(await dies(Number(await readFile(join(dir, "pids"), "utf8")))).toBe(true);
  });

  test("a script task killed by its signal (engine timeout) fails with the reason and leaves nothing running", async () => {
    h = await createHarness();
    const harness = h;
    const shell = scriptTasks.find((t) => t.type === "io.kestra.plugin.scripts.shell.Commands") as RunnableDefinition<any>;
    const orig = harness.ctx.logger.info;
    harness.ctx.logger.info = (m) => {
      orig(m);
      if (m === "ready") harness.abort.abort(new Error("Timeout after PT1S"));
    };
    // The task logs through logger.log; route INFO there as well.
    const origLog = harness.ctx.logger.log;
    harness.ctx.logger.log = (level, m) => (level === "INFO" ? harness.ctx.logger.info(m) : origLog(level, m));
    const pidFile = join(harness.dir, "pid");
    await expect(harness.run(shell, { commands: [`sleep 300 & echo $! > ${pidFile}`, "echo ready", "wait"] })).rejects.toThrow("Timeout after PT1S");
    expect(await dies(Number(await readFile(pidFile, "utf8")))).toBe(true);
  });
});

describe("output", () => {
  test("lines are split; long lines are cut at the cap; a missing final newline still yields the line", () => {
    const got: string[] = [];
    const s = createLineSplitter((l) => got.push(l), 4);
    s.push(new TextEncoder().encode("ab\r\ncdefghij\nk"));
    s.push(new TextEncoder().encode("l"));
    s.end();
    expect(got).toEqual(["ab", "cdef", "ghij", "kl"]);
  });

  test("a 200 MB flood on stdout: logs capped, memory bounded", async () => {
    // Measured in a child Bun process of its own: in the shared test process, other suites'
    // garbage would make the RSS figure meaningless.
    const child = Bun.spawn({
      cmd: [process.execPath, "--eval", FLOOD_CHILD],
      env: { ...process.env, FLOOD_LINES: String(FLOOD_LINES) },
      stdout: "pipe",
      stderr: "inherit",
    });
    const report = JSON.parse((await new Response(child.stdout).text()).trim().split("\n").pop()!);
    expect(await child.exited).toBe(0);
    const growthMb = (report.peak - report.before) / 1024 / 1024;
    console.log(`flood: ${(report.ms / 1000).toFixed(1)} s, rss before ${(report.before / 1048576).toFixed(0)} MB, peak growth ${growthMb.toFixed(1)} MB, ${report.logs} log lines`);
    expect(report.vars).toEqual({ after: "flood" });
    expect(report.logs).toBeLessThanOrEqual(10_002);
    // Every line was read (FLOOD_LINES + the long line cut into 64 KiB pieces), only not logged.
    expect(report.dropped).toBe(FLOOD_LINES + Math.ceil(20_000_000 / 65536) - 10_000);
    expect(growthMb).toBeLessThan(120);
  });
});
