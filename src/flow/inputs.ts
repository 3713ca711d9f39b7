// Flow input definitions (Kestra's Input subtypes): one strict schema per type, plus the
// checks a schema cannot express (SELECT needs values, validator must compile, defaults
// must match the type). Values are typed by input-values.ts.
import { z } from "zod";
import { dropNulls, isoDuration } from "./common.ts";
import { prefixIssues, type Issue } from "./errors.ts";
import { parseValue } from "./input-values.ts";
import { suggest } from "./suggest.ts";
import { isExpression, runSchema } from "./zod-tools.ts";

export const INPUT_ID = /^[a-zA-Z0-9][.a-zA-Z0-9_-]*$/;

const ITEM_TYPES = ["STRING", "INT", "FLOAT", "BOOLEAN", "BOOL", "DATETIME", "DATE", "TIME", "DURATION", "JSON", "YAML", "URI", "EMAIL", "FILE", "SECRET", "SELECT", "ENUM", "MULTISELECT"] as const;
const strings = () => z.array(z.union([z.string(), z.number(), z.boolean()]).transform(String));
const dateLike = { after: z.string().optional(), before: z.string().optional() };

/** The extra properties of each input type (Kestra models/flows/input/*.java). */
const EXTRAS = {
  STRING: { validator: z.string().optional() },
  SECRET: { validator: z.string().optional() },
  INT: { min: z.number().int().optional(), max: z.number().int().optional() },
  FLOAT: { min: z.number().optional(), max: z.number().optional() },
  BOOLEAN: {},
  BOOL: {},
  SELECT: { values: strings().optional(), expression: z.string().optional(), allowCustomValue: z.boolean().optional(), isRadio: z.boolean().optional(), autoSelectFirst: z.boolean().optional() },
  ENUM: { values: strings() },
  MULTISELECT: { values: strings().optional(), options: strings().optional(), expression: z.string().optional(), itemType: z.literal("STRING").optional(), allowCustomValue: z.boolean().optional(), autoSelectFirst: z.boolean().optional() },
  ARRAY: { itemType: z.enum(ITEM_TYPES) },
  JSON: {},
  YAML: {},
  DATE: dateLike,
  TIME: dateLike,
  DATETIME: dateLike,
  DURATION: { min: isoDuration().optional(), max: isoDuration().optional() },
  URI: {},
  EMAIL: {},
  FILE: { extension: z.string().optional() },
} as const;

export type InputType = keyof typeof EXTRAS;
export const INPUT_TYPES = Object.keys(EXTRAS) as InputType[];

const common = {
  id: z.string().regex(INPUT_ID, { message: `must match ${INPUT_ID.source}` }),
  type: z.string(),
  description: z.string().optional(),
  required: z.boolean().default(true),
  defaults: z.unknown().optional(),
  displayName: z.string().optional(),
  dependsOn: z.strictObject({ inputs: z.array(z.string()).optional(), condition: z.string().optional() }).optional(),
  prefill: z.unknown().optional(),
};

export const inputSchemas = Object.fromEntries(
  INPUT_TYPES.map((t) => [t, z.strictObject({ ...common, type: z.literal(t), ...EXTRAS[t] }).meta({ title: `${t} input` })]),
) as unknown as Record<InputType, z.ZodObject>;

/** A validated input definition (`name` already renamed to `id`, `required` defaulted). */
export interface InputDef {
  id: string;
  type: InputType;
  required: boolean;
  description?: string;
  defaults?: unknown;
  displayName?: string;
  dependsOn?: { inputs?: string[]; condition?: string };
  prefill?: unknown;
  validator?: string;
  min?: number | string;
  max?: number | string;
  after?: string;
  before?: string;
  values?: string[];
  options?: string[];
  expression?: string;
  allowCustomValue?: boolean;
  isRadio?: boolean;
  itemType?: InputType;
  extension?: string;
}

/** Validate a list of input definitions; issue paths are relative to the list. */
export function validateInputs(list: unknown[]): { inputs: InputDef[]; issues: Issue[] } {
  const inputs: InputDef[] = [];
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  list.forEach((raw, i) => {
    const r = validateInput(raw);
    issues.push(...prefixIssues([i], r.issues));
    if (!r.input) return;
    const before = seen.get(r.input.id);
    if (before !== undefined) issues.push({ path: [i, "id"], message: `duplicate input id "${r.input.id}" (also inputs[${before}])` });
    else seen.set(r.input.id, i);
    inputs.push(r.input);
  });
  list.forEach((raw, i) => {
    const deps = (raw as InputDef | null)?.dependsOn?.inputs;
    if (Array.isArray(deps)) deps.forEach((d, j) => {
      if (!seen.has(d)) issues.push({ path: [i, "dependsOn", "inputs", j], message: `unknown input "${d}"` });
    });
  });
  return { inputs, issues };
}

export function validateInput(raw: unknown): { input?: InputDef; issues: Issue[] } {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { issues: [{ path: [], message: "expected an input (a mapping with id and type)" }] };
  const obj = { ...(raw as Record<string, unknown>) };
  dropNulls(obj);
  // `name` is the deprecated spelling of `id`.
  if (obj.id === undefined && obj.name !== undefined) [obj.id, obj.name] = [obj.name, undefined];
  delete obj.name;
  const type = obj.type;
  if (typeof type !== "string") return { issues: [{ path: type === undefined ? [] : ["type"], message: type === undefined ? 'missing required property "type"' : "expected a string" }] };
  if (!(type in EXTRAS)) {
    const hint = suggest(type, INPUT_TYPES);
    return { issues: [{ path: ["type"], message: `unknown input type "${type}" (${hint ? `did you mean ${hint}?` : `expected one of ${INPUT_TYPES.join(", ")}`})` }] };
  }
  const { data, issues } = runSchema(inputSchemas[type as InputType], obj);
  if (!data) return { issues };
  const input = data as unknown as InputDef;
  return { input, issues: semanticChecks(input) };
}

function semanticChecks(input: InputDef): Issue[] {
  const issues: Issue[] = [];
  const add = (path: string, message: string) => issues.push({ path: [path], message });
  if ((input.type === "SELECT" || input.type === "ENUM") && !input.values?.length && !input.expression) add("values", `a ${input.type} input needs a non-empty \`values\` list${input.type === "SELECT" ? " (or an `expression`)" : ""}`);
  if (input.type === "MULTISELECT") {
    if (input.values && input.options) add("options", "you can't define both `values` and `options`");
    else if (!input.values?.length && !input.options?.length && !input.expression) add("values", "a MULTISELECT input needs a non-empty `values` list (or an `expression`)");
  }
  if (input.validator !== undefined) {
    try {
      new RegExp(input.validator);
    } catch {
      add("validator", `invalid regular expression \`${input.validator}\``);
    }
  }
  for (const key of ["after", "before"] as const) {
    const bound = input[key];
    if (bound !== undefined && !parseValue({ ...input, after: undefined, before: undefined }, bound).ok) add(key, `expected a ${input.type} value, got "${bound}"`);
  }
  if (typeof input.min === "number" && typeof input.max === "number" && input.min > input.max) add("min", `min (${input.min}) is greater than max (${input.max})`);
  if (input.defaults !== undefined && !isExpression(input.defaults) && !issues.length) {
    const r = parseValue(input, input.defaults);
    if (!r.ok) add("defaults", `invalid default: ${r.reason}`);
  }
  return issues;
}
