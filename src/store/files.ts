// Queries on the `files` table: internal storage kept as blobs in libSQL, so that several
// instances sharing one database also share the files tasks produce.
import { and, eq, gte, lt, sql } from "drizzle-orm";
import { files } from "../../db/schema.ts";
import type { Db } from "./db.ts";

/** Insert or replace: a task retried after a lost lease writes the same URI again. */
export async function putFileRow(db: Db, uri: string, data: Uint8Array, now: number): Promise<void> {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  await db
    .insert(files)
    .values({ uri, data: buf, size: data.byteLength, createdAt: now })
    .onConflictDoUpdate({ target: files.uri, set: { data: buf, size: data.byteLength, createdAt: now } });
}

export async function getFileRow(db: Db, uri: string): Promise<Uint8Array | undefined> {
  const rows = await db.select({ data: files.data }).from(files).where(eq(files.uri, uri)).limit(1);
  if (!rows[0]) return undefined;
  const d = rows[0].data as unknown as Uint8Array | ArrayBuffer;
  return d instanceof Uint8Array ? d : new Uint8Array(d);
}

export async function getFileSize(db: Db, uri: string): Promise<number | undefined> {
  const rows = await db.select({ size: files.size }).from(files).where(eq(files.uri, uri)).limit(1);
  return rows[0]?.size;
}

export async function deleteFileRow(db: Db, uri: string): Promise<boolean> {
  const res = await db.delete(files).where(eq(files.uri, uri));
  return res.rowsAffected > 0;
}

/**
 * URIs starting with a prefix. A range (prefix <= uri < prefix + U+FFFF) instead of LIKE,
 * so `%` and `_` in file names are not wildcards and the primary key index is used.
 */
export async function listFileUris(db: Db, prefix: string): Promise<string[]> {
  const rows = await db
    .select({ uri: files.uri })
    .from(files)
    .where(and(gte(files.uri, prefix), lt(files.uri, prefix + "\uffff")))
    .orderBy(files.uri);
  return rows.map((r) => r.uri);
}

/** Delete every file under a prefix (execution purge); returns how many. */
export async function deleteFilesUnder(db: Db, prefix: string): Promise<number> {
  const res = await db.delete(files).where(sql`${files.uri} >= ${prefix} AND ${files.uri} < ${prefix + "\uffff"}`);
  return res.rowsAffected;
}
