// The flow language: YAML -> validated Flow with every error placed at file:line:col,
// execution input typing, and the JSON Schema of a flow.
export { parseFlow, parseFlows, type Flow, type ParseOptions, type ParseResult } from "./parse.ts";
export { validateFiles } from "./files.ts";
export { flowJsonSchema } from "./json-schema.ts";
export { resolveInputs, resolveRenderedInputs, type InputError, type RenderDefault, type ResolveOptions } from "./resolve-inputs.ts";
export { INPUT_TYPES, validateInputs, type InputDef, type InputType } from "./inputs.ts";
export type { FlowError } from "./errors.ts";
export type { TriggerDef } from "./triggers.ts";
export type { TaskRegistry } from "./tasks.ts";
export type { Label, Retry } from "./common.ts";
export { isoDurationMs } from "./common.ts";
export type { TaskDef } from "../../plugins/define.ts";
