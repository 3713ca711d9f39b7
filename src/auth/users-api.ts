// The admin API over users and their API tokens, in Kestra EE's shapes (/api/v1/users,
// /api/v1/users/{id}/api-tokens, `fullToken` shown once). The rules are those of
// src/auth/accounts.ts, which the CLI and the dashboard call too; the guard writes the audit.
// Token shapes and the routes over tokens of no user are in src/auth/tokens-api.ts.
import { z } from "zod";
import { jsonBody } from "../server/api/execution-ops.ts";
import { defineRoute, paging, type RouteDef } from "../server/route.ts";
import { paged } from "../server/schemas.ts";
import type { Db } from "../store/db.ts";
import {
  AccountError, addUser, createUserToken, findAccount, listAccounts, PASSWORD_MIN, removeUser, revokeUserToken,
  setPassword, updateUser, userTokens, validPrefix, validUsername, type Account, type GrantInput,
} from "./accounts.ts";
import { accountError, api } from "./api-errors.ts";
import { callerSession } from "./login.tsx";
import { ROLES, type Role } from "./roles.ts";
import { ApiToken, CreatedApiToken, TokenCreate, tokenJson, tokenSpec } from "./tokens-api.ts";

const d = (description: string) => ({ description });
const RoleName = z.enum(ROLES);
const Prefix = z.string().refine(validPrefix, "a namespace prefix: *, finance or finance.*");

const User = z.object({
  id: z.string(),
  username: z.string(),
  role: RoleName.nullable().meta(d("the highest role among the grants")),
  namespaces: z.array(z.string()).meta(d("where that role applies (* for every namespace)")),
  grants: z.array(z.object({ role: RoleName, namespace: z.string() })).meta(d("every grant: a role on a namespace prefix")),
  disabled: z.boolean(),
  created: z.string(),
}).meta({ id: "User" });


const grantFields = {
  role: RoleName.optional(),
  namespaces: z.array(Prefix).min(1).optional().meta(d('the prefixes the role applies to (default ["*"])')),
  grants: z.array(z.object({ role: RoleName, namespace: Prefix.default("*") })).min(1).optional()
    .meta(d("instead of role and namespaces: every grant, each a role on a prefix")),
};
type GrantFields = { role?: Role; namespaces?: string[]; grants?: { role: Role; namespace: string }[] };

/** Either role (with namespaces) or grants; `required` on create. */
const oneWay = (required: boolean) => (b: GrantFields, ctx: z.RefinementCtx) => {
  if (b.grants && (b.role || b.namespaces)) ctx.addIssue({ code: "custom", path: ["grants"], message: "give either role and namespaces, or grants" });
  else if (b.namespaces && !b.role) ctx.addIssue({ code: "custom", path: ["role"], message: "namespaces need a role" });
  else if (required && !b.grants && !b.role) ctx.addIssue({ code: "custom", path: ["role"], message: "a role (or grants) is required" });
};

const UserCreate = z.object({
  username: z.string().refine(validUsername, "1 to 64 letters, digits, _ . @ -"),
  password: z.string().min(PASSWORD_MIN, `at least ${PASSWORD_MIN} characters`),
  ...grantFields,
}).superRefine(oneWay(true)).meta({ id: "UserCreate" });
const UserUpdate = z.object({
  ...grantFields,
  disabled: z.boolean().optional().meta(d("true signs the user out and revokes its tokens at once")),
}).superRefine(oneWay(false)).meta({ id: "UserUpdate" });
const PasswordBody = z.object({ password: z.string().min(PASSWORD_MIN, `at least ${PASSWORD_MIN} characters`) }).meta({ id: "UserPassword" });

function grantInput(b: GrantFields): GrantInput | undefined {
  if (b.grants) return { grants: b.grants };
  if (b.role) return { grants: (b.namespaces ?? ["*"]).map((namespace) => ({ role: b.role!, namespace })) };
  return undefined;
}

const RANK = Object.fromEntries(ROLES.map((r, i) => [r, i])) as Record<Role, number>;

export function userJson(a: Account) {
  const top = a.grants.reduce<Role | null>((best, g) => (best === null || RANK[g.role] > RANK[best] ? g.role : best), null);
  return {
    id: a.id, username: a.username, role: top,
    namespaces: [...new Set(a.grants.filter((g) => g.role === top).map((g) => g.prefix))],
    grants: a.grants.map((g) => ({ role: g.role, namespace: g.prefix })),
    disabled: a.disabled, created: new Date(a.createdAt).toISOString(),
  };
}

