// "Did you mean …?" for mistyped task types, trigger types and property names.
// Optimal string alignment distance: a swapped pair of letters ("Lgo" for "Log") counts as one edit.

export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => [i, ...Array(cols - 1).fill(0)]);
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

const lastSegment = (s: string) => s.slice(s.lastIndexOf(".") + 1);

/**
 * The closest candidate, or undefined when none is close enough. For dotted type names the
 * allowed distance follows the length of the last segment, so a real but different type
 * (log.Fetch vs log.Log) is not offered as a typo of the other.
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c.toLowerCase() === lower) return c;
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.min(lastSegment(word).length, lastSegment(best).length) / 3));
  if (bestDistance <= allowed) return best;
  // Same class name in another package: an old alias or a moved plugin (core.tasks.flows.X -> plugin.core.flow.X).
  // Only within one plugin family: gcp.bigquery.Query is not a misspelt jdbc.sqlite.Query.
  if (word.includes(".")) {
    const tail = lastSegment(word);
    for (const c of candidates) if (c.includes(".") && lastSegment(c) === tail && family(c) === family(word)) return c;
  }
  return undefined;
}

/** io.kestra.core.* (Kestra's old core packages) and io.kestra.plugin.core.* are one family. */
function family(type: string): string {
  const m = /^io\.kestra\.(?:plugin\.)?([a-z0-9_]+)\./.exec(type);
  return m ? m[1] : type.slice(0, type.lastIndexOf("."));
}

/** Kestra plugin types look like io.kestra.<package...>.<ClassName>. */
export function looksLikeKestraType(type: string): boolean {
  return /^io\.kestra\.[a-z0-9_]+(\.[a-z0-9_]+)*\.[A-Z][A-Za-z0-9_]*$/.test(type);
}
