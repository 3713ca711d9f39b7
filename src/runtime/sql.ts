// SQL behind the SqlConnector port: libSQL/SQLite through @libsql/client (files, libsql://
// and http:// servers) and PostgreSQL through Bun's own client (Bun.SQL). JDBC URLs as written
// in Kestra flows (`jdbc:sqlite:/x.db`, `jdbc:postgresql://host/db`) are translated here.
import { createClient, type InValue } from "@libsql/client";
import type { SqlConnection, SqlConnector } from "../../plugins/define.ts";
import { toPositional } from "./sql-params.ts";

export function createSqlConnector(): SqlConnector {
  return {
    async open(url, auth) {
      if (/^(jdbc:)?postgres(ql)?:/.test(url)) return openPostgres(postgresUrl(url, auth));
      return openSqlite(sqliteUrl(url), auth?.password);
    },
  };
}

export function sqliteUrl(url: string): string {
  if (url.startsWith("jdbc:sqlite:")) {
    const rest = url.slice("jdbc:sqlite:".length);
    return rest === ":memory:" ? ":memory:" : `file:${rest}`;
  }
  if (/^(file|libsql|https?|wss?):/.test(url) || url === ":memory:") return url;
  throw new Error(`unsupported SQL URL "${url}" (expected jdbc:sqlite:/path, file:, libsql:, jdbc:postgresql:// or postgres://)`);
}

export function postgresUrl(url: string, auth?: { username?: string; password?: string }): string {
  const u = new URL(url.replace(/^jdbc:/, "").replace(/^postgresql:/, "postgres:"));
  // JDBC puts credentials in query parameters or task properties, libpq in the authority.
  const user = auth?.username ?? u.searchParams.get("user") ?? undefined;
  const pass = auth?.password ?? u.searchParams.get("password") ?? undefined;
  u.searchParams.delete("user");
  u.searchParams.delete("password");
  if (user) u.username = encodeURIComponent(user);
  if (pass) u.password = encodeURIComponent(pass);
  return u.toString();
}

function toSqliteValue(v: unknown): InValue {
  if (v === undefined || v === null) return null;
  if (typeof v === "object" && !(v instanceof Date) && !(v instanceof Uint8Array) && !(v instanceof ArrayBuffer)) return JSON.stringify(v);
  return v as InValue;
}

async function openSqlite(url: string, authToken?: string): Promise<SqlConnection> {
  const client = createClient({ url, authToken });
  if (url.startsWith("file:")) await client.execute("PRAGMA busy_timeout = 10000");
  return {
    dialect: "sqlite",
    async query(sql, params) {
      const args = Array.isArray(params)
        ? params.map(toSqliteValue)
        : Object.fromEntries(Object.entries(params ?? {}).map(([k, v]) => [k, toSqliteValue(v)]));
      const res = await client.execute({ sql, args });
      const rows = res.rows.map((r) => Object.fromEntries(res.columns.map((c, i) => [c, r[i]])));
      return { rows, rowsAffected: res.rowsAffected };
    },
    async batch(statements) {
      await client.batch(
        statements.map((s) => ({ sql: s.sql, args: (s.params ?? []).map(toSqliteValue) })),
        "write",
      );
    },
    async close() {
      client.close();
    },
  };
}

async function openPostgres(url: string): Promise<SqlConnection> {
  const sql = new Bun.SQL(url);
  const run = async (db: { unsafe(q: string, p?: unknown[]): Promise<any> }, text: string, params?: Record<string, unknown> | unknown[]) => {
    const { text: q, values } = Array.isArray(params) || !params ? { text, values: params ?? [] } : toPositional(text, params);
    const res = await db.unsafe(q, values);
    return { rows: [...res] as Record<string, unknown>[], rowsAffected: typeof res.count === "number" ? res.count : 0 };
  };
  return {
    dialect: "postgres",
    query: (text, params) => run(sql, text, params),
    async batch(statements) {
      await sql.begin(async (tx: any) => {
        for (const s of statements) await run(tx, s.sql, s.params);
      });
    },
    async close() {
      await sql.close();
    },
  };
}
