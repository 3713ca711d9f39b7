// Which Webhook trigger a request addresses: the flow by namespace/id, then the trigger whose
// rendered `key` equals the URL's key (constant-time, over every webhook of the flow). Keys
// and signature secrets may be expressions (`{{ secret('X') }}`), so the rendered values are
// cached briefly per flow revision instead of being rendered for every request.
import { createHash, timingSafeEqual } from "node:crypto";
import type { FlowModel } from "../engine/model.ts";
import type { Renderer } from "../executor/render.ts";
import { isoDurationMs, type TriggerDef } from "../flow/index.ts";
import type { Db } from "../store/db.ts";
import { getFlow } from "../store/flows.ts";
import { listTriggerRows } from "../store/triggers.ts";
import type { SignatureConfig } from "./signatures.ts";

export const WEBHOOK_TYPE = "io.kestra.plugin.core.trigger.Webhook";
const DEFAULT_TOLERANCE_MS = 5 * 60_000;

export interface WebhookTarget {
  flow: FlowModel;
  def: TriggerDef;
  signature?: SignatureConfig;
}

interface Hook extends WebhookTarget {
  keyDigest: Buffer;
}

interface Entry {
  at: number;
  hooks: Hook[] | null; // null: no such (enabled) flow
}

export interface ResolverDeps {
  db: Db;
  flows: { get(namespace: string, id: string, revision?: number): Promise<FlowModel | undefined> };
  renderer: Renderer;
  ttlMs?: number;
  log(message: string): void;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

export function createWebhookResolver(deps: ResolverDeps) {
  const ttl = deps.ttlMs ?? 1000;
  const cache = new Map<string, Entry>();

  async function load(namespace: string, flowId: string): Promise<Hook[] | null> {
    const stored = await getFlow(deps.db, namespace, flowId);
    if (!stored || stored.disabled) return null;
    const flow = await deps.flows.get(namespace, flowId, stored.revision);
    if (!flow || flow.disabled) return null;
    const rows = await listTriggerRows(deps.db, { namespace, flowId });
    const vars = { flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision } };
    const hooks: Hook[] = [];
    for (const def of (flow.triggers ?? []) as TriggerDef[]) {
      if (def.type !== WEBHOOK_TYPE || def.disabled) continue;
      if (rows.some((r) => r.namespace === namespace && r.triggerId === def.id && r.disabled)) continue;
      try {
        const key = await deps.renderer.render(String(def.key), vars);
        const sig = def.signature as Record<string, unknown> | undefined;
        const signature = sig && {
          ...(sig as unknown as SignatureConfig),
          secret: await deps.renderer.render(String(sig.secret), vars),
          toleranceMs: sig.tolerance ? isoDurationMs(String(sig.tolerance)) ?? DEFAULT_TOLERANCE_MS : DEFAULT_TOLERANCE_MS,
        };
        hooks.push({ flow, def, signature, keyDigest: digest(key) });
      } catch (e) {
        // An unrenderable key or secret (missing secret) leaves the webhook unreachable, not open.
        deps.log(`webhook ${namespace}.${flowId} trigger ${def.id}: ${(e as Error).message}`);
      }
    }
    return hooks;
  }

  return {
    async resolve(namespace: string, flowId: string, key: string): Promise<{ status: "flow" } | { status: "webhook" } | { status: "ok"; target: WebhookTarget }> {
      const k = `${namespace}\u0000${flowId}`;
      const t = performance.now();
      let entry = cache.get(k);
      if (!entry || t - entry.at > ttl) {
        entry = { at: t, hooks: await load(namespace, flowId) };
        if (cache.size > 10_000) cache.clear();
        cache.set(k, entry);
      }
      if (!entry.hooks) return { status: "flow" };
      const wanted = digest(key);
      let found: Hook | undefined;
      // Compare against every webhook of the flow, without stopping at a match.
      for (const h of entry.hooks) if (timingSafeEqual(h.keyDigest, wanted) && !found) found = h;
      return found ? { status: "ok", target: found } : { status: "webhook" };
    },
    invalidate(namespace: string, flowId: string) {
      cache.delete(`${namespace}\u0000${flowId}`);
    },
  };
}
