// Tasks on other executions' records: retention (PurgeExecutions, PurgeLogs), monitoring
// (Count) and log.Fetch. They reach the flow's namespace and those below it; a flow in the
// `system` namespace reaches all (ctx.records enforces it).
import { z } from "zod";
import { defineTask, NonRetriableError, type ExecutionRecords, type LogLevel, type TaskContext } from "../define.ts";
import { STATES, TERMINAL_STATES } from "../../src/engine/states.ts";
import { parseZoned } from "../../src/scheduler/zoned.ts";

const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"] as const;

function records(ctx: TaskContext): ExecutionRecords {
  if (!ctx.records) throw new NonRetriableError("executions' records are not available in this context");
  return ctx.records;
}

/** A rendered date property in ms: ISO 8601 as Kestra's conditions read it (no offset = UTC). */
function dateOf(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  try {
    return parseZoned(text).epochMs;
  } catch {
    throw new NonRetriableError(`${name}: "${text}" is not a date (expected ISO 8601, e.g. {{ now() | dateAdd(-1, 'MONTHS') }})`);
  }
}

const flowRequiresNamespace = (p: { namespace?: string; flowId?: string }) => p.flowId === undefined || p.namespace !== undefined;
const NEEDS_NAMESPACE = { message: "`flowId` needs `namespace`", path: ["namespace"] };

export const purgeExecutions = defineTask({
  type: "io.kestra.plugin.core.execution.PurgeExecutions",
  aliases: ["io.kestra.core.tasks.storages.Purge", "io.kestra.plugin.core.storage.Purge"],
  description:
    "Purge finished executions created before `endDate` (and after `startDate`) with their logs, metrics and files; " +
    "all flows of a namespace (a prefix) or one flow. Unfinished executions are never purged. A flow purges its own " +
    "namespace and those below it; a flow in the `system` namespace may purge every namespace.",
  schema: z.object({
    namespace: z.string().optional(),
    flowId: z.string().optional(),
    startDate: z.string().optional(),
    endDate: z.string(),
    states: z.array(z.enum(STATES)).optional(),
    purgeExecution: z.boolean().default(true),
    purgeLog: z.boolean().default(true),
    purgeMetric: z.boolean().default(true),
    purgeStorage: z.boolean().default(true),
    batchSize: z.number().int().positive().default(100),
  }).refine(flowRequiresNamespace, NEEDS_NAMESPACE),
  examples: [{
    title: "Keep one month of history (a flow in the system namespace, run daily)",
    code: "id: purge\ntype: io.kestra.plugin.core.execution.PurgeExecutions\nendDate: \"{{ now() | dateAdd(-1, 'MONTHS') }}\"\nstates: [KILLED, FAILED, WARNING, SUCCESS]",
  }],
  async run(ctx, p) {
    const skipped = (p.states ?? []).filter((s) => !(TERMINAL_STATES as readonly string[]).includes(s));
    if (skipped.length) ctx.logger.warn(`unfinished executions are never purged: ${skipped.join(", ")} ignored`);
    const counts = await records(ctx).purge({
      namespace: p.namespace, flowId: p.flowId, startDate: dateOf("startDate", p.startDate), endDate: dateOf("endDate", p.endDate)!,
      states: p.states?.filter((s) => !skipped.includes(s)),
      purgeExecution: p.purgeExecution, purgeLog: p.purgeLog, purgeMetric: p.purgeMetric, purgeStorage: p.purgeStorage, batchSize: p.batchSize,
    });
    ctx.logger.info(
      `Purged ${counts.executionsCount} execution(s), ${counts.logsCount} log line(s), ${counts.metricsCount} metric(s), ${counts.storagesCount} file(s)`,
    );
    return counts;
  },
});

