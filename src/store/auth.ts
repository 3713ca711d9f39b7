// Queries on users, grants, api_tokens and sessions. Secrets never reach this file in clear:
// passwords arrive hashed (argon2id), tokens and session ids as SHA-256 hex.
import type { InStatement } from "@libsql/client";
import { and, asc, eq, gt, inArray, isNull, like, lt, ne, sql } from "drizzle-orm";
import { apiTokens, grants, sessions, users } from "../../db/schema.ts";
import type { Db } from "./db.ts";

export interface UserRow {
  id: string;
  username: string;
  passwordHash: string;
  createdAt: number;
  disabled: boolean;
}

export interface TokenRow {
  id: string;
  userId: string;
  name: string;
  tokenHash: string;
  createdAt: number;
  lastUsedAt: number | null;
  description: string | null;
  /** Epoch ms; null: never expires. */
  expiresAt: number | null;
}

export interface GrantRow {
  role: string;
  prefix: string;
}

/** Bumped whenever this process changes a user, grant or token (caches of hasCredentials look at it). */
export let credentialsVersion = 0;

/**
 * Per user, bumped when this process changes its password, grants or state: a verified
 * password of that user remembered elsewhere (the Basic auth cache) is stale from then on.
 */
const userVersions = new Map<string, number>();
export const userVersion = (id: string) => userVersions.get(id) ?? 0;

function changed(userId?: string) {
  credentialsVersion++;
  if (userId) userVersions.set(userId, userVersion(userId) + 1);
}

/** Whether anyone can log in at all: auth is "configured" once this is true. */
export async function hasCredentials(db: Db): Promise<boolean> {
  const rs = await db.$client.execute("SELECT EXISTS (SELECT 1 FROM users WHERE disabled = 0) OR EXISTS (SELECT 1 FROM api_tokens) AS yes");
  return Number(rs.rows[0].yes) === 1;
}

/** A user and its grants, in one batch. */
export async function insertUser(db: Db, row: Omit<UserRow, "disabled">, roles: GrantRow[]): Promise<void> {
  await db.batch([
    db.insert(users).values(row),
    ...roles.map((g) => db.insert(grants).values({ subject: `user:${row.id}`, role: g.role, namespacePrefix: g.prefix }).onConflictDoNothing()),
  ]);
  changed();
}

export async function findUser(db: Db, by: { username: string } | { id: string }): Promise<UserRow | undefined> {
  const cond = "id" in by ? eq(users.id, by.id) : eq(users.username, by.username);
  return (await db.select().from(users).where(cond).limit(1))[0];
}

export const listUsers = (db: Db): Promise<UserRow[]> => db.select().from(users).orderBy(asc(users.username));

/**
 * The new hash and the end of every session of the user but `keepSession` (the one that made
 * the change, when it is the user's own), in one batch: no session opened with the old password
 * outlives it. Returns how many sessions ended.
 */
export async function setPasswordHash(db: Db, id: string, passwordHash: string, keepSession?: string): Promise<number> {
  const others = keepSession === undefined ? eq(sessions.userId, id) : and(eq(sessions.userId, id), ne(sessions.id, keepSession));
  const [, ended] = await db.batch([
    db.update(users).set({ passwordHash }).where(eq(users.id, id)),
    db.delete(sessions).where(others).returning({ id: sessions.id }),
  ]);
  changed(id);
  return ended.length;
}

export async function addGrant(db: Db, subject: string, g: GrantRow): Promise<void> {
  await db.insert(grants).values({ subject, role: g.role, namespacePrefix: g.prefix }).onConflictDoNothing();
  changed(subject.startsWith("user:") ? subject.slice("user:".length) : undefined);
}

export async function grantsOf(db: Db, subject: string): Promise<GrantRow[]> {
  const rows = await db.select().from(grants).where(eq(grants.subject, subject));
  return rows.map((r) => ({ role: r.role, prefix: r.namespacePrefix }));
}

/** Every user's (or token's) grants by its id, in one query (the lists). */
export async function userGrants(db: Db, kind: "user" | "token" = "user"): Promise<Map<string, GrantRow[]>> {
  const out = new Map<string, GrantRow[]>();
  for (const r of await db.select().from(grants).where(like(grants.subject, `${kind}:%`))) {
    const id = r.subject.slice(kind.length + 1);
    out.set(id, [...(out.get(id) ?? []), { role: r.role, prefix: r.namespacePrefix }]);
  }
  return out;
}

