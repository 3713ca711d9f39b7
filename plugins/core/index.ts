import type { TaskDefinition } from "../define.ts";
import allowFailure from "./allow-failure.ts";
import assert from "./assert.ts";
import dag from "./dag.ts";
import echo from "./echo.ts";
import exit from "./exit.ts";
import fail from "./fail.ts";
import forEachItem from "./for-each-item.ts";
import { items as forEachItemItems, merge as forEachItemMerge, split as forEachItemSplit } from "./for-each-item-steps.ts";
import { eachParallel, eachSequential, forEach } from "./for-each.ts";
import ifTask from "./if.ts";
import labels from "./labels.ts";
import localFiles from "./local-files.ts";
import log from "./log.ts";
import outputValues from "./output-values.ts";
import parallel from "./parallel.ts";
import { count, fetchLogs, purgeExecutions, purgeLogs } from "./records.ts";
import resume from "./resume.ts";
import returnTask from "./return.ts";
import sequential from "./sequential.ts";
import sleep from "./sleep.ts";
import { loopUntil, pause, subflow, workingDirectory } from "./special.ts";
import switchTask from "./switch.ts";
import { stateDelete, stateGet, stateSet } from "./state.ts";
import templatedTask from "./templated-task.ts";
import toggle from "./toggle.ts";
import { setVariables, unsetVariables } from "./variables.ts";

export const coreTasks: TaskDefinition[] = [
  log, returnTask, echo, sleep, fail, assert, exit, outputValues, labels, localFiles,
  sequential, parallel, ifTask, switchTask, allowFailure, dag, forEach, eachSequential, eachParallel,
  subflow, pause, loopUntil, workingDirectory, stateSet, stateGet, stateDelete, forEachItem, resume, toggle,
  purgeExecutions, purgeLogs, count, fetchLogs, setVariables, unsetVariables, templatedTask,
];

/** Types the engine runs but no flow writes (ForEachItem's steps): found by type, not listed. */
export const coreInternalTasks: TaskDefinition[] = [forEachItemSplit, forEachItemItems, forEachItemMerge];
