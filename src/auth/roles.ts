// Roles and grants: who may do what, where. Roles are ordered (each includes the ones below);
// a grant gives a role on a namespace prefix (`finance` covers finance and finance.*) or on
// every namespace (`*`).
export const ROLES = ["viewer", "operator", "editor", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (s: string): s is Role => (ROLES as readonly string[]).includes(s);
const rank = (r: Role) => ROLES.indexOf(r);

export interface Grant {
  role: Role;
  /** "*" for every namespace, else a namespace whose children are included. */
  prefix: string;
}

/** Who is asking: a user (password or session) or an API token, with its grants. */
export interface Principal {
  kind: "user" | "token" | "anonymous";
  id: string;
  name: string;
  grants: Grant[];
}

/** The local, no-auth mode: everyone is an admin of everything (loopback only). */
export const ANONYMOUS_ADMIN: Principal = { kind: "anonymous", id: "", name: "anonymous", grants: [{ role: "admin", prefix: "*" }] };

/** "finance.*", "finance." and "finance" all mean finance and its children; "" and "*" mean all. */
export function normalizePrefix(raw: string | undefined): string {
  const p = (raw ?? "*").trim().replace(/\.\*$/, "").replace(/\.$/, "");
  return p === "" || p === "*" ? "*" : p;
}

export function covers(prefix: string, namespace: string): boolean {
  return prefix === "*" || namespace === prefix || namespace.startsWith(`${prefix}.`);
}

/** May `p` act with `role` in `namespace` (or, without one, everywhere)? */
export function allows(p: Principal, role: Role, namespace?: string): boolean {
  return p.grants.some((g) => rank(g.role) >= rank(role) && (namespace === undefined ? g.prefix === "*" : covers(g.prefix, namespace)));
}

/** Has `role` somewhere (the handler then checks the exact namespace). */
export function allowsSomewhere(p: Principal, role: Role): boolean {
  return p.grants.some((g) => rank(g.role) >= rank(role));
}

/** Namespace prefixes `p` may read, or undefined when it may read all of them. */
export function readablePrefixes(p: Principal, role: Role = "viewer"): string[] | undefined {
  const gs = p.grants.filter((g) => rank(g.role) >= rank(role));
  if (gs.some((g) => g.prefix === "*")) return undefined;
  return [...new Set(gs.map((g) => g.prefix))];
}
