// Schemas shared by the flow, its tasks and its triggers: ISO durations, retry, labels.
import { z } from "zod";

/**
 * java.time.Duration's grammar (what Kestra accepts): days, hours, minutes, seconds with an
 * optional fraction, optional signs, case-insensitive ("PT0.25s" appears in Kestra's own tests).
 */
// Letter classes instead of the `i` flag so the pattern keeps its meaning in JSON Schema.
export const ISO_DURATION = /^[-+]?[Pp](?=[-+\dTt])(?:[-+]?\d+[Dd])?(?:[Tt](?=[-+\d])(?:[-+]?\d+[Hh])?(?:[-+]?\d+[Mm])?(?:[-+]?\d+(?:[.,]\d{0,9})?[Ss])?)?$/;

export const DURATION_MESSAGE = "expected an ISO-8601 duration such as PT30S, PT5M or P1D";

export const isoDuration = () =>
  z.string().regex(ISO_DURATION, { message: DURATION_MESSAGE }).meta({ description: "ISO-8601 duration, e.g. PT30S" });

/** Milliseconds of an ISO duration (Java grammar); undefined when it does not parse. */
export function isoDurationMs(text: string): number | undefined {
  if (!ISO_DURATION.test(text)) return undefined;
  const m = /^([-+])?P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/i.exec(text)!;
  const [, sign, d, h, min, s, frac] = m;
  const secNeg = s?.startsWith("-");
  const seconds = +(s ?? 0) + (secNeg ? -1 : 1) * +`0.${frac || "0"}`;
  const ms = ((+(d ?? 0) * 24 + +(h ?? 0)) * 60 + +(min ?? 0)) * 60_000 + seconds * 1000;
  return sign === "-" ? -ms : ms;
}

export const retrySchema = z
  .strictObject({
    type: z.enum(["constant", "exponential", "random"]),
    interval: isoDuration().optional(),
    maxInterval: isoDuration().optional(),
    minInterval: isoDuration().optional(),
    delayFactor: z.number().optional(),
    maxAttempt: z.number().int().min(1).optional(),
    /** Newer Kestra name of maxAttempt. */
    maxAttempts: z.number().int().min(1).optional(),
    maxDuration: isoDuration().optional(),
    warningOnRetry: z.boolean().optional(),
    behavior: z.enum(["RETRY_FAILED_TASK", "CREATE_NEW_EXECUTION"]).optional(),
  })
  .superRefine((r, ctx) => {
    // Kestra's Constant/Exponential/Random retry classes mark these @NotNull.
    const need: Record<string, string[]> = { constant: ["interval"], exponential: ["interval", "maxInterval"], random: ["minInterval", "maxInterval"] };
    for (const key of need[r.type] ?? []) {
      if ((r as Record<string, unknown>)[key] === undefined) {
        ctx.addIssue({ code: "custom", path: [], message: `missing required property "${key}" (needed by retry type ${r.type})` });
      }
    }
  })
  .meta({ description: "Retry policy: constant, exponential or random intervals" });

export type Retry = z.output<typeof retrySchema>;

const labelValue = z.union([z.string(), z.number(), z.boolean()]);
export const labelsSchema = z
  .union([z.record(z.string(), labelValue), z.array(z.strictObject({ key: z.string(), value: labelValue }))])
  .meta({ description: "Labels as a map or a list of {key, value}" });

export interface Label {
  key: string;
  value: string;
}

/** Kestra accepts labels as a map or a list; the engine always gets the list form. */
export function normalizeLabels(labels: unknown): Label[] {
  if (Array.isArray(labels)) return labels.map((l) => ({ key: String(l.key), value: String(l.value) }));
  if (labels && typeof labels === "object") return Object.entries(labels).map(([key, value]) => ({ key, value: String(value) }));
  return [];
}

/**
 * Jackson reads `key:` (a YAML null) like an absent key; do the same at the top of a flow,
 * task, trigger or input so `defaults:` with nothing after it is not a type error.
 */
export function dropNulls(obj: Record<string, unknown>): void {
  for (const k of Object.keys(obj)) if (obj[k] === null) delete obj[k];
}
