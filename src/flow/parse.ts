// YAML source -> validated Flow, or every error of the document at once.
import type { TaskDef } from "../../plugins/define.ts";
import * as plugins from "../../plugins/index.ts";
import { dropNulls, normalizeLabels, type Label, type Retry } from "./common.ts";
import { flowError, formatPath, prefixIssues, sortErrors, type FlowError, type Issue } from "./errors.ts";
import { flowSchema, type Check, type Concurrency, type FlowOutput, type PluginDefault, type Sla } from "./flow-schema.ts";
import { validateInputs, type InputDef } from "./inputs.ts";
import { applyPluginDefaults } from "./plugin-defaults.ts";
import { TASK_LISTS, validateTaskTree, type TaskRegistry } from "./tasks.ts";
import { TRIGGER_TYPES, validateTriggers, type TriggerDef } from "./triggers.ts";
import { MAX_FLOW_BYTES, offsetOf, parseYaml, type ParsedSource, type YamlDoc } from "./yaml.ts";
import { runSchema } from "./zod-tools.ts";

/** A validated flow: plain data with plugin defaults applied, lists defaulted to []. */
export interface Flow {
  id: string;
  namespace: string;
  revision?: number;
  description?: string;
  labels: Label[];
  inputs: InputDef[];
  variables: Record<string, unknown>;
  outputs: FlowOutput[];
  tasks: TaskDef[];
  errors: TaskDef[];
  finally: TaskDef[];
  afterExecution: TaskDef[];
  triggers: TriggerDef[];
  concurrency?: Concurrency;
  disabled: boolean;
  retry?: Retry;
  pluginDefaults: PluginDefault[];
  sla: Sla[];
  checks: Check[];
  tenantId?: string;
  /** The YAML the flow was read from (this document only, for multi-document sources). */
  source: string;
}

export interface ParseResult {
  flow?: Flow;
  errors: FlowError[];
}

export interface ParseOptions {
  registry?: TaskRegistry;
  /** Largest accepted document, in bytes (default 1 MiB). */
  maxBytes?: number;
}

const DEFAULT_FILE = "<flow>";
const byteLength = (s: string) => new TextEncoder().encode(s).length;
const tooLarge = (file: string, bytes: number, max: number) =>
  flowError(file, 1, 1, "", `flow source is ${(bytes / 1048576).toFixed(1)} MiB, over the ${(max / 1048576).toFixed(1)} MiB limit`);

/** Parse a source holding exactly one flow. */
export function parseFlow(source: string, file = DEFAULT_FILE, opts: ParseOptions = {}): ParseResult {
  const max = opts.maxBytes ?? MAX_FLOW_BYTES;
  const bytes = byteLength(source);
  if (bytes > max) return { errors: [tooLarge(file, bytes, max)] };
  const docs = parseAll(source, file, opts);
  if (docs.length === 1) return { ...docs[0].result, flow: docs[0].result.flow && { ...docs[0].result.flow, source } };
  if (docs.length === 0) return { errors: [flowError(file, 1, 1, "", "empty document: a flow needs at least id, namespace and tasks")] };
  const errors = docs.flatMap((d) => d.result.errors);
  errors.push(flowError(file, docs[1].line, docs[1].col, "", `expected one flow, found ${docs.length} YAML documents`));
  return { errors: sortErrors(errors) };
}

/** Parse a multi-document source (`---` between flows): one result per document. */
export function parseFlows(source: string, file = DEFAULT_FILE, opts: ParseOptions = {}): ParseResult[] {
  // The whole source may hold many flows; each document has the per-flow limit.
  const max = opts.maxBytes ?? MAX_FLOW_BYTES;
  const bytes = byteLength(source);
  if (bytes > max * 64) return [{ errors: [tooLarge(file, bytes, max * 64)] }];
  return parseAll(source, file, opts).map((d) => d.result);
}

