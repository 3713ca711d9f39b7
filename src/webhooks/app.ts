// Kestra's Webhook trigger endpoint, /api/v1/executions/webhook/{namespace}/{flowId}/{key}
// (GET, POST, PUT), plus signature verification for SaaS providers. The order of checks is
// the cost order: unknown flow or key → 404, flood → 429, body too big → 413 (all before the
// body is read), bad signature → 401, replayed delivery → 200 with the first execution,
// conditions false → 204. A 2xx that started something always has a durable execution behind
// it: the response is written only after the execution row is committed.
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Execution } from "../engine/model.ts";
import { executionToApi } from "../engine/serialize.ts";
import type { Renderer } from "../executor/render.ts";
import { conditionsPass, type Condition } from "../scheduler/conditions.ts";
import { launch, type Launcher } from "../scheduler/launch.ts";
import type { Db } from "../store/db.ts";
import { loadExecution, loadTaskRuns } from "../store/executions.ts";
import { executionIdByDedupKey, findDelivery, recordDelivery } from "../store/webhooks.ts";
import { createRateLimiter, type RateLimitOptions } from "./rate-limit.ts";
import { readRequest, type WebhookRequest } from "./request.ts";
import { createWebhookResolver, type WebhookTarget } from "./resolve.ts";
import { verifySignature } from "./signatures.ts";

export interface WebhookDeps {
  db: Db;
  service: Launcher & { waitFor(id: string): Promise<Execution> };
  flows: { get(namespace: string, id: string, revision?: number): Promise<import("../engine/model.ts").FlowModel | undefined> };
  renderer: Renderer;
  maxBodyBytes: number;
  rateLimit?: Partial<RateLimitOptions>;
  /** Wall clock for replay windows (ms). */
  now?: () => number;
  log?(message: string): void;
}

const message = (c: Context, status: 401 | 404 | 413 | 422 | 429, text: string) =>
  c.json({ error: { code: { 401: "UNAUTHORIZED", 404: "NOT_FOUND", 413: "PAYLOAD_TOO_LARGE", 422: "INVALID", 429: "TOO_MANY_REQUESTS" }[status], message: text } }, status);

export function createWebhooks(deps: WebhookDeps) {
  const now = deps.now ?? (() => Date.now());
  const log = deps.log ?? ((m: string) => console.error(`[tern] webhook: ${m}`));
  const resolver = createWebhookResolver({ db: deps.db, flows: deps.flows, renderer: deps.renderer, log });
  const limiter = createRateLimiter({ ratePerSec: 1000, burst: 2000, maxInFlight: 256, ...deps.rateLimit });
  const app = new Hono();

  app.on(["GET", "POST", "PUT"], "/api/v1/executions/webhook/:namespace/:flowId/:key",
    // Content-Length over the limit is refused before anything else; a chunked body is
    // counted while it is read and refused as soon as it passes the limit.
    bodyLimit({ maxSize: deps.maxBodyBytes, onError: (c) => message(c, 413, `request body over the ${deps.maxBodyBytes} bytes limit`) }),
    async (c) => {
      const { namespace, flowId, key } = c.req.param();
      const found = await resolver.resolve(namespace, flowId, key);
      if (found.status === "flow") return message(c, 404, "Flow not found");
      if (found.status === "webhook") return message(c, 404, "Webhook not found");
      const { target } = found;
      const slot = limiter.acquire(`${namespace}\u0000${flowId}\u0000${target.def.id}`);
      if ("retryAfterSec" in slot) {
        c.header("Retry-After", String(slot.retryAfterSec));
        return message(c, 429, "too many requests for this webhook");
      }
      try {
        return await handle(c, target);
      } finally {
        slot.release();
      }
    });

  async function handle(c: Context, target: WebhookTarget): Promise<Response> {
    const { flow, def } = target;
    const req = await readRequest(c);
    let deliveryId: string | undefined;
    if (target.signature) {
      const verdict = verifySignature(target.signature, { raw: req.raw, headers: c.req.raw.headers, nowMs: now() });
      if (!verdict.ok) return message(c, 401, `invalid signature: ${verdict.reason}`);
      deliveryId = verdict.deliveryId;
    }
    const dedupKey = deliveryId ? `webhook:${flow.namespace}:${flow.id}:${def.id}:${deliveryId}` : undefined;
    if (dedupKey) {
      const first = await findDelivery(deps.db, dedupKey);
      if (first) return replay(c, first);
    }
    const vars = { flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision }, trigger: req.variables };
    try {
      if (!(await conditionsPass(def.conditions as Condition[] | undefined, { vars, render: deps.renderer.render }))) return c.body(null, 204);
    } catch (e) {
      return message(c, 422, `conditions: ${(e as Error).message}`);
    }
    const r = await launch(deps.service, deps.renderer, {
      flow, vars, labels: def.labels, inputs: def.inputs as Record<string, unknown> | undefined,
      trigger: { id: def.id, type: def.type, variables: req.variables }, dedupKey: dedupKey as string,
    });
    if (r.status === "invalid") return message(c, 422, r.message);
    if (r.status === "duplicate") {
      // A concurrent retry of the same delivery won the insert: answer with its execution.
      const first = await executionIdByDedupKey(deps.db, dedupKey!);
      return replay(c, first!);
    }
    if (dedupKey) await recordDelivery(deps.db, dedupKey, r.execution.id, now());
    return respond(c, target, r.execution);
  }

  async function replay(c: Context, executionId: string) {
    const ex = await loadExecution(deps.db, executionId);
    c.header("X-Tern-Duplicate", "true");
    return c.json(ex ? executionToApi(ex, await loadTaskRuns(deps.db, ex.id)) : { id: executionId }, 200);
  }

  async function respond(c: Context, target: WebhookTarget, created: Execution) {
    const { def } = target;
    const code = def.responseCode as number | undefined;
    if (def.wait !== true) return c.json(executionToApi(created, []), (code ?? 200) as 200);
    // wait: answer with the finished execution (Kestra: 500 when it failed, unless responseCode).
    const ex = await deps.service.waitFor(created.id);
    const failed = ex.state === "FAILED" || ex.state === "KILLED";
    const status = (code ?? (failed ? 500 : 200)) as 200;
    if (def.returnOutputs === true) {
      if (String(def.responseContentType ?? "").startsWith("text/plain")) return c.text(outputsText(ex.outputs), status);
      return c.json(ex.outputs ?? {}, status);
    }
    return c.json(executionToApi(ex, await loadTaskRuns(deps.db, ex.id)), status);
  }

  return {
    app,
    /** Forget cached keys/secrets of a flow (the API calls this after saving it). */
    invalidate: (namespace: string, flowId: string) => resolver.invalidate(namespace, flowId),
  };
}

function outputsText(outputs: Record<string, unknown> | null): string {
  const values = Object.values(outputs ?? {});
  return values.length === 1 && typeof values[0] !== "object" ? String(values[0]) : JSON.stringify(outputs ?? {});
}

export type { WebhookRequest };
