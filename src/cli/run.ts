// `tern run`: validate a flow, run one execution to its end with live progress on stderr,
// and print the final execution (Kestra's Execution JSON with --json).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import type { Execution, LogEntry, TaskRun } from "../engine/model.ts";
import { executionToApi } from "../engine/serialize.ts";
import { isTerminal } from "../engine/states.ts";
import { FlowInvalidError } from "../executor/flow-source.ts";
import { newExecutionId } from "../executor/service.ts";
import { executionPrefix } from "../files/index.ts";
import { createTern } from "../main.ts";
import { loadTaskRuns } from "../store/executions.ts";
import { configFrom } from "../cli.ts";

export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      flows: { type: "string" }, data: { type: "string" }, input: { type: "string", multiple: true },
      label: { type: "string", multiple: true }, json: { type: "boolean" }, quiet: { type: "boolean" },
    },
  });
  const file = positionals[0];
  if (!file) {
    console.error("tern run: a flow file is required");
    return 2;
  }
  const tern = await createTern(configFrom(values));
  const err = (s: string) => process.stderr.write(s + "\n");
  try {
    if (values.flows) await loadFlowsDir(tern, values.flows, err);
    let model;
    try {
      model = (await tern.flows.save(readFileSync(file, "utf8"), file)).model;
    } catch (e) {
      if (e instanceof FlowInvalidError) {
        for (const m of e.messages) err(m);
        return 2;
      }
      throw e;
    }
    const id = newExecutionId();
    const provided: Record<string, unknown> = {};
    for (const kv of values.input ?? []) {
      const eq = kv.indexOf("=");
      if (eq < 1) {
        err(`tern run: --input expects key=value, got "${kv}"`);
        return 2;
      }
      const key = kv.slice(0, eq);
      const val = kv.slice(eq + 1);
      provided[key] = val.startsWith("@") ? await uploadInput(tern, model, id, key, val.slice(1)) : val;
    }
    const resolved = await tern.service.resolveInputs(model, provided);
    if (resolved.errors.length) {
      for (const e of resolved.errors) err(e.message);
      return 2;
    }
    const labels = (values.label ?? []).map((l) => {
      const [key, ...v] = l.split("=");
      return { key: key!, value: v.join("=") };
    });
    const service = tern.service;
    if (!values.quiet) attachProgress(service.events, err);
    service.start(200);
    const created = await service.create({ flow: model, inputs: resolved.values, labels, id });
    const ex = await waitForEndOrPause(service, created.id);
    const runs = await loadTaskRuns(tern.db, ex.id);
    if (values.json) console.log(JSON.stringify(executionToApi(ex, runs), null, 2));
    else err(`execution ${ex.id} ${ex.state}`);
    return ex.state === "SUCCESS" || ex.state === "WARNING" ? 0 : 1;
  } finally {
    await tern.close();
  }
}

/** Load every flow of a directory (subflows, flow triggers); invalid ones are reported, not fatal. */
async function loadFlowsDir(tern: Awaited<ReturnType<typeof createTern>>, dir: string, err: (s: string) => void) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) await loadFlowsDir(tern, path, err);
    else if (/\.ya?ml$/.test(name)) {
      try {
        await tern.flows.save(readFileSync(path, "utf8"), path);
      } catch (e) {
        err(`warning: ${path} not loaded: ${(e as Error).message}`);
      }
    }
  }
}

async function uploadInput(tern: Awaited<ReturnType<typeof createTern>>, flow: { namespace: string; id: string }, executionId: string, inputId: string, path: string) {
  const prefix = executionPrefix({ namespace: flow.namespace, flowId: flow.id, executionId });
  const target = `${prefix}/inputs/${inputId}/${basename(path)}`;
  await tern.storage.put(target, readFileSync(path));
  return `kestra:///${target}`;
}

/** A Pause without a delay waits for a resume that a single CLI run never gets: stop there. */
function waitForEndOrPause(service: Awaited<ReturnType<typeof createTern>>["service"], id: string): Promise<Execution> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onExec = (ex: Execution) => {
      if (ex.id !== id) return;
      if (timer) clearTimeout(timer);
      if (ex.state === "PAUSED" && ex.wakeAt === null) timer = setTimeout(() => resolve(ex), 300);
    };
    service.events.on("execution", onExec);
    service.waitFor(id).then((ex) => {
      service.events.off("execution", onExec);
      if (timer) clearTimeout(timer);
      resolve(ex);
    });
  });
}

function attachProgress(events: NodeJS.EventEmitter, err: (s: string) => void) {
  const t0 = Date.now();
  const stamp = () => `${((Date.now() - t0) / 1000).toFixed(2).padStart(7)}s`;
  const shown = new Map<string, string>();
  events.on("taskRun", (_ex: Execution, r: TaskRun) => {
    // One line per state change (a run is reported by the executor and by its worker).
    if (shown.get(r.id) === r.state) return;
    shown.set(r.id, r.state);
    const dur = isTerminal(r.state) && r.startDate && r.endDate ? ` (${r.endDate - r.startDate} ms)` : "";
    err(`${stamp()} ${r.taskId}${r.value !== null ? `[${r.value}]` : ""} ${r.state}${dur}`);
  });
  events.on("log", (l: LogEntry) => err(`${stamp()}   ${l.level.padEnd(5)} ${l.taskId ?? "-"}: ${l.message}`));
  events.on("execution", (ex: Execution) => err(`${stamp()} execution ${ex.id} ${ex.state}`));
}
