// SQL tasks: Query for SQLite/libSQL and PostgreSQL, and Tern's Load (file -> table).
import type { TaskDefinition } from "../define.ts";
import load from "./load.ts";
import postgresQuery from "./postgres-query.ts";
import sqliteQuery from "./sqlite-query.ts";

export const sqlTasks: TaskDefinition[] = [sqliteQuery, postgresQuery, load];
