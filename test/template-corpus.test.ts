// Every template in the Kestra conformance corpus must at least parse (no rendering).
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { checkTemplate } from "../src/template/index.ts";
import { render } from "./template-helpers.ts";

const DIR = join(import.meta.dir, "../../shared/conformance/kestra-flows");

// Flows whose templates are deliberately broken at the syntax level. Flows that are broken at
// run time only (undefined variables: variables-invalid.yaml, flow-with-outputs-failed.yml,
// failed-first.yaml, each-sequential.yaml's `ko`) must still parse, so they are not listed.
const EXPECTED_SYNTAX_ERRORS = new Set<string>();

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) strings(k, out), strings(v, out);
  }
  return out;
}

// The corpus lives beside the repository (../shared); a clone without it skips these tests.
const present = existsSync(DIR);
const files = present ? readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
const templates = files.flatMap((file) =>
  strings(parse(readFileSync(join(DIR, file), "utf8"))).filter((s) => /\{\{|\{%|\{#/.test(s)).map((t) => ({ file, t })),
);

describe.skipIf(!present)("conformance corpus", () => {
  test("the corpus is there and has templates", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(templates.length).toBeGreaterThan(300);
  });

  test("every template parses, except the listed ones", () => {
    const failures = new Map<string, string>();
    for (const { file, t } of templates) {
      try {
        checkTemplate(t);
      } catch (e) {
        failures.set(file, `${JSON.stringify(t)}: ${(e as Error).message}`);
      }
    }
    expect([...failures.keys()].filter((f) => !EXPECTED_SYNTAX_ERRORS.has(f))).toEqual([]);
    expect([...EXPECTED_SYNTAX_ERRORS].filter((f) => !failures.has(f))).toEqual([]);
  });

  test("the runtime-invalid corpus expressions fail when rendered", async () => {
    await expect(render("{{ invalid }}")).rejects.toThrow("Unable to find `invalid` used in the expression `{{ invalid }}` at line 1");
    await expect(render("{{inputs.invalid}}")).rejects.toThrow("Missing variable: 'inputs.invalid'");
  });
});
