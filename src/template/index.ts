// Flow expressions: Kestra (Pebble) syntax rendered on top of liquidjs.
// Public surface used by the engine; the implementation lives in the files beside this one.
export interface TemplateServices {
  /** secret('NAME'): the decoded secret value. */
  secret?(name: string): Promise<string>;
  /** kv('key', namespace?, errorOnMissing?) */
  kv?(key: string, namespace?: string, errorOnMissing?: boolean): Promise<unknown>;
  /** read(uri): the text of an internal-storage file (kestra:///…) or namespace file. */
  read?(uri: string): Promise<string>;
  /** fileSize / fileExists for internal storage URIs. */
  fileSize?(uri: string): Promise<number>;
  fileExists?(uri: string): Promise<boolean>;
  /** errorLogs(): the ERROR logs of the execution so far. */
  errorLogs?(): Promise<{ taskId: string; message: string; timestamp: string }[]>;
  /** The clock (never Date.now() inside template/). */
  now(): Date;
}

export { TemplateError } from "./errors";

export interface TemplateEngine {
  /** Render a template to a string with Kestra's rules (strict variables, no recursion). */
  render(template: string, vars: Record<string, unknown>, services: TemplateServices): Promise<string>;
  /** Evaluate one expression (no braces) and return its typed value. */
  evaluate(expression: string, vars: Record<string, unknown>, services: TemplateServices): Promise<unknown>;
}

export { checkTemplate, createTemplateEngine } from "./engine";
