// ScheduleOnDates as a Schedule: an explicit, sorted list of instants behind the same
// next/prev interface a cron has, so slots, dedup keys, missed-schedule recovery and backfills
// work unchanged. A date without an offset is read as a wall-clock time in the trigger's zone.
import type { Schedule } from "./cron.ts";
import { parseZoned } from "./zoned.ts";

const HAS_OFFSET = /(?:Z|[+-]\d{2}:?\d{2})(?:\[[^\]]+\])?\s*$/i;

/** Offset (minutes) of `timezone` at the instant `ms`. */
function offsetAt(ms: number, timezone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: timezone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** One date of the list as epoch ms, truncated to the second as Kestra does. */
export function parseDateIn(text: string, timezone = "UTC"): number {
  const z = parseZoned(text);
  let ms = z.epochMs;
  if (!HAS_OFFSET.test(String(text).trim()) && timezone !== "UTC") {
    // Local wall-clock time: subtract the zone's offset, re-checked once around DST changes.
    const guess = ms - offsetAt(ms, timezone) * 60_000;
    ms = ms - offsetAt(guess, timezone) * 60_000;
  }
  return Math.floor(ms / 1000) * 1000;
}

/** A Schedule over a fixed list of dates (ISO strings); throws naming the date that does not parse. */
export function compileDates(dates: string[], timezone = "UTC"): Schedule {
  new Intl.DateTimeFormat("en-US", { timeZone: timezone }); // throws RangeError on an unknown zone
  const times = [...new Set(dates.map((d) => parseDateIn(d, timezone)))].sort((a, b) => a - b);
  return {
    timezone,
    next(after) {
      const t = times.find((x) => x > after.getTime());
      return t === undefined ? null : new Date(t);
    },
    prev(before) {
      const t = times.findLast((x) => x < before.getTime());
      return t === undefined ? null : new Date(t);
    },
  };
}
