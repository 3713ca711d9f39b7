// Kestra's retry policies (constant, exponential, random): may a failed attempt run again, and when.
import { durationMs } from "../../plugins/define.ts";

export interface RetryDecision {
  retry: boolean;
  delayMs: number;
}

/**
 * `attempts` is how many attempts have run (the failed one included); `firstStart` is when the
 * first began. maxAttempt counts every attempt; maxDuration bounds first start -> next start.
 */
export function decideRetry(
  policy: Record<string, unknown> | undefined,
  attempts: number,
  firstStart: number,
  now: number,
  random: () => number = Math.random,
): RetryDecision {
  const no = { retry: false, delayMs: 0 };
  if (!policy || policy.behavior === "CREATE_NEW_EXECUTION") return no;
  const maxAttempt = num(policy.maxAttempt ?? policy.maxAttempts);
  if (maxAttempt !== undefined && attempts >= maxAttempt) return no;
  const delayMs = delayFor(policy, attempts, random);
  const maxDuration = policy.maxDuration ? durationMs(String(policy.maxDuration)) : undefined;
  if (maxDuration !== undefined && now + delayMs - firstStart >= maxDuration) return no;
  if (maxAttempt === undefined && maxDuration === undefined) return no;
  return { retry: true, delayMs };
}

function delayFor(policy: Record<string, unknown>, attempts: number, random: () => number): number {
  const ms = (k: string) => (policy[k] ? durationMs(String(policy[k])) : undefined);
  switch (policy.type) {
    case "exponential": {
      const base = ms("interval") ?? 1000;
      const factor = num(policy.delayFactor) ?? 2;
      const max = ms("maxInterval") ?? Number.POSITIVE_INFINITY;
      return Math.min(base * factor ** (attempts - 1), max);
    }
    case "random": {
      const min = ms("minInterval") ?? 0;
      const max = ms("maxInterval") ?? min;
      return min + Math.floor(random() * Math.max(0, max - min));
    }
    default:
      return ms("interval") ?? 0;
  }
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
