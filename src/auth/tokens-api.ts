// API tokens over the admin API: their JSON shapes in Kestra EE's names (`iat`, `exp`,
// `expired`, `lastUsed`, `description`; `maxAge` on creation, `fullToken` shown once), and the
// routes over tokens that belong to no user (`tern token create`): /api/v1/api-tokens.
// A user's tokens are under /api/v1/users/{id}/api-tokens (src/auth/users-api.ts).
import { z } from "zod";
import { ISO_DURATION, isoDurationMs } from "../flow/common.ts";
import { defineRoute, type RouteDef } from "../server/route.ts";
import type { Db } from "../store/db.ts";
import { DESCRIPTION_MAX, ownTokens, revokeOwnToken, type OwnTokenInfo, type TokenInfo, type TokenSpec } from "./accounts.ts";
import { isExpired } from "./credentials.ts";
import { ROLES } from "./roles.ts";
import { api } from "./api-errors.ts";

const d = (description: string) => ({ description });

export const ApiToken = z.object({
  id: z.string(), name: z.string(), description: z.string().nullable(),
  iat: z.string().meta(d("when it was created")),
  exp: z.string().nullable().meta(d("when it stops working; null: never")),
  expired: z.boolean().meta(d("past exp: requests with it get 401")),
  lastUsed: z.string().nullable().meta(d("last use, to the minute")),
}).meta({ id: "ApiToken" });
export const CreatedApiToken = ApiToken.extend({ fullToken: z.string().meta(d("the secret: in this answer only, never again")) }).meta({ id: "CreatedApiToken" });

const OwnApiToken = ApiToken.extend({
  grants: z.array(z.object({ role: z.enum(ROLES), namespace: z.string() })).meta(d("its own grants: it belongs to no user")),
  createdBy: z.string().meta(d("who made it: cli for `tern token create`")),
}).meta({ id: "OwnApiToken" });

const Duration = z.string().regex(ISO_DURATION, "an ISO-8601 duration such as P30D or PT12H")
  .refine((s) => (isoDurationMs(s) ?? 0) > 0, "a duration longer than zero");
const EXPIRY = ["expiresAt", "maxAge", "ttl"] as const;

export const TokenCreate = z.object({
  name: z.string().min(1).max(100),
  description: z.string().max(DESCRIPTION_MAX).optional(),
  maxAge: Duration.optional().meta(d("valid for this long after creation (Kestra's name), e.g. P30D; left out with expiresAt: never expires")),
  ttl: Duration.optional().meta(d("the same as maxAge")),
  expiresAt: z.iso.datetime({ offset: true }).optional().meta(d("valid until this instant, e.g. 2030-01-31T00:00:00Z")),
}).superRefine((b, ctx) => {
  const given = EXPIRY.filter((k) => b[k] !== undefined);
  if (given.length > 1) ctx.addIssue({ code: "custom", path: [given[1]], message: `give one of ${EXPIRY.join(", ")}` });
}).meta({ id: "ApiTokenCreate" });

export const tokenSpec = (b: z.infer<typeof TokenCreate>): TokenSpec =>
  ({ name: b.name, description: b.description, expiresAt: b.expiresAt, maxAge: b.maxAge ?? b.ttl });

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const tokenJson = (t: TokenInfo, now: number) => ({
  id: t.id, name: t.name, description: t.description, iat: new Date(t.createdAt).toISOString(),
  exp: iso(t.expiresAt), expired: isExpired(t, now), lastUsed: iso(t.lastUsedAt),
});

const ownTokenJson = (t: OwnTokenInfo, now: number) =>
  ({ ...tokenJson(t, now), grants: t.grants.map((g) => ({ role: g.role, namespace: g.prefix })), createdBy: t.createdBy });

export function ownTokenRoutes(db: Db, now: () => number): RouteDef[] {
  return [
    defineRoute({
      method: "get", path: "/api/v1/api-tokens", tag: "Users",
      summary: "API tokens that belong to no user (made by `tern token create`), with their grants, without their secrets (admins)",
      access: { role: "admin", ns: "global" },
      responses: { 200: { description: "the tokens", schema: z.object({ results: z.array(OwnApiToken), total: z.number() }) } },
      async handler(c) {
        const tokens = await ownTokens(db);
        return c.json({ results: tokens.map((t) => ownTokenJson(t, now())), total: tokens.length });
      },
    }),
    defineRoute({
      method: "delete", path: "/api/v1/api-tokens/{id}", tag: "Users",
      summary: "Revoke an API token that belongs to no user; a user's token is revoked under the user (admins)",
      access: { role: "admin", ns: "global", audit: "token.delete" },
      responses: { 204: { description: "revoked" }, 404: { description: "no such token, or a user's" } },
      async handler(c) {
        await api(revokeOwnToken(db, c.req.param("id")!, null));
        return c.body(null, 204);
      },
    }),
  ];
}