/** One result per YAML document, with where the document starts. */
function parseAll(source: string, file: string, opts: ParseOptions): { result: ParseResult; line: number; col: number }[] {
  let parsed: ParsedSource;
  try {
    parsed = parseYaml(source);
  } catch (e) {
    return [{ result: { errors: [flowError(file, 1, 1, "", `YAML could not be read: ${(e as Error).message}`)] }, line: 1, col: 1 }];
  }
  const max = opts.maxBytes ?? MAX_FLOW_BYTES;
  return parsed.docs.map((d) => {
    const text = source.slice(d.start, d.end);
    const { line, col } = parsed.lineCounter.linePos(d.start);
    const fail = (message: string) => ({ result: { errors: [flowError(file, line, col, "", message)] }, line, col });
    if (byteLength(text) > max) return fail(tooLarge(file, byteLength(text), max).message);
    try {
      return { result: validateDocument(d, parsed, file, text, opts.registry ?? plugins), line, col };
    } catch (e) {
      // Pathological input (e.g. nesting deep enough to overflow the stack) must not crash callers.
      return fail(`flow could not be validated: ${(e as Error).message}`);
    }
  });
}

function validateDocument(d: YamlDoc, parsed: ParsedSource, file: string, text: string, registry: TaskRegistry): ParseResult {
  const place = (issue: Issue): FlowError => {
    const pos = parsed.lineCounter.linePos(offsetOf(d.doc, issue.path, issue.atKey));
    return flowError(file, pos.line, pos.col, formatPath(issue.path), issue.message);
  };
  if (d.problems.length) {
    return { errors: sortErrors(d.problems.map((p) => {
      const pos = parsed.lineCounter.linePos(p.offset);
      return flowError(file, pos.line, pos.col, "", p.message);
    })) };
  }
  const value = d.value;
  if (value === null || value === undefined) return { errors: [place({ path: [], message: "empty document: a flow needs at least id, namespace and tasks" })] };
  if (typeof value !== "object" || Array.isArray(value)) return { errors: [place({ path: [], message: "a flow must be a YAML mapping (id, namespace, tasks, ...)" })] };
  const raw = value as Record<string, unknown>;
  dropNulls(raw);

  const issues: Issue[] = [];
  const top = runSchema(flowSchema, raw);
  issues.push(...top.issues);
  const defaultsKey = raw.pluginDefaults !== undefined || raw.taskDefaults === undefined ? "pluginDefaults" : "taskDefaults";
  if (raw.pluginDefaults !== undefined && raw.taskDefaults !== undefined) issues.push({ path: ["taskDefaults"], atKey: true, message: "use either pluginDefaults or its old name taskDefaults, not both" });
  const defaults = (top.data?.[defaultsKey] ?? []) as PluginDefault[];

  const inputs = Array.isArray(raw.inputs) ? validateInputs(raw.inputs) : { inputs: [], issues: [] };
  issues.push(...prefixIssues(["inputs"], inputs.issues));

  const rawTriggers = Array.isArray(raw.triggers) ? raw.triggers : [];
  for (const t of rawTriggers) {
    const type = (t as { type?: unknown } | null)?.type;
    if (typeof type === "string" && TRIGGER_TYPES[type]) applyPluginDefaults(t as Record<string, unknown>, [type, TRIGGER_TYPES[type]], defaults);
  }
  const triggers = validateTriggers(rawTriggers);
  issues.push(...prefixIssues(["triggers"], triggers.issues));

  issues.push(...validateTaskTree(raw, registry, defaults, defaultsKey));

  if (issues.length || !top.data) return { errors: sortErrors(issues.map(place)) };
  const data = top.data;
  const { taskDefaults: _old, pluginDefaults: _new, ...rest } = data;
  const flow: Flow = {
    ...rest,
    labels: normalizeLabels(data.labels),
    inputs: inputs.inputs,
    variables: data.variables ?? {},
    outputs: data.outputs ?? [],
    triggers: triggers.triggers,
    pluginDefaults: defaults,
    sla: data.sla ?? [],
    checks: data.checks ?? [],
    tasks: [],
    errors: [],
    finally: [],
    afterExecution: [],
    source: text,
  };
  // The raw task lists, not zod's copies: they hold the applied plugin defaults.
  for (const list of TASK_LISTS) flow[list] = (Array.isArray(raw[list]) ? raw[list] : []) as TaskDef[];
  return { flow, errors: [] };
}
