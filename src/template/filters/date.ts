// Date filters: date, dateAdd and the epoch timestamps, all through Kestra's AbstractDate rules.
import { formatTime, formatValue, toZoned } from "../dates";
import { TemplateError } from "../errors";
import type { Filter } from "../scope";
import { stringify } from "../values";
import { localFields, localToEpoch, zoneOf, type ZonedTime } from "../zones";
import { filter, int } from "./define";

const DATE_ARGS = ["format", "timeZone", "existingFormat", "locale"];
const TIME_UNITS: Record<string, number> = {
  NANOS: 1e-6, MICROS: 1e-3, MILLIS: 1, SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, HALF_DAYS: 43_200_000,
};
const DATE_UNITS: Record<string, [days: number, months: number]> = {
  DAYS: [1, 0], WEEKS: [7, 0], MONTHS: [0, 1], YEARS: [0, 12], DECADES: [0, 120], CENTURIES: [0, 1200], MILLENNIA: [0, 12000],
};

/** ZonedDateTime.plus: time units move the instant, date units the local date (day clamped). */
export function plus(t: ZonedTime, amount: number, unit: string): ZonedTime {
  const time = TIME_UNITS[unit];
  if (time !== undefined) {
    const totalNanos = t.nanos + Math.round(amount * time * 1e6);
    const ms = Math.floor(totalNanos / 1e6);
    return { ...t, epochMs: t.epochMs + ms, nanos: totalNanos - ms * 1e6 };
  }
  const date = DATE_UNITS[unit];
  if (!date) throw new TemplateError(`No enum constant java.time.temporal.ChronoUnit.${unit}`);
  const f = localFields(t);
  const months = f.year * 12 + (f.month - 1) + date[1] * amount;
  const [year, month] = [Math.floor(months / 12), (months % 12 + 12) % 12 + 1];
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month, 0);
  const day = Math.min(f.day, lastDay.getUTCDate()) + date[0] * amount;
  return { ...t, epochMs: localToEpoch(t.zone, { ...f, year, month, day }) };
}

function epoch(divisor: "s" | "ms" | "us" | "ns"): Filter {
  return filter(["timeZone", "existingFormat"], (v, a) => {
    const t = toZoned(v, zoneOf(a.timeZone), a.existingFormat);
    const seconds = Math.floor(t.epochMs / 1000);
    const nanoOfSecond = (t.epochMs - seconds * 1000) * 1_000_000 + t.nanos;
    if (divisor === "s") return seconds;
    if (divisor === "ms") return t.epochMs;
    if (divisor === "us") return seconds * 1_000_000 + Math.floor(nanoOfSecond / 1000);
    return BigInt(seconds) * 1_000_000_000n + BigInt(nanoOfSecond);
  });
}

export const DATE_FILTERS: Record<string, Filter> = {
  date: filter(DATE_ARGS, (v, a) => formatValue(v, a)),
  dateAdd: filter(["amount", "unit", ...DATE_ARGS], (v, a) => {
    const t = toZoned(v, zoneOf(a.timeZone), a.existingFormat);
    return formatTime(plus(t, int(a.amount, "dateAdd amount"), stringify(a.unit)), a);
  }),
  timestamp: epoch("s"),
  timestampMilli: epoch("ms"),
  timestampMicro: epoch("us"),
  timestampNano: epoch("ns"),
};
