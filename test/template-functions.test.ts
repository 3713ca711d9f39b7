// Filters and functions of the expression engine, with the services they call.
import { describe, expect, test } from "bun:test";
import { createTemplateEngine, TemplateError } from "../src/template/index.ts";
import { render, services, vars } from "./template-helpers.ts";

describe("text filters", () => {
  test.each([
    ["{{ 'hello world' | upper }} {{ 'HeLLo' | lower }} {{ 'hello world' | capitalize }} {{ 'hello big world' | title }}",
      "HELLO WORLD hello Hello world Hello Big World"],
    ["[{{ '  x  ' | trim }}]", "[x]"],
    ["{{ 'a,b,,c,,' | split(',') }} {{ 'a,b,c' | split(',', 2) }} {{ 'a.b' | split('\\\\.') }}", '["a","b","","c"] ["a","b,c"] ["a","b"]'],
    ["{{ inputs.multiline | split('\\n') | length }}", "2"],
    ["{{ 'hello' | replace({'l': 'L', 'o': '0'}) }} {{ 'hello' | replace('l', 'x') }}", "heLL0 hexxo"],
    ["{{ 'a1b22' | replace({'\\\\d+': '#'}, regexp=true) }}", "a#b#"],
    ["{{ 'Hello World, Ça va?' | slugify }} {{ 'Hello_World  x' | slugify }}", "hello-world-ca-va hello-world-x"],
    ["{{ 'Hello World' | abbreviate(8) }} {{ 'Hi' | abbreviate(8) }}", "Hello... Hi"],
    ["{{ 'a.b.c' | substringBefore('.') }} {{ 'a.b.c' | substringAfter('.') }} {{ 'a.b.c' | substringBeforeLast('.') }} {{ 'a.b.c' | substringAfterLast('.') }}",
      "a b.c a.b c"],
    ["{{ 'abc' | substringBefore('x') }}|{{ 'abc' | substringAfter('x') }}", "abc|"],
    ["{{ 'hello' | startsWith('he') }} {{ 'hello' | endsWith('x') }}", "true false"],
    ["{{ inputs.multiline | indent(2) }}|{{ inputs.multiline | nindent(2, '-') }}", "a\n  b|\n--a\n--b"],
    ["{{ 'it\\'s' | escapeChar('single') }} {{ 'say \"x\"' | escapeChar('double') }} {{ 'it\\'s' | escapeChar('shell') }}",
      `it\\'s say \\"x\\" it'\\''s`],
    ["{{ 'Hello' | base64encode }} {{ 'SGVsbG8=' | base64decode }} {{ 'é' | base64encode | base64decode }}", "SGVsbG8= Hello é"],
    ["{{ 'a b&c=d/é' | urlencode }} {{ 'a+b%26c' | urldecode }}", "a+b%26c%3Dd%2F%C3%A9 a b&c"],
    ["{{ 'abc' | sha1 }}", "a9993e364706816aba3e25717850c26c9cd0d89d"],
    ["{{ 'abc' | sha256 }}", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    ["{{ 'abc' | md5 }}", "900150983cd24fb0d6963f7d28e17f72"],
    ["{{ 'abc' | sha512 | length }}", "128"],
    ["{{ 12 | string ~ 'x' }} {{ inputs.obj.c | string }}", '12x {"d":"x"}'],
  ])("%s", async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });
});

