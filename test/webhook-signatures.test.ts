// Signature schemes against the providers' published test vectors (GitHub, Slack, Standard
// Webhooks) and against signatures computed here independently (Stripe, Shopify and generic
// HMAC publish no fixed vector with its secret): tampering, stale timestamps and missing
// headers are refused.
import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { verifySignature, type SignatureConfig } from "../src/webhooks/signatures.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const FIVE_MIN = 300_000;
const check = (cfg: Omit<SignatureConfig, "toleranceMs"> & { toleranceMs?: number }, body: string, headers: Record<string, string>, nowMs = Date.now()) =>
  verifySignature({ toleranceMs: FIVE_MIN, ...cfg }, { raw: enc(body), headers: new Headers(headers), nowMs });

describe("GitHub (docs.github.com 'Validating webhook deliveries' example)", () => {
  const cfg = { type: "github" as const, secret: "It's a Secret to Everybody" };
  const sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
  test("the published vector verifies; the delivery id is returned", () => {
    expect(check(cfg, "Hello, World!", { "X-Hub-Signature-256": sig, "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958" }))
      .toEqual({ ok: true, deliveryId: "72d3162e-cc78-11e3-81ab-4c9367dc0958" });
  });
  test("one changed byte, a wrong secret, a missing or malformed header fail", () => {
    expect(check(cfg, "Hello, World?", { "X-Hub-Signature-256": sig }).ok).toBe(false);
    expect(check({ ...cfg, secret: "nope" }, "Hello, World!", { "X-Hub-Signature-256": sig }).ok).toBe(false);
    expect(check(cfg, "Hello, World!", {})).toEqual({ ok: false, reason: "missing X-Hub-Signature-256" });
    expect(check(cfg, "Hello, World!", { "X-Hub-Signature-256": "sha256=zz" }).ok).toBe(false);
    expect(check(cfg, "Hello, World!", { "X-Hub-Signature-256": sig.slice(0, -2) }).ok).toBe(false);
  });
});

