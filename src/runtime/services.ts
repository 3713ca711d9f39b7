// RuntimeServices for plugins (plugins/define.ts): temp dirs, process spawning with cached
// interpreter lookup, the environment, and the SQL connector.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RuntimeServices, SpawnOptions } from "../../plugins/define.ts";
import { createInterpreterFinder } from "./interpreters.ts";
import { spawnProcess } from "./spawn.ts";
import { createSqlConnector } from "./sql.ts";

export interface RuntimeOptions {
  /** Parent of task temp dirs (default: TERN_TMP_DIR or the OS temp dir). */
  tmpRoot?: string;
}

export function createRuntimeServices(env: Record<string, string | undefined>, opts: RuntimeOptions = {}): RuntimeServices {
  const interpreters = createInterpreterFinder(env);
  const tmpRoot = opts.tmpRoot ?? env.TERN_TMP_DIR ?? tmpdir();

  return {
    env,
    tmpDir: () => mkdtemp(join(tmpRoot, "tern-task-")),
    async removeDir(path) {
      await rm(path, { recursive: true, force: true });
    },
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
