// Masks secret values in text that leaves the worker (logs, errors): the value itself and the
// forms it commonly takes on the way out (base64 as in Basic auth, URL-encoded in query strings).
export const MASK = "********";

/** Values shorter than this are not masked: masking "a" or "10" would garble every log line. */
export const MIN_MASKED_LENGTH = 3;

function forms(value: string): string[] {
  const out = new Set<string>([value]);
  const b64 = Buffer.from(value, "utf8").toString("base64");
  out.add(b64);
  out.add(b64.replace(/=+$/, ""));
  out.add(encodeURIComponent(value));
  out.add(encodeURIComponent(value).replace(/%20/g, "+"));
  return [...out].filter((f) => f.length >= MIN_MASKED_LENGTH);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A masking function compiled once for a set of secrets (one regex, longest forms first). */
export function createMasker(secrets: string[]): (text: string) => string {
  const all = [...new Set(secrets.filter((s) => s.length >= MIN_MASKED_LENGTH).flatMap(forms))].sort((a, b) => b.length - a.length);
  if (all.length === 0) return (t) => t;
  const re = new RegExp(all.map(escape).join("|"), "g");
  return (text) => text.replace(re, MASK);
}

export function maskSecrets(text: string, secrets: string[]): string {
  return createMasker(secrets)(text);
}
