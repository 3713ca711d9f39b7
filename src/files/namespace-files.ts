// Namespace Files (Kestra's `kestra:///{ns as path}/_files/{path}`): files that belong to a
// namespace rather than to an execution, uploaded through the API and copied into script
// tasks' working directories. Paths are confined by uri.ts's checks like every other access.
import { NonRetriableError, type NamespaceFileStore } from "../../plugins/define.ts";
import type { Bytes, StorageBackend } from "./backend.ts";
import { checkFileName, namespacePath, StoragePathError } from "./uri.ts";
import { reaches, SYSTEM_NAMESPACE } from "../flow/reach.ts";

export interface NamespaceFileEntry {
  fileName: string;
  type: "File" | "Directory";
  size: number;
}

export interface NamespaceFiles {
  put(path: string, data: Bytes): Promise<number>;
  get(path: string): Promise<Uint8Array>;
  exists(path: string): Promise<boolean>;
  stream(path: string): Promise<ReadableStream<Uint8Array>>;
  /** The entries directly inside a folder ("/" is the root); undefined when it holds nothing. */
  directory(path: string): Promise<NamespaceFileEntry[] | undefined>;
  /** Every file of the namespace, as paths relative to its root (`lib/helper.py`), sorted. */
  listAll(): Promise<string[]>;
  /** Delete a file, or a folder with everything under it; returns how many files went. */
  delete(path: string): Promise<number>;
}

/**
 * What a task run gets (plugins/define.ts NamespaceFileReader): its own namespace's files to
 * read, and `of(ns)` for the namespace.* tasks.
 */
export function namespaceFileReader(backend: StorageBackend, namespace: string) {
  let files: NamespaceFiles | undefined;
  const get = () => (files ??= createNamespaceFiles(backend, namespace));
  return { list: () => get().listAll(), get: (path: string) => get().get(path), of: (target: string) => taskNamespaceFiles(backend, namespace, target) };
}

/**
 * The files of namespace `target` for a task of a flow in `own`: within the flow's reach (`own`
 * and the namespaces below it; any from `system`, see src/flow/reach.ts). Tern grants
 * permissions per namespace: whoever may edit a flow in `own` must not reach a sibling's or a
 * parent's files through a task.
 */
export function taskNamespaceFiles(backend: StorageBackend, own: string, target: string): NamespaceFileStore {
  if (!reaches(own, target)) {
    throw new NonRetriableError(
      `namespace "${target}" is not allowed: a flow of ${own} may only use the namespace files of ${own} and of the namespaces below it (a flow in ${SYSTEM_NAMESPACE}, of any)`,
    );
  }
  const files = createNamespaceFiles(backend, target);
  return {
    namespace: target,
    list: () => files.listAll(),
    get: (path) => files.get(path),
    exists: (path) => files.exists(path),
    put: async (path, data) => void (await files.put(path, data)),
    delete: async (path) => (await files.delete(path)) > 0,
  };
}

const NAMESPACE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/**
 * A namespace-relative path as Kestra's API writes it (`/a/b.py`; one leading slash is the
 * namespace root) -> `a/b.py`, refused when it holds `..`, encoded traversal or control characters.
 */
export function namespaceFilePath(path: string): string {
  const rel = path.startsWith("/") ? path.slice(1) : path;
  return rel === "" ? "" : checkFileName(rel);
}

export function createNamespaceFiles(backend: StorageBackend, namespace: string): NamespaceFiles {
  // Dots are the only separator a namespace has: "a/b" must not alias namespace a.b's files.
  if (!NAMESPACE.test(namespace)) throw new StoragePathError(`invalid namespace "${namespace}"`);
  const root = `${namespacePath(namespace)}/_files`;
  const abs = (path: string) => {
    const rel = namespaceFilePath(path);
    if (rel === "") throw new StoragePathError(`invalid namespace file path "${path}": the namespace root is a folder`);
    return `${root}/${rel}`;
  };
  const under = async (path: string) => {
    const rel = namespaceFilePath(path);
    const dir = rel === "" ? root : `${root}/${rel}`;
    return { dir, files: (await backend.list(dir)).filter((p) => p.startsWith(dir + "/")) };
  };

  return {
    put: (path, data) => backend.put(abs(path), data),
    get: (path) => backend.get(abs(path)),
    exists: (path) => backend.exists(abs(path)),
    stream: (path) => backend.stream(abs(path)),
    async directory(path) {
      const { dir, files } = await under(path);
      if (files.length === 0) return namespaceFilePath(path) === "" ? [] : undefined;
      const entries = new Map<string, NamespaceFileEntry>();
      for (const f of files) {
        const rest = f.slice(dir.length + 1);
        const slash = rest.indexOf("/");
        const name = slash === -1 ? rest : rest.slice(0, slash);
        if (slash !== -1) entries.set(name, { fileName: name, type: "Directory", size: 0 });
        else entries.set(name, { fileName: name, type: "File", size: await backend.size(f) });
      }
      return [...entries.values()].sort((a, b) => a.fileName.localeCompare(b.fileName));
    },
    async listAll() {
      return (await backend.list(root)).filter((p) => p.startsWith(root + "/")).map((p) => p.slice(root.length + 1));
    },
    async delete(path) {
      const file = abs(path);
      // exists() is true for files only: a folder goes file by file (no empty folder in the db backend).
      if (await backend.exists(file)) return (await backend.delete(file)) ? 1 : 0;
      const { files } = await under(path);
      for (const f of files) await backend.delete(f);
      return files.length;
    },
  };
}
