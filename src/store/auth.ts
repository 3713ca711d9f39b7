// Queries on users, grants, api_tokens and sessions. Secrets never reach this file in clear:
// passwords arrive hashed (argon2id), tokens and session ids as SHA-256 hex.
import { and, asc, eq, gt, inArray, lt, sql } from "drizzle-orm";
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
}

export interface GrantRow {
  role: string;
  prefix: string;
}

/** Bumped whenever this process adds a user or token (caches of hasCredentials look at it). */
export let credentialsVersion = 0;

/** Whether anyone can log in at all: auth is "configured" once this is true. */
export async function hasCredentials(db: Db): Promise<boolean> {
  const rs = await db.$client.execute("SELECT EXISTS (SELECT 1 FROM users WHERE disabled = 0) OR EXISTS (SELECT 1 FROM api_tokens) AS yes");
  return Number(rs.rows[0].yes) === 1;
}

export async function insertUser(db: Db, row: Omit<UserRow, "disabled">): Promise<void> {
  await db.insert(users).values(row);
  credentialsVersion++;
}

export async function findUser(db: Db, by: { username: string } | { id: string }): Promise<UserRow | undefined> {
  const cond = "id" in by ? eq(users.id, by.id) : eq(users.username, by.username);
  return (await db.select().from(users).where(cond).limit(1))[0];
}

export const listUsers = (db: Db): Promise<UserRow[]> => db.select().from(users).orderBy(asc(users.username));

export async function setPasswordHash(db: Db, id: string, passwordHash: string): Promise<void> {
  await db.update(users).set({ passwordHash }).where(eq(users.id, id));
}

/** A user goes with its grants and sessions, in one batch. */
export async function deleteUser(db: Db, id: string): Promise<boolean> {
  const [del] = await db.batch([
    db.delete(users).where(eq(users.id, id)).returning({ id: users.id }),
    db.delete(grants).where(eq(grants.subject, `user:${id}`)),
    db.delete(sessions).where(eq(sessions.userId, id)),
  ]);
  return del.length > 0;
}

export async function addGrant(db: Db, subject: string, g: GrantRow): Promise<void> {
  await db.insert(grants).values({ subject, role: g.role, namespacePrefix: g.prefix }).onConflictDoNothing();
}

export async function grantsOf(db: Db, subject: string): Promise<GrantRow[]> {
  const rows = await db.select().from(grants).where(eq(grants.subject, subject));
  return rows.map((r) => ({ role: r.role, prefix: r.namespacePrefix }));
}

export async function insertToken(db: Db, row: Omit<TokenRow, "lastUsedAt">): Promise<void> {
  await db.insert(apiTokens).values(row);
  credentialsVersion++;
}

export async function findTokenByHash(db: Db, tokenHash: string): Promise<TokenRow | undefined> {
  return (await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, tokenHash)).limit(1))[0];
}

export const listTokens = (db: Db): Promise<TokenRow[]> => db.select().from(apiTokens).orderBy(asc(apiTokens.name));

/** By id or by name (names are not unique: every token of that name goes). */
export async function deleteTokens(db: Db, idOrName: string): Promise<number> {
  const rows = await db.select({ id: apiTokens.id }).from(apiTokens).where(sql`${apiTokens.id} = ${idOrName} OR ${apiTokens.name} = ${idOrName}`);
  if (!rows.length) return 0;
  const ids = rows.map((r) => r.id);
  await db.batch([
    db.delete(grants).where(inArray(grants.subject, ids.map((id) => `token:${id}`))),
    db.delete(apiTokens).where(inArray(apiTokens.id, ids)),
  ]);
  return rows.length;
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
