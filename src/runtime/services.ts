// RuntimeServices for plugins (plugins/define.ts): temp dirs, process spawning with cached
// interpreter lookup, the environment, and the SQL connector.
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import type { RuntimeServices, SpawnOptions } from "../../plugins/define.ts";
import { createInterpreterFinder } from "./interpreters.ts";
import { spawnProcess } from "./spawn.ts";
import { createSqlConnector } from "./sql.ts";
import { createTempDirs } from "./temp-dirs.ts";

export interface RuntimeOptions {
  /** Parent of task temp dirs (default: TERN_TMP_DIR or the OS temp dir). */
  tmpRoot?: string;
}

/**
 * `hostEnv` is the whole process environment: tasks get it without Tern's own settings and
 * secrets (`env`), plugins read the TERN_* settings apart (`settings`).
 */
export function createRuntimeServices(hostEnv: Record<string, string | undefined>, opts: RuntimeOptions = {}): RuntimeServices {
  const { env, settings } = splitEnv(hostEnv);
  const interpreters = createInterpreterFinder(env);
  const dirs = createTempDirs(resolve(opts.tmpRoot ?? settings.TERN_TMP_DIR ?? tmpdir()));

  return {
    env,
    settings,
    tmpDir: () => dirs.create(),
    removeDir: (path) => dirs.remove(path),
    async spawn(o: SpawnOptions) {
      // A bare program name goes through the cache (python3 -> the real binary, not a shim).
      const [head, ...rest] = o.cmd;
      const program = head && !head.includes("/") ? ((await interpreters.find(head)) ?? head) : head;
      const env = { ...o.env, PATH: await interpreters.fastPath(o.env.PATH) };
      return spawnProcess({ ...o, cmd: [program!, ...rest], env });
    },
    sql: createSqlConnector(),
  };
}

/** TERN_* are Tern's settings; SECRET_* are secrets (read through secret()); the rest may reach tasks. */
export function splitEnv(hostEnv: Record<string, string | undefined>) {
  const env: Record<string, string | undefined> = {};
  const settings: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(hostEnv)) {
    if (k.startsWith("TERN_")) settings[k] = v;
    else if (!k.startsWith("SECRET_")) env[k] = v;
  }
  return { env, settings };
}
