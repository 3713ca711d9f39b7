// Trigger definitions: the kinds Tern runs (Schedule, ScheduleOnDates, Webhook, Flow, HTTP
// polling) under their Kestra names and legacy aliases. Any other trigger type is an error naming it, so a
// flow never silently loses a trigger it relies on.
import { z } from "zod";
import { requestProps } from "../../plugins/http/client.ts";
import { parseZoned } from "../scheduler/zoned.ts";
import { dropNulls, isoDuration, isoDurationMs, labelsSchema } from "./common.ts";
import { prefixIssues, type Issue } from "./errors.ts";
import { suggest } from "./suggest.ts";
import { runSchema } from "./zod-tools.ts";

export const TRIGGER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;
export const STATES = ["CREATED", "QUEUED", "RUNNING", "PAUSED", "RESTARTED", "KILLING", "SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED", "RETRYING", "RETRIED", "SKIPPED", "BREAKPOINT", "RESUBMITTED"] as const;

const SCHEDULE = "io.kestra.plugin.core.trigger.Schedule";
const WEBHOOK = "io.kestra.plugin.core.trigger.Webhook";
const FLOW = "io.kestra.plugin.core.trigger.Flow";
const SCHEDULE_ON_DATES = "io.kestra.plugin.core.trigger.ScheduleOnDates";
const HTTP = "io.kestra.plugin.core.http.Trigger";

/** Accepted type names -> canonical name. */
export const TRIGGER_TYPES: Record<string, string> = {
  [SCHEDULE]: SCHEDULE,
  "io.kestra.core.models.triggers.types.Schedule": SCHEDULE,
  [WEBHOOK]: WEBHOOK,
  "io.kestra.core.models.triggers.types.Webhook": WEBHOOK,
  [FLOW]: FLOW,
  "io.kestra.core.models.triggers.types.Flow": FLOW,
  [SCHEDULE_ON_DATES]: SCHEDULE_ON_DATES,
  [HTTP]: HTTP,
  "io.kestra.plugin.fs.http.Trigger": HTTP,
};

/** Conditions are checked by the scheduler when it evaluates them; here only their shape. */
const conditions = z.array(z.looseObject({ type: z.string() })).meta({ description: "Conditions (each has a type)" });

