// Browser hardening for every response, and CSRF protection for the dashboard: security
// headers with a CSP without unsafe-eval; a per-browser token (double-submit cookie) that
// every state-changing dashboard request must echo, as a form field or an X-CSRF-Token header,
// from a same-origin page. Pages read the token with csrfTokenOf(c): the layout puts it in
// <meta name="csrf-token"> (htmx sends it as a header), each POST form in a <Csrf /> field.
import { timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { randomToken } from "./credentials.ts";
import { CSRF_COOKIE, isHttps, isSafeMethod, sameOrigin } from "./request.ts";

/**
 * Scripts only from this origin, no eval (htmx's hx-on and js: values are not used); inline
 * style attributes stay allowed (widths of bars and indents are computed per row).
 */
export const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
  "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
].join("; ");

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i;
const tokens = new WeakMap<Request, string>();

/** This request's CSRF token (empty outside the guarded app: tests rendering bare pages). */
export const csrfTokenOf = (c: Context | null | undefined): string => (c ? tokens.get(c.req.raw) ?? "" : "");

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token the request sent: header first (htmx), else the form field (plain forms). */
async function sentToken(c: Context): Promise<string | undefined> {
  const h = c.req.header("x-csrf-token");
  if (h) return h;
  if (!FORM_TYPES.test(c.req.header("content-type") ?? "")) return undefined;
  try {
    // Hono caches the parsed form: the handler reads the same FormData again.
    const v = (await c.req.formData()).get("_csrf");
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

function refuse(c: Context, why: string) {
  return c.text(`Forbidden: ${why}. Reload the page and try again.`, 403, { "Cache-Control": "no-store" });
}

export function browserProtection(): MiddlewareHandler {
  return async (c, next) => {
    const api = c.req.path.startsWith("/api/");
    let token = api ? undefined : getCookie(c, CSRF_COOKIE);
    if (!api && !isSafeMethod(c.req.method)) {
      if (!sameOrigin(c)) return refuse(c, "cross-site request");
      const sent = await sentToken(c);
      if (!token || !sent || !equal(token, sent)) return refuse(c, "missing or wrong CSRF token");
    }
    if (!api && !token) {
      token = randomToken();
      setCookie(c, CSRF_COOKIE, token, { path: "/", httpOnly: true, sameSite: "Lax", secure: isHttps(c) });
    }
    if (token) tokens.set(c.req.raw, token);
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
    c.header("X-Frame-Options", "DENY");
    if ((c.res.headers.get("content-type") ?? "").startsWith("text/html")) c.header("Content-Security-Policy", CSP);
  };
}