describe("collection filters", () => {
  test.each([
    ["{{ ['a', 'b'] | join(', ') }} {{ inputs.list | join }}", "a, b 312"],
    ["{{ inputs.list | length }} {{ 'abc' | length }} {{ inputs.obj | length }} {{ null | length }}", "3 3 3 0"],
    ["{{ inputs.list | first }} {{ inputs.list | last }} {{ 'abc' | first }} {{ 'abc' | last }} [{{ [] | first }}]", "3 2 a c []"],
    ["{{ inputs.list | sort }} {{ inputs.list | rsort }} {{ inputs.words | sort }} {{ inputs.list | reverse }}", '[1,2,3] [3,2,1] ["a","b","c"] [2,1,3]'],
    ["{{ inputs.obj | keys }} {{ {'a': 1, 'b': 2} | values }}", '["a","b","c"] [1,2]'],
    ["{{ [1, 2] | merge([3]) }} {{ {'a': 1} | merge({'b': 2}) }}", '[1,2,3] {"a":1,"b":2}'],
    ["{{ [1, 2, 3, 4, 5] | chunk(2) }} {{ [[1, 2], [3], 4] | flatten }} {{ [1, 2, 1, 'a', 'a'] | distinct }}", '[[1,2],[3,4],[5]] [1,2,3,4] [1,2,"a"]'],
    ["{{ 'abcdef' | slice(1, 3) }} {{ inputs.list | slice(1) }}", "bc [1,2]"],
    ["{{ nope | default('dflt') }} {{ '' | default('e') }} {{ inputs.name | default('x') }} {{ inputs.missing | default('m') }}", "dflt e World m"],
  ])("%s", async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });
});

describe("data filters", () => {
  test.each([
    ["{{ inputs.obj | toJson }}", '{"a":1,"b":[1,2],"c":{"d":"x"}}'],
    ["{{ 'str' | toJson }} {{ null | toJson }} {{ {'a': null} | toJson }} {{ {'a': null} | toJson(includeNulls=true) }}", '"str" null {} {"a":null}'],
    ["{{ inputs.obj.c | json }} {{ inputs.obj.c | toIon }}", '{"d":"x"} {"d":"x"}'],
    ["{{ inputs.obj | yaml }}", "a: 1\nb:\n  - 1\n  - 2\nc:\n  d: x\n"],
    ["{{ '42' | number }} {{ '42.5' | number }} {{ '42' | number('INT') + 1 }} {{ '3.5' | number('FLOAT') * 2 }} {{ '0x1A' | number }}", "42 42.5 43 7.0 26"],
    ["{{ '9007199254740993' | number('LONG') }}", "9007199254740993"],
    ["{{ -3 | abs }} {{ 1234567.891 | numberFormat('#,##0.00') }} {{ 0.5 | numberFormat('0.#') }} {{ 2.5 | numberFormat('0') }} {{ 0.256 | numberFormat('#.#%') }}",
      "3 1,234,567.89 0.5 2 25.6%"],
    ["{{ 'x' | className }} {{ 1 | className }} {{ 1.5 | className }} {{ [1] | className }} {{ inputs.obj | className }}",
      "java.lang.String java.lang.Integer java.lang.Double java.util.ArrayList java.util.LinkedHashMap"],
  ])("%s", async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });

  test("number('INT') rejects a decimal", async () => {
    await expect(render("{{ '4.2' | number('INT') }}")).rejects.toThrow("cannot be converted to INT");
  });
});

describe("jq", () => {
  test.each([
    ["{{ inputs.obj | jq('.c.d') | first }}", "x"],
    ["{{ inputs.json | jq('.key') }}", '["my-key"]'],
    ["{{ inputs.obj | jq('.b[]') }}", "[1,2]"],
    ["{{ inputs.obj | jq('.nope') }}", "[null]"],
    ["{{ inputs.obj | jq('.b | map(. * 10)') | first | last }}", "20"],
    ["{{ 3 | jq('. + 1') | first }}", "4"],
    ["{{ inputs.obj | jq('.c | to_entries[] | .key + \"=\" + .value') | join(',') }}", "d=x"],
  ])("%s", async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });

  test("a jq syntax error or a non-JSON string fails the render", async () => {
    await expect(render("{{ inputs.obj | jq('.a[') }}")).rejects.toThrow("Failed to resolve JQ expression '.a['");
    await expect(render("{{ taskrun.value | jq('.key') }}")).rejects.toThrow(TemplateError);
  });

  test("a failing jq leaves the process's exit status alone (jq's wasm runtime sets it)", async () => {
    const saved = process.exitCode;
    process.exitCode = 0;
    try {
      await expect(render("{{ inputs.obj | jq('.a[') }}")).rejects.toThrow(TemplateError);
      expect(process.exitCode).toBe(0);
    } finally {
      process.exitCode = saved;
    }
  });
});

