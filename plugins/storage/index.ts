// Internal storage tasks (LocalFiles lives in plugins/core).
import type { TaskDefinition } from "../define.ts";
import concat from "./concat.ts";
import deduplicateItems from "./deduplicate-items.ts";
import del from "./delete.ts";
import filterItems from "./filter-items.ts";
import purgeCurrentExecutionFiles from "./purge-current-execution-files.ts";
import reverse from "./reverse.ts";
import size from "./size.ts";
import split from "./split.ts";
import write from "./write.ts";

export const storageTasks: TaskDefinition[] = [concat, size, del, write, split, reverse, filterItems, deduplicateItems, purgeCurrentExecutionFiles];
