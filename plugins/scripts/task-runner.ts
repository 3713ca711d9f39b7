// Which runner a script asks for. Tern runs scripts as local processes; a Docker runner is
// refused with a clear message rather than silently run on the host. Without any taskRunner
// Kestra 0.21 would use Docker: Tern runs a process and says that containerImage is ignored.
import { durationMs, NonRetriableError, type SpawnOptions, type TaskContext } from "../define.ts";
import { parseMemory, type CommonScriptProps } from "./schema.ts";

export const PROCESS_RUNNER = "io.kestra.plugin.core.runner.Process";
const DOCKER_RUNNERS = new Set(["io.kestra.plugin.scripts.runner.docker.Docker", "io.kestra.plugin.core.runner.Docker"]);
export const DOCKER_UNSUPPORTED = `Docker task runner is not supported by Tern; use taskRunner: {type: ${PROCESS_RUNNER}}`;

export function checkRunner(ctx: TaskContext, props: CommonScriptProps): SpawnOptions["limits"] {
  const runner = props.taskRunner;
  if (runner) {
    if (DOCKER_RUNNERS.has(runner.type)) throw new NonRetriableError(DOCKER_UNSUPPORTED);
    if (runner.type !== PROCESS_RUNNER) throw new NonRetriableError(`task runner "${runner.type}" is not supported by Tern; use taskRunner: {type: ${PROCESS_RUNNER}}`);
  } else if (props.runner === "DOCKER") {
    throw new NonRetriableError(DOCKER_UNSUPPORTED);
  } else if ((props.containerImage || props.docker) && props.runner !== "PROCESS") {
    ctx.logger.warn(`containerImage ignored: Tern runs scripts as local processes (taskRunner ${PROCESS_RUNNER})`);
  }
  if (!runner) return undefined;
  if (runner.cpu?.cpus !== undefined) ctx.logger.warn("taskRunner.cpu.cpus is not enforced by the Process runner; use taskRunner.cpuTime to cap CPU time");
  const limits: NonNullable<SpawnOptions["limits"]> = {};
  if (runner.memory !== undefined) limits.memoryBytes = parseMemory(runner.memory);
  if (runner.cpuTime) limits.cpuSeconds = durationMs(runner.cpuTime) / 1000;
  return Object.keys(limits).length ? limits : undefined;
}
