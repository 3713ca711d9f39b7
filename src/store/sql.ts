// SQL fragments the stores share.
import { TERMINAL_STATES } from "../engine/states.ts";

/** The database's clock in epoch milliseconds: leases and due times never use a local clock. */
export const DB_NOW = "CAST(unixepoch('subsec') * 1000 AS INTEGER)";

/** `('SUCCESS','WARNING',…)`: the terminal states as an SQL list. */
export const TERMINAL_SQL = `(${TERMINAL_STATES.map((s) => `'${s}'`).join(",")})`;

/**
 * Executions (or runs) not finished yet. Also the condition of the partial index
 * executions_active_idx (db/schema.ts builds it from this string): a query must use this exact
 * condition for SQLite to choose that index.
 */
export const UNFINISHED = `state NOT IN ${TERMINAL_SQL}`;
