// Parsing dates with a Java pattern (the `existingFormat` argument of date filters): the
// pattern becomes a regular expression; missing time means start of day, missing zone the
// target zone (Kestra falls back from ZonedDateTime to LocalDateTime to LocalDate).
import { TemplateError } from "./errors";
import { DAYS, MONTHS, tokenizePattern } from "./java-date";
import { localToEpoch, type Zone, zoneOf, type ZonedTime } from "./zones";

type Setter = (f: Parsed, text: string) => void;
interface Parsed {
  year?: number; month?: number; day?: number; hour?: number; minute?: number; second?: number;
  nanos?: number; pm?: boolean; hour12?: number; zone?: Zone;
}

const OFFSET = "Z|[+-]\\d{2}(?::?\\d{2}){0,2}|GMT(?:[+-]\\d{1,2}(?::\\d{2})?)?|UTC";
const monthIndex = (names: string[], text: string) => names.findIndex((n) => n.toLowerCase().startsWith(text.toLowerCase())) + 1;

function part(letter: string, count: number): [string, Setter | undefined] {
  const digits = (min: number, max = min) => `(\\d{${min},${max}})`;
  const n = count === 1 ? digits(1, 2) : digits(count);
  switch (letter) {
    case "y": case "u": case "Y":
      if (count === 2) return [digits(2), (f, t) => (f.year = 2000 + Number(t))];
      return [`([+-]?\\d{${Math.max(count, 1)},9})`, (f, t) => (f.year = Number(t))];
    case "M": case "L":
      if (count === 3) return ["([A-Za-z]{3})", (f, t) => (f.month = monthIndex(MONTHS, t))];
      if (count >= 4) return ["([A-Za-z]+)", (f, t) => (f.month = monthIndex(MONTHS, t))];
      return [n, (f, t) => (f.month = Number(t))];
    case "d": return [n, (f, t) => (f.day = Number(t))];
    case "H": case "k": return [n, (f, t) => (f.hour = Number(t) % 24)];
    case "h": case "K": return [n, (f, t) => (f.hour12 = Number(t) % 12)];
    case "m": return [n, (f, t) => (f.minute = Number(t))];
    case "s": return [n, (f, t) => (f.second = Number(t))];
    case "S": return [digits(count), (f, t) => (f.nanos = Number(t.padEnd(9, "0")))];
    case "n": return [digits(1, 9), (f, t) => (f.nanos = Number(t))];
    case "a": return ["([AaPp][Mm])", (f, t) => (f.pm = t.toUpperCase() === "PM")];
    case "E": return [`(${DAYS.map((d) => (count >= 4 ? d : d.slice(0, 3))).join("|")})`, undefined];
    case "X": case "x": case "Z": case "O":
      return [`(${OFFSET})`, (f, t) => (f.zone = zoneOf(t === "Z" || t === "GMT" || t === "UTC" ? "Z" : t.replace(/^GMT/, "")))];
    case "V": return ["([A-Za-z_]+(?:/[A-Za-z_+-]+)*|Z|[+-][\\d:]+)", (f, t) => (f.zone = zoneOf(t))];
    case "z": case "v": return ["([A-Za-z][A-Za-z0-9_/+:-]*)", (f, t) => (f.zone = tryZone(t) ?? f.zone)];
  }
  return ["([\\w ]+?)", undefined];
}

function tryZone(name: string): Zone | undefined {
  try {
    return zoneOf(name);
  } catch {
    return undefined;
  }
}

export function parseWithPattern(text: string, pattern: string, zone: Zone): ZonedTime {
  const setters: (Setter | undefined)[] = [];
  let source = "^";
  for (const tok of tokenizePattern(pattern)) {
    if ("lit" in tok) source += tok.lit.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else {
      const [re, set] = part(tok.letter, tok.count);
      source += re;
      setters.push(set);
    }
  }
  const m = new RegExp(source + "$", "i").exec(text.trim());
  if (!m) throw new TemplateError(`Text '${text}' could not be parsed with format '${pattern}'`);
  const f: Parsed = {};
  setters.forEach((set, i) => set?.(f, m[i + 1]));
  if (f.hour12 !== undefined) f.hour = f.hour12 + (f.pm ? 12 : 0);
  if (f.year === undefined || f.month === undefined || f.day === undefined) {
    throw new TemplateError(`Text '${text}' could not be parsed with format '${pattern}': no complete date`);
  }
  const nanos = f.nanos ?? 0;
  const at = f.zone ?? zone;
  const fields = {
    year: f.year, month: f.month, day: f.day, hour: f.hour ?? 0, minute: f.minute ?? 0, second: f.second ?? 0,
    ms: Math.floor(nanos / 1_000_000),
  };
  return { epochMs: localToEpoch(at, fields), nanos: nanos % 1_000_000, zone: at };
}