const common = {
  id: z.string().regex(TRIGGER_ID, { message: `must match ${TRIGGER_ID.source}` }),
  type: z.string(),
  description: z.string().optional(),
  conditions: conditions.optional(),
  when: z.string().optional(),
  disabled: z.boolean().default(false),
  workerGroup: z.strictObject({ key: z.string(), fallback: z.enum(["FAIL", "WAIT", "CANCEL"]).optional() }).optional(),
  logLevel: z.enum(["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]).optional(),
  logToFile: z.boolean().optional(),
  labels: labelsSchema.optional(),
  stopAfter: z.array(z.enum(STATES)).optional(),
};

/** Tern extension: verify the provider's signature over the raw body (src/webhooks/signatures.ts). */
const webhookSignature = z.strictObject({
  type: z.enum(["github", "stripe", "slack", "shopify", "standard", "hmac"]).meta({ description: "Signature scheme of the sender" }),
  secret: z.string().min(1).meta({ description: "Signing secret, usually `{{ secret('NAME') }}`" }),
  header: z.string().optional().meta({ description: "hmac: header carrying the signature" }),
  algorithm: z.enum(["sha1", "sha256", "sha512"]).optional().meta({ description: "hmac: digest (default sha256)" }),
  encoding: z.enum(["hex", "base64"]).optional().meta({ description: "hmac: digest encoding (default hex)" }),
  prefix: z.string().optional().meta({ description: "hmac: text before the digest, e.g. `sha256=`" }),
  deliveryIdHeader: z.string().optional().meta({ description: "hmac: header with a delivery id to de-duplicate on" }),
  tolerance: isoDuration().optional().meta({ description: "Replay window for timestamped schemes (default PT5M)" }),
}).meta({ description: "Verify the sender's signature (Tern extension)" });

const dynamic = (v: string) => v.includes("{{") || v.includes("{%");

/** An IANA zone name (checked unless it is an expression). */
const timezone = z.string().refine((tz) => {
  if (dynamic(tz)) return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, { message: "unknown time zone (expected an IANA name such as Europe/Paris)" });

/** ScheduleOnDates' dates: a list of ISO date-times (each may be an expression), or one expression giving the list. */
const dates = z.union([z.array(z.string()).min(1, { message: "expected at least one date" }), z.string().min(1)]).superRefine((v, ctx) => {
  if (typeof v === "string") {
    if (!dynamic(v)) ctx.addIssue({ code: "custom", message: "expected a list of ISO 8601 date-times (or an expression giving one)" });
    return;
  }
  v.forEach((d, i) => {
    if (dynamic(d)) return;
    try {
      parseZoned(d);
    } catch {
      ctx.addIssue({ code: "custom", path: [i], message: `not an ISO 8601 date-time: "${d}" (e.g. 2026-03-01T09:00:00+01:00)` });
    }
  });
}).meta({ description: "The date-times to fire at (ISO 8601; without an offset they are read in `timezone`)" });

const positiveDuration = isoDuration().refine((d) => (isoDurationMs(d) ?? 1) > 0, { message: "expected a positive duration" });

export const triggerSchemas: Record<string, z.ZodObject> = {
  [SCHEDULE]: z.strictObject({
    ...common,
    cron: z.string().min(1),
    timezone: z.string().optional(),
    withSeconds: z.boolean().optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
    scheduleConditions: conditions.optional(),
    lateMaximumDelay: isoDuration().optional(),
    recoverMissedSchedules: z.enum(["ALL", "LAST", "NONE"]).optional(),
    backfill: z.looseObject({}).optional(),
  }).meta({ title: "Schedule trigger" }),
  [WEBHOOK]: z.strictObject({
    ...common,
    key: z.string().min(1).max(256),
    inputs: z.record(z.string(), z.unknown()).optional(),
    wait: z.boolean().optional(),
    returnOutputs: z.boolean().optional(),
    responseContentType: z.string().optional(),
    responseCode: z.number().int().min(100).max(599).optional(),
    fetchType: z.enum(["FETCH", "STORE", "NONE"]).optional(),
    signature: webhookSignature.optional(),
  }).meta({ title: "Webhook trigger" }),
  [FLOW]: z.strictObject({
    ...common,
    inputs: z.record(z.string(), z.unknown()).optional(),
    states: z.array(z.enum(STATES)).optional(),
    preconditions: z.looseObject({ id: z.string().optional(), flows: z.array(z.looseObject({})).optional(), where: z.array(z.looseObject({})).optional() }).optional(),
  }).meta({ title: "Flow trigger" }),
  [SCHEDULE_ON_DATES]: z.strictObject({
    ...common,
    dates,
    timezone: timezone.optional().meta({ description: "Zone of dates written without an offset, and of trigger.date (default UTC)" }),
    inputs: z.record(z.string(), z.unknown()).optional(),
    recoverMissedSchedules: z.enum(["ALL", "LAST", "NONE"]).optional(),
  }).meta({ title: "ScheduleOnDates trigger" }),
  [HTTP]: z.strictObject({
    ...common,
    ...requestProps,
    interval: positiveDuration.optional().meta({ description: "Time between two requests (default PT60S)" }),
    responseCondition: z.string().optional().meta({ description: 'Starts an execution when it renders truthy; sees response.statusCode, response.body, response.headers (default "{{ response.statusCode < 400 }}")' }),
    params: z.record(z.string(), z.unknown()).optional().meta({ description: "Query parameters added to the uri" }),
    inputs: z.record(z.string(), z.unknown()).optional(),
    encryptBody: z.literal(false, { message: "encrypted bodies are not supported by Tern (trigger.body is kept in clear)" }).optional(),
  }).meta({ title: "HTTP polling trigger" }),
};

export interface TriggerDef {
  id: string;
  /** Always the canonical Kestra name (legacy aliases are rewritten). */
  type: string;
  disabled: boolean;
  [prop: string]: unknown;
}

export function validateTriggers(list: unknown[]): { triggers: TriggerDef[]; issues: Issue[] } {
  const triggers: TriggerDef[] = [];
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  list.forEach((raw, i) => {
    const r = validateTrigger(raw);
    issues.push(...prefixIssues([i], r.issues));
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id === "string") {
      const before = seen.get(id);
      if (before !== undefined) issues.push({ path: [i, "id"], message: `duplicate trigger id "${id}" (also triggers[${before}])` });
      else seen.set(id, i);
    }
    if (r.trigger) triggers.push(r.trigger);
  });
  return { triggers, issues };
}

function validateTrigger(raw: unknown): { trigger?: TriggerDef; issues: Issue[] } {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { issues: [{ path: [], message: "expected a trigger (a mapping with id and type)" }] };
  dropNulls(raw as Record<string, unknown>);
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== "string") return { issues: [{ path: type === undefined ? [] : ["type"], message: type === undefined ? 'missing required property "type"' : "expected a string" }] };
  const canonical = TRIGGER_TYPES[type];
  if (!canonical) {
    const hint = suggest(type, Object.keys(TRIGGER_TYPES));
    return { issues: [{ path: ["type"], message: `unknown trigger type "${type}"${hint ? ` (did you mean ${hint}?)` : ": Tern does not implement it"}` }] };
  }
  const { data, issues } = runSchema(triggerSchemas[canonical], raw, { lenient: true, strictKeys: ["id", "type"] });
  return { trigger: data ? ({ disabled: false, ...data, type: canonical } as TriggerDef) : undefined, issues };
}
