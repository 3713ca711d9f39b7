// Cron for Schedule triggers: croner computes the times (never runs jobs), in the trigger's
// timezone so DST days behave like a wall clock: a fixed time in the spring-forward gap runs at
// the first valid minute after it, a fixed time in the repeated hour runs once, and interval
// patterns (`*/30 * * * *`) keep real-time spacing across both transitions.
import { Cron } from "croner";

export interface CronSpec {
  cron: string;
  timezone?: string;
  withSeconds?: boolean;
}

export interface Schedule {
  /** The first slot strictly after `after`, or null when the pattern never matches again. */
  next(after: Date): Date | null;
  /** The last slot strictly before `before`, or null. */
  prev(before: Date): Date | null;
  timezone: string;
}

const cache = new Map<string, Schedule>();

/** Kestra's nicknames (cron-utils accepts them in 5-field mode). */
const NICKNAMES: Record<string, string> = {
  "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
};

/** Compile (and cache) a cron spec; throws with a readable message when it is invalid. */
export function compileCron(spec: CronSpec): Schedule {
  const timezone = spec.timezone || "UTC";
  const key = `${spec.cron}\u0000${timezone}\u0000${spec.withSeconds ? 1 : 0}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let pattern = spec.cron.trim();
  pattern = NICKNAMES[pattern.toLowerCase()] ?? pattern;
  if (spec.withSeconds && pattern.split(/\s+/).length === 5) pattern = `0 ${pattern}`;
  let job: Cron;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone }); // throws RangeError on an unknown zone
    // `paused` + no callback: croner only computes dates, it never schedules anything.
    job = new Cron(pattern, { timezone, mode: spec.withSeconds ? "6-part" : "5-part", paused: true });
  } catch (e) {
    throw new Error(`invalid cron "${spec.cron}"${spec.timezone ? ` (timezone ${spec.timezone})` : ""}: ${(e as Error).message}`);
  }
  const schedule: Schedule = {
    timezone,
    next: (after) => job.nextRun(after),
    prev: (before) => job.previousRuns(1, before)[0] ?? null,
  };
  if (cache.size > 5000) cache.clear();
  cache.set(key, schedule);
  return schedule;
}

/** ISO 8601 with the zone's offset at that instant (`2026-03-08T03:00:00-04:00`, `…Z` in UTC). */
export function isoInZone(date: Date, timezone = "UTC"): string {
  if (timezone === "UTC" || timezone === "Etc/UTC") return date.toISOString().replace(".000Z", "Z");
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: timezone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(date).map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const offsetMin = Math.round((local - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  const ms = date.getUTCMilliseconds();
  const frac = ms ? `.${String(ms).padStart(3, "0")}` : "";
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  const off = offsetMin === 0 ? "Z" : `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${frac}${off}`;
}
