// Small building blocks shared by the pages: state badges, times, durations, labels, pager,
// error boxes and the CSRF field every state-changing form carries.
import { useContext, type Child } from "hono/jsx";
import { RequestContext } from "hono/jsx-renderer";
import { csrfTokenOf } from "../src/auth/csrf.ts";

const TERMINAL = new Set(["SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED", "RETRIED", "SKIPPED"]);
export const isTerminalState = (s: string) => TERMINAL.has(s);

export function State({ state }: { state: string }) {
  return <span class={`state s-${state.toLowerCase()}`}>{state}</span>;
}

/** `2026-01-31 12:00:05` in UTC, with the exact ISO time on hover. */
export function Time({ ms }: { ms: number | null | undefined }) {
  if (ms === null || ms === undefined) return <span class="muted">—</span>;
  const iso = new Date(ms).toISOString();
  return <time datetime={iso} title={iso}>{iso.slice(0, 19).replace("T", " ")}</time>;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.floor(s % 60)}s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function Duration({ start, end, now }: { start: number | null; end: number | null; now: number }) {
  if (start === null) return <span class="muted">—</span>;
  return <span class="dur">{formatDuration((end ?? now) - start)}</span>;
}

export function Labels({ labels, link }: { labels: { key: string; value: string }[]; link?: boolean }) {
  const shown = labels.filter((l) => !l.key.startsWith("system."));
  return (
    <span class="labels">
      {shown.map((l) => link
        ? <a class="label" href={`/ui/executions?label=${encodeURIComponent(`${l.key}:${l.value}`)}`}>{l.key}:{l.value}</a>
        : <span class="label">{l.key}:{l.value}</span>)}
    </span>
  );
}

/** The request's CSRF token (src/auth/csrf.ts): every POST form renders this field. */
export function Csrf() {
  return <input type="hidden" name="_csrf" value={csrfTokenOf(useContext(RequestContext))} />;
}

export function ErrorBox({ title, messages }: { title: string; messages: string[] }) {
  return (
    <div class="error-box" role="alert">
      <strong>{title}</strong>
      {messages.length > 0 && <ul>{messages.map((m) => <li>{m}</li>)}</ul>}
    </div>
  );
}

export function Notice({ kind = "info", children }: { kind?: "info" | "ok" | "warn"; children?: Child }) {
  return <div class={`notice n-${kind}`} role="status">{children}</div>;
}

/**
 * Prev/next links that keep the current query. They are plain links (no JavaScript); with
 * htmx they swap only the results and push the URL.
 */
export function Pager({ page, size, total, href, target }: { page: number; size: number; total: number; href: (p: number) => string; target: string }) {
  const pages = Math.max(1, Math.ceil(total / size));
  const link = (p: number, label: string) => (
    <a href={href(p)} hx-get={href(p)} hx-target={target} hx-swap="outerHTML" hx-push-url="true" rel={p < page ? "prev" : "next"}>{label}</a>
  );
  return (
    <div class="pager">
      <span class="muted">{total.toLocaleString("en-US")} total · page {page} of {pages}</span>
      {page > 1 && link(page - 1, "‹ Previous")}
      {page < pages && link(page + 1, "Next ›")}
    </div>
  );
}

export function Empty({ children }: { children?: Child }) {
  return <p class="empty">{children}</p>;
}

/** Pretty JSON of a value for <pre> blocks (escaped by JSX like any text). */
export function json(v: unknown): string {
  return JSON.stringify(v, null, 2) ?? "null";
}
