// Signature verification for webhooks from SaaS tools, configured on the Webhook trigger
// (`signature: {type, secret, …}`). Every scheme MACs the raw body bytes exactly as received
// and compares in constant time; timestamped schemes (Stripe, Slack, Standard Webhooks) also
// refuse a timestamp outside the replay window. Each returns the provider's delivery id, if
// it has one, for de-duplication.
import { createHmac, timingSafeEqual } from "node:crypto";

export type SignatureType = "github" | "stripe" | "slack" | "shopify" | "standard" | "hmac";

export interface SignatureConfig {
  type: SignatureType;
  /** Already rendered (e.g. from `{{ secret('GITHUB_WEBHOOK_SECRET') }}`). */
  secret: string;
  /** hmac: the header holding the signature. */
  header?: string;
  algorithm?: "sha1" | "sha256" | "sha512";
  encoding?: "hex" | "base64";
  /** hmac: text before the digest in the header (e.g. `sha256=`). */
  prefix?: string;
  /** hmac: header with a delivery id to de-duplicate on. */
  deliveryIdHeader?: string;
  /** Replay window for timestamped schemes (ms). */
  toleranceMs: number;
}

export interface VerifyInput {
  raw: Uint8Array;
  /** Lower-cased header names. */
  headers: Headers;
  nowMs: number;
}

export type Verdict = { ok: true; deliveryId?: string } | { ok: false; reason: string };

const fail = (reason: string): Verdict => ({ ok: false, reason });

function mac(algorithm: string, key: string | Buffer, ...parts: (string | Uint8Array)[]): Buffer {
  const h = createHmac(algorithm, key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Constant-time equality of a computed digest and a provided text digest. */
function same(expected: Buffer, provided: string, encoding: "hex" | "base64"): boolean {
  const text = provided.trim();
  if (encoding === "hex" && !/^[0-9a-fA-F]+$/.test(text)) return false;
  const got = Buffer.from(text, encoding);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

function fresh(timestampSec: string | null | undefined, nowMs: number, toleranceMs: number): Verdict | undefined {
  if (!timestampSec || !/^\d+$/.test(timestampSec)) return fail("missing or malformed signature timestamp");
  if (Math.abs(nowMs - Number(timestampSec) * 1000) > toleranceMs) return fail("signature timestamp outside the replay window");
  return undefined;
}

/** A JSON body's field (delivery ids inside the payload: Stripe `id`, Slack `event_id`). */
function jsonField(raw: Uint8Array, field: string): string | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(raw))?.[field];
    return typeof v === "string" && v ? v : undefined;
  } catch {
    return undefined;
  }
}

export function verifySignature(cfg: SignatureConfig, req: VerifyInput): Verdict {
  const h = (name: string) => req.headers.get(name);
  switch (cfg.type) {
    case "github": {
      // X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>
      const sig = h("x-hub-signature-256");
      if (!sig?.startsWith("sha256=")) return fail("missing X-Hub-Signature-256");
      if (!same(mac("sha256", cfg.secret, req.raw), sig.slice(7), "hex")) return fail("signature mismatch");
      return { ok: true, deliveryId: h("x-github-delivery") ?? undefined };
    }
    case "stripe": {
      // Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>[,v1=…][,v0=…]
      const header = h("stripe-signature");
      if (!header) return fail("missing Stripe-Signature");
      const items = header.split(",").map((kv) => kv.trim().split("=", 2) as [string, string]);
      const t = items.find(([k]) => k === "t")?.[1];
      const stale = fresh(t, req.nowMs, cfg.toleranceMs);
      if (stale) return stale;
      const expected = mac("sha256", cfg.secret, `${t}.`, req.raw);
      const v1 = items.filter(([k]) => k === "v1").map(([, v]) => v ?? "");
      if (!v1.length) return fail("no v1 signature in Stripe-Signature");
      // Every candidate is compared (no early exit) so timing does not reveal which matched.
      const matched = v1.map((v) => same(expected, v, "hex")).some(Boolean);
      if (!matched) return fail("signature mismatch");
      return { ok: true, deliveryId: jsonField(req.raw, "id") };
    }
    case "slack": {
      // X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:ts:body")>, X-Slack-Request-Timestamp: ts
      const ts = h("x-slack-request-timestamp");
      const stale = fresh(ts, req.nowMs, cfg.toleranceMs);
      if (stale) return stale;
      const sig = h("x-slack-signature");
      if (!sig?.startsWith("v0=")) return fail("missing X-Slack-Signature");
      if (!same(mac("sha256", cfg.secret, `v0:${ts}:`, req.raw), sig.slice(3), "hex")) return fail("signature mismatch");
      return { ok: true, deliveryId: jsonField(req.raw, "event_id") };
    }
    case "shopify": {
      // X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(secret, body)>
      const sig = h("x-shopify-hmac-sha256");
      if (!sig) return fail("missing X-Shopify-Hmac-Sha256");
      if (!same(mac("sha256", cfg.secret, req.raw), sig, "base64")) return fail("signature mismatch");
      return { ok: true, deliveryId: h("x-shopify-webhook-id") ?? h("x-shopify-event-id") ?? undefined };
    }
    case "standard": {
      // Standard Webhooks: webhook-signature "v1,<base64 HMAC-SHA256(key, "id.ts.body")>" (space-separated
      // list), key = base64 decode of the secret after "whsec_".
      const id = h("webhook-id");
      const ts = h("webhook-timestamp");
      if (!id) return fail("missing webhook-id");
      const stale = fresh(ts, req.nowMs, cfg.toleranceMs);
      if (stale) return stale;
      const key = Buffer.from(cfg.secret.startsWith("whsec_") ? cfg.secret.slice(6) : cfg.secret, "base64");
      const expected = mac("sha256", key, `${id}.${ts}.`, req.raw);
      const sigs = (h("webhook-signature") ?? "").split(" ").filter((s) => s.startsWith("v1,")).map((s) => s.slice(3));
      if (!sigs.length) return fail("no v1 signature in webhook-signature");
      if (!sigs.map((s) => same(expected, s, "base64")).some(Boolean)) return fail("signature mismatch");
      return { ok: true, deliveryId: id };
    }
    case "hmac": {
      const name = cfg.header?.toLowerCase();
      if (!name) return fail("signature.header is required for type hmac");
      let sig = h(name);
      if (!sig) return fail(`missing ${cfg.header}`);
      const prefix = cfg.prefix ?? "";
      if (!sig.startsWith(prefix)) return fail("signature mismatch");
      sig = sig.slice(prefix.length);
      if (!same(mac(cfg.algorithm ?? "sha256", cfg.secret, req.raw), sig, cfg.encoding ?? "hex")) return fail("signature mismatch");
      return { ok: true, deliveryId: cfg.deliveryIdHeader ? h(cfg.deliveryIdHeader.toLowerCase()) ?? undefined : undefined };
    }
  }
}
