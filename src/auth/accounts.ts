// Users and API tokens: the rules for creating, changing and removing them live here once; the
// CLI, the admin API and the dashboard call these. Each change is written to the audit log as
// `actor` (null: the caller's guard records it, as the API's and the dashboard's do). A token is
// shown once, when created; only its SHA-256 is stored. `now` (epoch ms) is the caller's clock,
// the one its guard judges expiry by.
import { randomUUID } from "node:crypto";
import type { Config } from "../config.ts";
import { isoDurationMs } from "../flow/common.ts";
import { hashPassword } from "../runtime/password.ts";
import { appendAudit } from "../store/audit.ts";
import {
  addGrant, changeUser, deleteOwnToken, deleteTokens, deleteUserToken, findUser, grantsOf, insertToken, insertUser, listOwnTokens, listTokens, listUsers,
  setPasswordHash, userGrants, type GrantRow, type TokenRow, type UserChange, type UserRow,
} from "../store/auth.ts";
import type { Db } from "../store/db.ts";
import { randomToken, sha256 } from "./credentials.ts";
import { isRole, normalizePrefix, ROLES, type Grant } from "./roles.ts";

export const PASSWORD_MIN = 8;
const USERNAME = /^[\w.@-]{1,64}$/;
const PREFIX = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export const validUsername = (s: string) => USERNAME.test(s);
/** `*`, `finance`, `finance.*`: a namespace prefix a grant may name. */
export const validPrefix = (raw: string) => {
  const p = normalizePrefix(raw);
  return p === "*" || PREFIX.test(p);
};

/** A refused change: 404 (no such user or token), 409 (conflicts with the current state), 422 (invalid; `field` names the input). */
export class AccountError extends Error {
  constructor(readonly status: 404 | 409 | 422, message: string, readonly field?: string) {
    super(message);
  }
}

export interface GrantSpec {
  role: string;
  namespace?: string;
}

/** One role on one prefix (`namespace`, default `*`), or a list of grants. */
export type GrantInput = GrantSpec | { grants: GrantSpec[] };

export interface Account {
  id: string;
  username: string;
  disabled: boolean;
  createdAt: number;
  grants: Grant[];
}

export type TokenInfo = Pick<TokenRow, "id" | "name" | "description" | "createdAt" | "lastUsedAt" | "expiresAt">;

/** A token of no user (`tern token create`): its own grants, and who made it (`cli`, or the creating actor). */
export type OwnTokenInfo = TokenInfo & { grants: Grant[]; createdBy: string };

/**
 * A new token: a name, an optional description, and when it stops working, either an instant
 * (`expiresAt`, ISO-8601) or a duration from its creation (`maxAge`, ISO-8601 as in Kestra:
 * P30D, PT12H); neither: it never expires.
 */
export interface TokenSpec {
  name: string;
  description?: string;
  expiresAt?: string;
  maxAge?: string;
}

/** `at` is where the grant sits in the input, for the error's field name (`grants.0.`). */
function checkGrant(g: GrantSpec, at = ""): GrantRow {
  if (!isRole(g.role)) throw new AccountError(422, `unknown role "${g.role}": one of ${ROLES.join(", ")}`, `${at}role`);
  if (!validPrefix(g.namespace ?? "*")) throw new AccountError(422, `invalid namespace prefix "${g.namespace}"`, `${at}namespace`);
  return { role: g.role, prefix: normalizePrefix(g.namespace) };
}

function checkGrants(input: GrantInput): GrantRow[] {
  if (!("grants" in input)) return [checkGrant(input)];
  if (!input.grants.length) throw new AccountError(422, "a user needs at least one grant", "grants");
  return input.grants.map((g, i) => checkGrant(g, `grants.${i}.`));
}

function checkPassword(password: string) {
  if (password.length < PASSWORD_MIN) throw new AccountError(422, `the password needs at least ${PASSWORD_MIN} characters`, "password");
}

const toGrants = (rows: GrantRow[]): Grant[] => rows.flatMap((g) => (isRole(g.role) ? [{ role: g.role, prefix: g.prefix }] : []));
const toAccount = (u: UserRow, grants: GrantRow[]): Account =>
  ({ id: u.id, username: u.username, disabled: u.disabled, createdAt: u.createdAt, grants: toGrants(grants) });
const tokenInfo = (t: TokenRow): TokenInfo =>
  ({ id: t.id, name: t.name, description: t.description, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, expiresAt: t.expiresAt });

async function log(db: Db, actor: string | null, action: string, target: string, detail?: object) {
  if (actor === null) return;
  await appendAudit(db, { at: Date.now(), actor, action, target, detail: detail ? JSON.stringify(detail) : null });
}

