// The KV store tasks (one store per namespace, shared with kv() in expressions).
import type { TaskDefinition } from "../define.ts";
import del from "./delete.ts";
import getKeys from "./get-keys.ts";
import get from "./get.ts";
import purge from "./purge.ts";
import set from "./set.ts";

export const kvTasks: TaskDefinition[] = [set, get, getKeys, del, purge];
