// YAML -> plain values, keeping the parsed documents so errors can point at line:col.
// Guards: a size limit (checked before parsing) and yaml's alias-expansion limit, which
// stops "billion laughs" documents whose aliases would expand exponentially in toJS().
import { Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from "yaml";
import type { Path } from "./errors.ts";

export const MAX_FLOW_BYTES = 1024 * 1024;
/** Alias expansions allowed per document; real flows use a handful of anchors. */
export const MAX_ALIAS_COUNT = 100;

export interface YamlDoc {
  doc: Document.Parsed;
  /** The plain value; undefined when the document had YAML errors. */
  value?: unknown;
  /** Syntax problems (or a refused alias expansion) with their source offsets. */
  problems: { offset: number; message: string }[];
  /** Byte offsets of the document in the whole source. */
  start: number;
  end: number;
}

export interface ParsedSource {
  lineCounter: LineCounter;
  docs: YamlDoc[];
}

export function parseYaml(source: string): ParsedSource {
  const lineCounter = new LineCounter();
  const all = parseAllDocuments(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(all) ? all : [];
  const docs = list.map((doc): YamlDoc => {
    const problems = doc.errors.map((e) => ({ offset: e.pos[0], message: `YAML syntax error: ${e.message}` }));
    const [start, , end] = doc.range;
    if (problems.length) return { doc, problems, start, end };
    try {
      return { doc, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), problems, start, end };
    } catch (e) {
      const bomb = e instanceof ReferenceError && /alias/i.test(e.message);
      const message = bomb
        ? `too many YAML alias expansions (limit ${MAX_ALIAS_COUNT}): refusing a possible YAML bomb`
        : `YAML could not be read: ${(e as Error).message}`;
      return { doc, problems: [{ offset: firstAliasOffset(doc) ?? start, message }], start, end };
    }
  });
  return { lineCounter, docs };
}

function firstAliasOffset(doc: Document.Parsed): number | undefined {
  let found: number | undefined;
  const visit = (n: unknown): void => {
    if (found !== undefined || !n) return;
    if (isAlias(n)) found = n.range?.[0];
    else if (isMap(n) || isSeq(n)) for (const item of n.items as any[]) visit(isMap(n) ? item.value : item);
  };
  visit(doc.contents);
  return found;
}

/**
 * The source offset for a property path: the value node (or, with `atKey`, the key node).
 * Paths into values that are not in the source (plugin defaults) fall back to the nearest
 * ancestor that is.
 */
export function offsetOf(doc: Document.Parsed, path: Path, atKey = false): number {
  let node: unknown = doc.contents;
  let best = (node as Node | null)?.range?.[0] ?? doc.range[0];
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const seg = path[i];
    let key: Node | undefined;
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      key = pair?.key as Node | undefined;
      next = pair?.value;
    } else if (isSeq(node) && typeof seg === "number") {
      next = node.items[seg];
    }
    const last = i === path.length - 1;
    if (last && atKey && key?.range) return key.range[0];
    const range = (next as Node | null | undefined)?.range ?? key?.range;
    if (!range) return best;
    best = range[0];
    node = next;
  }
  return best;
}
