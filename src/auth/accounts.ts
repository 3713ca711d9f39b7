// Creating and removing users and API tokens (the CLI and the first-admin bootstrap use
// these), each change written to the audit log. A token is shown once, when created.
import { randomUUID } from "node:crypto";
import type { Config } from "../config.ts";
import { hashPassword } from "../runtime/password.ts";
import { appendAudit } from "../store/audit.ts";
import { addGrant, deleteTokens, deleteUser, findUser, insertToken, insertUser, setPasswordHash } from "../store/auth.ts";
import type { Db } from "../store/db.ts";
import { randomToken, sha256 } from "./credentials.ts";
import { isRole, normalizePrefix, ROLES } from "./roles.ts";

export interface GrantSpec {
  role: string;
  namespace?: string;
}

function checkGrant(g: GrantSpec) {
  if (!isRole(g.role)) throw new Error(`unknown role "${g.role}": one of ${ROLES.join(", ")}`);
  const prefix = normalizePrefix(g.namespace);
  if (prefix !== "*" && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(prefix)) throw new Error(`invalid namespace prefix "${g.namespace}"`);
  return { role: g.role, prefix };
}

const log = (db: Db, actor: string, action: string, target: string, detail?: object) =>
  appendAudit(db, { at: Date.now(), actor, action, target, detail: detail ? JSON.stringify(detail) : null });

export async function addUser(db: Db, u: { username: string; password: string } & GrantSpec, actor = "cli"): Promise<string> {
  if (!/^[\w.@-]{1,64}$/.test(u.username)) throw new Error(`invalid user name "${u.username}" (letters, digits, _ . @ -)`);
  if (u.password.length < 8) throw new Error("the password needs at least 8 characters");
  const grant = checkGrant(u);
  if (await findUser(db, { username: u.username })) throw new Error(`user "${u.username}" already exists`);
  const id = randomUUID();
  await insertUser(db, { id, username: u.username, passwordHash: await hashPassword(u.password), createdAt: Date.now() });
  await addGrant(db, `user:${id}`, grant);
  await log(db, actor, "user.create", u.username, grant);
  return id;
}

export async function grantUser(db: Db, username: string, g: GrantSpec, actor = "cli"): Promise<void> {
  const u = await findUser(db, { username });
  if (!u) throw new Error(`no user "${username}"`);
  const grant = checkGrant(g);
  await addGrant(db, `user:${u.id}`, grant);
  await log(db, actor, "user.grant", username, grant);
}

export async function setPassword(db: Db, username: string, password: string, actor = "cli"): Promise<void> {
  const u = await findUser(db, { username });
  if (!u) throw new Error(`no user "${username}"`);
  if (password.length < 8) throw new Error("the password needs at least 8 characters");
  await setPasswordHash(db, u.id, await hashPassword(password));
  await log(db, actor, "user.password", username);
}

export async function removeUser(db: Db, username: string, actor = "cli"): Promise<boolean> {
  const u = await findUser(db, { username });
  if (!u || !(await deleteUser(db, u.id))) return false;
  await log(db, actor, "user.delete", username);
  return true;
}

/** A new token: the clear value is returned once and only its SHA-256 is stored. */
export async function createToken(db: Db, t: { name: string } & GrantSpec, actor = "cli"): Promise<{ id: string; token: string }> {
  if (!t.name.trim()) throw new Error("a token needs a name");
  const grant = checkGrant(t);
  const id = randomUUID();
  const token = randomToken("tern_");
  await insertToken(db, { id, userId: actor, name: t.name, tokenHash: sha256(token), createdAt: Date.now() });
  await addGrant(db, `token:${id}`, grant);
  await log(db, actor, "token.create", t.name, { id, ...grant });
  return { id, token };
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
