// Prepared-statement reuse for the embedded database. @libsql/client prepares every statement
// afresh on each call (sqlite3_prepare is about half of the engine's database time: the same
// few dozen SQL texts run for every task). libsql's Database is better-sqlite3-shaped, whose
// statements are made to be reused, so each connection keeps its prepared statements by SQL
// text. The client runs each statement synchronously to completion before the next, so one
// statement object is never in use twice at the same time. Remote (sqld) URLs are untouched.
import Database from "libsql";

const MAX_PER_CONNECTION = 512;
const CACHE = Symbol("tern.statements");

interface CachingDatabase {
  [CACHE]?: Map<string, unknown>;
}

interface Statement {
  raw(toggle?: boolean): Statement;
  columns(): unknown[];
  safeIntegers(toggle?: boolean): Statement;
}

/**
 * The client asks every statement for raw mode (which throws for statements that return no
 * rows: that is how it tells them apart), for safe integers and for its columns, on every call.
 * All are fixed for a prepared statement, so the first answers are kept: a write no longer pays
 * for a native exception, a read not for its column list twice.
 */
function remember(stmt: Statement): Statement {
  const raw = stmt.raw.bind(stmt);
  let refusal: unknown;
  let rawOn = false;
  stmt.raw = (toggle = true) => {
    if (refusal !== undefined) throw refusal;
    if (toggle === rawOn) return stmt;
    try {
      raw(toggle);
      rawOn = toggle;
      return stmt;
    } catch (e) {
      refusal = e;
      throw e;
    }
  };
  const safeIntegers = stmt.safeIntegers.bind(stmt);
  let safe: boolean | undefined;
  stmt.safeIntegers = (toggle = true) => {
    if (toggle !== safe) safeIntegers(toggle), (safe = toggle);
    return stmt;
  };
  const columns = stmt.columns.bind(stmt);
  let cols: unknown[] | undefined;
  stmt.columns = () => (cols ??= columns());
  return stmt;
}

let installed = false;

export function installStatementCache(): void {
  if (installed) return;
  installed = true;
  const proto = (Database as unknown as { prototype: { prepare(sql: string): unknown } }).prototype;
  const prepare = proto.prepare;
  proto.prepare = function (this: CachingDatabase, sql: string) {
    const cache = (this[CACHE] ??= new Map());
    let stmt = cache.get(sql);
    if (stmt === undefined) {
      stmt = prepare.call(this, sql) as Statement;
      // Ad-hoc SQL (multi-row inserts of varying size) stops being cached once the map is full.
      if (cache.size < MAX_PER_CONNECTION) cache.set(sql, remember(stmt as Statement));
    }
    return stmt;
  };
}
