// Time zones without a platform clock: fixed offsets parsed here, regions resolved through
// Intl. A ZonedTime is an instant (ms + sub-ms nanos) seen in a zone, like Java's ZonedDateTime.
import { TemplateError } from "./errors";

export interface Zone {
  id: string;
  /** Offset in seconds for fixed zones (Z, +02:00, UTC). */
  fixed?: number;
}

export interface ZonedTime {
  epochMs: number;
  /** Nanoseconds below the millisecond (0..999999), kept for micro/nano formats. */
  nanos: number;
  zone: Zone;
}

export interface LocalFields {
  year: number; month: number; day: number; hour: number; minute: number; second: number; ms: number;
}

export const UTC: Zone = { id: "UTC", fixed: 0 };
const FIXED = /^(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

export function zoneOf(id: unknown): Zone {
  if (id === null || id === undefined || id === "") return UTC;
  const s = String(id);
  if (s === "Z") return { id: "Z", fixed: 0 };
  if (s === "UTC" || s === "GMT" || s === "UT") return { id: s, fixed: 0 };
  const m = FIXED.exec(s);
  if (m) {
    const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    return { id: s, fixed: m[1] === "-" ? -secs : secs };
  }
  formatter(s);
  return { id: s };
}

function formatter(id: string): Intl.DateTimeFormat {
  let f = formatters.get(id);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: id, hourCycle: "h23", era: "short",
        year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
      });
    } catch {
      throw new TemplateError(`Unknown time-zone ID: ${id}`);
    }
    formatters.set(id, f);
  }
  return f;
}

/** Offset from UTC in seconds of `zone` at the instant `epochMs`. */
export function offsetAt(zone: Zone, epochMs: number): number {
  if (zone.fixed !== undefined) return zone.fixed;
  const parts: Record<string, string> = {};
  for (const p of formatter(zone.id).formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  const year = parts.era === "BC" || parts.era === "B" ? 1 - Number(parts.year) : Number(parts.year);
  const local = utc(year, Number(parts.month), Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
  return Math.round((local - Math.floor(epochMs / 1000) * 1000) / 1000);
}

/** The instant of a local date-time in `zone` (earlier offset in overlaps, shifted in gaps). */
export function localToEpoch(zone: Zone, f: LocalFields): number {
  const local = utc(f.year, f.month, f.day, f.hour, f.minute, f.second, f.ms);
  const first = local - offsetAt(zone, local) * 1000;
  const second = local - offsetAt(zone, first) * 1000;
  return offsetAt(zone, second) * 1000 === local - second ? second : Math.max(first, second);
}

export function localFields(t: ZonedTime): LocalFields & { offset: number } {
  const offset = offsetAt(t.zone, t.epochMs);
  const d = new Date(t.epochMs + offset * 1000);
  return {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), ms: d.getUTCMilliseconds(), offset,
  };
}

export function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

/** Short ("CEST", "UTC") or long ("Central European Summer Time") zone name. */
export function zoneName(zone: Zone, epochMs: number, long: boolean): string {
  const named = zone.fixed === undefined || zone.id === "UTC" || zone.id === "GMT" || zone.id === "UT";
  if (!named) return zone.id;
  const name = (locale: string) =>
    new Intl.DateTimeFormat(locale, { timeZone: zone.id === "UT" ? "UTC" : zone.id, timeZoneName: long ? "long" : "short" })
      .formatToParts(new Date(epochMs)).find((p) => p.type === "timeZoneName")?.value ?? zone.id;
  const us = name("en-US");
  return !long && /^GMT[+-]/.test(us) ? name("en-GB") : us;
}
