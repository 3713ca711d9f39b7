// API test harness: an in-process app over a real Tern (libSQL file in a temp dir), and the
// real server as a child process on 127.0.0.1 (port 0: the kernel picks a free one).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { loadConfig } from "../../src/config.ts";
import type { Execution } from "../../src/engine/model.ts";
import { createTern, type Tern } from "../../src/main.ts";
import { createApp } from "../../src/server/app.ts";

const ROOT = join(import.meta.dir, "../..");

export interface TestApp {
  tern: Tern;
  app: ReturnType<typeof createApp>;
  dir: string;
  /** app.request with a JSON or text body. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** POST a flow's YAML. */
  flow(yaml: string): Promise<Response>;
  /** Resolves when the execution has finished (the service's own notion). */
  ended(id: string): Promise<Execution>;
  close(): Promise<void>;
}

export async function createTestApp(opts: { maxBodyBytes?: number; env?: Record<string, string> } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), "tern-api-"));
  const config = loadConfig({ data: dir, tick: "50" }, { TERN_MAX_BODY_BYTES: String(opts.maxBodyBytes ?? 1024 * 1024), ...opts.env });
  const tern = await createTern(config, {});
  tern.service.start(config.tickMs);
  const app = createApp({ tern });
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (typeof body === "string" || body instanceof FormData || body instanceof Uint8Array) init.body = body as BodyInit;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] ??= "application/json";
    }
    return Promise.resolve(app.request(path, init));
  };
  return {
    tern, app, dir, call,
    flow: (yaml) => call("POST", "/api/v1/flows", yaml, { "content-type": "application/x-yaml" }),
    ended: (id) => tern.service.waitFor(id),
    async close() {
      await tern.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ServerProcess {
  url: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Milliseconds from spawn to the first answered /health. */
  startupMs: number;
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number>;
  kill9(): Promise<void>;
}

/** Start `tern serve` as a child process and wait until /health answers. */
export async function startServer(opts: { data: string; flows?: string; env?: Record<string, string>; args?: string[] }): Promise<ServerProcess> {
  const args = ["src/cli.ts", "serve", "--port", "0", "--host", "127.0.0.1", "--data", opts.data, ...(opts.args ?? [])];
  if (opts.flows) args.push("--flows", opts.flows);
  const t0 = performance.now();
  const proc = Bun.spawn([process.execPath, ...args], {
    cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe",
    env: { ...process.env, TERN_TICK_MS: "100", ...opts.env },
  });
  let out = "";
  const drain = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s as unknown as AsyncIterable<Uint8Array>) out += new TextDecoder().decode(chunk);
  };
  void drain(proc.stdout);
  void drain(proc.stderr);
  let url: string | undefined;
  while (!url) {
    if (proc.exitCode !== null) throw new Error(`tern serve exited ${proc.exitCode}:\n${out}`);
    if (performance.now() - t0 > 10_000) throw new Error(`tern serve did not start:\n${out}`);
    url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    if (!url) await Bun.sleep(5);
  }
  while ((await fetch(`${url}/health`).catch(() => null))?.status !== 200) await Bun.sleep(5);
  const startupMs = performance.now() - t0;
  return {
    url, proc, startupMs,
    output: () => out,
    async stop() {
      proc.kill("SIGTERM");
      return proc.exited;
    },
    async kill9() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

/** Read a Server-Sent Events response to its end: [{event, id, data}]. */
export async function readSse(res: Response): Promise<{ event?: string; id?: string; data: string }[]> {
  const text = await res.text();
  return text.split("\n\n").filter((b) => b.trim() && !b.startsWith(":")).map((block) => {
    const msg: { event?: string; id?: string; data: string } = { data: "" };
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("data: ")) data.push(line.slice(6));
      else if (line.startsWith("event: ")) msg.event = line.slice(7);
      else if (line.startsWith("id: ")) msg.id = line.slice(4);
    }
    msg.data = data.join("\n");
    return msg;
  });
}