/** By id, else by user name (the CLI names users, the API may use either). */
async function requireUser(db: Db, who: string): Promise<UserRow> {
  const u = (await findUser(db, { id: who })) ?? (await findUser(db, { username: who }));
  if (!u) throw new AccountError(404, `no user "${who}"`);
  return u;
}

export async function listAccounts(db: Db): Promise<Account[]> {
  const [users, grants] = await Promise.all([listUsers(db), userGrants(db)]);
  return users.map((u) => toAccount(u, grants.get(u.id) ?? []));
}

export async function findAccount(db: Db, who: string): Promise<Account> {
  const u = await requireUser(db, who);
  return toAccount(u, await grantsOf(db, `user:${u.id}`));
}

export async function addUser(db: Db, u: { username: string; password: string } & GrantInput, actor: string | null = "cli"): Promise<string> {
  if (!validUsername(u.username)) throw new AccountError(422, `invalid user name "${u.username}" (1 to 64 letters, digits, _ . @ -)`, "username");
  checkPassword(u.password);
  const grants = checkGrants(u);
  const taken = () => new AccountError(409, `user "${u.username}" already exists`, "username");
  if (await findUser(db, { username: u.username })) throw taken();
  const id = randomUUID();
  try {
    await insertUser(db, { id, username: u.username, passwordHash: await hashPassword(u.password), createdAt: Date.now() }, grants);
  } catch (e) {
    // Two creations of one name at once: the unique index decides.
    if (/UNIQUE/i.test(String((e as Error).message))) throw taken();
    throw e;
  }
  await log(db, actor, "user.create", u.username, { grants });
  return id;
}

/** Adds one grant (the CLI's `tern user grant`); adding never takes the last admin away. */
export async function grantUser(db: Db, who: string, g: GrantSpec, actor: string | null = "cli"): Promise<void> {
  const u = await requireUser(db, who);
  const grant = checkGrant(g);
  await addGrant(db, `user:${u.id}`, grant);
  await log(db, actor, "user.grant", u.username, grant);
}

/**
 * New grants (every old one is replaced) and/or the disabled flag, in one atomic change.
 * Refused (409) when it would leave no enabled admin on every namespace; disabling signs the
 * user out everywhere and revokes its tokens at once.
 */
export async function updateUser(db: Db, who: string, u: { grants?: GrantInput; disabled?: boolean }, actor: string | null = "cli"): Promise<void> {
  const user = await requireUser(db, who);
  const grants = u.grants && checkGrants(u.grants);
  if (!grants && u.disabled === undefined) return;
  await change(db, user, { grants, disabled: u.disabled });
  if (grants) await log(db, actor, "user.grants", user.username, { grants });
  if (u.disabled !== undefined) await log(db, actor, u.disabled ? "user.disable" : "user.enable", user.username);
}

async function change(db: Db, u: UserRow, c: UserChange): Promise<void> {
  const r = await changeUser(db, u.id, c);
  if (r === "missing") throw new AccountError(404, `no user "${u.username}"`);
  if (r === "last-admin") throw new AccountError(409, `"${u.username}" is the last enabled admin: make another user an admin (on *) first`);
}

/** The session a request came with and the user it signed in (src/auth/login.tsx `callerSession`). */
export interface CallerSession {
  userId: string;
  /** SHA-256 of the cookie, as stored. */
  session: string;
}

/**
 * A new password ends every session of the user opened before it, except the caller's when it
 * is that user's own (changing your own password keeps you signed in). Its API tokens stay:
 * they are credentials of their own. Returns how many sessions ended.
 */
export async function setPassword(db: Db, who: string, password: string, actor: string | null = "cli", caller?: CallerSession): Promise<number> {
  const u = await requireUser(db, who);
  checkPassword(password);
  const keep = caller?.userId === u.id ? caller.session : undefined;
  const ended = await setPasswordHash(db, u.id, await hashPassword(password), keep);
  await log(db, actor, "user.password", u.username, { sessionsEnded: ended });
  return ended;
}

/** False when there is no such user; the user's grants, sessions and tokens go with it. */
export async function removeUser(db: Db, who: string, actor: string | null = "cli"): Promise<boolean> {
  let u: UserRow;
  try {
    u = await requireUser(db, who);
  } catch (e) {
    if (e instanceof AccountError) return false;
    throw e;
  }
  await change(db, u, "delete");
  await log(db, actor, "user.delete", u.username);
  return true;
}

export const DESCRIPTION_MAX = 500;

