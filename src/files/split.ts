// Kestra's StorageService.split over the lines of a file: by regex group, bytes, partitions or
// rows. Shared by storage.Split and ForEachItem's `_split` step; lines are read as Java's
// readLine reads them, and every row is written back followed by the separator.

export interface SplitOptions {
  rows?: number | string;
  partitions?: number | string;
  bytes?: string;
  separator?: string;
  regexPattern?: string;
}

/** Lines as Java's readLine sees them: \n, \r\n or \r end a line; a last terminator adds none. */
export function readLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (/[\r\n]$/.test(text)) lines.pop();
  return lines;
}

/**
 * regexPattern, else bytes, else partitions, else rows (default 1: ForEachItem's batch; Split
 * requires one of them). `where` prefixes the property names in errors (`batch.` for ForEachItem).
 */
export function splitRows(lines: string[], opts: SplitOptions, where = ""): string[] {
  const sep = opts.separator ?? "\n";
  if (opts.regexPattern !== undefined) {
    const re = new RegExp(opts.regexPattern);
    const groups = new Map<string, string>();
    for (const line of lines) {
      const key = re.exec(line)?.[1];
      if (key !== undefined) groups.set(key, (groups.get(key) ?? "") + line + sep);
    }
    return [...groups.values()];
  }
  if (opts.bytes !== undefined) {
    const limit = parseBytes(opts.bytes);
    return chunk(lines, sep, (bytes) => bytes >= limit);
  }
  if (opts.partitions !== undefined) {
    const n = positiveInt(opts.partitions, `${where}partitions`);
    const parts: string[] = Array(n).fill("");
    lines.forEach((line, i) => (parts[i % n] += line + sep));
    return parts.filter((p) => p.length > 0);
  }
  const rows = positiveInt(opts.rows ?? 1, `${where}rows`);
  return chunk(lines, sep, (_, count) => count >= rows);
}

/** Start a new part before a row when `full(bytes, rows)` holds for the current one. */
function chunk(lines: string[], sep: string, full: (bytes: number, rows: number) => boolean): string[] {
  const out: string[] = [];
  let current: string | undefined;
  let bytes = 0;
  let rows = 0;
  const enc = new TextEncoder();
  for (const line of lines) {
    if (current === undefined || full(bytes, rows)) {
      if (current !== undefined) out.push(current);
      current = "";
      bytes = 0;
      rows = 0;
    }
    const row = line + sep;
    current += row;
    bytes += enc.encode(row).byteLength;
    rows++;
  }
  if (current !== undefined) out.push(current);
  return out;
}

/** Micronaut's readable sizes: 512, 10KB, 5MB, 1GB (powers of 1024). */
export const BYTES_RE = /^\s*(\d+)\s*(KB|MB|GB)?\s*$/i;

export function parseBytes(text: string): number {
  const m = BYTES_RE.exec(text);
  if (!m) throw new Error(`Invalid size with value '${text}'`);
  const unit = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[(m[2] ?? "").toUpperCase() as "KB"] ?? 1;
  return Number(m[1]) * unit;
}

function positiveInt(v: number | string, name: string): number {
  const n = typeof v === "number" ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${v}'`);
  return n;
}

/** The extension of a URI's file name (`.csv`), `.tmp` when it has none (Kestra's temp files). */
export function extensionOf(uri: string): string {
  const name = uri.split("?")[0]!.split("/").pop() ?? "";
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot) : ".tmp";
}
