// Credentials → Principal: API tokens (Bearer), passwords (Basic, login form) and dashboard
// sessions (cookie). Tokens and session ids are random 256-bit values stored as SHA-256, so a
// copy of the database hands out no working credential.
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../store/db.ts";
import { credentialsVersion, findTokenByHash, findUser, grantsOf, hasCredentials, sessionUser, touchToken, userVersion, type UserRow } from "../store/auth.ts";
import { isRole, normalizePrefix, type Grant, type Principal } from "./roles.ts";

export const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
export const randomToken = (prefix = "") => `${prefix}${randomBytes(32).toString("base64url")}`;

/** Past its expiry (`expiresAt` null: never). */
export const isExpired = (t: { expiresAt: number | null }, now: number) => t.expiresAt !== null && t.expiresAt <= now;

/** What a Bearer token proves: a principal, nothing (unknown or revoked), or that it was valid once. */
export type TokenCheck = Principal | { expired: number } | undefined;

export interface PasswordCheck {
  verify(plain: string, hash: string): Promise<boolean>;
}

async function grants(db: Db, subject: string): Promise<Grant[]> {
  return (await grantsOf(db, subject)).flatMap((g) => (isRole(g.role) ? [{ role: g.role, prefix: normalizePrefix(g.prefix) }] : []));
}

export async function userPrincipal(db: Db, u: UserRow): Promise<Principal> {
  return { kind: "user", id: u.id, name: u.username, grants: await grants(db, `user:${u.id}`) };
}

export function createCredentials(db: Db, passwords: PasswordCheck, now: () => number) {
  // Once any credential exists, auth stays on for the life of the process (fail closed): a
  // deleted last user must not silently open the server.
  let configured = false;
  // Until then, the answer "not yet" is kept for a second (a user made by the CLI in another
  // process turns auth on within that second), not asked of the database on every request.
  let notYetUntil = 0;
  let notYetVersion = -1;
  // Basic auth on every API call would run argon2 each time: a successful check is
  // remembered for a minute under the SHA-256 of the header, and forgotten as soon as this
  // process changes that user (a disabled user's password stops working at once).
  const basicCache = new Map<string, { p: Principal; until: number; version: number }>();

  return {
    async configured(): Promise<boolean> {
      if (configured || (Date.now() < notYetUntil && notYetVersion === credentialsVersion)) return configured;
      notYetVersion = credentialsVersion;
      configured = await hasCredentials(db);
      if (!configured) notYetUntil = Date.now() + 1000;
      return configured;
    },

    async token(raw: string): Promise<TokenCheck> {
      const row = await findTokenByHash(db, sha256(raw));
      // A user's token acts with the user's grants as they are now (a demotion applies to it
      // at once) and not at all while the user is disabled; a token of its own (`tern token
      // create`) has grants of its own. An expired one stays listed (so admins see why a
      // client fails) until revoked.
      if (!row || row.ownerDisabled) return undefined;
      if (isExpired(row, now())) return { expired: row.expiresAt! };
      void touchToken(db, row.id, now()).catch(() => {});
      const subject = row.ownerDisabled === false ? `user:${row.userId}` : `token:${row.id}`;
      return { kind: "token", id: row.id, name: row.name, grants: await grants(db, subject) };
    },

    async password(username: string, plain: string): Promise<Principal | undefined> {
      const u = await findUser(db, { username });
      if (!u || u.disabled) {
        // Same cost whether or not the user exists: no user enumeration by timing.
        await passwords.verify(plain, DUMMY_HASH);
        return undefined;
      }
      return (await passwords.verify(plain, u.passwordHash)) ? userPrincipal(db, u) : undefined;
    },

    /** A Basic credential verified within the last minute (no argon2 run, no rate limit). */
    basicCached(header: string): Principal | undefined {
      const hit = basicCache.get(sha256(header));
      return hit && hit.until > now() && hit.version === userVersion(hit.p.id) ? hit.p : undefined;
    },

    async basic(header: string): Promise<Principal | undefined> {
      const key = sha256(header);
      const before = credentialsVersion;
      const decoded = Buffer.from(header, "base64").toString("utf8");
      const i = decoded.indexOf(":");
      if (i < 1) return undefined;
      const p = await this.password(decoded.slice(0, i), decoded.slice(i + 1));
      // Not remembered when anything changed during the check: it may have read the user before.
      if (p && credentialsVersion === before) {
        if (basicCache.size > 1000) basicCache.clear();
        basicCache.set(key, { p, until: now() + 60_000, version: userVersion(p.id) });
      }
      return p;
    },

    async session(cookie: string): Promise<Principal | undefined> {
      const u = await sessionUser(db, sha256(cookie), now());
      return u ? userPrincipal(db, u) : undefined;
    },
  };
}

export type Credentials = ReturnType<typeof createCredentials>;

/** An argon2id hash of a random string: verifying against it costs what a real check costs. */
const DUMMY_HASH = "$argon2id$v=19$m=65536,t=2,p=1$jFWQNzJgDjJcJhV5rqOsnJ9J9zyq2XKHGDEoZ1u2Rn0$C/uSBCsbLw89IOJjTlQoS5BQko1Iduh2d4dsGP9gCrA";
