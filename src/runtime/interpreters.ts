// Finds interpreters once per process and caches them. `python3` on PATH is often a pyenv or
// asdf shim (a shell script that costs ~50-100 ms per start): ask it once for the real binary
// (sys.executable) and use that from then on.
import { mkdirSync, readlinkSync, renameSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";

export interface InterpreterFinder {
  /** Absolute path of a program (`python3`, `node`, `bun`, `sh` …), or undefined if absent. */
  find(name: string): Promise<string | undefined>;
  /** PATH with the real interpreters' folders first, so `python3` inside a shell script skips the shim too. */
  fastPath(path: string | undefined): Promise<string>;
}

const PYTHONS = new Set(["python", "python3"]);

/** Process-wide: every runtime (and every test harness) with the same PATH shares the lookups. */
const caches = new Map<string, Map<string, Promise<string | undefined>>>();

export function createInterpreterFinder(env: Record<string, string | undefined>): InterpreterFinder {
  const basePath = env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
  let cache = caches.get(basePath);
  if (!cache) caches.set(basePath, (cache = new Map()));

  async function resolve(name: string): Promise<string | undefined> {
    // The bun running Tern is the bun a bun.Script gets: same version, nothing to look up.
    if (name === "bun" && process.versions.bun) return process.execPath;
    const found = Bun.which(name, { PATH: basePath }) ?? undefined;
    if (!found || !PYTHONS.has(name)) return found;
    const proc = Bun.spawn({ cmd: [found, "-c", "import sys; print(sys.executable)"], stdout: "pipe", stderr: "ignore", env: { PATH: basePath, HOME: env.HOME ?? "/" } });
    const real = (await new Response(proc.stdout).text()).trim();
    return (await proc.exited) === 0 && real.startsWith("/") ? real : found;
  }

  const find = (name: string) => {
    let p = cache.get(name);
    if (!p) cache.set(name, (p = resolve(name)));
    return p;
  };
  const fastPaths = new Map<string, string>();

  return {
    find,
    async fastPath(path) {
      const key = path ?? basePath;
      const known = fastPaths.get(key);
      if (known) return known;
      const dirs = key.split(":");
      const py = await find("python3");
      if (py && !dirs.includes(dirname(py))) dirs.unshift(dirname(py));
      const bunDir = bunOnPath(dirs);
      if (bunDir) dirs.unshift(bunDir);
      fastPaths.set(key, dirs.join(":"));
      return dirs.join(":");
    },
  };
}

/**
 * `bun` inside a script's commands must be the Bun running Tern, even when that binary is not
 * on PATH under that name (npm installs it as node_modules/bun/bin/bun.exe): link it once into
 * a private folder and put that folder first. Returns undefined when PATH already has a bun.
 */
function bunOnPath(dirs: string[]): string | undefined {
  if (!process.versions.bun) return undefined;
  if (basename(process.execPath) === "bun" && dirs.includes(dirname(process.execPath))) return undefined;
  if (bunLinkDir === undefined) bunLinkDir = makeBunLink();
  return bunLinkDir ?? undefined;
}

let bunLinkDir: string | null | undefined;

function makeBunLink(): string | null {
  const dir = join(tmpdir(), `tern-bin-${process.getuid?.() ?? 0}`);
  const link = join(dir, "bun");
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // A shared temp dir: refuse a folder someone else created to plant their own "bun".
    const st = statSync(dir);
    if (st.uid !== (process.getuid?.() ?? st.uid) || (st.mode & 0o022) !== 0) return null;
    try {
      if (readlinkSync(link) === process.execPath) return dir;
    } catch {}
    const tmp = `${link}.${process.pid}`;
    symlinkSync(process.execPath, tmp);
    renameSync(tmp, link);
    return dir;
  } catch {
    return null;
  }
}
