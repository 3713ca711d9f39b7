// Who may open which dashboard page or press which button: a table of path patterns like the
// API's route table (first match wins; an unlisted POST needs admin, so a new action fails
// closed). Namespaces come from the path, from the execution in the path, or from the
// `namespace` query of a list page.
import type { Context, MiddlewareHandler } from "hono";
import { executionNamespace } from "../store/search.ts";
import { checkNamespace, forbidden, setPrincipal } from "./context.ts";
import type { Auth } from "./guard.ts";
import { onUiError } from "../server/ui/errors.tsx";
import { allows, allowsSomewhere, readablePrefixes, type Principal, type Role } from "./roles.ts";

export interface UiRule {
  method: "GET" | "POST";
  path: RegExp;
  role: Role | "public";
  /** Namespace from capture group 1: as a namespace, or as an execution id. "list": the query. */
  ns?: "path" | "execution" | "list" | "global";
  /** Audit action on success; `$2` is replaced by capture group 2. */
  audit?: string;
}

const ID = "([^/]+)";
export const UI_RULES: UiRule[] = [
  { method: "GET", path: /^\/(static\/.*|login|favicon\.ico)$/, role: "public" },
  { method: "POST", path: /^\/(login|logout)$/, role: "public" },
  { method: "POST", path: new RegExp(`^/ui/executions/${ID}/(kill|restart|replay|resume)$`), role: "operator", ns: "execution", audit: "execution.$2" },
  // Bulk actions check each execution's namespace in the handler.
  { method: "POST", path: /^\/ui\/executions\/bulk$/, role: "operator" },
  { method: "POST", path: /^\/ui\/flows\/validate$/, role: "editor" },
  // A new flow's namespace is in its source: the handler checks it.
  { method: "POST", path: /^\/ui\/flows$/, role: "editor", audit: "flow.create" },
  // Each imported flow's namespace is checked by the handler.
  { method: "POST", path: /^\/ui\/flows\/import$/, role: "editor", audit: "flow.import" },
  { method: "POST", path: new RegExp(`^/ui/flows/${ID}/[^/]+/triggers/[^/]+/toggle$`), role: "operator", ns: "path", audit: "trigger.toggle" },
  { method: "POST", path: new RegExp(`^/ui/flows/${ID}/[^/]+/execute$`), role: "operator", ns: "path", audit: "execution.create" },
  { method: "POST", path: new RegExp(`^/ui/flows/${ID}/[^/]+$`), role: "editor", ns: "path", audit: "flow.update" },
  { method: "POST", path: new RegExp(`^/ui/triggers/${ID}/[^/]+/[^/]+/backfill$`), role: "operator", ns: "path", audit: "trigger.backfill" },
  { method: "POST", path: /^\/ui\/admin\/users$/, role: "admin", ns: "global", audit: "user.create" },
  { method: "POST", path: new RegExp(`^/ui/admin/users/${ID}/(grants|disable|enable|password|delete)$`), role: "admin", ns: "global", audit: "user.$2" },
  { method: "POST", path: new RegExp(`^/ui/admin/users/${ID}/tokens$`), role: "admin", ns: "global", audit: "token.create" },
  { method: "POST", path: new RegExp(`^/ui/admin/users/${ID}/tokens/[^/]+/revoke$`), role: "admin", ns: "global", audit: "token.delete" },
  { method: "POST", path: new RegExp(`^/ui/admin/api-tokens/${ID}/revoke$`), role: "admin", ns: "global", audit: "token.delete" },
  { method: "POST", path: /./, role: "admin", ns: "global" },
  { method: "GET", path: /^\/ui\/(audit|admin(\/.*)?)$/, role: "admin", ns: "global" },
  { method: "GET", path: /^\/ui\/flows\/new$/, role: "editor" },
  { method: "GET", path: new RegExp(`^/ui/flows/edit/${ID}(/.*)?$`), role: "viewer", ns: "path" },
  { method: "GET", path: new RegExp(`^/ui/flows/${ID}/[^/]+(/.*)?$`), role: "viewer", ns: "path" },
  { method: "GET", path: new RegExp(`^/ui/executions/${ID}(/[^/]+|/logs/follow|/file/download|/file/preview)?$`), role: "viewer", ns: "execution" },
  { method: "GET", path: new RegExp(`^/ui/executions/${ID}/[^/]+/[^/]+(/[^/]+)?$`), role: "viewer", ns: "path" },
  { method: "GET", path: new RegExp(`^/ui/namespaces/${ID}$`), role: "viewer", ns: "path" },
  { method: "GET", path: /^\/ui\/(flows|executions|logs)$/, role: "viewer", ns: "list" },
  // The overview counts every namespace: a scoped account starts on its flows instead.
  { method: "GET", path: /^\/$/, role: "viewer", ns: "global" },
  { method: "GET", path: /./, role: "viewer" },
];

