// What the guards read off a request: where it comes from (origin, client address, host) and
// the cookies they set.
import type { Context } from "hono";

export const SESSION_COOKIE = "tern_session";
export const CSRF_COOKIE = "tern_csrf";

/** Behind TLS, directly or through a proxy that says so: cookies get `Secure`. */
export const isHttps = (c: Context) => new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";

/**
 * A browser marks cross-site requests (Sec-Fetch-Site, Origin); a request without either
 * comes from a non-browser client (curl, the CLI), which cannot ride on a victim's cookies.
 */
export function sameOrigin(c: Context): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return false;
  const origin = c.req.header("origin");
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === (c.req.header("host") ?? new URL(c.req.url).host);
  } catch {
    return false; // "null" (sandboxed frames, file:) and garbage
  }
}

/** The client address: the socket's, or the first X-Forwarded-For hop when a proxy is trusted. */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const fwd = c.req.header("fly-client-ip") ?? c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (fwd) return fwd;
  }
  const env = c.env as { requestIP?(r: Request): { address: string } | null } | undefined;
  return env?.requestIP?.(c.req.raw)?.address ?? "local";
}

/** Without auth the server answers only to loopback names: a DNS-rebound page cannot use it. */
export function loopbackHost(c: Context): boolean {
  const host = new URL(c.req.url).hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export const isSafeMethod = (m: string) => m === "GET" || m === "HEAD" || m === "OPTIONS";
