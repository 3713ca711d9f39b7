// Internal storage tasks (LocalFiles lives in plugins/core).
import type { TaskDefinition } from "../define.ts";
import concat from "./concat.ts";
import del from "./delete.ts";
import size from "./size.ts";
import write from "./write.ts";

export const storageTasks: TaskDefinition[] = [concat, size, del, write];
