// Internal storage: one interface, two backends (local directory, libSQL blobs), and the
// per-task-run FileStore handed to plugins.
export type { Bytes, StorageBackend } from "./backend.ts";
export { FileNotFoundError } from "./backend.ts";
export { createLocalStorage } from "./local.ts";
export { createDbStorage } from "./db.ts";
export { createTaskFileStore, deleteExecutionFiles, type TaskFileStore, type TaskFileStoreOptions } from "./task-store.ts";
export * from "./uri.ts";
export { putInputFile, storageFunctions } from "./access.ts";
export { createNamespaceFiles, namespaceFilePath, namespaceFileReader, type NamespaceFileEntry, type NamespaceFiles } from "./namespace-files.ts";
