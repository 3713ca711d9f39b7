// The FileStore a task run sees (plugins/define.ts): writes land in the task run's folder,
// reads are limited to URIs of the flow's namespace (Kestra refuses other namespaces' files).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { FileStore } from "../../plugins/define.ts";
import type { Bytes, StorageBackend } from "./backend.ts";
import { checkFileName, executionPrefix, namespacePath, pathToUri, StoragePathError, taskRunPrefix, uriToPath, type TaskScope } from "./uri.ts";

export interface TaskFileStore extends FileStore {
  /** Remove the temporary copies `localPath` made; the worker calls it when the task ends. */
  cleanup(): Promise<void>;
  /** Every URI of this execution, e.g. to purge or list an execution's files. */
  listExecution(): Promise<string[]>;
}

export interface TaskFileStoreOptions {
  /** Namespaces whose files this task may read besides its own (subflow inputs, say). */
  extraNamespaces?: string[];
  /** Where `localPath` materialises files of the db backend (default: the OS temp dir). */
  tmpRoot?: string;
}

export function createTaskFileStore(backend: StorageBackend, scope: TaskScope, opts: TaskFileStoreOptions = {}): TaskFileStore {
  const folder = taskRunPrefix(scope);
  const readable = [scope.namespace, ...(opts.extraNamespaces ?? [])].map((ns) => namespacePath(ns) + "/");
  const temps: string[] = [];

  /** A URI the task may read: well-formed, inside the storage, in an allowed namespace. */
  function readPath(uri: string): string {
    const path = uriToPath(uri);
    if (!readable.some((p) => path.startsWith(p)))
      throw new StoragePathError(`cannot read "${uri}": it belongs to another namespace than ${scope.namespace}`);
    return path;
  }

  const store: TaskFileStore = {
    async put(name: string, data: Bytes) {
      const path = `${folder}/${checkFileName(name)}`;
      await backend.put(path, data);
      return pathToUri(path);
    },
    // async everywhere: a refused URI is a rejected promise, never a synchronous throw.
    get: async (uri) => backend.get(readPath(uri)),
    async getText(uri) {
      return new TextDecoder().decode(await backend.get(readPath(uri)));
    },
    exists: async (uri) => backend.exists(readPath(uri)),
    size: async (uri) => backend.size(readPath(uri)),
    delete: async (uri) => backend.delete(readPath(uri)),
    async localPath(uri) {
      const path = readPath(uri);
      if (backend.filePath) return backend.filePath(path);
      // The db backend has no file on disk: copy it into a private temp folder.
      const dir = await mkdtemp(join(opts.tmpRoot ?? tmpdir(), "tern-file-"));
      temps.push(dir);
      const target = join(dir, basename(path));
      await writeFile(target, await backend.get(path));
      return target;
    },
    async cleanup() {
      await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    },
    async listExecution() {
      return (await backend.list(executionPrefix(scope))).map(pathToUri);
    },
  };
  return store;
}

/** Delete every stored file of an execution (inputs, task outputs); returns how many went. */
export async function deleteExecutionFiles(backend: StorageBackend, s: Pick<TaskScope, "namespace" | "flowId" | "executionId">): Promise<number> {
  let deleted = 0;
  for (const path of await backend.list(executionPrefix(s))) {
    await backend.delete(path);
    deleted++;
  }
  return deleted;
}
