// Amazon Ion text, one value at a time: the lines of Kestra's internal files (`{id:1,name:"a"}`,
// one value per line) read into plain values. JSON is a subset, so Tern's own JSON-lines files
// read the same way. Symbols become strings, timestamps their ISO text, ints/decimals/floats
// numbers (beyond 2^53 they lose precision), blobs base64 text, s-expressions lists; annotations
// (`a::1`) are dropped.

export class IonSyntaxError extends Error {
  override name = "IonSyntaxError";
}

const SPACE = /[ \t\n\r\v\f]/;
const IDENT_START = /[A-Za-z_$]/;
const IDENT = /[A-Za-z0-9_$]/;
const NUMERIC = /[0-9A-Za-z_.:+-]/;
const OPERATOR = /[!#%&*+\-./;<=>?@^`|~]/;
const ESCAPES: Record<string, string> = { a: "\x07", b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", v: "\v", "0": "\0", "?": "?", "'": "'", '"': '"', "/": "/", "\\": "\\" };

/** Parse one Ion value (comments and surrounding whitespace allowed); anything after it is an error. */
export function parseIon(text: string): unknown {
  let i = 0;
  const fail = (why: string): never => {
    throw new IonSyntaxError(`invalid Ion at character ${i + 1}: ${why}`);
  };

  function skip() {
    for (;;) {
      const c = text[i];
      if (c !== undefined && SPACE.test(c)) i++;
      else if (text.startsWith("//", i)) while (i < text.length && text[i] !== "\n") i++;
      else if (text.startsWith("/*", i)) {
        const end = text.indexOf("*/", i + 2);
        if (end < 0) fail("unterminated comment");
        i = end + 2;
      } else return;
    }
  }

  function value(inSexp = false): unknown {
    skip();
    const c = text[i];
    if (c === undefined) return fail("unexpected end of input");
    if (c === "{") return text[i + 1] === "{" ? lob() : struct();
    if (c === "[") return sequence("]", ",");
    if (c === "(") return sequence(")", null);
    if (c === '"') return quoted('"');
    if (text.startsWith("'''", i)) return longString();
    if (c === "'") return symbol(quoted("'"), false);
    if (IDENT_START.test(c)) return symbol(identifier(), true);
    if (/[0-9]/.test(c) || ((c === "-" || c === "+") && /[0-9i]/.test(text[i + 1] ?? ""))) return numeric();
    if (inSexp && OPERATOR.test(c)) {
      const start = i;
      while (i < text.length && OPERATOR.test(text[i]!)) i++;
      return text.slice(start, i);
    }
    return fail(`unexpected '${c}'`);
  }

  /** A symbol is an annotation when `::` follows; bare keywords are null/true/false/nan. */
  function symbol(name: string, bare: boolean): unknown {
    const after = i;
    skip();
    if (text.startsWith("::", i)) {
      i += 2;
      return value();
    }
    i = after;
    if (!bare) return name;
    if (name === "null") {
      if (text[i] === ".") {
        i++;
        identifier();
      }
      return null;
    }
    if (name === "true" || name === "false") return name === "true";
    if (name === "nan") return Number.NaN;
    return name;
  }

  function identifier(): string {
    const start = i;
    while (i < text.length && IDENT.test(text[i]!)) i++;
    return text.slice(start, i);
  }

  function struct(): Record<string, unknown> {
    i++;
    const out: Record<string, unknown> = {};
    for (;;) {
      skip();
      if (text[i] === "}") {
        i++;
        return out;
      }
      const c = text[i];
      const name = c === '"' ? quoted('"') : text.startsWith("'''", i) ? longString() : c === "'" ? quoted("'") : c !== undefined && IDENT_START.test(c) ? identifier() : fail("expected a field name");
      skip();
      if (text[i] !== ":" || text[i + 1] === ":") fail("expected ':' after a field name");
      i++;
      // Own property even for "__proto__": never the object's prototype.
      Object.defineProperty(out, name, { value: value(), enumerable: true, writable: true, configurable: true });
      skip();
      if (text[i] === ",") i++;
      else if (text[i] !== "}") fail("expected ',' or '}' in a struct");
    }
  }

  function sequence(close: string, comma: string | null): unknown[] {
    i++;
    const out: unknown[] = [];
    for (;;) {
      skip();
      if (text[i] === close) {
        i++;
        return out;
      }
      out.push(value(comma === null));
      skip();
      if (comma === null) continue;
      if (text[i] === comma) i++;
      else if (text[i] !== close) fail(`expected ',' or '${close}' in a list`);
    }
  }

  /** A "string" or a 'quoted symbol', with Ion's escapes. */
  function quoted(q: string): string {
    i++;
    let out = "";
    for (;;) {
      const c = text[i];
      if (c === undefined || c === "\n") return fail("unterminated string");
      if (c === q) {
        i++;
        return out;
      }
      if (c === "\\") out += escape();
      else {
        out += c;
        i++;
      }
    }
  }

  /** One or more '''long strings''' separated by whitespace: concatenated. */
  function longString(): string {
    let out = "";
    while (text.startsWith("'''", i)) {
      i += 3;
      for (;;) {
        if (i >= text.length) fail("unterminated long string");
        if (text.startsWith("'''", i)) break;
        if (text[i] === "\\") out += escape();
        else out += text[i++];
      }
      i += 3;
      const after = i;
      skip();
      if (!text.startsWith("'''", i)) i = after;
    }
    return out;
  }

  function escape(): string {
    const c = text[i + 1];
    i += 2;
    if (c === undefined) return fail("unterminated escape");
    if (c in ESCAPES) return ESCAPES[c]!;
    if (c === "\n") return "";
    if (c === "\r") {
      if (text[i] === "\n") i++;
      return "";
    }
    const len = c === "x" ? 2 : c === "u" ? 4 : c === "U" ? 8 : 0;
    const hex = text.slice(i, i + len);
    if (!len || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail(`bad escape '\\${c}'`);
    i += len;
    return String.fromCodePoint(parseInt(hex, 16));
  }

  /** {{ base64 }} blobs (kept as base64 text) and {{ "clob" }} (its text). */
  function lob(): string {
    i += 2;
    skip();
    let out: string;
    if (text[i] === '"') out = quoted('"');
    else if (text.startsWith("'''", i)) out = longString();
    else {
      const end = text.indexOf("}}", i);
      if (end < 0) fail("unterminated blob");
      out = text.slice(i, end).replace(/\s+/g, "");
      i = end;
    }
    skip();
    if (!text.startsWith("}}", i)) fail("expected '}}'");
    i += 2;
    return out;
  }

  function numeric(): unknown {
    const start = i;
    while (i < text.length && NUMERIC.test(text[i]!)) i++;
    const token = text.slice(start, i);
    if (token === "+inf" || token === "-inf") return token === "+inf" ? Infinity : -Infinity;
    // 2007T, 2007-02T, 2007-02-23, 2007-02-23T12:14Z, 2007-02-23T12:14:33.079-08:00
    if (/^\d{4}(T|-\d{2}(T|-\d{2}(T(\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?)$/.test(token)) return token;
    const sign = token.startsWith("-") ? -1 : 1;
    const digits = token.replace(/^-/, "").replace(/_/g, "");
    if (/^0[xX][0-9a-fA-F]+$/.test(digits)) return sign * parseInt(digits.slice(2), 16);
    if (/^0[bB][01]+$/.test(digits)) return sign * parseInt(digits.slice(2), 2);
    if (/^\d+(\.\d*)?([eEdD][+-]?\d+)?$/.test(digits)) return sign * Number(digits.replace(/[dD]/, "e"));
    return fail(`bad number or timestamp '${token}'`);
  }

  const result = value();
  skip();
  if (i < text.length) fail("more than one value");
  return result;
}

/** One line of an items file: JSON first (Tern writes JSON lines), else Ion text. */
export function parseItemLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return parseIon(line);
  }
}
