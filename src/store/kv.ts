// The KV store (plugins/define.ts KvStore) on the `kv` table: one store per namespace shared by
// kv() in expressions and the kv.* tasks. Values are JSON text; expired rows are invisible and
// swept lazily by the write path.
import { and, eq, gt, gte, isNull, lt, or, sql } from "drizzle-orm";
import { kv } from "../../db/schema.ts";
import type { KvStore } from "../../plugins/define.ts";
import type { Db } from "./db.ts";

export class KvConflictError extends Error {
  override name = "KvConflictError";
}

export interface KvOptions {
  now?: () => number;
}

export function createKvStore(db: Db, opts: KvOptions = {}): KvStore {
  const now = opts.now ?? (() => Date.now());
  const alive = (t: number) => or(isNull(kv.expiresAt), gt(kv.expiresAt, t));

  return {
    async get(namespace, key) {
      const rows = await db
        .select({ value: kv.value, type: kv.type })
        .from(kv)
        .where(and(eq(kv.namespace, namespace), eq(kv.key, key), alive(now())))
        .limit(1);
      const row = rows[0];
      return row ? { value: JSON.parse(row.value), type: row.type } : undefined;
    },

    async set(namespace, key, value, o = {}) {
      const t = now();
      const row = {
        namespace,
        key,
        value: JSON.stringify(value ?? null),
        type: o.type ?? inferType(value),
        expiresAt: o.ttlMs !== undefined ? t + o.ttlMs : null,
        updatedAt: t,
      };
      const { namespace: _n, key: _k, ...update } = row;
      // One statement either way: with overwrite=false the update only applies to an expired
      // row, so two writers racing on a new key cannot both "win" (read-then-write could).
      const res = await db
        .insert(kv)
        .values(row)
        .onConflictDoUpdate({
          target: [kv.namespace, kv.key],
          set: update,
          where: o.overwrite === false ? and(sql`${kv.expiresAt} IS NOT NULL`, lt(kv.expiresAt, t + 1)) : undefined,
        });
      if (res.rowsAffected === 0) throw new KvConflictError(`key "${key}" already exists in namespace ${namespace} and overwrite is false`);
    },

    async delete(namespace, key) {
      const t = now();
      // An expired key counts as missing, as it does for get().
      const res = await db.delete(kv).where(and(eq(kv.namespace, namespace), eq(kv.key, key), alive(t)));
      await sweepExpired(db, namespace, t);
      return res.rowsAffected > 0;
    },

    async keys(namespace, prefix = "") {
      const rows = await db
        .select({ key: kv.key })
        .from(kv)
        .where(and(eq(kv.namespace, namespace), gte(kv.key, prefix), lt(kv.key, prefix + "\uffff"), alive(now())))
        .orderBy(kv.key);
      return rows.map((r) => r.key);
    },
  };
}

/** Delete a namespace's expired rows (cheap, indexed by the primary key's namespace). */
export async function sweepExpired(db: Db, namespace: string, t: number): Promise<number> {
  const res = await db.delete(kv).where(and(eq(kv.namespace, namespace), lt(kv.expiresAt, t + 1)));
  return res.rowsAffected;
}

/** Kestra's KV types, when the writer did not say. */
export function inferType(value: unknown): string {
  if (typeof value === "number" || typeof value === "bigint") return "NUMBER";
  if (typeof value === "boolean") return "BOOLEAN";
  if (value !== null && typeof value === "object") return "JSON";
  return "STRING";
}
