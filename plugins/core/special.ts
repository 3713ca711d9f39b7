// Flowables whose behaviour the executor implements itself (src/engine/special.ts):
// Subflow, Pause, LoopUntil/WaitFor and WorkingDirectory. Here: their schemas and docs.
import { z } from "zod";
import { defineFlowable, duration, taskList } from "../define.ts";
import { restartBehavior } from "./for-each-item.ts";

const noPlan = async () => ({ branches: [], concurrency: 0 });

export const subflow = defineFlowable({
  type: "io.kestra.plugin.core.flow.Subflow",
  aliases: ["io.kestra.core.tasks.flows.Subflow", "io.kestra.core.tasks.flows.Flow", "io.kestra.plugin.core.flow.Flow"],
  description: "Start an execution of another flow; with `wait` (default) this task ends with the child's state.",
  schema: z.object({
    namespace: z.string(),
    flowId: z.string(),
    revision: z.union([z.number().int(), z.string()]).optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
    labels: z.union([z.record(z.string(), z.unknown()), z.array(z.object({ key: z.string(), value: z.unknown() }))]).optional(),
    wait: z.boolean().default(true),
    transmitFailed: z.boolean().default(true),
    inheritLabels: z.boolean().default(false),
    outputs: z.record(z.string(), z.unknown()).optional().meta({ description: "Deprecated: rendered in the child execution's context" }),
    scheduleDate: z.string().optional(),
    restartBehavior: restartBehavior(),
  }),
  children: () => [],
  plan: noPlan,
  special: "subflow",
  examples: [{ title: "Call a flow", code: "id: child\ntype: io.kestra.plugin.core.flow.Subflow\nnamespace: company.team\nflowId: etl\ninputs:\n  day: \"{{ trigger.date }}\"" }],
});

export const pause = defineFlowable({
  type: "io.kestra.plugin.core.flow.Pause",
  aliases: ["io.kestra.core.tasks.flows.Pause", "pause"],
  description: "Pause the execution until resumed (API or dashboard), until `delay` passes, or fail after `timeout`.",
  schema: z.object({
    delay: duration().optional(),
    timeout: duration().optional(),
    onResume: z.array(z.looseObject({ id: z.string(), type: z.string() })).optional(),
    behavior: z.enum(["RESUME", "WARN", "FAIL", "CANCEL"]).optional(),
    tasks: taskList().optional(),
    errors: taskList().optional(),
    finally: taskList().optional(),
  }),
  plan: noPlan,
  special: "pause",
});

export const loopUntil = defineFlowable({
  type: "io.kestra.plugin.core.flow.LoopUntil",
  aliases: ["io.kestra.plugin.core.flow.WaitFor"],
  description: "Run the tasks again and again until `condition` is truthy (checked after each iteration).",
  schema: z.object({
    condition: z.string(),
    tasks: taskList(),
    failOnMaxReached: z.boolean().default(false),
    checkFrequency: z
      .object({ maxIterations: z.number().int().optional(), maxDuration: duration().optional(), interval: duration().optional() })
      .optional(),
    errors: taskList().optional(),
    finally: taskList().optional(),
  }),
  plan: noPlan,
  special: "loop",
});

export const workingDirectory = defineFlowable({
  type: "io.kestra.plugin.core.flow.WorkingDirectory",
  aliases: ["io.kestra.core.tasks.flows.WorkingDirectory", "io.kestra.core.tasks.flows.Worker"],
  description: "Run tasks sequentially in one shared local folder (files written by one are seen by the next).",
  schema: z.object({
    tasks: taskList(),
    inputFiles: z.union([z.record(z.string(), z.string()), z.string()]).optional(),
    outputFiles: z.array(z.string()).optional(),
    namespaceFiles: z
      .looseObject({ enabled: z.boolean().optional(), include: z.array(z.string()).optional(), exclude: z.array(z.string()).optional() })
      .optional()
      .meta({ description: "Copy the namespace's files (those matching include, default all, and no exclude glob) into the folder before the tasks run; enabled unless `enabled: false`. inputFiles of the same name replace them" }),
    cache: z.looseObject({}).optional(),
    errors: taskList().optional(),
    finally: taskList().optional(),
  }),
  plan: noPlan,
  special: "workingDirectory",
  examples: [{
    title: "Run a script kept in the namespace's files",
    code: "id: wdir\ntype: io.kestra.plugin.core.flow.WorkingDirectory\nnamespaceFiles:\n  enabled: true\n  include: [\"scripts/**\"]\ntasks:\n  - id: run\n    type: io.kestra.plugin.scripts.shell.Commands\n    commands:\n      - sh scripts/etl.sh",
  }],
});
