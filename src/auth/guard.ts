// The one place requests are authenticated and authorised. `route(def)` guards an API route
// from its `access` entry in the route table; `identify` is shared with the dashboard guard.
// Without any user or token configured, every request acts as the local admin (loopback only).
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { Config } from "../config.ts";
import { verifyPassword } from "../runtime/password.ts";
import type { Db } from "../store/db.ts";
import { appendAudit } from "../store/audit.ts";
import { executionNamespace } from "../store/search.ts";
import { createRateLimiter } from "../webhooks/rate-limit.ts";
import type { Access, RouteDef } from "../server/route.ts";
import { checkNamespace, forbidden, setPrincipal, tooManyRequests, unauthorized } from "./context.ts";
import { createCredentials, type PasswordCheck } from "./credentials.ts";
import { allows, allowsSomewhere, ANONYMOUS_ADMIN, type Principal } from "./roles.ts";
import { clientIp, isSafeMethod, loopbackHost, sameOrigin, SESSION_COOKIE } from "./request.ts";

export interface AuthDeps {
  db: Db;
  config: Pick<Config, "apiRatePerSec" | "trustProxy" | "allowInsecureBind">;
  passwords?: PasswordCheck;
  now?: () => number;
  /** Login attempts per user name and per client address: burst, then one per `loginEverySec`. */
  loginBurst?: number;
  loginEverySec?: number;
}

export interface Identity {
  principal: Principal;
  /** How it was proven: a cookie rides along on cross-site requests, a header does not. */
  via: "anonymous" | "session" | "header";
}

