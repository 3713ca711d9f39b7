// Users and API tokens: the rules for creating, changing and removing them live here once; the
// CLI, the admin API and the dashboard call these. Each change is written to the audit log as
// `actor` (null: the caller's guard records it, as the API's and the dashboard's do). A token is
// shown once, when created; only its SHA-256 is stored.
import { randomUUID } from "node:crypto";
import type { Config } from "../config.ts";
import { hashPassword } from "../runtime/password.ts";
import { appendAudit } from "../store/audit.ts";
import {
  addGrant, changeUser, deleteTokens, deleteUserToken, findUser, grantsOf, insertToken, insertUser, listTokens, listUsers,
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

export type TokenInfo = Pick<TokenRow, "id" | "name" | "createdAt" | "lastUsedAt">;

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
const tokenInfo = (t: TokenRow): TokenInfo => ({ id: t.id, name: t.name, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt });

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

export async function setPassword(db: Db, who: string, password: string, actor: string | null = "cli"): Promise<void> {
  const u = await requireUser(db, who);
  checkPassword(password);
  await setPasswordHash(db, u.id, await hashPassword(password));
  await log(db, actor, "user.password", u.username);
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

function checkTokenName(name: string): string {
  const n = name.trim();
  if (!n || n.length > 100) throw new AccountError(422, "a token needs a name (up to 100 characters)", "name");
  return n;
}

async function mint(db: Db, owner: string, name: string, own: GrantRow[]) {
  const id = randomUUID();
  const token = randomToken("tern_");
  const createdAt = Date.now();
  await insertToken(db, { id, userId: owner, name, tokenHash: sha256(token), createdAt }, own);
  return { id, name, token, createdAt };
}

/** A token with grants of its own (`tern token create`): the clear value is returned once. */
export async function createToken(db: Db, t: { name: string } & GrantSpec, actor = "cli"): Promise<{ id: string; token: string }> {
  const name = checkTokenName(t.name);
  const grant = checkGrant(t);
  const { id, token } = await mint(db, actor, name, [grant]);
  await log(db, actor, "token.create", name, { id, ...grant });
  return { id, token };
}

/** A token of a user: it acts with the user's grants, as they are at each request, and dies with the account. */
export async function createUserToken(db: Db, who: string, t: { name: string }, actor: string | null = "cli") {
  const u = await requireUser(db, who);
  const name = checkTokenName(t.name);
  if (u.disabled) throw new AccountError(409, `user "${u.username}" is disabled: enable it before creating a token`);
  const minted = await mint(db, u.id, name, []);
  await log(db, actor, "token.create", name, { id: minted.id, user: u.username });
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