/** A token and its own grants (none for a user's token: it acts with the user's), in one batch. */
export async function insertToken(db: Db, row: Omit<TokenRow, "lastUsedAt">, own: GrantRow[] = []): Promise<void> {
  await db.batch([
    db.insert(apiTokens).values(row),
    ...own.map((g) => db.insert(grants).values({ subject: `token:${row.id}`, role: g.role, namespacePrefix: g.prefix }).onConflictDoNothing()),
  ]);
  changed();
}

/**
 * The token with that hash and whether its owner is a disabled user (null: the owner is no
 * user, as for tokens made by `tern token create`, which carry grants of their own).
 */
export async function findTokenByHash(db: Db, tokenHash: string): Promise<(TokenRow & { ownerDisabled: boolean | null }) | undefined> {
  const rows = await db.select({ t: apiTokens, ownerDisabled: users.disabled }).from(apiTokens)
    .leftJoin(users, eq(users.id, apiTokens.userId)).where(eq(apiTokens.tokenHash, tokenHash)).limit(1);
  return rows[0] && { ...rows[0].t, ownerDisabled: rows[0].ownerDisabled };
}

/** Every token, or one user's. */
export const listTokens = (db: Db, userId?: string): Promise<TokenRow[]> =>
  db.select().from(apiTokens).where(userId === undefined ? undefined : eq(apiTokens.userId, userId)).orderBy(asc(apiTokens.name), asc(apiTokens.createdAt));

/** Tokens that belong to no user (`tern token create`): they carry grants of their own. */
export async function listOwnTokens(db: Db): Promise<TokenRow[]> {
  const rows = await db.select({ t: apiTokens }).from(apiTokens).leftJoin(users, eq(users.id, apiTokens.userId))
    .where(isNull(users.id)).orderBy(asc(apiTokens.name), asc(apiTokens.createdAt));
  return rows.map((r) => r.t);
}

/**
 * One token that belongs to no user, with its grants (a user's token id deletes nothing: it
 * is revoked under its user). One batch, each statement guarded by the same condition.
 */
export async function deleteOwnToken(db: Db, tokenId: string): Promise<boolean> {
  const own = sql`EXISTS (SELECT 1 FROM api_tokens t WHERE t.id = ${tokenId} AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.user_id))`;
  const [, del] = await db.batch([
    db.delete(grants).where(and(eq(grants.subject, `token:${tokenId}`), own)),
    db.delete(apiTokens).where(and(eq(apiTokens.id, tokenId), own)).returning({ id: apiTokens.id }),
  ]);
  changed();
  return del.length > 0;
}

/** By id or by name (names are not unique: every token of that name goes). */
export async function deleteTokens(db: Db, idOrName: string): Promise<number> {
  const rows = await db.select({ id: apiTokens.id }).from(apiTokens).where(sql`${apiTokens.id} = ${idOrName} OR ${apiTokens.name} = ${idOrName}`);
  if (!rows.length) return 0;
  const ids = rows.map((r) => r.id);
  await db.batch([
    db.delete(grants).where(inArray(grants.subject, ids.map((id) => `token:${id}`))),
    db.delete(apiTokens).where(inArray(apiTokens.id, ids)),
  ]);
  changed();
  return rows.length;
}

/** One token of one user (an id of another user's token deletes nothing). */
export async function deleteUserToken(db: Db, userId: string, tokenId: string): Promise<boolean> {
  const [, del] = await db.batch([
    db.delete(grants).where(sql`${grants.subject} = ${`token:${tokenId}`} AND EXISTS (SELECT 1 FROM api_tokens WHERE id = ${tokenId} AND user_id = ${userId})`),
    db.delete(apiTokens).where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId))).returning({ id: apiTokens.id }),
  ]);
  changed();
  return del.length > 0;
}

/** Last use, at most once a minute per token (a write per API call would cost the writer lock). */
export async function touchToken(db: Db, id: string, now: number): Promise<void> {
  await db.update(apiTokens).set({ lastUsedAt: now })
    .where(and(eq(apiTokens.id, id), sql`coalesce(${apiTokens.lastUsedAt}, 0) < ${now - 60_000}`));
}

export async function insertSession(db: Db, row: { id: string; userId: string; createdAt: number; expiresAt: number }): Promise<void> {
  await db.insert(sessions).values(row);
}

