// Internal storage in a local directory (the default: `<dataDir>/storage`).
// Every access resolves the real path and checks it stays under the real root, so a
// symlink planted inside the storage (by a script, say) cannot lead outside it.
import { createReadStream, createWriteStream } from "node:fs";
import { lstat, mkdir, readdir, readFile, realpath, rename, rm, stat } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { FileNotFoundError, type Bytes, type StorageBackend } from "./backend.ts";
import { checkPath, StoragePathError } from "./uri.ts";

export function createLocalStorage(root: string): StorageBackend {
  let realRoot: string | undefined;
  const rootReal = async () => {
    if (!realRoot) {
      await mkdir(root, { recursive: true });
      realRoot = await realpath(root);
    }
    return realRoot;
  };

  const inside = (base: string, p: string) => p === base || p.startsWith(base + sep);

  /** The absolute path of an existing file, refused if a symlink leads it outside the root. */
  async function resolveExisting(path: string): Promise<string | undefined> {
    const base = await rootReal();
    const abs = join(base, checkPath(path));
    let real: string;
    try {
      real = await realpath(abs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
    if (!inside(base, real)) throw new StoragePathError(`storage path "${path}" resolves outside the storage root (symlink)`);
    return real;
  }

  /** The absolute path to write: parent folders created and checked, the target never a symlink. */
  async function resolveForWrite(path: string): Promise<string> {
    const base = await rootReal();
    const abs = join(base, checkPath(path));
    await mkdir(dirname(abs), { recursive: true });
    const parent = await realpath(dirname(abs));
    if (!inside(base, parent)) throw new StoragePathError(`storage path "${path}" resolves outside the storage root (symlink)`);
    const st = await lstat(abs).catch(() => undefined);
    if (st?.isSymbolicLink()) throw new StoragePathError(`storage path "${path}" is a symlink; refused`);
    return join(parent, abs.slice(abs.lastIndexOf(sep) + 1));
  }

  async function mustExist(path: string): Promise<string> {
    const p = await resolveExisting(path);
    if (!p) throw new FileNotFoundError(path);
    return p;
  }

  return {
    kind: "local",
    async put(path: string, data: Bytes) {
      const target = await resolveForWrite(path);
      // Write to a temp name then rename: readers never see a half-written file.
      const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
      try {
        const source =
          data instanceof ReadableStream ? Readable.fromWeb(data as any) : Readable.from([typeof data === "string" ? Buffer.from(data) : data]);
        await pipeline(source, createWriteStream(tmp, { flags: "wx" }));
        await rename(tmp, target);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
      return (await stat(target)).size;
    },
    async get(path) {
      return new Uint8Array(await readFile(await mustExist(path)));
    },
    async stream(path) {
      return Readable.toWeb(createReadStream(await mustExist(path))) as unknown as ReadableStream<Uint8Array>;
    },
    async exists(path) {
      const p = await resolveExisting(path);
      return p !== undefined && (await stat(p)).isFile();
    },
    async size(path) {
      return (await stat(await mustExist(path))).size;
    },
    async delete(path) {
      const p = await resolveExisting(path);
      if (!p) return false;
      await rm(p, { force: true });
      return true;
    },
    async list(prefix) {
      const base = await rootReal();
      const clean = prefix.replace(/\/+$/, "");
      const start = clean === "" ? base : await resolveExisting(clean);
      if (!start) return [];
      const out: string[] = [];
      const walk = async (dir: string, rel: string) => {
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          const r = rel ? `${rel}/${entry.name}` : entry.name;
          // Symlinks are not followed: listing never leaves the root.
          if (entry.isDirectory()) await walk(join(dir, entry.name), r);
          else if (entry.isFile() && !/\.tmp-\d+-/.test(entry.name)) out.push(r);
        }
      };
      if ((await stat(start)).isDirectory()) await walk(start, clean);
      else out.push(clean);
      return out.sort();
    },
    filePath: mustExist,
  };
}
