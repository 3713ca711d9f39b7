// resolveInputs: Kestra's InputsTest values and messages against its inputs.yaml (a copy of the
// conformance flow in test/fixtures/kestra), then every input type with a good and a bad value.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseFlow, resolveInputs, validateInputs, type InputDef } from "../src/flow/index.ts";

const flow = parseFlow(readFileSync(join(import.meta.dir, "fixtures/kestra/inputs.yaml"), "utf8"), "inputs.yaml").flow!;

/** The string inputs of Kestra's InputsTest (0.21). */
const kestraInputs: Record<string, unknown> = {
  string: "myString", enum: "ENUM_VALUE", int: "42", float: "42.42", bool: "false",
  instant: "2019-10-06T18:27:49Z", date: "2019-10-06", time: "18:27:49", duration: "PT5M6S",
  file: "kestra:///io/kestra/tests/inputs/executions/test/inputs/file/application-test.yml",
  uri: "https://www.google.com", "nested.string": "a string", "nested.more.int": "123", "nested.bool": "true",
  validatedString: "A123", validatedInt: "12", validatedDate: "2023-01-02", validatedDateTime: "2023-01-01T00:00:10Z",
  validatedDuration: "PT15S", validatedFloat: "0.42", validatedTime: "11:27:49", secret: "secret", array: "[1, 2, 3]",
};

const errorsFor = (changes: Record<string, unknown>) => resolveInputs(flow.inputs, { ...kestraInputs, ...changes }).errors.map((e) => e.message);

describe("Kestra InputsTest", () => {
  test("allValidInputs", () => {
    const { values, errors } = resolveInputs(flow.inputs, kestraInputs);
    expect(errors).toEqual([]);
    expect(values).toMatchObject({
      string: "myString", enum: "ENUM_VALUE", optional: null, int: 42, bool: false, float: 42.42,
      instant: "2019-10-06T18:27:49Z", date: "2019-10-06", time: "18:27:49", duration: "PT5M6S",
      instantDefaults: "2013-08-09T14:19:00Z", json: null, uri: "https://www.google.com",
      nested: { string: "a string", more: { int: 123 }, bool: true },
      validatedString: "A123", validatedInt: 12, validatedFloat: 0.42, array: [1, 2, 3], secret: "secret",
      yaml: { property: "something", list: [{ key: "key1", value: "value1" }, { key: "key2", value: "value2" }] },
      empty: "",
    });
  });

  test("typed JSON values are accepted as they are", () => {
    const { values, errors } = resolveInputs(flow.inputs, { ...kestraInputs, int: 42, float: 42.42, bool: false, array: [1, 2], json: { a: "b" } });
    expect(errors).toEqual([]);
    expect(values).toMatchObject({ int: 42, float: 42.42, bool: false, array: [1, 2], json: { a: "b" } });
  });

  test("missingRequired and nonRequiredNoDefaultNoValueIsNull", () => {
    expect(errorsFor({ string: null })).toEqual(["Invalid input for `string`, missing required input, but received `null`"]);
    const { values } = resolveInputs(flow.inputs, { ...kestraInputs, bool: undefined });
    expect("bool" in values && values.bool === null).toBe(true);
  });

  test.each([
    ["validatedString", "foo", "Invalid input for `validatedString`, it must match the pattern `A\\d+`, but received `foo`"],
    ["validatedInt", "9", "Invalid input for `validatedInt`, it must be more than `10`, but received `9`"],
    ["validatedInt", "21", "Invalid input for `validatedInt`, it must be less than `20`, but received `21`"],
    ["validatedDate", "2022-01-01", "Invalid input for `validatedDate`, it must be after `2023-01-01`, but received `2022-01-01`"],
    ["validatedDate", "2024-01-01", "Invalid input for `validatedDate`, it must be before `2023-12-31`, but received `2024-01-01`"],
    ["validatedDateTime", "2022-01-01T00:00:00Z", "Invalid input for `validatedDateTime`, it must be after `2023-01-01T00:00:00Z`, but received `2022-01-01T00:00:00Z`"],
    ["validatedDateTime", "2024-01-01T00:00:00Z", "Invalid input for `validatedDateTime`, it must be before `2023-12-31T23:59:59Z`, but received `2024-01-01T00:00:00Z`"],
    ["validatedDuration", "PT1S", "Invalid input for `validatedDuration`, It must be more than `PT10S`, but received `PT1S`"],
    ["validatedDuration", "PT30S", "Invalid input for `validatedDuration`, It must be less than `PT20S`, but received `PT30S`"],
    ["validatedFloat", "0.01", "Invalid input for `validatedFloat`, it must be more than `0.1`, but received `0.01`"],
    ["validatedFloat", "1.01", "Invalid input for `validatedFloat`, it must be less than `0.5`, but received `1.01`"],
    ["validatedTime", "00:00:01", "Invalid input for `validatedTime`, it must be after `01:00`, but received `00:00:01`"],
    ["validatedTime", "14:00:00", "Invalid input for `validatedTime`, it must be before `11:59:59`, but received `14:00:00`"],
    ["uri", "http:/bla", "Invalid input for `uri`, Expected `URI` but received `http:/bla`, but received `http:/bla`"],
    ["enum", "INVALID", "Invalid input for `enum`, it must match the values `[ENUM_VALUE, OTHER_ONE]`, but received `INVALID`"],
    ["array", '["s1", "s2"]', 'Invalid input for `array`, Unable to parse array element as `INT` on `s1`, but received `["s1", "s2"]`'],
  ])("%s = %s", (id, value, message) => {
    expect(errorsFor({ [id]: value })).toEqual([message]);
  });

  test("inputEmptyJson", () => {
    expect(resolveInputs(flow.inputs, { ...kestraInputs, json: "{}" }).values.json).toEqual({});
  });
});

