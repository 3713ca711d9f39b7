// Encoding and data filters: JSON/YAML/jq, numbers, hashes, base64, URL encoding.
import { createHash } from "node:crypto";
import * as jq from "jq-wasm";
import { stringify as toYaml } from "yaml";
import { TemplateError } from "../errors";
import type { Filter } from "../scope";
import { isNumber, stringify, toJson, typeName } from "../values";
import { filter, text } from "./define";
import { numberFormat } from "./number-format";

const hash = (algorithm: string) => text((s) => createHash(algorithm).update(s, "utf8").digest("hex"));

const toJsonFilter: Filter = { params: ["includeNulls"], apply: (v, a) => toJson(v ?? null, a.includeNulls === true) };

/** Kestra's jq: strings are parsed as JSON first; the result is always the list of outputs. */
async function runJq(input: unknown, expression: string): Promise<unknown[]> {
  const json = typeof input === "string" ? input : toJson(input, true);
  let out: string;
  // jq's wasm runtime leaves jq's own exit status in process.exitCode (5 on a compile error),
  // which would become Tern's exit status: keep ours.
  const exitCode = process.exitCode;
  try {
    out = await jq.raw(json, expression, ["-c"]);
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^Failed to execute raw query: /, "") : String(e);
    throw new TemplateError(`Failed to resolve JQ expression '${expression}' and value '${stringify(input)}': ${why.trim()}`);
  } finally {
    process.exitCode = exitCode;
  }
  return out.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as unknown);
}

/** NumberUtils.createNumber and friends: parse a string into a number of the given type. */
function toNumber(s: string, type: string): number | bigint {
  const t = s.trim();
  const bad = () => new TemplateError(`For input string: "${s}" cannot be converted to ${type || "a number"}`);
  if (type === "INT" || type === "LONG" || type === "BIGINTEGER") {
    if (!/^[+-]?\d+$/.test(t)) throw bad();
    const big = BigInt(t);
    return type === "BIGINTEGER" || big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER) ? big : Number(big);
  }
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) return Number.parseInt(t, 16);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfFlL]?$/.test(t)) throw bad();
  return Number(t.replace(/[dDfFlL]$/, ""));
}

function base64Encode(s: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(s)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function base64Decode(s: string): string {
  const binary = atob(s.trim());
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** java.net.URLEncoder: spaces as '+', everything but [A-Za-z0-9.*_-] escaped. */
function urlEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()~]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%20/g, "+");
}

export const DATA_FILTERS: Record<string, Filter> = {
  toJson: toJsonFilter,
  json: toJsonFilter,
  jsonEncode: toJsonFilter,
  toIon: toJsonFilter,
  yaml: filter([], (v) => toYaml(v)),
  jq: filter(["expression"], (v, a) => {
    if (typeof a.expression !== "string") throw new TemplateError("The 'jq' filter expects an argument 'expression'.");
    return runJq(v, a.expression);
  }),
  number: filter(["type"], (v, a) => {
    if (isNumber(v)) return v;
    if (typeof v !== "string") throw new TemplateError(`'number' filter can only be applied to String. Actual type was: ${typeName(v)}`);
    return toNumber(v, a.type === undefined ? "" : stringify(a.type).toUpperCase());
  }),
  numberFormat: filter(["format"], (v, a) => numberFormat(Number(v), stringify(a.format))),
  abs: filter([], (v) => {
    if (typeof v === "bigint") return v < 0n ? -v : v;
    if (typeof v !== "number") throw new TemplateError(`The 'abs' filter needs a number, got '${stringify(v)}'`);
    return Math.abs(v);
  }),
  className: filter([], (v) => typeName(v)),
  base64encode: text(base64Encode),
  base64decode: text(base64Decode),
  urlencode: text(urlEncode),
  urldecode: text((s) => decodeURIComponent(s.replace(/\+/g, " "))),
  sha1: hash("sha1"),
  sha256: hash("sha256"),
  sha512: hash("sha512"),
  md5: hash("md5"),
};
DATA_FILTERS.numberformat = DATA_FILTERS.numberFormat;
