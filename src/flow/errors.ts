// Flow validation errors: where (file:line:col and the property path) and what.
// Every validator returns these instead of throwing, so a file's errors are reported at once.

export type Path = (string | number)[];

export interface FlowError {
  file: string;
  /** 1-based line and column of the offending key or value. */
  line: number;
  col: number;
  /** Property path such as `tasks[1].type`; empty for whole-document errors. */
  path: string;
  message: string;
  /** `flows/etl.yaml:12:7 tasks[1].type: unknown task type …` */
  format(): string;
}

/** An error before it is placed in the source: the path decides the position later. */
export interface Issue {
  path: Path;
  message: string;
  /** Point at the key of the last path segment instead of its value (unknown properties). */
  atKey?: boolean;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

export function formatPath(path: Path): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function flowError(file: string, line: number, col: number, path: string, message: string): FlowError {
  return {
    file,
    line,
    col,
    path,
    message,
    format() {
      return `${file}:${line}:${col} ${path ? `${path}: ` : ""}${message}`;
    },
  };
}

export function sortErrors(errors: FlowError[]): FlowError[] {
  return errors.sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path) || a.message.localeCompare(b.message));
}

/** A short, quoted rendering of a value for messages (`got string "5 seconds"`). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `"${value.length > 60 ? `${value.slice(0, 57)}...` : value}"`;
  return `${typeof value} ${String(value)}`;
}

export const prefixIssues = (prefix: Path, issues: Issue[]): Issue[] =>
  issues.map((i) => ({ ...i, path: [...prefix, ...i.path] }));