export function createAuth(deps: AuthDeps) {
  const now = deps.now ?? (() => Date.now());
  const credentials = createCredentials(deps.db, deps.passwords ?? { verify: verifyPassword }, now);
  const rate = deps.config.apiRatePerSec;
  const apiLimiter = createRateLimiter({ ratePerSec: rate, burst: Math.max(1, Math.ceil(rate * 2)), maxInFlight: 10_000 });
  // Per user name (guessing one password) and, looser, per client address (one client
  // guessing many users; an office behind one NAT still gets room).
  const loginBurst = deps.loginBurst ?? 5;
  const loginRate = 1 / (deps.loginEverySec ?? 12);
  const userLimiter = createRateLimiter({ ratePerSec: loginRate, burst: loginBurst, maxInFlight: 100 });
  const ipLimiter = createRateLimiter({ ratePerSec: loginRate * 4, burst: loginBurst * 4, maxInFlight: 100 });

  async function audit(c: Context | undefined, p: Principal | string, action: string, target?: string, detail?: unknown) {
    const actor = typeof p === "string" ? p : p.kind === "anonymous" ? "anonymous" : `${p.kind}:${p.name}`;
    const extra = c ? { ip: clientIp(c, deps.config.trustProxy) } : {};
    const d = detail === undefined && !c ? null : JSON.stringify({ ...extra, ...(detail as object | undefined) });
    await appendAudit(deps.db, { at: now(), actor, action, target: target ?? null, detail: d });
  }

  /** Take one login attempt for `username` from this client; false when over the limit. */
  function loginAllowed(c: Context, username: string): boolean {
    const keys = [[userLimiter, username.toLowerCase()], [ipLimiter, clientIp(c, deps.config.trustProxy)]] as const;
    for (const [limiter, key] of keys) {
      const slot = limiter.acquire(key);
      if ("retryAfterSec" in slot) return false;
      slot.release();
    }
    return true;
  }

  /** The caller, or undefined when credentials are missing or wrong (throws 429 on a flood). */
  async function identify(c: Context): Promise<Identity | undefined> {
    if (!(await credentials.configured())) {
      if (!deps.config.allowInsecureBind && !loopbackHost(c)) throw forbidden("no user or token is configured: this server answers only on localhost");
      return { principal: ANONYMOUS_ADMIN, via: "anonymous" };
    }
    const header = c.req.header("authorization");
    if (header) {
      const [scheme, value = ""] = header.trim().split(/\s+/, 2);
      if (/^bearer$/i.test(scheme)) {
        const p = await credentials.token(value);
        // Said plainly, so a CI job's log shows why it stopped working (the caller holds the token).
        if (p && "expired" in p) throw challenge(c, `the API token expired at ${new Date(p.expired).toISOString()}: an admin can create a new one`);
        return p && { principal: p, via: "header" };
      }
      if (/^basic$/i.test(scheme)) {
        const user = Buffer.from(value, "base64").toString("utf8").split(":")[0] ?? "";
        const p = await credentials.basicCached(value) ?? (loginAllowed(c, user) ? await credentials.basic(value) : tooMany());
        if (!p) await audit(c, `user:${user}`, "login.failed", user, { via: "basic" });
        return p && { principal: p, via: "header" };
      }
      return undefined;
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie) {
      const p = await credentials.session(cookie);
      return p && { principal: p, via: "session" };
    }
    return undefined;
  }

  function tooMany(): never {
    throw tooManyRequests("too many login attempts: wait a minute and try again");
  }

  /** Per user/token API rate; released when the handler has answered. */
  function takeSlot(c: Context, id: Identity): () => void {
    if (id.via === "anonymous") return () => {};
    const slot = apiLimiter.acquire(`${id.principal.kind}:${id.principal.id}`);
    if ("retryAfterSec" in slot) {
      c.header("Retry-After", String(slot.retryAfterSec));
      throw tooManyRequests(`rate limit of ${rate} requests per second exceeded`);
    }
    return slot.release;
  }

  /** Role and namespace check of one route; throws 401/403/404. */
  async function authorize(c: Context, id: Identity, a: Exclude<Access, { role: "public" }>) {
    const p = id.principal;
    // Cookies (and the anonymous local mode) ride along on a cross-site form post; headers do not.
    if (!isSafeMethod(c.req.method) && id.via !== "header" && !sameOrigin(c)) throw forbidden("cross-site request refused");
    if (a.ns === "global") {
      if (!allows(p, a.role)) throw forbidden(`the ${a.role} role on every namespace is required`);
    } else if (a.ns === "handler") {
      if (!allowsSomewhere(p, a.role)) throw forbidden(`the ${a.role} role is required`);
    } else if ("param" in a.ns) {
      const ns = c.req.param(a.ns.param) ?? "";
      checkNamespace(p, ns, a.role);
    } else {
      const exId = c.req.param(a.ns.execution) ?? "";
      const ns = await executionNamespace(deps.db, exId);
      // An unknown id is the handler's 404; a known one outside the caller's grants looks the same.
      if (ns !== undefined) checkNamespace(p, ns, a.role, `execution '${exId}'`);
    }
  }

  function route(def: RouteDef): MiddlewareHandler {
    const a = def.access;
    return async (c, next) => {
      if (a.role === "public") return next();
      const id = await identify(c);
      if (!id) throw challenge(c);
      const release = takeSlot(c, id);
      try {
        await authorize(c, id, a);
        setPrincipal(c, id.principal);
        await next();
      } finally {
        release();
      }
      if (a.audit && c.res.status < 400) await audit(c, id.principal, a.audit, c.req.path, await auditDetail(c.res));
    };
  }

  return { credentials, identify, authorize, route, audit, loginAllowed, db: deps.db, config: deps.config, now };
}

export type Auth = ReturnType<typeof createAuth>;

/** A 401 with the header that names the schemes accepted. */
function challenge(c: Context, message?: string) {
  c.header("WWW-Authenticate", 'Bearer realm="tern", Basic realm="tern"');
  return unauthorized(message);
}

/** The id (and namespace, name, role…) of what a route created or changed, from its JSON answer (never a secret). */
async function auditDetail(res: Response): Promise<Record<string, string> | undefined> {
  if (!(res.headers.get("content-type") ?? "").includes("json")) return undefined;
  try {
    const body = (await res.clone().json()) as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const k of ["id", "namespace", "flowId", "state", "username", "name", "role"]) if (typeof body[k] === "string") out[k] = body[k] as string;
    if (body.state && typeof body.state === "object" && typeof (body.state as { current?: unknown }).current === "string") out.state = (body.state as { current: string }).current;
    return out;
  } catch {
    return undefined;
  }
}

export { allows };
