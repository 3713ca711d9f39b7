// The page shell: head, navigation and main area. Every full page goes through Layout; htmx
// requests get the inner fragment only (see src/server/ui/render.ts).
import type { Child } from "hono/jsx";
import { CsrfMeta, SessionBar } from "./session.tsx";

export const NAV = [
  { href: "/", label: "Overview", key: "overview" },
  { href: "/ui/flows", label: "Flows", key: "flows" },
  { href: "/ui/executions", label: "Executions", key: "executions" },
  { href: "/ui/logs", label: "Logs", key: "logs" },
  { href: "/ui/namespaces", label: "Namespaces", key: "namespaces" },
  { href: "/ui/triggers", label: "Triggers", key: "triggers" },
  { href: "/ui/plugins", label: "Plugins", key: "plugins" },
] as const;

export type NavKey = (typeof NAV)[number]["key"] | "";

export interface LayoutProps {
  title: string;
  active: NavKey;
  children?: Child;
  /** Extra scripts for this page only (the editor bundle). */
  scripts?: string[];
}

export function Layout({ title, active, children, scripts = [] }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {/* 4xx/5xx fragments are readable messages, so htmx may swap them (htmx 4 default). */}
        {/* Requests only to this origin (htmx 4's default, pinned); app.js adds the CSRF header. */}
        <meta name="htmx-config" content='{"defaultTimeout": 30000, "mode": "same-origin"}' />
        <CsrfMeta />
        <title>{`${title} · Tern`}</title>
        <link rel="stylesheet" href="/static/app.css" />
        <link rel="icon" href="/static/favicon.svg" />
        <script src="/static/htmx.js" defer></script>
        <script src="/static/app.js" defer></script>
        {scripts.map((s) => <script src={s} defer></script>)}
      </head>
      <body>
        <nav class="side">
          <a class="brand" href="/">Tern</a>
          <ul>
            {NAV.map((n) => (
              <li><a href={n.href} class={n.key === active ? "active" : undefined} aria-current={n.key === active ? "page" : undefined}>{n.label}</a></li>
            ))}
          </ul>
          <SessionBar />
        </nav>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}

/** Page heading with an optional breadcrumb and actions on the right. */
export function Header({ title, crumbs = [], children }: { title: Child; crumbs?: { href: string; label: string }[]; children?: Child }) {
  return (
    <header class="page-head">
      <div>
        {crumbs.length > 0 && (
          <div class="crumbs">{crumbs.map((c, i) => <>{i > 0 && " / "}<a href={c.href}>{c.label}</a></>)}</div>
        )}
        <h1>{title}</h1>
      </div>
      <div class="actions">{children}</div>
    </header>
  );
}

/** Tab links: plain links (work without JavaScript), the active one marked. */
export function Tabs({ tabs, active }: { tabs: { href: string; label: string; key: string }[]; active: string }) {
  return (
    <nav class="tabs">
      {tabs.map((t) => <a href={t.href} class={t.key === active ? "active" : undefined}>{t.label}</a>)}
    </nav>
  );
}
