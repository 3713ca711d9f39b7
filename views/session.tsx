// Who is signed in (with the sign-out button) and the admin's audit and users links, under the navigation;
// the CSRF meta tag htmx requests echo (views/static/app.js). Read from the request context.
import { useContext } from "hono/jsx";
import { RequestContext } from "hono/jsx-renderer";
import { principalOf } from "../src/auth/context.ts";
import { csrfTokenOf } from "../src/auth/csrf.ts";
import { allows } from "../src/auth/roles.ts";
import { Csrf } from "./components.tsx";

export function CsrfMeta() {
  return <meta name="csrf-token" content={csrfTokenOf(useContext(RequestContext))} />;
}

export function SessionBar() {
  const c = useContext(RequestContext);
  if (!c) return null;
  const p = principalOf(c);
  return (
    <div class="session">
      {allows(p, "admin") && <a href="/ui/audit">Audit log</a>}
      {allows(p, "admin") && <a href="/ui/admin/users">Users and tokens</a>}
      {p.kind === "user" && (
        <form method="post" action="/logout" class="inline">
          <Csrf />
          <span class="muted">{p.name}</span> <button type="submit" class="small">Sign out</button>
        </form>
      )}
    </div>
  );
}
