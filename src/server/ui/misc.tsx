// The smaller pages: log search, namespaces (KV entries and secret names), triggers with
// backfill, plugin docs.
import type { Hono } from "hono";
import { canRead } from "../../auth/context.ts";
import { parseFlow } from "../../flow/index.ts";
import { allNamespaces, kvPreview } from "../../store/dashboard.ts";
import { listFlows } from "../../store/flows.ts";
import { searchLogs } from "../../store/logs.ts";
import { listSecretKeys } from "../../store/secrets.ts";
import { listTriggerRows, setTriggerBackfill } from "../../store/trigger-rows.ts";
import { LogsPage } from "../../../views/pages/logs.tsx";
import { NamespacePage, NamespacesPage } from "../../../views/pages/namespaces.tsx";
import { PluginPage, PluginsPage } from "../../../views/pages/plugins.tsx";
import { triggerWhen, TriggersPage, type TriggerItem } from "../../../views/pages/triggers.tsx";
import type { Ctx } from "./deps.ts";
import { notFound, UiError } from "./errors.tsx";
import { logLevel } from "./execution.tsx";
import { pageParams, parseLabels, parseLocalTime } from "./params.ts";
import { pluginDocs } from "./plugin-docs.ts";
import { formOf, redirect, send, wantsFragment } from "./render.ts";

export function mountMisc(app: Hono, ctx: Ctx) {
  const db = ctx.deps.tern.db;

  app.get("/ui/logs", async (c) => {
    const q = (k: string) => (c.req.query(k) ?? "").trim();
    const f = { q: q("q"), level: logLevel(q("level") || "INFO"), namespace: q("namespace"), flowId: q("flowId"), from: q("from"), to: q("to") };
    const { page, size } = pageParams(c, 50);
    const { results, total } = await searchLogs(db, {
      q: f.q || undefined, minLevel: f.level, namespace: f.namespace || undefined, flowId: f.flowId || undefined,
      from: parseLocalTime(f.from), to: parseLocalTime(f.to), page, size,
    });
    const sp = new URLSearchParams(Object.entries(f).filter(([, v]) => v));
    return send(c, <LogsPage v={{ f, rows: results, total, page, size, query: sp.toString() }} partial={wantsFragment(c)} />);
  });

  app.get("/ui/namespaces", async (c) => send(c, <NamespacesPage namespaces={(await allNamespaces(db)).filter((n) => canRead(c, n))} />));

  app.get("/ui/namespaces/:ns", async (c) => {
    const ns = c.req.param("ns");
    const [flows, kv, secrets] = await Promise.all([listFlows(db, { namespace: ns }), kvPreview(db, ns, ctx.now()), listSecretKeys(db, ns)]);
    const own = flows.filter((f) => f.namespace === ns).map((f) => ({ id: f.id, revision: f.revision }));
    return send(c, <NamespacePage v={{ namespace: ns, flows: own, kv, secrets }} />);
  });

  /** Declared triggers of every flow, joined with the scheduler's rows (next fire times). */
  async function triggerItems(): Promise<TriggerItem[]> {
    const [flows, rows] = await Promise.all([listFlows(db), listTriggerRows(db)]);
    const key = (ns: string, f: string, t: string) => `${ns}\u0000${f}\u0000${t}`;
    const byKey = new Map(rows.map((r) => [key(r.namespace, r.flowId, r.triggerId), r]));
    const items: TriggerItem[] = [];
    for (const stored of flows) {
      if (!stored.source.includes("triggers")) continue; // cheap skip before parsing
      for (const t of parseFlow(stored.source).flow?.triggers ?? []) {
        items.push({
          namespace: stored.namespace, flowId: stored.id, triggerId: t.id, type: t.type, when: triggerWhen(t),
          disabledInFlow: t.disabled === true, row: byKey.get(key(stored.namespace, stored.id, t.id)),
        });
      }
    }
    return items.sort((a, b) => (a.row?.nextDate ?? Infinity) - (b.row?.nextDate ?? Infinity) || a.namespace.localeCompare(b.namespace));
  }

  app.get("/ui/triggers", async (c) => {
    const notice = c.req.query("done") === "backfill" ? "Backfill stored; the scheduler runs it from its start date." : c.req.query("done") === "cancel" ? "Backfill cancelled." : undefined;
    return send(c, <TriggersPage items={(await triggerItems()).filter((t) => canRead(c, t.namespace))} notice={notice} />);
  });

  // Stores the request on the trigger row (triggers.backfill); the scheduler does the runs.
  app.post("/ui/triggers/:ns/:flowId/:tid/backfill", async (c) => {
    const { ns, flowId, tid } = c.req.param();
    const item = (await triggerItems()).find((t) => t.namespace === ns && t.flowId === flowId && t.triggerId === tid);
    if (!item) throw notFound(`Trigger ${ns}.${flowId}.${tid}`);
    const form = await formOf(c);
    const key = { namespace: ns, flowId, triggerId: tid, type: item.type };
    if (form.get("cancel")) {
      await setTriggerBackfill(db, key, null, ctx.now());
      return redirect(c, "/ui/triggers?done=cancel");
    }
    const start = parseLocalTime(String(form.get("start") ?? ""));
    const end = parseLocalTime(String(form.get("end") ?? "")) ?? null;
    if (start === undefined) throw new UiError(422, "A backfill needs a start date");
    if (end !== null && end <= start) throw new UiError(422, "The backfill end must be after its start");
    const labels = parseLabels(String(form.get("labels") ?? ""));
    await setTriggerBackfill(db, key, { start, end, currentDate: start, paused: false, labels }, ctx.now());
    return redirect(c, "/ui/triggers?done=backfill");
  });

  app.get("/ui/plugins", (c) => {
    const q = (c.req.query("q") ?? "").trim().toLowerCase();
    const docs = pluginDocs().filter((d) => !q || [d.type, d.description, ...d.aliases].some((s) => s.toLowerCase().includes(q)));
    return send(c, <PluginsPage docs={docs} q={q} />);
  });

  app.get("/ui/plugins/:type", (c) => {
    const type = c.req.param("type");
    const d = pluginDocs().find((x) => x.type === type || x.aliases.includes(type));
    if (!d) throw notFound(`Task type ${type}`);
    return send(c, <PluginPage d={d} />);
  });
}
