// Line diff of two flow revisions, in hunks with context (what the Revisions tab shows).
// Common prefix/suffix are trimmed first; the middle is an LCS table, bounded so a huge
// rewrite degrades to "all removed, all added" instead of a quadratic blow-up.

export type DiffLine = { kind: "same" | "add" | "del"; text: string; a?: number; b?: number } | { kind: "gap"; text: string };

const MAX_CELLS = 4_000_000;

export function diffLines(before: string, after: string, context = 3): DiffLine[] {
  const a = before.split("\n");
  const b = after.split("\n");
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const mid: DiffLine[] = [];
  if (am.length * bm.length > MAX_CELLS) {
    am.forEach((t, i) => mid.push({ kind: "del", text: t, a: pre + i + 1 }));
    bm.forEach((t, i) => mid.push({ kind: "add", text: t, b: pre + i + 1 }));
  } else {
    // lcs[i][j] = LCS length of am[i..] and bm[j..]
    const w = bm.length + 1;
    const lcs = new Uint32Array((am.length + 1) * w);
    for (let i = am.length - 1; i >= 0; i--) {
      for (let j = bm.length - 1; j >= 0; j--) {
        lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < am.length || j < bm.length) {
      if (i < am.length && j < bm.length && am[i] === bm[j]) mid.push({ kind: "same", text: am[i], a: pre + ++i, b: pre + ++j });
      else if (j < bm.length && (i === am.length || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j])) mid.push({ kind: "add", text: bm[j], b: pre + ++j });
      else mid.push({ kind: "del", text: am[i], a: pre + ++i });
    }
  }
  const all: DiffLine[] = [
    ...a.slice(0, pre).map((t, i): DiffLine => ({ kind: "same", text: t, a: i + 1, b: i + 1 })),
    ...mid,
    ...a.slice(a.length - suf).map((t, i): DiffLine => ({ kind: "same", text: t, a: a.length - suf + i + 1, b: b.length - suf + i + 1 })),
  ];
  return hunks(all, context);
}

/** Keep changed lines and `context` lines around them; runs of unchanged lines become a gap. */
function hunks(lines: DiffLine[], context: number): DiffLine[] {
  const keep = new Uint8Array(lines.length);
  lines.forEach((l, i) => {
    if (l.kind === "same") return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = 1;
  });
  const out: DiffLine[] = [];
  let skipped = 0;
  lines.forEach((l, i) => {
    if (keep[i]) {
      if (skipped) out.push({ kind: "gap", text: `… ${skipped} unchanged line${skipped > 1 ? "s" : ""}` });
      skipped = 0;
      out.push(l);
    } else skipped++;
  });
  if (skipped && out.length) out.push({ kind: "gap", text: `… ${skipped} unchanged line${skipped > 1 ? "s" : ""}` });
  return out;
}