/** The live session's user; expired sessions are invisible (and swept on login). */
export async function sessionUser(db: Db, id: string, now: number): Promise<UserRow | undefined> {
  const rows = await db.select({ u: users }).from(sessions).innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, now), eq(users.disabled, false))).limit(1);
  return rows[0]?.u;
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, id));
}

export async function deleteExpiredSessions(db: Db, now: number): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, now));
}

export type UserChange = { grants?: GrantRow[]; disabled?: boolean } | "delete";

/** An enabled user other than / equal to the one asked about (`u.id <> ?` / `u.id = ?`) holding admin on `*`. */
const adminExists = (op: "=" | "<>") => `EXISTS (SELECT 1 FROM users u JOIN grants g ON g.subject = 'user:' || u.id
  WHERE u.id ${op} ? AND u.disabled = 0 AND g.role = 'admin' AND g.namespace_prefix = '*')`;

/**
 * Change a user's grants and enabled flag, or delete it, unless that would leave no enabled
 * admin on every namespace; disabling or deleting also revokes its sessions and tokens.
 *
 * Why this is safe against two admins demoting each other at once: it is one write batch
 * (BEGIN IMMEDIATE: no other writer runs between its statements), and every statement carries
 * the same guard, "the user is not an enabled admin now, or stays one, or another enabled admin
 * exists", so a refused change changes nothing and statement 0 reports the verdict. The guard
 * can only turn from false to true within the batch, never back, because of the order: the
 * disable comes first (while the user may still gain admin below) and the enable last (after
 * it may have lost admin above); every other statement only removes what makes it an admin,
 * or adds admin to a user who keeps it anyway.
 */
export async function changeUser(db: Db, id: string, change: UserChange): Promise<"done" | "missing" | "last-admin"> {
  const del = change === "delete";
  const keeps = !del && (change.grants?.some((g) => g.role === "admin" && g.prefix === "*") ?? true) && change.disabled !== true;
  const guard = `(? OR NOT ${adminExists("=")} OR ${adminExists("<>")})`;
  const g = [keeps ? 1 : 0, id, id];
  const subject = `user:${id}`;
  const stmts: InStatement[] = [{ sql: `SELECT EXISTS (SELECT 1 FROM users WHERE id = ?) AS found, ${guard} AS ok`, args: [id, ...g] }];
  // Sessions and tokens go when the user goes or is disabled: `cond` says that it did.
  const revoke = (cond: string, args: (string | number)[]): InStatement[] => [
    { sql: `DELETE FROM grants WHERE subject IN (SELECT 'token:' || id FROM api_tokens WHERE user_id = ?) AND ${cond}`, args: [id, ...args] },
    { sql: `DELETE FROM api_tokens WHERE user_id = ? AND ${cond}`, args: [id, ...args] },
    { sql: `DELETE FROM sessions WHERE user_id = ? AND ${cond}`, args: [id, ...args] },
  ];
  if (del) {
    stmts.push(
      ...revoke(guard, g),
      { sql: `DELETE FROM grants WHERE subject = ? AND ${guard}`, args: [subject, ...g] },
      { sql: `DELETE FROM users WHERE id = ? AND ${guard}`, args: [id, ...g] },
    );
  } else {
    if (change.disabled === true) {
      stmts.push({ sql: `UPDATE users SET disabled = 1 WHERE id = ? AND ${guard}`, args: [id, ...g] });
      stmts.push(...revoke("EXISTS (SELECT 1 FROM users WHERE id = ? AND disabled = 1)", [id]));
    }
    if (change.grants) {
      for (const r of change.grants) {
        stmts.push({ sql: `INSERT OR IGNORE INTO grants (subject, role, namespace_prefix) SELECT ?, ?, ? WHERE ${guard}`, args: [subject, r.role, r.prefix, ...g] });
      }
      const keep = change.grants.map((r) => `${r.role}@${r.prefix}`);
      stmts.push({
        sql: `DELETE FROM grants WHERE subject = ? AND role || '@' || namespace_prefix NOT IN (${keep.map(() => "?").join(", ")}) AND ${guard}`,
        args: [subject, ...keep, ...g],
      });
    }
    if (change.disabled === false) stmts.push({ sql: `UPDATE users SET disabled = 0 WHERE id = ? AND ${guard}`, args: [id, ...g] });
  }
  const [verdict] = await db.$client.batch(stmts, "write");
  changed(id);
  const row = verdict.rows[0];
  return !Number(row.found) ? "missing" : !Number(row.ok) ? "last-admin" : "done";
}