/** One definition per type, resolved alone, so each case checks one value. */
function one(def: Partial<InputDef> & { type: string }, value: unknown) {
  const { inputs, issues } = validateInputs([{ id: "x", ...def }]);
  expect(issues).toEqual([]);
  const r = resolveInputs(inputs, value === undefined ? {} : { x: value });
  return r.errors.length ? r.errors[0].message : r.values.x;
}
const bad = (reason: string, received: string) => `Invalid input for \`x\`, ${reason}, but received \`${received}\``;

describe("every input type", () => {
  test.each([
    ["STRING", {}, 42, "42"],
    ["STRING", { validator: "[a-z]+" }, "abc1", bad("it must match the pattern `[a-z]+`", "abc1")],
    ["SECRET", {}, "s3cret", "s3cret"],
    ["INT", {}, "-7", -7],
    ["INT", {}, "4.2", bad("Expected `INT` but received `4.2`", "4.2")],
    ["FLOAT", {}, "1e3", 1000],
    ["FLOAT", { min: 10 }, "9.5", bad("it must be more than `10.0`", "9.5")],
    ["FLOAT", {}, "abc", bad("Expected `FLOAT` but received `abc`", "abc")],
    ["BOOLEAN", {}, "TRUE", true],
    ["BOOLEAN", {}, "yes", bad("Expected `BOOLEAN` but received `yes`", "yes")],
    ["BOOL", {}, false, false],
    ["BOOL", {}, "1", bad("Expected `BOOL` but received `1`", "1")],
    ["SELECT", { values: ["a", "b"] }, "b", "b"],
    ["SELECT", { values: ["a", "b"] }, "c", bad("it must match the values `[a, b]`", "c")],
    ["SELECT", { values: ["a"], allowCustomValue: true }, "z", "z"],
    ["ENUM", { values: ["A"] }, "A", "A"],
    ["MULTISELECT", { values: ["a", "b"] }, '["a","b"]', ["a", "b"]],
    ["MULTISELECT", { options: ["a", "b"] }, ["c"], bad("value `c` doesn't match the values `[a, b]`", "[c]")],
    ["ARRAY", { itemType: "STRING" }, '["a", 1]', ["a", "1"]],
    ["ARRAY", { itemType: "FLOAT" }, "not json", bad("Expected `ARRAY` but received `not json`", "not json")],
    ["JSON", {}, '{"a": [1]}', { a: [1] }],
    ["JSON", {}, "{oops", bad("Expected `JSON` but received `{oops`", "{oops")],
    ["YAML", {}, "a: [1, 2]", { a: [1, 2] }],
    ["YAML", {}, "a: [1", bad("Expected `YAML` but received `a: [1`", "a: [1")],
    ["DATE", {}, "2024-02-29", "2024-02-29"],
    ["DATE", {}, "2023-02-29", bad("Expected `DATE` but received `2023-02-29`", "2023-02-29")],
    ["TIME", {}, "23:59", "23:59"],
    ["TIME", {}, "24:00", bad("Expected `TIME` but received `24:00`", "24:00")],
    ["DATETIME", {}, "2024-01-01T10:00:00+02:00", "2024-01-01T08:00:00Z"],
    ["DATETIME", {}, "2024-01-01", bad("Expected `DATETIME` but received `2024-01-01`", "2024-01-01")],
    ["DURATION", {}, "pt1.5s", "pt1.5s"],
    ["DURATION", {}, "1 hour", bad("Expected `DURATION` but received `1 hour`", "1 hour")],
    ["URI", {}, "s3://bucket/key", "s3://bucket/key"],
    ["EMAIL", {}, "me@example.com", "me@example.com"],
    ["EMAIL", {}, "me@", bad("it must be a valid email address", "me@")],
    ["FILE", {}, "kestra:///ns/flow/file.csv", "kestra:///ns/flow/file.csv"],
    ["FILE", {}, { not: "a uri" }, bad('Expected `FILE` but received `{"not":"a uri"}`', '{"not":"a uri"}')],
  ] as [string, Record<string, unknown>, unknown, unknown][])("%s %j <- %j", (type, extra, value, expected) => {
    expect(one({ type, ...extra } as InputDef, value)).toEqual(expected);
  });

  test("defaults fill missing values; expression defaults are left for the caller to render", () => {
    expect(one({ type: "INT", defaults: 5 } as InputDef, undefined)).toBe(5);
    expect(one({ type: "DATETIME", defaults: "{{ now() }}" } as InputDef, undefined)).toBe("{{ now() }}");
    expect(one({ type: "STRING", required: false } as InputDef, undefined)).toBeNull();
  });

  test("flat option keeps dotted ids as keys", () => {
    const { inputs } = validateInputs([{ id: "a.b", type: "INT" }]);
    expect(resolveInputs(inputs, { "a.b": "1" }, { flat: true }).values).toEqual({ "a.b": 1 });
    expect(resolveInputs(inputs, { a: { b: 2 } }).values).toEqual({ a: { b: 2 } });
  });
});