export function matchUiRule(method: string, path: string): { rule: UiRule; m: RegExpExecArray } {
  const verb = method === "GET" || method === "HEAD" ? "GET" : "POST";
  for (const rule of UI_RULES) {
    const m = rule.method === verb ? rule.path.exec(path) : null;
    if (m) return { rule, m };
  }
  throw new Error(`no UI rule for ${method} ${path}`); // unreachable: the last rules match all
}

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The dashboard guard: login redirect, role and namespace checks, audit of actions. */
export function uiGuard(auth: Auth): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path.startsWith("/api/")) return next();
    const { rule, m } = matchUiRule(c.req.method, c.req.path);
    if (rule.role === "public") return next();
    let p;
    try {
      const id = await auth.identify(c);
      if (!id) return toLogin(c);
      p = id.principal;
      const early = await check(c, auth, rule, m, p);
      if (early) return early;
    } catch (e) {
      return onUiError(e as Error, c); // the dashboard's error page, not the API's JSON
    }
    setPrincipal(c, p);
    await next();
    if (rule.audit && c.res.status < 400) {
      await auth.audit(c, p, rule.audit.replace("$2", m[2] ?? ""), c.req.path, { via: "dashboard", location: c.res.headers.get("location") ?? c.res.headers.get("hx-redirect") ?? undefined });
    }
  };
}

/** Throws 403/404 or answers a redirect (a scoped account on an all-namespaces page). */
async function check(c: Context, auth: Auth, rule: UiRule, m: RegExpExecArray, p: Principal): Promise<Response | undefined> {
  if (rule.role === "public") return undefined;
  const arg = m[1] === undefined ? "" : safeDecode(m[1]);
  if (rule.ns === "path") checkNamespace(p, arg, rule.role, "Page");
  else if (rule.ns === "execution") {
    const ns = await executionNamespace(auth.db, arg);
    if (ns !== undefined) checkNamespace(p, ns, rule.role, "Page");
  } else if (rule.ns === "global" || rule.ns === "list") {
    if (!allows(p, rule.role)) {
      const mine = readablePrefixes(p, rule.role) ?? [];
      const asked = c.req.query("namespace");
      if (rule.ns === "list" && asked) checkNamespace(p, asked, rule.role, "Page");
      else if (mine.length && rule.method === "GET") return c.redirect(`${rule.ns === "list" ? c.req.path : "/ui/flows"}?namespace=${encodeURIComponent(mine[0])}`, 302);
      else throw forbidden(`the ${rule.role} role is required`);
    }
  } else if (!allowsSomewhere(p, rule.role)) throw forbidden(`the ${rule.role} role is required`);
  return undefined;
}

function toLogin(c: Context) {
  const next = c.req.path + (new URL(c.req.url).search || "");
  const to = `/login?next=${encodeURIComponent(next)}`;
  if (c.req.header("HX-Request") === "true") {
    c.header("HX-Redirect", to);
    return c.body(null, 401);
  }
  return c.redirect(to, 303);
}