/** `now`: the clock the guard judges token expiry by (tests move it). */
export function userRoutes(db: Db, now: () => number = Date.now): RouteDef[] {
  const admin = (audit?: string) => ({ role: "admin" as const, ns: "global" as const, ...(audit ? { audit } : {}) });
  const id = (c: { req: { param(k: string): string | undefined } }) => c.req.param("id")!;
  return [
    defineRoute({
      method: "get", path: "/api/v1/users", tag: "Users", summary: "Users with their grants (admins)",
      access: admin(), query: z.object({ q: z.string().optional().meta(d("part of the user name")), ...paging }),
      responses: { 200: { description: "a page of users", schema: paged(User, "User") } },
      async handler(c, q) {
        const all = (await listAccounts(db)).filter((u) => !q.q || u.username.toLowerCase().includes(q.q.toLowerCase()));
        return c.json({ results: all.slice((q.page - 1) * q.size, q.page * q.size).map(userJson), total: all.length });
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/users", tag: "Users", summary: "Create a user with a password and a role (admins)",
      access: admin("user.create"), body: [{ media: "json", schema: UserCreate }],
      responses: { 201: { description: "the new user", schema: User }, 409: { description: "the user name is taken" }, 422: { description: "invalid field" } },
      async handler(c) {
        const b = await jsonBody(c.req.text(), UserCreate);
        const created = await api(addUser(db, { username: b.username, password: b.password, ...grantInput(b)! }, null));
        return c.json(userJson(await api(findAccount(db, created))), 201);
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/users/{id}", tag: "Users", summary: "One user, by id or user name (admins)",
      access: admin(), responses: { 200: { description: "the user", schema: User } },
      async handler(c) {
        return c.json(userJson(await api(findAccount(db, id(c)))));
      },
    }),
    defineRoute({
      method: "put", path: "/api/v1/users/{id}", tag: "Users",
      summary: "Change a user's role and grants and/or disable or enable it; fields left out stay (admins)",
      access: admin("user.update"), body: [{ media: "json", schema: UserUpdate }],
      responses: { 200: { description: "the user", schema: User }, 409: { description: "it would leave no enabled admin" }, 422: { description: "invalid field" } },
      async handler(c) {
        const b = await jsonBody(c.req.text(), UserUpdate);
        await api(updateUser(db, id(c), { grants: grantInput(b), disabled: b.disabled }, null));
        return c.json(userJson(await api(findAccount(db, id(c)))));
      },
    }),
    defineRoute({
      method: "put", path: "/api/v1/users/{id}/password", tag: "Users",
      summary: "Set a user's password; the user's sessions end, except the caller's own when it is that user's (admins)",
      access: admin("user.password"), body: [{ media: "json", schema: PasswordBody }],
      responses: { 204: { description: "changed" }, 422: { description: "invalid field" } },
      async handler(c) {
        const b = await jsonBody(c.req.text(), PasswordBody);
        await api(setPassword(db, id(c), b.password, null, callerSession(c)));
        return c.body(null, 204);
      },
    }),
    defineRoute({
      method: "delete", path: "/api/v1/users/{id}", tag: "Users", summary: "Delete a user, its sessions and its tokens (admins)",
      access: admin("user.delete"),
      responses: { 204: { description: "deleted" }, 409: { description: "the last enabled admin" } },
      async handler(c) {
        if (!(await api(removeUser(db, id(c), null)))) throw accountError(new AccountError(404, `no user "${id(c)}"`));
        return c.body(null, 204);
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/users/{id}/api-tokens", tag: "Users", summary: "A user's API tokens, without their secrets (admins)",
      access: admin(), responses: { 200: { description: "the tokens", schema: paged(ApiToken, "ApiToken") } },
      async handler(c) {
        const tokens = await api(userTokens(db, id(c)));
        return c.json({ results: tokens.map((t) => tokenJson(t, now())), total: tokens.length });
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/users/{id}/api-tokens", tag: "Users",
      summary: "Create an API token acting as the user, optionally expiring (maxAge or expiresAt); its secret is in this answer only (admins)",
      access: admin("token.create"), body: [{ media: "json", schema: TokenCreate }],
      responses: { 201: { description: "the token with its secret", schema: CreatedApiToken }, 409: { description: "the user is disabled" }, 422: { description: "invalid field" } },
      async handler(c) {
        const b = await jsonBody(c.req.text(), TokenCreate);
        const t = await api(createUserToken(db, id(c), tokenSpec(b), null, now()));
        return c.json({ ...tokenJson(t, now()), fullToken: t.token }, 201);
      },
    }),
    defineRoute({
      method: "delete", path: "/api/v1/users/{id}/api-tokens/{tokenId}", tag: "Users", summary: "Revoke one of a user's API tokens (admins)",
      access: admin("token.delete"), responses: { 204: { description: "revoked" } },
      async handler(c) {
        await api(revokeUserToken(db, id(c), c.req.param("tokenId")!, null));
        return c.body(null, 204);
      },
    }),
  ];
}