/** Epoch ms of the expiry `t` asks for, null for none; 422 naming the field when it is unusable. */
function checkExpiry(t: Pick<TokenSpec, "expiresAt" | "maxAge">, now: number): number | null {
  if (t.expiresAt && t.maxAge) throw new AccountError(422, "give either expiresAt or maxAge, not both", "maxAge");
  if (t.maxAge) {
    const ms = isoDurationMs(t.maxAge);
    if (ms === undefined || ms <= 0) throw new AccountError(422, `"${t.maxAge}" is not a positive ISO-8601 duration such as P30D or PT12H`, "maxAge");
    return now + ms;
  }
  if (!t.expiresAt) return null;
  const at = Date.parse(t.expiresAt);
  if (Number.isNaN(at)) throw new AccountError(422, `"${t.expiresAt}" is not an ISO-8601 instant such as 2030-01-31T00:00:00Z`, "expiresAt");
  if (at <= now) throw new AccountError(422, "the expiry must be in the future", "expiresAt");
  return at;
}

function checkToken(t: TokenSpec, now: number) {
  const name = t.name.trim();
  if (!name || name.length > 100) throw new AccountError(422, "a token needs a name (up to 100 characters)", "name");
  const description = t.description?.trim() || null;
  if (description && description.length > DESCRIPTION_MAX) throw new AccountError(422, `a description has at most ${DESCRIPTION_MAX} characters`, "description");
  return { name, description, expiresAt: checkExpiry(t, now) };
}

async function mint(db: Db, owner: string, t: ReturnType<typeof checkToken>, own: GrantRow[], createdAt: number) {
  const id = randomUUID();
  const token = randomToken("tern_");
  await insertToken(db, { id, userId: owner, tokenHash: sha256(token), createdAt, ...t }, own);
  return { id, token, createdAt, lastUsedAt: null, ...t };
}

/** A token with grants of its own (`tern token create`): the clear value is returned once. */
export async function createToken(db: Db, t: TokenSpec & GrantSpec, actor = "cli", now = Date.now()) {
  const spec = checkToken(t, now);
  const grant = checkGrant(t);
  const minted = await mint(db, actor, spec, [grant], now);
  await log(db, actor, "token.create", spec.name, { id: minted.id, ...grant, expiresAt: spec.expiresAt });
  return minted;
}

/** A token of a user: it acts with the user's grants, as they are at each request, and dies with the account. */
export async function createUserToken(db: Db, who: string, t: TokenSpec, actor: string | null = "cli", now = Date.now()) {
  const u = await requireUser(db, who);
  const spec = checkToken(t, now);
  if (u.disabled) throw new AccountError(409, `user "${u.username}" is disabled: enable it before creating a token`);
  const minted = await mint(db, u.id, spec, [], now);
  await log(db, actor, "token.create", spec.name, { id: minted.id, user: u.username, expiresAt: spec.expiresAt });
  return minted;
}

export async function userTokens(db: Db, who: string): Promise<TokenInfo[]> {
  const u = await requireUser(db, who);
  return (await listTokens(db, u.id)).map(tokenInfo);
}

export async function revokeUserToken(db: Db, who: string, tokenId: string, actor: string | null = "cli"): Promise<void> {
  const u = await requireUser(db, who);
  if (!(await deleteUserToken(db, u.id, tokenId))) throw new AccountError(404, `no token "${tokenId}" of user "${u.username}"`);
  await log(db, actor, "token.delete", tokenId, { user: u.username });
}

/** Every token of no user, with its grants, in two queries. */
export async function ownTokens(db: Db): Promise<OwnTokenInfo[]> {
  const [tokens, grants] = await Promise.all([listOwnTokens(db), userGrants(db, "token")]);
  return tokens.map((t) => ({ ...tokenInfo(t), grants: toGrants(grants.get(t.id) ?? []), createdBy: t.userId }));
}

/** Revoke one token of no user by id (a user's token is revoked under its user: 404 here). */
export async function revokeOwnToken(db: Db, tokenId: string, actor: string | null = "cli"): Promise<void> {
  if (!(await deleteOwnToken(db, tokenId))) throw new AccountError(404, `no API token "${tokenId}" of its own (a user's token is revoked under the user)`);
  await log(db, actor, "token.delete", tokenId);
}

export async function removeTokens(db: Db, idOrName: string, actor = "cli"): Promise<number> {
  const n = await deleteTokens(db, idOrName);
  if (n) await log(db, actor, "token.delete", idOrName, { count: n });
  return n;
}

/** TERN_ADMIN_USER/TERN_ADMIN_PASSWORD: created on the first start that sees them, never changed after. */
export async function ensureFirstAdmin(db: Db, config: Pick<Config, "adminUser" | "adminPassword">): Promise<boolean> {
  if (!config.adminUser) return false;
  if (await findUser(db, { username: config.adminUser })) return false;
  if (!config.adminPassword) throw new Error("TERN_ADMIN_USER is set but TERN_ADMIN_PASSWORD is not");
  await addUser(db, { username: config.adminUser, password: config.adminPassword, role: "admin" }, "env");
  return true;
}
