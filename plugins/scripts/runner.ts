// Runs one script task as a local process (Kestra's Process task runner): prepare the working
// directory, render the commands with {{ workingDir }}/{{ outputDir }}, spawn, turn output into
// logs/outputs/metrics, upload output files, and clean up.
import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { TaskStateError, type TaskContext } from "../define.ts";
import { createOutputLogger } from "./output-log.ts";
import { handleProtocolLine } from "./protocol.ts";
import { checkRunner } from "./task-runner.ts";
import type { CommonScriptProps } from "./schema.ts";
import { collectOutputFiles, copyNamespaceFiles, localiseUris, writeInputFiles } from "./workdir.ts";

/** How one language runs an inline script file. */
export interface Language {
  name: string;
  /** Program looked up once and cached by the runtime (python3 resolves past pyenv shims). */
  program: string;
  extension: string;
  /** Arguments after the program to run the script file. */
  args(file: string): string[];
  env?: Record<string, string>;
}

export type ScriptBody = { script: string } | { commands: string[] | string };

const DEFAULT_INTERPRETER = ["/bin/sh", "-c"];

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export async function runScript(ctx: TaskContext, props: CommonScriptProps, body: ScriptBody, lang: Language): Promise<Record<string, unknown>> {
  const limits = checkRunner(ctx, props);
  if (props.dependencies?.length) ctx.logger.warn(`dependencies are not installed by Tern; add e.g. "pip install ${props.dependencies.join(" ")}" to beforeCommands`);

  const owned = !ctx.workingDir;
  const workDir = ctx.workingDir ?? (await ctx.runtime.tmpDir());
  // A fresh folder per run, so tasks sharing a WorkingDirectory do not pick up each other's outputs.
  const outputDir = join(workDir, randomUUID().replace(/-/g, "").slice(0, 22));
  const previous = { workingDir: ctx.vars.workingDir, outputDir: ctx.vars.outputDir };
  // Independent writes go together: each file-system call is a round trip to the thread pool.
  // Awaited below (its error is the task's); the no-op catch only keeps an early render error
  // from leaving it unhandled, and cleanup waits for it so as not to race it.
  // Namespace files first: an input file of the same name replaces one (as in Kestra).
  const nsFiles = props.namespaceFiles && props.namespaceFiles.enabled !== false ? props.namespaceFiles : undefined;
  const files = nsFiles ? copyNamespaceFiles(ctx, workDir, nsFiles).then(() => writeInputFiles(ctx, workDir, props.inputFiles)) : writeInputFiles(ctx, workDir, props.inputFiles);
  const made = Promise.all([mkdir(outputDir, { recursive: true }), files]);
  made.catch(() => {});
  try {
    ctx.vars.workingDir = workDir;
    ctx.vars.outputDir = outputDir;

    const seen = new Map<string, string>();
    const prepare = async (t: string) => localiseUris(ctx, await ctx.render(t), workDir, seen);
    const before: string[] = [];
    for (const c of props.beforeCommands ?? []) before.push(await prepare(c));

    let main: string[];
    let direct: string[] | undefined;
    if ("script" in body) {
      const file = join(workDir, `script-${randomUUID().slice(0, 8)}${lang.extension}`);
      await Promise.all([made, writeFile(file, await prepare(body.script))]);
      const run = [lang.program, ...lang.args(file)];
      main = [run.map(shellQuote).join(" ")];
      // Nothing to wrap: exec the interpreter directly and save a shell's start-up.
      if (before.length === 0 && !props.interpreter) direct = run;
    } else {
      const list = Array.isArray(body.commands) ? body.commands : [body.commands];
      main = [];
      for (const c of list) main.push(await prepare(c));
      await made;
    }
    const interpreter = props.interpreter ?? DEFAULT_INTERPRETER;
    const lines = [...(props.failFast ? ["set -e"] : []), ...before, ...main];
    const cmd = direct ?? [...interpreter, lines.join("\n")];

    const vars: Record<string, unknown> = {};
    const out = createOutputLogger(ctx);
    let stderrLines = 0;
    const res = await ctx.runtime.spawn({
      cmd,
      cwd: workDir,
      env: scriptEnv(ctx, props, lang, workDir, outputDir),
      signal: ctx.signal,
      limits,
      onStdout: (line) => {
        if (!handleProtocolLine(line, ctx, vars)) out.log("INFO", line);
      },
      onStderr: (line) => {
        stderrLines++;
        if (!handleProtocolLine(line, ctx, vars)) out.log("ERROR", line);
      },
    });
    out.finish();
    if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error("Script was killed");
    if (res.exitCode !== 0) {
      const how = res.signal ? ` (signal ${res.signal})` : "";
      throw new Error(`Command failed with exit code ${res.exitCode}${how}`);
    }
    const outputFiles = await collectOutputFiles(ctx, workDir, props.outputFiles ?? [], outputDir);
    const outputs = { vars, exitCode: res.exitCode, outputFiles };
    if (props.warningOnStdErr && stderrLines > 0) {
      // The engine ends the task WARNING and keeps these outputs.
      throw Object.assign(new TaskStateError("WARNING", `the script wrote ${stderrLines} line(s) to stderr (warningOnStdErr)`), { outputs });
    }
    return outputs;
  } finally {
    await made.catch(() => {});
    ctx.vars.workingDir = previous.workingDir;
    ctx.vars.outputDir = previous.outputDir;
    if (owned) await ctx.runtime.removeDir(workDir);
    else await rm(outputDir, { recursive: true, force: true });
  }
}

/**
 * Only what the flow declared plus the basics: never Tern's own environment (TERN_*, SECRET_*,
 * database URLs), which a script could otherwise print into the logs.
 */
function scriptEnv(ctx: TaskContext, props: CommonScriptProps, lang: Language, workDir: string, outputDir: string): Record<string, string> {
  const host = ctx.runtime.env;
  const env: Record<string, string> = {
    PATH: host.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: host.HOME ?? workDir,
    LANG: host.LANG ?? "C.UTF-8",
    ...lang.env,
  };
  for (const [k, v] of Object.entries(props.env ?? {})) env[k] = String(v);
  env.WORKING_DIR = workDir;
  env.OUTPUT_DIR = outputDir;
  return env;
}
