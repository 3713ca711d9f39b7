// Column types for a created table, inferred from the first rows of a load, and the
// conversion of each value to its column's type (CSV gives strings only).
export type ColumnType = "INTEGER" | "REAL" | "BOOLEAN" | "JSON" | "TEXT";

const INT = /^-?\d{1,15}$/;
const NUM = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function typeOf(v: unknown): ColumnType | undefined {
  if (v === null || v === undefined || v === "") return undefined;
  if (typeof v === "boolean") return "BOOLEAN";
  if (typeof v === "number") return Number.isInteger(v) ? "INTEGER" : "REAL";
  if (typeof v === "object") return "JSON";
  const s = String(v).trim();
  if (INT.test(s)) return "INTEGER";
  if (NUM.test(s)) return "REAL";
  return "TEXT";
}

/** The narrowest type every sampled value fits: INTEGER < REAL < TEXT; mixed kinds -> TEXT. */
export function columnTypes(columns: string[], rows: Record<string, unknown>[]): ColumnType[] {
  return columns.map((c) => {
    let t: ColumnType | undefined;
    for (const r of rows) {
      const v = typeOf(r[c]);
      if (!v || v === t) continue;
      if (!t) t = v;
      else if ((t === "INTEGER" && v === "REAL") || (t === "REAL" && v === "INTEGER")) t = "REAL";
      else t = "TEXT";
    }
    return t ?? "TEXT";
  });
}

export function toColumnValue(v: unknown, t: ColumnType): unknown {
  if (v === null || v === undefined || v === "") return null;
  if (t === "INTEGER" || t === "REAL") {
    const n = typeof v === "number" ? v : Number(String(v).trim());
    return Number.isFinite(n) ? n : String(v);
  }
  if (t === "BOOLEAN") return typeof v === "boolean" ? v : String(v) === "true";
  if (t === "JSON" || (typeof v === "object" && v !== null)) return JSON.stringify(v);
  return typeof v === "string" ? v : String(v);
}
