// Shared fixtures for the template tests: a fixed clock, in-memory services and variables
// shaped like Kestra's run context.
import { createTemplateEngine, type TemplateServices } from "../src/template/index.ts";

export const NOW = new Date("2024-07-02T03:04:05.123Z");

export const services: TemplateServices = {
  now: () => NOW,
  secret: async (name) => {
    if (name === "API_KEY") return "s3cr3t";
    throw new Error(`Cannot find secret for key '${name}'.`);
  },
  kv: async (key, namespace, errorOnMissing) => {
    const store: Record<string, unknown> = { "io.kestra.tests/my-key": { field: "value" }, "other.ns/count": 7 };
    const value = store[`${namespace ?? "io.kestra.tests"}/${key}`];
    if (value === undefined && errorOnMissing) {
      throw new Error(`The key '${key}' does not exist in the namespace '${namespace ?? "io.kestra.tests"}'.`);
    }
    return value ?? null;
  },
  read: async (uri) => (uri === "kestra:///data.txt" ? "line1\nline2" : Promise.reject(new Error(`File not found: ${uri}`))),
  fileSize: async () => 11,
  fileExists: async (uri) => uri === "kestra:///data.txt",
  errorLogs: async () => [{ taskId: "failed", message: "Task failure", timestamp: "2024-07-02T03:04:05Z" }],
};

export const vars: Record<string, unknown> = {
  flow: { id: "hello", namespace: "company.team" },
  execution: { id: "exec1", startDate: "2024-01-05T10:20:30.123456Z" },
  task: { id: "t1", type: "io.kestra.plugin.core.log.Log" },
  taskrun: { value: "value 1", attemptsCount: 1 },
  inputs: {
    name: "World",
    n: 3,
    f: 0.1,
    flag: true,
    nullValue: null,
    list: [3, 1, 2],
    words: ["b", "a", "c"],
    obj: { a: 1, b: [1, 2], c: { d: "x" } },
    json: '{"key":"my-key","value":"my-value"}',
    template: "{{ inputs.name }}",
    multiline: "a\nb",
    "from-parent": "dash",
  },
  outputs: {
    "my-task": { value: 42 },
    loop: { iteration: 5 },
    "error-t1": { value: "from error" },
    each: { "value 1": { value: "A" }, "value 2": { value: "B" } },
    nested: { a: { x: { value: "a-x" }, y: { value: "a-y" } }, b: { x: { value: "b-x" } } },
  },
  vars: { a: 10, b: 4, greeting: "Hello {{ inputs.name }}" },
  labels: { env: "prod" },
};

export const engine = createTemplateEngine();
export const render = (template: string, v: Record<string, unknown> = vars) => engine.render(template, v, services);
export const evaluate = (expression: string, v: Record<string, unknown> = vars) => engine.evaluate(expression, v, services);
