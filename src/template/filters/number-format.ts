// java.text.DecimalFormat for the common patterns: `#,##0.00`, `0.###`, `00`, `#.##%`.
// Rounding is HALF_EVEN, DecimalFormat's default.
import { TemplateError } from "../errors";

function roundHalfEven(value: number, digits: number): string {
  const fixed = value.toFixed(digits + 3);
  const [int, frac = ""] = fixed.split(".");
  const kept = frac.slice(0, digits);
  const rest = frac.slice(digits);
  let n = BigInt(int.replace("-", "") + kept);
  const half = rest[0] > "5" || (rest[0] === "5" && /[1-9]/.test(rest.slice(1)));
  const tie = rest[0] === "5" && !/[1-9]/.test(rest.slice(1));
  if (half || (tie && n % 2n === 1n)) n += 1n;
  const s = n.toString().padStart(digits + 1, "0");
  return digits ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s;
}

export function numberFormat(value: number, pattern: string): string {
  if (!Number.isFinite(value)) throw new TemplateError(`numberFormat needs a number, got '${value}'`);
  const m = /^([^#0,.]*)([#0,]*)(?:\.([0#]*))?([^#0,.]*)$/.exec(pattern.split(";")[0]);
  if (!m) throw new TemplateError(`Malformed number format pattern '${pattern}'`);
  const [, prefix, intPart, fracPart = "", suffix] = m;
  const scaled = value * (suffix.includes("%") || prefix.includes("%") ? 100 : 1);
  const minFrac = (fracPart.match(/0/g) ?? []).length;
  const maxFrac = fracPart.length;
  const minInt = (intPart.match(/0/g) ?? []).length;
  const groups = intPart.lastIndexOf(",");
  const groupSize = groups < 0 ? 0 : intPart.length - groups - 1;
  let [int, frac = ""] = roundHalfEven(Math.abs(scaled), maxFrac).split(".");
  while (frac.length > minFrac && frac.endsWith("0")) frac = frac.slice(0, -1);
  int = int.replace(/^0+/, "").padStart(minInt, "0");
  if (groupSize > 0) int = int.replace(new RegExp(`\\B(?=(\\d{${groupSize}})+(?!\\d))`, "g"), ",");
  const negative = scaled < 0 && /[1-9]/.test(int + frac);
  return (negative ? "-" : "") + prefix.replace(/'/g, "") + (int || (frac ? "" : "0")) + (frac ? "." + frac : "") + suffix.replace(/'/g, "");
}
