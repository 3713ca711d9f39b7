// ISO 8601 date-times with their own offset, as Kestra's conditions read them
// (DateUtils.parseZonedDateTime): the local fields matter for day-of-week, the instant for
// comparisons. `2026-03-08T03:00:00-04:00`, `…Z`, `…+01:00[Europe/Paris]`; no offset = UTC.

export interface Zoned {
  epochMs: number;
  /** Local calendar fields at the value's own offset. */
  year: number;
  month: number;
  day: number;
  /** 1 = Monday … 7 = Sunday (java.time.DayOfWeek). */
  dayOfWeek: number;
  secondsOfDay: number;
  offsetMin: number;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?(?:\[[^\]]+\])?$/i;

export function parseZoned(text: string): Zoned {
  const m = ISO.exec(String(text).trim());
  if (!m) throw new Error(`not an ISO 8601 date-time: "${text}"`);
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "0", off] = m;
  const offsetMin = !off || off.toUpperCase() === "Z" ? 0 : parseOffset(off);
  const localMs = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Math.floor(Number(`0.${frac}`) * 1000));
  const dow = new Date(Date.UTC(+y, +mo - 1, +d)).getUTCDay();
  return {
    epochMs: localMs - offsetMin * 60_000, year: +y, month: +mo, day: +d,
    dayOfWeek: dow === 0 ? 7 : dow, secondsOfDay: +h * 3600 + +mi * 60 + +s, offsetMin,
  };
}

function parseOffset(off: string): number {
  const sign = off[0] === "-" ? -1 : 1;
  const digits = off.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An OffsetTime (`14:00:00+02:00`) as seconds of the UTC day, the way java.time compares
 * OffsetTimes. Without an offset the time is read at `defaultOffsetMin`.
 */
export function parseOffsetTime(text: string, defaultOffsetMin = 0): number {
  const m = TIME.exec(String(text).trim());
  if (!m) throw new Error(`not an ISO 8601 time: "${text}"`);
  const [, h, mi, s = "0", off] = m;
  const offsetMin = off === undefined ? defaultOffsetMin : off.toUpperCase() === "Z" ? 0 : parseOffset(off);
  return mod(+h * 3600 + +mi * 60 + +s - offsetMin * 60, 86_400);
}

export const utcSecondsOfDay = (z: Zoned) => mod(z.secondsOfDay - z.offsetMin * 60, 86_400);

const mod = (a: number, n: number) => ((a % n) + n) % n;

export const DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"];
