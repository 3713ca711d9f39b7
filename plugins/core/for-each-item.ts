// io.kestra.plugin.core.flow.ForEachItem: split an internal-storage file into batches and start
// one subflow execution per batch. As in Kestra, the task runs three internal tasks one after
// another: `<id>_split` (worker: writes the batch files), `<id>_items` (executor: one child
// execution per batch, src/engine/for-each-item.ts) and `<id>_merge` (worker: gathers the
// children's flow outputs into one file).
import { z } from "zod";
import { childrenUnder, defineFlowable, taskList, type TaskDef } from "../define.ts";

export const SPLIT_TYPE = "io.kestra.plugin.core.flow.ForEachItem$ForEachItemSplit";
export const ITEMS_TYPE = "io.kestra.plugin.core.flow.ForEachItem$ForEachItemExecutable";
export const MERGE_TYPE = "io.kestra.plugin.core.flow.ForEachItem$ForEachItemMergeOutputs";

const intOrExpr = () => z.union([z.number().int(), z.string()]);

export const batchSchema = z.object({
  rows: intOrExpr().optional().meta({ description: "Rows (lines) per batch (default 1)" }),
  partitions: intOrExpr().optional().meta({ description: "Split into this many batches, rows dealt round-robin" }),
  bytes: z.string().optional().meta({ description: "Batch size in bytes, e.g. 10KB or 1MB" }),
  separator: z.string().optional().meta({ description: "Written after each row (default a newline)" }),
  regexPattern: z.string().optional().meta({ description: "One batch per value of the pattern's first group" }),
});

/** Kestra's ExecutableTask.RestartBehavior (also on Subflow): what a restart of the parent does with failed children. */
export const restartBehavior = () =>
  z.enum(["RETRY_FAILED", "NEW_EXECUTION"]).optional().meta({
    description: "On restart of this execution: RETRY_FAILED (default) restarts the failed child executions and leaves those that succeeded; NEW_EXECUTION starts new ones",
  });

const labelsSchema = z.union([z.record(z.string(), z.unknown()), z.array(z.object({ key: z.string(), value: z.unknown() }))]);

export default defineFlowable({
  type: "io.kestra.plugin.core.flow.ForEachItem",
  aliases: ["io.kestra.core.tasks.flows.ForEachItem"],
  description:
    "Split a file of internal storage into batches of lines and start one subflow execution per batch. " +
    "In `inputs`, `{{ taskrun.items }}` is the URI of the batch file and `{{ taskrun.iteration }}` its index (from 0).",
  schema: z.object({
    items: z.string().meta({ description: "kestra:// URI of the file to split, e.g. {{ inputs.file }}" }),
    batch: batchSchema.optional(),
    namespace: z.string(),
    flowId: z.string(),
    revision: intOrExpr().optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
    labels: labelsSchema.optional(),
    wait: z.boolean().default(true),
    transmitFailed: z.boolean().default(true),
    inheritLabels: z.boolean().default(false),
    scheduleDate: z.string().optional(),
    restartBehavior: restartBehavior(),
    errors: taskList().optional(),
    finally: taskList().optional(),
  }),
  children: (task) => childrenUnder(task, ["errors", "finally"]),
  internal: internalTasks,
  async plan(_ctx, task) {
    return { branches: [{ tasks: internalTasks(task) }], concurrency: 1 };
  },
  examples: [{
    title: "One subflow execution per 10 lines of an uploaded file",
    code: [
      "id: each",
      "type: io.kestra.plugin.core.flow.ForEachItem",
      'items: "{{ inputs.file }}"',
      "batch:",
      "  rows: 10",
      "namespace: company.team",
      "flowId: process_batch",
      "inputs:",
      '  data: "{{ taskrun.items }}"',
    ].join("\n"),
  }],
});

/** The three steps, derived from the task as written (Kestra's ForEachItem.getTasks()). */
export function internalTasks(task: TaskDef): TaskDef[] {
  const { id } = task;
  const pick = (keys: string[]) => Object.fromEntries(keys.filter((k) => task[k] !== undefined).map((k) => [k, task[k]]));
  return [
    { id: `${id}_split`, type: SPLIT_TYPE, items: task.items, batch: task.batch ?? {} },
    {
      id: `${id}_items`, type: ITEMS_TYPE, splitTaskId: `${id}_split`,
      ...pick(["namespace", "flowId", "revision", "inputs", "labels", "wait", "transmitFailed", "inheritLabels", "scheduleDate", "restartBehavior", "allowFailure", "allowWarning"]),
    },
    { id: `${id}_merge`, type: MERGE_TYPE, itemsTaskId: `${id}_items` },
  ];
}
