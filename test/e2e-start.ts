// Starts the server the browser tests talk to, as a child process on 127.0.0.1 with a free
// port: `tern serve` itself when it serves the dashboard, else test/e2e-server.ts (the same
// pieces, for as long as `tern serve` does not mount the UI).
import { join } from "node:path";

export interface Server { url: string; stop(): Promise<void> }

const ROOT = join(import.meta.dir, "..");

async function spawnServer(cmd: string[]): Promise<{ proc: ReturnType<typeof Bun.spawn>; url: string }> {
  const proc = Bun.spawn(cmd, { cwd: ROOT, stdout: "pipe", stderr: "inherit", env: { ...process.env, TERN_SECRET_KEY: "e2e-key" } });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let out = "";
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const { done, value } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (m) {
      // Keep draining stdout so the child never blocks on a full pipe.
      void (async () => { while (!(await reader.read()).done); })();
      return { proc, url: m[1] };
    }
  }
  proc.kill();
  throw new Error(`server did not start: ${cmd.join(" ")}\n${out}`);
}

export async function startServer(dataDir: string): Promise<Server> {
  const bun = process.execPath;
  let s = await spawnServer([bun, "src/cli.ts", "serve", "--host", "127.0.0.1", "--port", "0", "--data", dataDir, "--tick", "100"]);
  const home = await fetch(`${s.url}/`).catch(() => undefined);
  if (!home?.headers.get("Content-Type")?.includes("text/html")) {
    s.proc.kill();
    await s.proc.exited;
    s = await spawnServer([bun, "test/e2e-server.ts", "--port", "0", "--data", dataDir]);
  }
  const { proc, url } = s;
  return {
    url,
    async stop() {
      proc.kill("SIGTERM");
      await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill("SIGKILL");
    },
  };
}
