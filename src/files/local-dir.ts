// Moving files between a task's local folder and internal storage (WorkingDirectory
// inputFiles/outputFiles, LocalFiles): names confined to the folder, globs matched relative to it.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import type { FileStore } from "../../plugins/define.ts";

export function confinedPath(root: string, name: string): string {
  const path = resolve(root, name);
  if (!path.startsWith(resolve(root) + "/")) throw new Error(`file name "${name}" escapes the working directory`);
  return path;
}

/** Write name -> content files; a content that is a kestra:// URI is copied from storage. */
export async function writeLocalFiles(store: FileStore, dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const path = confinedPath(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content.startsWith("kestra://") ? await store.get(content) : content);
  }
}

/** Upload the files under `dir` matching any glob; returns relative name -> kestra:// URI. */
export async function collectLocalFiles(store: FileStore, dir: string, globs: string[]): Promise<Record<string, string>> {
  const matchers = globs.map(globToRegExp);
  const out: Record<string, string> = {};
  for (const file of await listFiles(dir)) {
    const rel = relative(dir, file);
    if (matchers.some((m) => m.test(rel))) out[rel] = await store.put(rel, await readFile(file));
  }
  return out;
}

/** Every regular file under `dir` (absolute paths); symlinks are neither listed nor followed. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Glob -> RegExp: `**` any depth, `*` within a segment, `?` one character, `{a,b}` alternatives. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      re += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "{") {
      const end = glob.indexOf("}", i);
      re += `(?:${glob.slice(i + 1, end).split(",").map(escape).join("|")})`;
      i = end;
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
