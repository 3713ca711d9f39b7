// JSON columns: parse and stringify in one place (null stays null).
export function toJson(v: unknown): string | null {
  return v === null || v === undefined ? null : JSON.stringify(v);
}

export function fromJson<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined || v === "") return fallback;
  return JSON.parse(String(v)) as T;
}
