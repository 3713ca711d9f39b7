// Internal storage as blobs in the `files` table (through src/store/files.ts).
// Rows are keyed by the canonical kestra:/// URI. Blobs are whole values in libSQL, so a
// write is buffered in memory up to `maxBytes` (default 256 MiB) and refused beyond.
import type { Db } from "../store/db.ts";
import { deleteFileRow, getFileRow, getFileSize, listFileUris, putFileRow } from "../store/files.ts";
import { FileNotFoundError, toBuffer, type StorageBackend } from "./backend.ts";
import { checkPath, pathToUri, uriToPath } from "./uri.ts";

export interface DbStorageOptions {
  maxBytes?: number;
  now?: () => number;
}

export function createDbStorage(db: Db, opts: DbStorageOptions = {}): StorageBackend {
  const maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
  const now = opts.now ?? (() => Date.now());
  const key = (path: string) => pathToUri(checkPath(path));

  async function get(path: string): Promise<Uint8Array> {
    const data = await getFileRow(db, key(path));
    if (!data) throw new FileNotFoundError(path);
    return data;
  }

  return {
    kind: "db",
    async put(path, data) {
      const buf = await toBuffer(data, maxBytes);
      await putFileRow(db, key(path), buf, now());
      return buf.byteLength;
    },
    get,
    async stream(path) {
      const data = await get(path);
      return new ReadableStream({
        start(c) {
          c.enqueue(data);
          c.close();
        },
      });
    },
    async exists(path) {
      return (await getFileSize(db, key(path))) !== undefined;
    },
    async size(path) {
      const s = await getFileSize(db, key(path));
      if (s === undefined) throw new FileNotFoundError(path);
      return s;
    },
    delete: async (path) => deleteFileRow(db, key(path)),
    async list(prefix) {
      const clean = prefix.replace(/\/+$/, "");
      const exact = clean === "" ? [] : [key(clean)];
      const under = await listFileUris(db, clean === "" ? "kestra:///" : key(clean) + "/");
      const all = [...(exact.length && (await getFileSize(db, exact[0])) !== undefined ? exact : []), ...under];
      return all.map(uriToPath).sort();
    },
  };
}
