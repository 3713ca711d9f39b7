// The principal of a request, as the guards found it, and the checks handlers make with it
// when the namespace is only known inside the handler (bodies, search filters).
import type { Context } from "hono";
import { AppError, notFound } from "../server/errors.ts";
import { allows, ANONYMOUS_ADMIN, readablePrefixes, type Principal, type Role } from "./roles.ts";

const principals = new WeakMap<Request, Principal>();

export const setPrincipal = (c: Context, p: Principal) => principals.set(c.req.raw, p);

/** Routes without a guard (tests mounting a bare sub-app) act as the local admin. */
export const principalOf = (c: Context): Principal => principals.get(c.req.raw) ?? ANONYMOUS_ADMIN;

export const forbidden = (message: string) => new AppError(403, "FORBIDDEN", message);
export const unauthorized = (message = "authentication required: a Bearer token, Basic auth or a dashboard session") =>
  new AppError(401, "UNAUTHORIZED", message);
export const tooManyRequests = (message: string) => new AppError(429, "TOO_MANY_REQUESTS", message);

/**
 * Require `role` in `namespace`. A namespace the caller cannot even read is reported as not
 * found (`what`), so its name does not leak; a readable one without the role is a 403.
 */
export function checkNamespace(p: Principal, namespace: string, role: Role, what = `namespace '${namespace}'`): void {
  if (!allows(p, "viewer", namespace)) throw notFound(what);
  if (!allows(p, role, namespace)) throw forbidden(`the ${role} role on namespace ${namespace} is required`);
}

export const requireNamespace = (c: Context, namespace: string, role: Role, what?: string) =>
  checkNamespace(principalOf(c), namespace, role, what);

/** Namespace prefixes the caller may read (undefined: all): search handlers filter by them. */
export const readable = (c: Context): string[] | undefined => readablePrefixes(principalOf(c));

export const canRead = (c: Context, namespace: string) => allows(principalOf(c), "viewer", namespace);
