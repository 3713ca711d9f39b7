// Script tasks run as local processes (Kestra's Process task runner).
import type { TaskDefinition } from "../define.ts";
import bunCommands from "./bun-commands.ts";
import bunScript from "./bun-script.ts";
import nodeCommands from "./node-commands.ts";
import nodeScript from "./node-script.ts";
import pythonCommands from "./python-commands.ts";
import pythonScript from "./python-script.ts";
import shellCommands from "./shell-commands.ts";
import shellScript from "./shell-script.ts";

export const scriptTasks: TaskDefinition[] = [shellScript, shellCommands, pythonScript, pythonCommands, nodeScript, nodeCommands, bunScript, bunCommands];
