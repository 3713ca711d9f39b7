// Dashboard sign-in and sign-out. A session is a random cookie value (HttpOnly, SameSite=Lax,
// Secure behind TLS) whose SHA-256 is stored with an expiry; signing in also renews the CSRF
// token, so a token planted before the login is worthless after it.
import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { deleteExpiredSessions, deleteSession, insertSession } from "../store/auth.ts";
import { formOf, send } from "../server/ui/render.ts";
import { LoginPage } from "../../views/pages/login.tsx";
import type { CallerSession } from "./accounts.ts";
import { principalOf } from "./context.ts";
import { randomToken, sha256 } from "./credentials.ts";
import type { Auth } from "./guard.ts";
import { CSRF_COOKIE, isHttps, SESSION_COOKIE } from "./request.ts";

const SESSION_MS = 12 * 3600_000;

/** Only a path on this site: `//evil.example` and `/\evil` are other sites to a browser. */
export function safeNext(raw: string | undefined): string {
  return raw && raw.startsWith("/") && !raw.startsWith("//") && !raw.startsWith("/\\") ? raw : "/";
}

/**
 * The session cookie of a request made by a signed-in user (by that session or by Basic auth
 * with a cookie along), so that changing one's own password keeps this browser signed in.
 */
export function callerSession(c: Context): CallerSession | undefined {
  const p = principalOf(c);
  const cookie = getCookie(c, SESSION_COOKIE);
  return p.kind === "user" && cookie ? { userId: p.id, session: sha256(cookie) } : undefined;
}

export function mountLogin(app: Hono, auth: Auth) {
  app.get("/login", async (c) => {
    if (!(await auth.credentials.configured())) return c.redirect("/", 302);
    return send(c, <LoginPage next={safeNext(c.req.query("next"))} />);
  });

  app.post("/login", async (c) => {
    const form = await formOf(c);
    const username = String(form.get("username") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const next = safeNext(String(form.get("next") ?? "/"));
    if (!auth.loginAllowed(c, username)) {
      await auth.audit(c, `user:${username}`, "login.throttled", username);
      c.header("Retry-After", "60");
      return send(c, <LoginPage next={next} username={username} error="Too many sign-in attempts: wait a minute and try again." />, 429);
    }
    const p = await auth.credentials.password(username, password);
    if (!p) {
      await auth.audit(c, `user:${username}`, "login.failed", username);
      return send(c, <LoginPage next={next} username={username} error="Wrong user name or password." />, 401);
    }
    const now = auth.now();
    const token = randomToken();
    await deleteExpiredSessions(auth.db, now);
    await insertSession(auth.db, { id: sha256(token), userId: p.id, createdAt: now, expiresAt: now + SESSION_MS });
    const secure = isHttps(c);
    setCookie(c, SESSION_COOKIE, token, { path: "/", httpOnly: true, sameSite: "Lax", secure, maxAge: SESSION_MS / 1000 });
    setCookie(c, CSRF_COOKIE, randomToken(), { path: "/", httpOnly: true, sameSite: "Lax", secure });
    await auth.audit(c, p, "login", username);
    return c.redirect(next, 303);
  });

  app.post("/logout", async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) {
      const who = await auth.credentials.session(token);
      await deleteSession(auth.db, sha256(token));
      if (who) await auth.audit(c, who, "logout", who.name);
    }
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/login", 303);
  });
}
