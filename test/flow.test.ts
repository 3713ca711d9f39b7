// The flow language: fixtures with exact error messages, the Kestra conformance corpus,
// plugin examples, multi-document sources, file validation and the JSON Schema.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYamlText } from "yaml";
import { z } from "zod";
import { defineFlowable, childrenUnder, taskList } from "../plugins/define.ts";
import { allTasks, findTask, taskTypeNames } from "../plugins/index.ts";
import { flowJsonSchema, parseFlow, parseFlows, validateFiles } from "../src/flow/index.ts";

const FIXTURES = join(import.meta.dir, "fixtures/flows");
// Kestra's flows beside the repository (../shared); a clone without them skips that test.
const CONFORMANCE = join(import.meta.dir, "../../shared/conformance/kestra-flows");
const yamlFiles = (dir: string) => readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
const read = (dir: string, f: string) => readFileSync(join(dir, f), "utf8");

describe("invalid fixtures report exactly the expected errors", () => {
  const dir = join(FIXTURES, "invalid");
  for (const file of yamlFiles(dir)) {
    test(file, () => {
      const expected = read(dir, file.replace(/\.ya?ml$/, ".expected")).trim().split("\n");
      const { flow, errors } = parseFlow(read(dir, file), file);
      expect(flow).toBeUndefined();
      expect(errors.map((e) => e.format())).toEqual(expected);
    });
  }
});

describe("valid fixtures parse without errors", () => {
  const dir = join(FIXTURES, "valid");
  for (const file of yamlFiles(dir)) {
    test(file, () => {
      const { flow, errors } = parseFlow(read(dir, file), file);
      expect(errors.map((e) => e.format())).toEqual([]);
      expect(flow?.source).toBe(read(dir, file));
    });
  }
});

test("errors carry file, line, col and path; the list is sorted by position", () => {
  const { errors } = parseFlow(read(join(FIXTURES, "invalid"), "all-errors.yaml"), "flows/all.yaml");
  expect(errors.length).toBeGreaterThan(10);
  const e = errors.find((x) => x.path === "tasks[0].level")!;
  expect({ file: e.file, line: e.line, col: e.col, message: e.message }).toEqual({
    file: "flows/all.yaml", line: 11, col: 12, message: 'expected one of TRACE, DEBUG, INFO, WARN, ERROR, got "LOUD"',
  });
  const positions = errors.map((x) => x.line * 1000 + x.col);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
});

test("the style guide's example message", () => {
  const src = "id: etl\nnamespace: company\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: a\n  - id: b\n    type: io.kestra.plugin.core.log.Lgo\n";
  expect(parseFlow(src, "flows/etl.yaml").errors.map((e) => e.format())).toEqual([
    'flows/etl.yaml:8:11 tasks[1].type: unknown task type "io.kestra.plugin.core.log.Lgo" (did you mean io.kestra.plugin.core.log.Log?)',
  ]);
});

test("a source over 1 MiB is refused before parsing", () => {
  const src = `id: big\nnamespace: company\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: ${"x".repeat(1.1 * 1024 * 1024)}\n`;
  expect(parseFlow(src, "big.yaml").errors.map((e) => e.format())).toEqual(["big.yaml:1:1 flow source is 1.1 MiB, over the 1.0 MiB limit"]);
  expect(parseFlow(src, "big.yaml", { maxBytes: 2 * 1024 * 1024 }).errors).toEqual([]);
});

test("plugin defaults fill missing values, forced ones override, triggers get theirs too", () => {
  const { flow } = parseFlow(read(join(FIXTURES, "valid"), "plugin-defaults.yaml"));
  expect(flow!.tasks.map(({ id, ...props }) => props)).toEqual([
    { type: "io.kestra.plugin.core.log.Log", message: "from defaults", level: "DEBUG" },
    { type: "io.kestra.plugin.core.log.Log", message: "mine", level: "ERROR" },
    { type: "io.kestra.plugin.core.flow.Sleep", duration: "PT1S" },
  ]);
  expect(flow!.triggers[0]).toMatchObject({ id: "daily", timezone: "UTC", disabled: false });
  // A package prefix matches every type below it (everything.yaml: io.kestra.plugin.core.log).
  const everything = parseFlow(read(join(FIXTURES, "valid"), "everything.yaml")).flow!;
  expect(everything.finally[0]).toMatchObject({ id: "cleanup", level: "WARN" });
});

test("a valid flow is normalised for the engine", () => {
  const flow = parseFlow(read(join(FIXTURES, "valid"), "everything.yaml")).flow!;
  expect(flow.labels).toEqual([{ key: "team", value: "data" }, { key: "tier", value: "1" }]);
  expect(flow.inputs.find((i) => i.id === "nested.value")).toMatchObject({ type: "STRING", required: false });
  expect(flow.inputs.find((i) => i.id === "name")!.required).toBe(true);
  expect(flow.triggers.map((t) => t.type)).toEqual([
    "io.kestra.plugin.core.trigger.Schedule", "io.kestra.plugin.core.trigger.Schedule",
    "io.kestra.plugin.core.trigger.Webhook", "io.kestra.plugin.core.trigger.Flow",
  ]);
  expect(flow.concurrency).toEqual({ limit: 2, behavior: "CANCEL" });
  expect(flow.tasks[1]).toMatchObject({ level: "{{ inputs.verbose ? 'DEBUG' : 'INFO' }}", timeout: "{{ inputs.wait }}" });
  expect(parseFlow("id: a\nnamespace: b\ntasks:\n  - {id: t, type: log, message: hi}\n").flow).toMatchObject({
    labels: [], inputs: [], triggers: [], errors: [], finally: [], afterExecution: [], disabled: false, variables: {},
  });
});

