// Runs one task process with Bun.spawn: its own process group (so a kill reaches every
// child it forked), output streamed line by line (never buffered whole), best-effort limits.
//
// Limits: Tern applies POSIX rlimits through a `/bin/sh` wrapper that runs `ulimit` and then
// `exec`s the command, so no extra process stays around:
//   memoryBytes -> `ulimit -d` (RLIMIT_DATA: heap + private mappings; unlike `ulimit -v` it does
//                  not count the address space V8/JSC reserve, so node starts under a 64 MiB cap;
//                  Bun itself needs about 512 MiB to start)
//   cpuSeconds  -> `ulimit -t` (RLIMIT_CPU: the kernel sends SIGXCPU, then SIGKILL)
// cgroups are not used: they need a writable cgroup tree, which containers rarely give.
import { constants } from "node:os";
import type { SpawnOptions, SpawnResult } from "../../plugins/define.ts";
import { createLineSplitter, DEFAULT_MAX_LINE } from "./lines.ts";

export type { SpawnOptions, SpawnResult };

export interface SpawnProcessOptions extends SpawnOptions {
  /** Longest line handed to a callback; longer ones are split (default 64 KiB). */
  maxLineLength?: number;
}

const DEFAULT_GRACE_MS = 5000;

/** The command wrapped so the limits apply before the real program starts. */
export function withLimits(cmd: string[], limits: SpawnOptions["limits"]): string[] {
  const steps: string[] = [];
  if (limits?.memoryBytes) steps.push(`ulimit -d ${Math.max(1, Math.floor(limits.memoryBytes / 1024))}`);
  if (limits?.cpuSeconds) steps.push(`ulimit -t ${Math.max(1, Math.ceil(limits.cpuSeconds))}`);
  if (steps.length === 0) return cmd;
  return ["/bin/sh", "-c", `${steps.join(" && ")} && exec "$@"`, "tern-limits", ...cmd];
}

/** Signal a whole process group; a group that is already gone is not an error. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
}

async function pump(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void, maxLine: number): Promise<void> {
  const splitter = createLineSplitter(onLine, maxLine);
  // A plain reader loop: cheaper per process than the stream's async iterator (bench/script-overhead.ts).
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) splitter.push(r.value);
  splitter.end();
}

export async function spawnProcess(opts: SpawnProcessOptions): Promise<SpawnResult> {
  const maxLine = opts.maxLineLength ?? DEFAULT_MAX_LINE;
  const grace = opts.killGraceMs ?? DEFAULT_GRACE_MS;
  if (opts.signal.aborted) return { exitCode: 143, signal: "SIGTERM" };

  const proc = Bun.spawn({
    cmd: withLimits(opts.cmd, opts.limits),
    cwd: opts.cwd,
    env: opts.env,
    stdin: opts.stdin !== undefined ? new TextEncoder().encode(opts.stdin) : "ignore",
    stdout: "pipe",
    stderr: "pipe",
    // setsid(): the child leads a new process group whose id is its pid, so killGroup(pid)
    // reaches grandchildren too (a shell's `sleep`, python's subprocesses).
    detached: true,
  });
  const pid = proc.pid;

  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = () => {
    killGroup(pid, "SIGTERM");
    killTimer = setTimeout(() => killGroup(pid, "SIGKILL"), grace);
  };
  opts.signal.addEventListener("abort", onAbort, { once: true });

  const out = pump(proc.stdout as ReadableStream<Uint8Array>, opts.onStdout, maxLine);
  const err = pump(proc.stderr as ReadableStream<Uint8Array>, opts.onStderr, maxLine);
  try {
    await proc.exited;
    // The leader is done; anything it left running in its group (a `cmd &`) would keep the
    // pipes open and outlive the task. A task's processes end with the task.
    killGroup(pid, "SIGKILL");
    await Promise.all([out, err]);
  } finally {
    opts.signal.removeEventListener("abort", onAbort);
    if (killTimer) clearTimeout(killTimer);
  }
  const sig = proc.signalCode == null ? undefined : String(proc.signalCode);
  const code = proc.exitCode ?? (sig ? 128 + signalNumber(sig) : 1);
  return sig ? { exitCode: code, signal: sig } : { exitCode: code };
}

function signalNumber(sig: string): number {
  const n = constants.signals[sig as NodeJS.Signals];
  return typeof n === "number" ? n : 0;
}
