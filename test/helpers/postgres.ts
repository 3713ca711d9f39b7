// A throwaway PostgreSQL for tests: TERN_TEST_POSTGRES_URL if given, else a fresh cluster
// (initdb + pg_ctl as the `postgres` user, trust auth, 127.0.0.1, random port) when the
// binaries are installed; undefined otherwise so the suite can skip.
import { spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPostgres {
  url: string;
  stop(): void;
}

export function startPostgres(): TestPostgres | undefined {
  if (process.env.TERN_TEST_POSTGRES_URL) return { url: process.env.TERN_TEST_POSTGRES_URL, stop() {} };
  const initdb = Bun.which("initdb") ?? Bun.which("initdb", { PATH: "/usr/lib/postgresql/16/bin:/usr/lib/postgresql/15/bin" });
  const pgCtl = Bun.which("pg_ctl") ?? Bun.which("pg_ctl", { PATH: "/usr/lib/postgresql/16/bin:/usr/lib/postgresql/15/bin" });
  if (!initdb || !pgCtl) return undefined;
  const asRoot = process.getuid?.() === 0;
  const pwent = asRoot ? spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }) : undefined;
  if (asRoot && pwent?.status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "tern-pg-"));
  if (asRoot) chownSync(dir, Number(pwent!.stdout.trim()), Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim()));
  // Postgres refuses to run as root: run its tools as the postgres user.
  const run = (cmd: string[]) => spawnSync(asRoot ? "runuser" : cmd[0]!, asRoot ? ["-u", "postgres", "--", ...cmd] : cmd.slice(1), { encoding: "utf8" });
  const data = join(dir, "data");
  if (run([initdb, "-D", data, "--auth=trust", "-U", "postgres", "--no-sync"]).status !== 0) return undefined;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const started = run([pgCtl, "-D", data, "-w", "-l", join(dir, "log"), "-o", `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);
  if (started.status !== 0) return undefined;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      run([pgCtl, "-D", data, "-m", "immediate", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