test("parseFlows returns one result per document", () => {
  const src = read(join(FIXTURES, "invalid"), "multi-document.yaml") + "---\nid: third\nnamespace: company\ntasks: []\n";
  const results = parseFlows(src, "deploy.yaml");
  expect(results.map((r) => r.flow?.id ?? null)).toEqual(["first", "second", null]);
  expect(results[2].errors.map((e) => e.format())).toEqual(["deploy.yaml:17:8 tasks: a flow needs at least one task"]);
  expect(results[1].flow!.source.startsWith("---\nid: second")).toBe(true);
});

test("a registry can be injected: children come from the definition, nested typos are caught", () => {
  const steps = defineFlowable({
    type: "test.Steps",
    description: "children under `steps`",
    schema: z.object({ steps: taskList(), options: z.object({ depth: z.number() }).optional() }),
    children: (task) => childrenUnder(task, ["steps"]),
    plan: async () => ({ branches: [], concurrency: 1 }),
  });
  const registry = {
    findTask: (type: string) => (type === steps.type ? steps : findTask(type)),
    taskTypeNames: () => [steps.type, ...taskTypeNames()],
  };
  const src = "id: a\nnamespace: b\ntasks:\n  - id: s\n    type: test.Steps\n    options: {dpth: 1}\n    steps:\n      - id: s\n        type: test.Stpes\n";
  expect(parseFlow(src, "r.yaml", { registry }).errors.map((e) => e.format())).toEqual([
    'r.yaml:6:14 tasks[0].options: missing required property "depth"',
    'r.yaml:6:15 tasks[0].options.dpth: unknown property "dpth" (did you mean depth?)',
    'r.yaml:8:13 tasks[0].steps[0].id: duplicate task id "s" (also used at tasks[0])',
    'r.yaml:9:15 tasks[0].steps[0].type: unknown task type "test.Stpes" (did you mean test.Steps?)',
  ]);
});

test("an empty source and a comment-only source are errors", () => {
  expect(parseFlow("", "e.yaml").errors.map((e) => e.format())).toEqual(["e.yaml:1:1 empty document: a flow needs at least id, namespace and tasks"]);
  expect(parseFlow("# nothing\n", "e.yaml").errors.length).toBe(1);
});

test("validateFiles walks directories and reports flows defined twice", async () => {
  const valid = join(FIXTURES, "valid");
  const results = await validateFiles([valid, join(valid, "dag.yaml")]);
  expect(results.length).toBe(yamlFiles(valid).length + 1);
  expect(results.slice(0, -1).every((r) => r.errors.length === 0)).toBe(true);
  expect(results.at(-1)!.errors.map((e) => e.message)).toEqual([`flow company.team.dag is also defined in ${join(valid, "dag.yaml")}`]);
  const missing = await validateFiles(["/nonexistent/flows"]);
  expect(missing[0].errors[0].message).toStartWith("cannot read");
});

test("flowJsonSchema: tasks are a oneOf over registered types, discriminated by type", () => {
  const schema = flowJsonSchema() as any;
  expect(() => JSON.stringify(schema)).not.toThrow();
  expect(schema.properties.tasks.items).toEqual({ $ref: "#/$defs/task" });
  expect(schema.additionalProperties).toBe(false);
  const variants = schema.$defs.task.oneOf as any[];
  expect(variants.length).toBe(allTasks.length);
  const log = variants.find((v) => JSON.stringify(v.properties.type).includes('"io.kestra.plugin.core.log.Log"'));
  expect(log.additionalProperties).toBe(false);
  expect(log.required).toEqual(expect.arrayContaining(["id", "type", "message"]));
  expect(log.properties.retry).toBeDefined();
  // Typed properties also accept an expression, as the validator does.
  expect(log.properties.level.anyOf[1]).toEqual({ type: "string", pattern: "\\{\\{" });
  const seq = variants.find((v) => JSON.stringify(v.properties.type).includes('"io.kestra.plugin.core.flow.Sequential"'));
  if (seq) expect(seq.properties.tasks.items).toEqual({ $ref: "#/$defs/task" });
  expect(schema.properties.triggers.items.oneOf.length).toBe(5);
  expect(schema.properties.inputs.items.oneOf.length).toBe(19);
});

test("every plugin example parses as a task of a flow", () => {
  for (const def of allTasks) {
    for (const ex of def.examples) {
      const task = parseYamlText(ex.code);
      const flow = task && typeof task === "object" && "tasks" in task && "namespace" in task ? ex.code : `id: example\nnamespace: examples\ntasks:\n${ex.code.replace(/^/gm, "    ").replace(/^ {4}/, "  - ")}\n`;
      const errors = parseFlow(flow, `${def.type}: ${ex.title}`).errors.map((e) => e.format());
      expect(errors).toEqual([]);
    }
  }
});

test.skipIf(!existsSync(CONFORMANCE))("Kestra's conformance flows parse, except where a task type is not registered yet", () => {
  const missing = new Map<string, string[]>();
  for (const file of yamlFiles(CONFORMANCE)) {
    const { errors } = parseFlow(read(CONFORMANCE, file), file);
    for (const e of errors) {
      const type = /^unknown task type "([^"]+)"/.exec(e.message)?.[1];
      // Anything other than a not-yet-registered task type is a defect of the flow language.
      expect(type ? "" : e.format()).toBe("");
      expect(findTask(type!)).toBeUndefined();
      missing.set(type!, [...new Set([...(missing.get(type!) ?? []), file])]);
    }
  }
  if (missing.size) console.log("conformance flows waiting for task types:\n" + [...missing].map(([t, f]) => `  ${t}: ${f.join(", ")}`).join("\n"));
});
