// Kestra's AbstractDate: turn a value (ISO string, epoch seconds, Date) into a zoned time,
// and format it with a named format or a Java pattern in the target zone (default UTC).
import { TemplateError } from "./errors";
import { formatPattern, isoDayOfWeek, isoWeek } from "./java-date";
import { parseWithPattern } from "./java-date-parse";
import { stringify } from "./values";
import { localFields, localToEpoch, type Zone, zoneOf, type ZonedTime } from "./zones";

const NAMED: Record<string, string> = {
  iso: "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
  iso8601: "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
  iso_sec: "yyyy-MM-dd'T'HH:mm:ssXXX",
  sql: "yyyy-MM-dd HH:mm:ss.SSSSSS",
  sql_seq: "yyyy-MM-dd HH:mm:ss",
  rfc_1123_date_time: "EEE, d MMM yyyy HH:mm:ss",
  short: "M/d/yy, h:mm a",
  medium: "MMM d, y, h:mm:ss a",
  long: "MMMM d, y 'at' h:mm:ss a z",
  full: "EEEE, MMMM d, y 'at' h:mm:ss a zzzz",
};

const ISO = /^([+-]?\d{4,9})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?(?:\[([^\]]+)\])?$/;

/** Java's ZonedDateTime.parse, then LocalDateTime, then LocalDate (start of day). */
export function parseIso(text: string, zone: Zone): ZonedTime {
  const m = ISO.exec(text.trim());
  if (!m) throw new TemplateError(`Text '${text}' could not be parsed as a date`);
  const fraction = (m[7] ?? "").padEnd(9, "0");
  const offsetZone = m[8] ? zoneOf(m[8] === "Z" ? "Z" : normalizeOffset(m[8])) : undefined;
  const at = m[9] ? zoneOf(m[9]) : (offsetZone ?? zone);
  const fields = {
    year: Number(m[1]), month: Number(m[2]), day: Number(m[3]),
    hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0), ms: Number(fraction.slice(0, 3)),
  };
  // An explicit offset wins over the zone rules, as in ZonedDateTime.parse.
  return { epochMs: localToEpoch(offsetZone ?? at, fields), nanos: Number(fraction.slice(3)), zone: at };
}

function normalizeOffset(o: string): string {
  const digits = o.slice(1).replace(/:/g, "");
  return o[0] + digits.slice(0, 2) + ":" + (digits.slice(2, 4) || "00") + (digits.length > 4 ? ":" + digits.slice(4) : "");
}

export function toZoned(value: unknown, zone: Zone, existingFormat?: unknown): ZonedTime {
  if (value instanceof Date) return { epochMs: value.getTime(), nanos: 0, zone };
  if (typeof value === "number" || typeof value === "bigint") return { epochMs: Number(value) * 1000, nanos: 0, zone };
  if (typeof value !== "string") throw new TemplateError(`Unable to convert '${stringify(value)}' to a date`);
  if (existingFormat === undefined || existingFormat === null || String(existingFormat).startsWith("iso")) return parseIso(value, zone);
  const format = String(existingFormat);
  return parseWithPattern(value, NAMED[format] ?? format, zone);
}

/** Format an instant in `zone` with a Kestra named format or a Java pattern. */
export function formatZoned(t: ZonedTime, format: string): string {
  const named = ISO_FORMATS[format];
  if (named) return named(t);
  if (format === "rfc_1123_date_time") {
    const off = localFields(t).offset;
    return formatPattern(t, NAMED[format]) + (off === 0 ? " GMT" : formatPattern(t, " xx"));
  }
  return formatPattern(t, NAMED[format] ?? format);
}

/** The `date` filter / now() arguments: format (default iso), timeZone, existingFormat. */
export function formatValue(value: unknown, args: Record<string, unknown>): string {
  return formatTime(toZoned(value, zoneOf(args.timeZone), args.existingFormat), args);
}

/** Format in the `timeZone` argument's zone (Java's formatter.withZone), default format iso. */
export function formatTime(t: ZonedTime, args: Record<string, unknown>): string {
  const format = args.format === undefined || args.format === null ? "iso" : String(args.format);
  return formatZoned({ ...t, zone: zoneOf(args.timeZone) }, format);
}

const p2 = (n: number) => String(n).padStart(2, "0");
const year = (y: number) => (y < 0 ? "-" + String(-y).padStart(4, "0") : String(y).padStart(4, "0"));
function localDate(t: ZonedTime): string {
  const f = localFields(t);
  return `${year(f.year)}-${p2(f.month)}-${p2(f.day)}`;
}
function localTime(t: ZonedTime): string {
  const f = localFields(t);
  const nano = String(f.ms * 1_000_000 + t.nanos).padStart(9, "0").replace(/0+$/, "");
  return `${p2(f.hour)}:${p2(f.minute)}:${p2(f.second)}${nano ? "." + nano : ""}`;
}
function offsetId(t: ZonedTime): string {
  return localFields(t).offset === 0 ? "Z" : formatPattern(t, "XXXXX");
}
function region(t: ZonedTime): string {
  return t.zone.fixed !== undefined && t.zone.id !== "UTC" && t.zone.id !== "GMT" && t.zone.id !== "UT" ? "" : `[${t.zone.id}]`;
}
function instant(t: ZonedTime): string {
  const u: ZonedTime = { ...t, zone: zoneOf("Z") };
  const nano = (((t.epochMs % 1000) + 1000) % 1000) * 1_000_000 + t.nanos;
  const digits = nano === 0 ? 0 : nano % 1_000_000 === 0 ? 3 : nano % 1000 === 0 ? 6 : 9;
  const fraction = digits ? "." + String(nano).padStart(9, "0").slice(0, digits) : "";
  return `${localDate(u)}T${formatPattern(u, "HH:mm:ss")}${fraction}Z`;
}

const ISO_FORMATS: Record<string, (t: ZonedTime) => string> = {
  iso_local_date: localDate,
  iso_local_time: localTime,
  iso_local_date_time: (t) => `${localDate(t)}T${localTime(t)}`,
  iso_date: (t) => localDate(t) + offsetId(t),
  iso_offset_date: (t) => localDate(t) + offsetId(t),
  iso_time: (t) => localTime(t) + offsetId(t),
  iso_offset_time: (t) => localTime(t) + offsetId(t),
  iso_offset_date_time: (t) => `${localDate(t)}T${localTime(t)}${offsetId(t)}`,
  iso_date_time: (t) => `${localDate(t)}T${localTime(t)}${offsetId(t)}${region(t)}`,
  iso_zoned_date_time: (t) => `${localDate(t)}T${localTime(t)}${offsetId(t)}${region(t)}`,
  iso_instant: instant,
  iso_ordinal_date: (t) => formatPattern(t, "yyyy-DDD") + offsetId(t),
  iso_week_date: (t) => {
    const f = localFields(t);
    const [wy, w] = isoWeek(f.year, f.month, f.day);
    return `${year(wy)}-W${p2(w)}-${isoDayOfWeek(f.year, f.month, f.day)}${offsetId(t)}`;
  },
};