export const purgeLogs = defineTask({
  type: "io.kestra.plugin.core.log.PurgeLogs",
  description:
    "Delete log lines written before `endDate` (and after `startDate`), in bulk: of a namespace (a prefix), a flow or an " +
    "execution, of some levels only with `logLevels`. Same namespace reach as PurgeExecutions.",
  schema: z.object({
    namespace: z.string().optional(),
    flowId: z.string().optional(),
    executionId: z.string().optional(),
    logLevels: z.array(z.enum([...LEVELS, "WARNING"])).optional(),
    startDate: z.string().optional(),
    endDate: z.string(),
  }).refine(flowRequiresNamespace, NEEDS_NAMESPACE),
  examples: [{ title: "Drop debug lines older than a week", code: "id: purge_logs\ntype: io.kestra.plugin.core.log.PurgeLogs\nendDate: \"{{ now() | dateAdd(-7, 'DAYS') }}\"\nlogLevels: [TRACE, DEBUG]" }],
  async run(ctx, p) {
    const levels = p.logLevels?.flatMap((l) => (l === "WARN" || l === "WARNING" ? ["WARN", "WARNING"] : [l]));
    const count = await records(ctx).purgeLogs({
      namespace: p.namespace, flowId: p.flowId, executionId: p.executionId, levels,
      startDate: dateOf("startDate", p.startDate), endDate: dateOf("endDate", p.endDate)!,
    });
    ctx.logger.info(`Purged ${count} log line(s)`);
    return { count };
  },
});

export const count = defineTask({
  type: "io.kestra.plugin.core.execution.Count",
  aliases: ["io.kestra.core.tasks.executions.Counts", "io.kestra.plugin.core.execution.Counts"],
  description:
    "Count executions per flow created since `startDate` (until `endDate`), of the named `flows` (each listed, 0 " +
    "included) or of `namespaces`, keeping the lines for which `expression` (with `count`) is true: e.g. alert when a " +
    "flow has not run for a day.",
  schema: z.object({
    flows: z.array(z.object({ namespace: z.string(), flowId: z.string() })).optional(),
    namespaces: z.array(z.string()).optional(),
    states: z.array(z.enum(STATES)).optional(),
    startDate: z.string(),
    endDate: z.string().optional(),
    expression: z.string(),
  }),
  raw: ["expression"],
  examples: [{
    title: "Flows of this namespace with no execution in the last 24 hours",
    code: "id: counts\ntype: io.kestra.plugin.core.execution.Count\nexpression: \"{{ count == 0 }}\"\nflows:\n  - namespace: company.team\n    flowId: daily_report\nstartDate: \"{{ now() | dateAdd(-1, 'DAYS') }}\"",
  }],
  async run(ctx, p) {
    const lines = await records(ctx).count({
      flows: p.flows, namespaces: p.namespaces, states: p.states,
      startDate: dateOf("startDate", p.startDate), endDate: dateOf("endDate", p.endDate),
    });
    const results = [];
    for (const line of lines) if ((await ctx.render(p.expression, { count: line.count })).trim() === "true") results.push(line);
    ctx.metric("found", "counter", results.length);
    return { results, total: results.length };
  },
});

export const fetchLogs = defineTask({
  type: "io.kestra.plugin.core.log.Fetch",
  aliases: ["io.kestra.core.tasks.log.Fetch"],
  description:
    "Write an execution's log lines (this one by default) at `level` and above, of some tasks with `tasksId`, to a " +
    "file of JSON lines; outputs its `uri` and `size` (lines).",
  schema: z.object({
    namespace: z.string().optional(),
    flowId: z.string().optional(),
    executionId: z.string().optional(),
    tasksId: z.array(z.string()).optional(),
    level: z.enum(LEVELS).default("INFO"),
  }),
  examples: [{ title: "The errors of the execution that triggered this flow", code: "id: fetch\ntype: io.kestra.plugin.core.log.Fetch\nexecutionId: \"{{ trigger.executionId }}\"\nlevel: ERROR" }],
  async run(ctx, p) {
    const lines = await records(ctx).logs(p.executionId ?? ctx.execution.id, p.level as LogLevel, p.tasksId);
    const body = lines
      .map((l) => JSON.stringify({ taskId: l.taskId, taskRunId: l.taskRunId, attemptNumber: l.attempt, level: l.level, message: l.message, timestamp: new Date(l.timestamp).toISOString() }) + "\n")
      .join("");
    return { uri: await ctx.storage.put("logs.jsonl", body), size: lines.length };
  },
});
