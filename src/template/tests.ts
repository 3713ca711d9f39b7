// Pebble tests (`x is defined`, `x is not empty`, …) plus Kestra's `json`.
// `defined` and `null` also see undefined values: evaluate.ts handles that before calling.
import type { Test } from "./scope";
import { isEmpty, isMap, isNumber } from "./values";

const isInteger = (v: unknown): boolean => (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint";

export const TESTS: Record<string, Test> = {
  defined: () => true,
  null: (v) => v === null || v === undefined,
  empty: (v) => isEmpty(v),
  even: (v) => isInteger(v) && BigInt(v as number) % 2n === 0n,
  odd: (v) => isInteger(v) && BigInt(v as number) % 2n !== 0n,
  iterable: (v) => Array.isArray(v),
  map: (v) => isMap(v),
  divisibleby: (v, [n]) => isNumber(v) && isNumber(n) && Number(v) % Number(n) === 0,
  json: (v) => {
    if (v === null || v === undefined || typeof v === "object") return false;
    try {
      JSON.parse(String(v));
      return true;
    } catch {
      return false;
    }
  },
};
TESTS.divisibleBy = TESTS.divisibleby;
