// Namespace Files tasks (io.kestra.plugin.core.namespace.*).
import type { TaskDefinition } from "../define.ts";
import deleteFiles from "./delete-files.ts";
import downloadFiles from "./download-files.ts";
import uploadFiles from "./upload-files.ts";

export const namespaceTasks: TaskDefinition[] = [uploadFiles, downloadFiles, deleteFiles];
