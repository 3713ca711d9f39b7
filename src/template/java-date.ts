// Java DateTimeFormatter patterns (`yyyy-MM-dd'T'HH:mm:ss.SSSXXX`) and Kestra's named formats,
// in English. Patterns are tokenized once and cached.
import { TemplateError } from "./errors";
import { localFields, zoneName, type ZonedTime } from "./zones";

export type PatternToken = { lit: string } | { letter: string; count: number };

export const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
export const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const LETTERS = new Set("GuyDMLdQqYwWEecFahKkHmsSAnNVvzOXxZgB");
const cache = new Map<string, PatternToken[]>();

export function tokenizePattern(pattern: string): PatternToken[] {
  const cached = cache.get(pattern);
  if (cached) return cached;
  const out: PatternToken[] = [];
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i];
    if (c === "'") {
      // 'text' is literal; '' (inside or outside) is one quote
      let j = i + 1;
      let text = pattern[j] === "'" ? "'" : "";
      if (text) j++;
      else {
        while (!(pattern[j] === "'" && pattern[j + 1] !== "'")) {
          if (j >= pattern.length) throw new TemplateError(`Pattern ends with an incomplete string literal: ${pattern}`);
          text += pattern[j];
          j += pattern[j] === "'" ? 2 : 1;
        }
        j++;
      }
      out.push({ lit: text });
      i = j;
    } else if (/[A-Za-z]/.test(c)) {
      if (!LETTERS.has(c)) throw new TemplateError(`Unknown pattern letter: ${c} (in date format '${pattern}')`);
      let j = i;
      while (pattern[j] === c) j++;
      out.push({ letter: c, count: j - i });
      i = j;
    } else if (c === "{" || c === "}" || c === "#") {
      throw new TemplateError(`Pattern includes reserved character: '${c}' (in date format '${pattern}')`);
    } else {
      if (c !== "[" && c !== "]") out.push({ lit: c });
      i++;
    }
  }
  if (cache.size > 500) cache.clear();
  cache.set(pattern, out);
  return out;
}

const pad = (n: number, width: number) => (n < 0 ? "-" + String(-n).padStart(width, "0") : String(n).padStart(width, "0"));

export function formatPattern(t: ZonedTime, pattern: string): string {
  const f = localFields(t);
  const nano = f.ms * 1_000_000 + t.nanos;
  const dow = isoDayOfWeek(f.year, f.month, f.day);
  const text = (full: string, count: number) => (count === 4 ? full : count === 5 ? full[0] : full.slice(0, 3));
  const num = (n: number, count: number) => pad(n, count);
  return tokenizePattern(pattern).map((tok) => {
    if ("lit" in tok) return tok.lit;
    const { letter, count } = tok;
    switch (letter) {
      case "G": return count === 4 ? (f.year > 0 ? "Anno Domini" : "Before Christ") : count === 5 ? (f.year > 0 ? "A" : "B") : f.year > 0 ? "AD" : "BC";
      case "u": case "y": case "Y": {
        const year = letter === "Y" ? isoWeek(f.year, f.month, f.day)[0] : f.year;
        return count === 2 ? pad(((year % 100) + 100) % 100, 2) : num(year, count);
      }
      case "D": return num(dayOfYear(f.year, f.month, f.day), count);
      case "M": case "L": return count >= 3 ? text(MONTHS[f.month - 1], count) : num(f.month, count);
      case "d": return num(f.day, count);
      case "Q": case "q": {
        const q = Math.ceil(f.month / 3);
        return count === 3 ? `Q${q}` : count === 4 ? `${["1st", "2nd", "3rd", "4th"][q - 1]} quarter` : num(q, count);
      }
      case "w": return num(isoWeek(f.year, f.month, f.day)[1], count);
      case "W": return num(Math.ceil(f.day / 7), count);
      case "F": return num(Math.floor((f.day - 1) / 7) + 1, count);
      case "E": return text(DAYS[dow - 1], count === 5 ? 5 : count === 4 ? 4 : 3);
      case "e": case "c": return count >= 3 ? text(DAYS[dow - 1], count) : num((dow % 7) + 1, count);
      case "a": return f.hour < 12 ? "AM" : "PM";
      case "B": return f.hour < 12 ? "in the morning" : f.hour < 18 ? "in the afternoon" : "at night";
      case "h": return num(f.hour % 12 === 0 ? 12 : f.hour % 12, count);
      case "K": return num(f.hour % 12, count);
      case "k": return num(f.hour === 0 ? 24 : f.hour, count);
      case "H": return num(f.hour, count);
      case "m": return num(f.minute, count);
      case "s": return num(f.second, count);
      case "S": return String(nano).padStart(9, "0").slice(0, count).padEnd(count, "0");
      case "A": return num(((f.hour * 60 + f.minute) * 60 + f.second) * 1000 + f.ms, count);
      case "n": return num(nano, count);
      case "N": return num(((f.hour * 60 + f.minute) * 60 + f.second) * 1e9 + nano, count);
      case "V": return t.zone.id;
      case "v": case "z": return zoneName(t.zone, t.epochMs, count >= 4);
      case "O": return f.offset === 0 ? "GMT" : "GMT" + offsetText(f.offset, count === 4 ? "HH:MM" : "H:MM?");
      case "X": case "x": {
        if (letter === "X" && f.offset === 0) return "Z";
        return offsetText(f.offset, ["HHMM?", "HHMM", "HH:MM", "HHMMSS?", "HH:MM:SS?"][count - 1] ?? "HH:MM");
      }
      case "Z":
        if (count <= 3) return offsetText(f.offset, "HHMM");
        if (count === 4) return f.offset === 0 ? "GMT" : "GMT" + offsetText(f.offset, "HH:MM");
        return f.offset === 0 ? "Z" : offsetText(f.offset, "HH:MM:SS?");
      case "g": return String(Math.floor(t.epochMs / 86_400_000) + 40587);
    }
    throw new TemplateError(`Unsupported pattern letter: ${letter}`);
  }).join("");
}

/** +HH, +HHMM, +HH:MM… ; `?` marks parts printed only when non-zero. */
function offsetText(offset: number, style: string): string {
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const [h, m, s] = [Math.floor(abs / 3600), Math.floor((abs % 3600) / 60), abs % 60];
  if (style === "H:MM?") return sign + h + (m || s ? ":" + pad(m, 2) : "");
  const colon = style.includes(":") ? ":" : "";
  let out = sign + pad(h, 2);
  if (style.startsWith("HHMM?")) return out + (m ? pad(m, 2) : "");
  out += colon + pad(m, 2);
  if (style.endsWith("SS?") && s) out += colon + pad(s, 2);
  return out;
}

export function isoDayOfWeek(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return ((d.getUTCDay() + 6) % 7) + 1;
}

function dayOfYear(year: number, month: number, day: number): number {
  const a = new Date(0), b = new Date(0);
  a.setUTCFullYear(year, month - 1, day);
  b.setUTCFullYear(year, 0, 1);
  return Math.round((a.getTime() - b.getTime()) / 86_400_000) + 1;
}

/** [week-based year, ISO week number]. */
export function isoWeek(year: number, month: number, day: number): [number, number] {
  const dow = isoDayOfWeek(year, month, day);
  const thursday = new Date(0);
  thursday.setUTCFullYear(year, month - 1, day + 4 - dow);
  const wy = thursday.getUTCFullYear();
  return [wy, Math.floor((dayOfYear(wy, thursday.getUTCMonth() + 1, thursday.getUTCDate()) - 1) / 7) + 1];
}