describe("functions", () => {
  test.each([
    ["{{ fromJson(inputs.json).key }} {{ json('{\"a\":[1]}').a[0] }}", "my-key 1"],
    ["{{ yaml('a: 1\nb: [x, y]').b[1] }}", "y"],
    ["{{ range(1, 5, 2) }} {{ range(3, 1, -1) }} {{ max(1, 5, 3) }} {{ min([4, 2, 8]) }}", "[1,3,5] [3,2,1] 5 2"],
    ["{{ isIn('a', ['a', 'b']) }} {{ isIn('z', ['a']) }}", "true false"],
    ["{{ uuid() | length }} {{ id() | length }} {{ randomInt(1, 2) }}", "36 22 1"],
    ["{{ printContext().flow.id }}", "hello"],
  ])("%s", async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });

  test("uuid() differs between calls", async () => {
    expect(await render("{{ uuid() == uuid() }}")).toBe("false");
  });
});

describe("services", () => {
  test.each([
    ["{{ secret('API_KEY') }}", "s3cr3t"],
    ["{{ kv('my-key').field }} {{ kv(key='count', namespace='other.ns') }}", "value 7"],
    ["{{ kv('nope') ?? 'none' }}|{{ kv('my-key').nope ?? null }}|{{ kv('nope').field ?? null }}", "none||"],
    ["{{ read('kestra:///data.txt') }}", "line1\nline2"],
    ["{{ fileSize('kestra:///data.txt') }} {{ fileExists('kestra:///data.txt') }} {{ fileExists('kestra:///x') }}", "11 true false"],
    ["{{ errorLogs()[0].message }}", "Task failure"],
  ])("%s", async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });

  test("service errors propagate (kv errorOnMissing, unknown secret)", async () => {
    await expect(render("{{ kv(key='nope', errorOnMissing=true) }}")).rejects.toThrow(
      "The key 'nope' does not exist in the namespace 'io.kestra.tests'.",
    );
    await expect(render("{{ secret('NOPE') ?? 'x' }}")).rejects.toThrow("Cannot find secret for key 'NOPE'.");
  });

  test("a function whose service is missing says it is not available", async () => {
    const bare = createTemplateEngine();
    await expect(bare.render("{{ secret('X') }}", {}, { now: () => new Date(0) })).rejects.toThrow(
      "The 'secret' function is not available here (no secret service)",
    );
    await expect(bare.render("{{ read('kestra:///x') }}", {}, { now: () => new Date(0) })).rejects.toThrow("not available here");
  });

  test("unknown named arguments are rejected", async () => {
    await expect(render("{{ kv(nope='x') }}")).rejects.toThrow("'kv' has no argument named 'nope'");
  });
});

describe("currentEachOutput", () => {
  const outputs = vars.outputs as Record<string, unknown>;

  test("indexes by the current iteration value", async () => {
    expect(await render("{{ currentEachOutput(outputs.each).value }}")).toBe("A");
  });

  test("walks parents from the outermost loop inwards", async () => {
    const v = {
      outputs,
      parents: [{ taskrun: { value: "x" } }, { taskrun: { value: "b" } }],
      taskrun: { value: "x" },
    };
    // parents are innermost first, so the keys are b (outermost), x, then taskrun.value x
    const nested = { ...v, outputs: { t: { b: { x: { x: { value: "b-x-x" } } } } } };
    expect(await render("{{ currentEachOutput(outputs.t).value }}", nested)).toBe("b-x-x");
    expect(await render("{{ currentEachOutput(outputs.nested).value }}", { ...v, parents: [{ taskrun: { value: "a" } }] })).toBe("a-x");
  });

  test("parents without a value are skipped", async () => {
    const v = { outputs, parents: [{ taskrun: { value: "a" } }, { taskrun: { value: null } }], taskrun: { value: "y" } };
    expect(await render("{{ currentEachOutput(outputs.nested).value }}", v)).toBe("a-y");
  });

  test("corpus idiom with ?? and ~", async () => {
    const v = { outputs: { getEach1: { "v1": { data: { value: 3 } } } }, taskrun: { value: "v1" }, parents: [] };
    expect(await render("{{ (currentEachOutput(outputs.getEach1).data.value ?? 'null') ~ '-' ~ taskrun.value }}", v)).toBe("3-v1");
  });
});
