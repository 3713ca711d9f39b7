// Queries on the `secrets` table. Rows hold only ciphertext (src/secrets encrypts); the
// empty namespace "" holds global secrets.
import { and, asc, eq, ne } from "drizzle-orm";
import { secrets } from "../../db/schema.ts";
import type { Db } from "./db.ts";

export interface SecretRow {
  namespace: string;
  key: string;
  ciphertext: string;
  keyId: string;
  updatedAt: number;
}

export async function upsertSecretRow(db: Db, row: SecretRow): Promise<void> {
  const { namespace: _n, key: _k, ...set } = row;
  await db.insert(secrets).values(row).onConflictDoUpdate({ target: [secrets.namespace, secrets.key], set });
}

export async function getSecretRow(db: Db, namespace: string, key: string): Promise<SecretRow | undefined> {
  const rows = await db.select().from(secrets).where(and(eq(secrets.namespace, namespace), eq(secrets.key, key))).limit(1);
  return rows[0];
}

export async function deleteSecretRow(db: Db, namespace: string, key: string): Promise<boolean> {
  const res = await db.delete(secrets).where(and(eq(secrets.namespace, namespace), eq(secrets.key, key)));
  return res.rowsAffected > 0;
}

export async function listSecretKeys(db: Db, namespace: string): Promise<string[]> {
  const rows = await db.select({ key: secrets.key }).from(secrets).where(eq(secrets.namespace, namespace)).orderBy(asc(secrets.key));
  return rows.map((r) => r.key);
}

/** Rows encrypted with another key than `keyId` (what a rotation must re-encrypt). */
export async function listRowsNotUnderKey(db: Db, keyId: string): Promise<SecretRow[]> {
  return db.select().from(secrets).where(ne(secrets.keyId, keyId));
}

/**
 * Replace a row's ciphertext only if it is still the one we read: a rotation racing with a
 * `secret set` from another instance must not overwrite the newer value with an old one.
 */
export async function replaceCiphertext(db: Db, row: SecretRow, ciphertext: string, keyId: string, now: number): Promise<boolean> {
  const res = await db
    .update(secrets)
    .set({ ciphertext, keyId, updatedAt: now })
    .where(and(eq(secrets.namespace, row.namespace), eq(secrets.key, row.key), eq(secrets.ciphertext, row.ciphertext)));
  return res.rowsAffected > 0;
}
