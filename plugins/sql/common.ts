// Shared by the SQL tasks: connection properties, opening through ctx.runtime.sql, and turning
// driver values into plain JSON (dates as ISO strings, big integers as numbers when safe).
import { z } from "zod";
import { NonRetriableError, type SqlConnection, type TaskContext } from "../define.ts";

export const connectionProps = {
  url: z.string().meta({ description: "jdbc:sqlite:/path/db.sqlite, file:/path, libsql://…, jdbc:postgresql://host:5432/db or postgres://…" }),
  username: z.string().optional(),
  password: z.string().optional().meta({ description: "Password (PostgreSQL) or auth token (libSQL server)" }),
};

export async function openConnection(ctx: TaskContext, p: { url: string; username?: string; password?: string }): Promise<SqlConnection> {
  if (!ctx.runtime.sql) throw new NonRetriableError("SQL tasks are not available in this runtime");
  return ctx.runtime.sql.open(p.url, { username: p.username, password: p.password });
}

export function plainValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof ArrayBuffer) return Buffer.from(v).toString("base64");
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  return v;
}

export function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = plainValue(v);
  return out;
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** `schema.table` or `table`, each part quoted. */
export const quoteTable = (name: string) => name.split(".").map(quoteIdent).join(".");

/**
 * Split a script into statements at top-level semicolons (not inside quotes, comments or
 * dollar-quoted bodies). Good enough for DDL + DML scripts; a CREATE TRIGGER body with
 * BEGIN…END is kept whole because its inner `;` are followed by more of the body.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const rest = sql.slice(i, i + 2);
    const c = sql[i]!;
    const skip =
      c === "'" ? /^'(?:[^']|'')*'/.exec(sql.slice(i))
      : c === '"' ? /^"(?:[^"]|"")*"/.exec(sql.slice(i))
      : rest === "--" ? /^--[^\n]*/.exec(sql.slice(i))
      : rest === "/*" ? /^\/\*[\s\S]*?\*\//.exec(sql.slice(i))
      : c === "$" ? /^(\$[A-Za-z_]*\$)[\s\S]*?\1/.exec(sql.slice(i))
      : null;
    if (skip) {
      i += skip[0].length - 1;
      continue;
    }
    const word = /^[A-Za-z]+/.exec(sql.slice(i))?.[0]?.toUpperCase();
    if (word && (i === 0 || !/\w/.test(sql[i - 1]!))) {
      if (word === "BEGIN" && /\bTRIGGER\b/i.test(sql.slice(start, i))) depth++;
      else if (word === "END" && depth > 0) depth--;
      i += word.length - 1;
      continue;
    }
    if (c === ";" && depth === 0) {
      out.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  out.push(sql.slice(start));
  return out.map((s) => s.trim()).filter((s) => s !== "");
}
