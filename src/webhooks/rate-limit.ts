// Per-webhook flood control, in memory: a token bucket (sustained rate + burst) and a cap on
// requests in flight. Only known webhooks (flow + key verified) get a bucket, and the map is
// bounded, so a flood of random URLs cannot grow it either. Over the limit → 429 at once,
// before the body is read: a flood costs a map lookup, not memory.

export interface RateLimitOptions {
  /** Tokens per second. */
  ratePerSec: number;
  /** Bucket size (requests allowed at once after a quiet period). */
  burst: number;
  /** Requests of one webhook being processed at the same time. */
  maxInFlight: number;
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
  inFlight: number;
}

export function createRateLimiter(opts: RateLimitOptions) {
  const now = opts.now ?? (() => performance.now());
  const buckets = new Map<string, Bucket>();
  const maxKeys = opts.maxKeys ?? 10_000;

  return {
    /** Take a token; returns a release function, or the seconds to wait before retrying. */
    acquire(key: string): { release(): void } | { retryAfterSec: number } {
      const t = now();
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!); // oldest first
        b = { tokens: opts.burst, at: t, inFlight: 0 };
        buckets.set(key, b);
      }
      b.tokens = Math.min(opts.burst, b.tokens + ((t - b.at) / 1000) * opts.ratePerSec);
      b.at = t;
      if (b.tokens < 1) return { retryAfterSec: Math.max(1, Math.ceil((1 - b.tokens) / opts.ratePerSec)) };
      if (b.inFlight >= opts.maxInFlight) return { retryAfterSec: 1 };
      b.tokens -= 1;
      b.inFlight++;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          b!.inFlight--;
        },
      };
    },
    size: () => buckets.size,
  };
}
