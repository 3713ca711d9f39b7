// Builds the Script and Commands task types of one language from the shared runner.
import { z } from "zod";
import { defineTask, type Example } from "../define.ts";
import { runScript, type Language } from "./runner.ts";
import { commandsProp, commonScriptProps, scriptProp } from "./schema.ts";

/** Rendered by the task itself, after {{ workingDir }} and {{ outputDir }} exist. */
const RAW = ["script", "commands", "beforeCommands"];

interface Info {
  type: string;
  aliases?: string[];
  description: string;
  examples: Example[];
}

export function defineScriptTask(lang: Language, info: Info) {
  return defineTask({
    ...info,
    raw: RAW,
    schema: z.object({ ...commonScriptProps, ...scriptProp }),
    run: (ctx, props) => runScript(ctx, props, { script: props.script }, lang),
  });
}

export function defineCommandsTask(lang: Language, info: Info) {
  return defineTask({
    ...info,
    raw: RAW,
    schema: z.object({ ...commonScriptProps, ...commandsProp }),
    run: (ctx, props) => runScript(ctx, props, { commands: props.commands }, lang),
  });
}

export const SHELL: Language = { name: "shell", program: "/bin/sh", extension: ".sh", args: (f) => [f] };
// Unbuffered, so print() lines reach the logs while the script runs, not all at its end.
export const PYTHON: Language = { name: "python", program: "python3", extension: ".py", args: (f) => [f], env: { PYTHONUNBUFFERED: "1" } };
export const NODE: Language = { name: "node", program: "node", extension: ".js", args: (f) => [f] };
export const BUN: Language = { name: "bun", program: "bun", extension: ".ts", args: (f) => ["run", f] };
