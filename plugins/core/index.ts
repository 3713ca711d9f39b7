import type { TaskDefinition } from "../define.ts";
import log from "./log.ts";

export const coreTasks: TaskDefinition[] = [log];
