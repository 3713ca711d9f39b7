// One task or trigger on its own (YAML or JSON, the body of /flows/validate/task): validated
// by the same code as the tasks and triggers of a flow, errors placed at line:col.
import * as plugins from "../../plugins/index.ts";
import { flowError, formatPath, sortErrors, type FlowError, type Issue } from "./errors.ts";
import { validateTask, type TaskRegistry } from "./tasks.ts";
import { validateTriggers } from "./triggers.ts";
import { MAX_FLOW_BYTES, offsetOf, parseYaml } from "./yaml.ts";

export type TaskSection = "tasks" | "triggers";

export function validateTaskSource(source: string, file: string, section: TaskSection = "tasks", registry: TaskRegistry = plugins): FlowError[] {
  if (new TextEncoder().encode(source).length > MAX_FLOW_BYTES) return [flowError(file, 1, 1, "", `source over the ${MAX_FLOW_BYTES} bytes limit`)];
  let parsed;
  try {
    parsed = parseYaml(source);
  } catch (e) {
    return [flowError(file, 1, 1, "", `YAML could not be read: ${(e as Error).message}`)];
  }
  const [d, extra] = parsed.docs;
  const at = (offset: number) => parsed.lineCounter.linePos(offset);
  if (!d) return [flowError(file, 1, 1, "", `empty document: a ${section === "tasks" ? "task" : "trigger"} needs at least id and type`)];
  if (extra) {
    const p = at(extra.start);
    return [flowError(file, p.line, p.col, "", `expected one ${section === "tasks" ? "task" : "trigger"}, found ${parsed.docs.length} YAML documents`)];
  }
  if (d.problems.length) return sortErrors(d.problems.map((x) => flowError(file, at(x.offset).line, at(x.offset).col, "", x.message)));
  const issues: Issue[] = section === "tasks"
    ? validateTask(d.value, registry)
    // validateTriggers takes the flow's list: drop the list index from the paths.
    : validateTriggers([d.value]).issues.map((i) => ({ ...i, path: i.path.slice(1) }));
  return sortErrors(issues.map((i) => {
    const p = at(offsetOf(d.doc, i.path, i.atKey));
    return flowError(file, p.line, p.col, formatPath(i.path), i.message);
  }));
}
