// Properties shared by every script task (Kestra's AbstractExecScript + the Process runner).
import { z } from "zod";

const stringMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** Docker-style `memory: {memory: "512MB"}` or a plain size such as "512MB", "1GiB", 268435456. */
const memory = z.union([z.string(), z.number(), z.looseObject({ memory: z.union([z.string(), z.number()]) })]);

export const taskRunnerSchema = z
  .looseObject({
    type: z.string().meta({ description: "io.kestra.plugin.core.runner.Process (Docker and other runners are not supported by Tern)" }),
    memory: memory.optional().meta({ description: "Memory cap (RLIMIT_DATA), e.g. 512MB" }),
    cpu: z.looseObject({ cpus: z.number().optional() }).optional().meta({ description: "Accepted for Docker compatibility; not enforced by the Process runner" }),
    cpuTime: z.string().optional().meta({ description: "Tern: CPU time cap (RLIMIT_CPU) as an ISO-8601 duration, e.g. PT60S" }),
  })
  .meta({ description: "Where the script runs. Tern runs scripts as local processes." });

export const commonScriptProps = {
  interpreter: z.array(z.string()).min(1).optional().meta({ description: 'Wrapper interpreter (default ["/bin/sh", "-c"])' }),
  beforeCommands: z.array(z.string()).optional().meta({ description: "Commands run before the main script or commands" }),
  env: stringMap.optional().meta({ description: "Environment variables of the process (the only ones besides PATH, HOME, LANG, WORKING_DIR, OUTPUT_DIR)" }),
  inputFiles: z
    .union([z.record(z.string(), z.string()), z.string()])
    .optional()
    .meta({ description: "Files written into the working directory: name -> inline content or kestra:/// URI (or a JSON string of that map)" }),
  outputFiles: z.array(z.string()).optional().meta({ description: "File names or globs uploaded to storage after the run (outputs.outputFiles)" }),
  namespaceFiles: z
    .looseObject({ enabled: z.boolean().optional(), include: z.array(z.string()).optional(), exclude: z.array(z.string()).optional() })
    .optional()
    .meta({ description: "Copy the namespace's files (those matching include, default all, and no exclude glob) into the working directory before the run; enabled unless `enabled: false`" }),
  warningOnStdErr: z.boolean().default(false).meta({ description: "If true, output on stderr ends the task in WARNING (Kestra 0.21 behaviour; newer Kestra ignores it)" }),
  failFast: z.boolean().default(true).meta({ description: "Stop at the first failing command (set -e)" }),
  taskRunner: taskRunnerSchema.optional(),
  containerImage: z.string().optional().meta({ description: "Image for the Docker runner; ignored (with a warning) when running as a process" }),
  targetOS: z.enum(["LINUX", "WINDOWS", "AUTO"]).optional().meta({ description: "Accepted; Tern runs on the host's OS" }),
  runner: z.enum(["PROCESS", "DOCKER"]).optional().meta({ description: "Deprecated (use taskRunner)" }),
  docker: z.looseObject({}).optional().meta({ description: "Deprecated Docker options (ignored with a warning)" }),
  dependencies: z.array(z.string()).optional().meta({ description: "Python packages (not installed by Tern: use beforeCommands)" }),
};

export const scriptProp = { script: z.string().meta({ description: "The inline script; may use {{ workingDir }} and {{ outputDir }}" }) };
export const commandsProp = {
  commands: z.union([z.array(z.string()).min(1), z.string()]).meta({ description: "Commands run by the interpreter, one after the other" }),
};

export type CommonScriptProps = z.infer<z.ZodObject<typeof commonScriptProps>>;

/** "512MB", "1GiB", "256m", 1048576 -> bytes. */
export function parseMemory(v: z.infer<typeof memory>): number {
  const raw = typeof v === "object" ? v.memory : v;
  if (typeof raw === "number") return raw;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)?\s*$/i.exec(raw);
  if (!m) throw new Error(`invalid memory size "${raw}" (e.g. 512MB, 1GiB)`);
  const pow = " kmgt".indexOf((m[2] || " ").toLowerCase());
  return Math.round(Number(m[1]) * 1024 ** pow);
}
