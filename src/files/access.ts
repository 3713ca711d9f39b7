// Storage access outside a task run: FILE inputs uploaded with an execution, and the engine's
// read()/fileSize()/fileExists() expression functions.
import type { Bytes, StorageBackend } from "./backend.ts";
import { inputFilePath, pathToUri, uriToPath, type TaskScope } from "./uri.ts";

/** Store an uploaded FILE input; returns its kestra:/// URI (…/executions/{id}/inputs/{inputId}/{file}). */
export async function putInputFile(
  backend: StorageBackend,
  scope: Pick<TaskScope, "namespace" | "flowId" | "executionId">,
  inputId: string,
  fileName: string,
  data: Bytes,
): Promise<string> {
  const path = inputFilePath(scope, inputId, fileName);
  await backend.put(path, data);
  return pathToUri(path);
}

/** The expression functions over storage, confined like every other access. */
export function storageFunctions(backend: StorageBackend) {
  return {
    read: async (uri: string) => new TextDecoder().decode(await backend.get(uriToPath(uri))),
    fileSize: async (uri: string) => backend.size(uriToPath(uri)),
    fileExists: async (uri: string) => backend.exists(uriToPath(uri)),
  };
}