describe("Slack (api.slack.com 'Verifying requests from Slack' example)", () => {
  const body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
  const headers = { "X-Slack-Request-Timestamp": "1531420618", "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503" };
  const cfg = { type: "slack" as const, secret: "8f742231b10e8888abcd99yyyzzz85a5" };
  test("the published vector verifies within the replay window", () => {
    expect(check(cfg, body, headers, 1531420618_000 + 60_000)).toEqual({ ok: true, deliveryId: undefined });
  });
  test("outside the window (either side) it is refused", () => {
    expect(check(cfg, body, headers, 1531420618_000 + FIVE_MIN + 1000)).toEqual({ ok: false, reason: "signature timestamp outside the replay window" });
    expect(check(cfg, body, headers, 1531420618_000 - FIVE_MIN - 1000).ok).toBe(false);
  });
  test("a timestamp changed to look fresh breaks the signature", () => {
    expect(check(cfg, body, { ...headers, "X-Slack-Request-Timestamp": "1531420700" }, 1531420700_000)).toEqual({ ok: false, reason: "signature mismatch" });
  });
  test("Events API bodies give their event_id as delivery id", () => {
    const ev = JSON.stringify({ type: "event_callback", event_id: "Ev123ABC" });
    const ts = "1700000000";
    const sig = "v0=" + createHmac("sha256", cfg.secret).update(`v0:${ts}:${ev}`).digest("hex");
    expect(check(cfg, ev, { "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig }, 1700000000_000)).toEqual({ ok: true, deliveryId: "Ev123ABC" });
  });
});

describe("Standard Webhooks (standard-webhooks spec reference test vector)", () => {
  const cfg = { type: "standard" as const, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };
  const body = '{"test": 2432232314}';
  const headers = { "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330", "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" };
  test("verifies; several signatures (key rotation) are accepted; webhook-id is the delivery id", () => {
    expect(check(cfg, body, headers, 1614265330_000)).toEqual({ ok: true, deliveryId: "msg_p5jXN8AQM9LWM0D4loKWxJek" });
    expect(check(cfg, body, { ...headers, "webhook-signature": `v1,Zm9vYmFy ${headers["webhook-signature"]} v2,xxx` }, 1614265330_000).ok).toBe(true);
  });
  test("stale, tampered, or signed with another id: refused", () => {
    expect(check(cfg, body, headers, 1614265330_000 + 10 * 60_000).ok).toBe(false);
    expect(check(cfg, '{"test": 2432232315}', headers, 1614265330_000).ok).toBe(false);
    expect(check(cfg, body, { ...headers, "webhook-id": "msg_other" }, 1614265330_000).ok).toBe(false);
    expect(check(cfg, body, { ...headers, "webhook-signature": "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" }, 1614265330_000).ok).toBe(false);
  });
});

describe("Stripe (t=,v1= scheme; signature computed independently here)", () => {
  const secret = "whsec_test_secret";
  const body = JSON.stringify({ id: "evt_1NG8Du2eZvKYlo2CUI79vXWy", object: "event", type: "payment_intent.succeeded" });
  const t = 1700000000;
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  const cfg = { type: "stripe" as const, secret };
  test("verifies with v0 and several v1 present; the event id is the delivery id", () => {
    const header = `t=${t},v1=${"0".repeat(64)},v1=${v1},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39`;
    expect(check(cfg, body, { "Stripe-Signature": header }, t * 1000 + 1000)).toEqual({ ok: true, deliveryId: "evt_1NG8Du2eZvKYlo2CUI79vXWy" });
  });
  test("stale t, a v0-only header, a tampered body: refused", () => {
    expect(check(cfg, body, { "Stripe-Signature": `t=${t},v1=${v1}` }, t * 1000 + FIVE_MIN + 1).ok).toBe(false);
    expect(check(cfg, body, { "Stripe-Signature": `t=${t},v0=${v1}` }, t * 1000)).toEqual({ ok: false, reason: "no v1 signature in Stripe-Signature" });
    expect(check(cfg, body + " ", { "Stripe-Signature": `t=${t},v1=${v1}` }, t * 1000).ok).toBe(false);
    expect(check(cfg, body, { "Stripe-Signature": `v1=${v1}` }, t * 1000)).toEqual({ ok: false, reason: "missing or malformed signature timestamp" });
  });
  test("a custom tolerance widens the window", () => {
    expect(check({ ...cfg, toleranceMs: 3_600_000 }, body, { "Stripe-Signature": `t=${t},v1=${v1}` }, t * 1000 + 1_800_000).ok).toBe(true);
  });
});

describe("Shopify (base64 X-Shopify-Hmac-Sha256)", () => {
  const secret = "shpss_0123456789abcdef";
  const body = JSON.stringify({ id: 820982911946154500, email: "jon@example.com" });
  const mac = createHmac("sha256", secret).update(body, "utf8").digest("base64");
  test("verifies; X-Shopify-Webhook-Id is the delivery id; tampering fails", () => {
    const cfg = { type: "shopify" as const, secret };
    expect(check(cfg, body, { "X-Shopify-Hmac-Sha256": mac, "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043" }))
      .toEqual({ ok: true, deliveryId: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043" });
    expect(check(cfg, body.replace("jon", "jan"), { "X-Shopify-Hmac-Sha256": mac }).ok).toBe(false);
    expect(check(cfg, body, { "X-Shopify-Hmac-Sha256": createHmac("sha256", secret).update(body).digest("hex") }).ok).toBe(false);
  });
});

describe("generic HMAC", () => {
  const body = "raw \u00e9 bytes";
  test("sha256 hex with a prefix and a delivery header", () => {
    const sig = "sha256=" + createHmac("sha256", "k").update(enc(body)).digest("hex");
    const cfg = { type: "hmac" as const, secret: "k", header: "X-Signature", prefix: "sha256=", deliveryIdHeader: "X-Request-Id" };
    expect(check(cfg, body, { "x-signature": sig, "x-request-id": "r-1" })).toEqual({ ok: true, deliveryId: "r-1" });
    expect(check(cfg, body, { "x-signature": sig.replace("sha256=", "") }).ok).toBe(false);
  });
  test("sha512 base64, no prefix", () => {
    const sig = createHmac("sha512", "k").update(enc(body)).digest("base64");
    expect(check({ type: "hmac", secret: "k", header: "X-Sig", algorithm: "sha512", encoding: "base64" }, body, { "X-Sig": sig }).ok).toBe(true);
    expect(check({ type: "hmac", secret: "k", header: "X-Sig", algorithm: "sha256", encoding: "base64" }, body, { "X-Sig": sig }).ok).toBe(false);
  });
  test("no header configured is a refusal, not an open door", () => {
    expect(check({ type: "hmac", secret: "k" }, body, {}).ok).toBe(false);
  });
});
