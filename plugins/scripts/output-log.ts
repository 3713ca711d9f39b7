// Caps how much of a script's output becomes log rows. A script printing 200 MB must not turn
// into millions of log rows: after the cap, lines are counted and dropped (protocol lines
// `::{…}::` are still honoured, they are handled before this).
import type { LogLevel, TaskContext } from "../define.ts";

export const DEFAULT_MAX_LOG_LINES = 10_000;
export const DEFAULT_MAX_LOG_BYTES = 5 * 1024 * 1024;

export function createOutputLogger(ctx: TaskContext) {
  const settings = ctx.runtime.settings ?? ctx.runtime.env;
  const maxLines = positive(settings.TERN_SCRIPT_LOG_MAX_LINES) ?? DEFAULT_MAX_LOG_LINES;
  const maxBytes = positive(settings.TERN_SCRIPT_LOG_MAX_BYTES) ?? DEFAULT_MAX_LOG_BYTES;
  let lines = 0;
  let bytes = 0;
  let dropped = 0;
  return {
    log(level: LogLevel, line: string) {
      if (lines >= maxLines || bytes + line.length > maxBytes) {
        if (dropped++ === 0) ctx.logger.warn(`script output exceeds the log limit (${maxLines} lines / ${maxBytes} bytes); further lines are not logged`);
        return;
      }
      lines++;
      bytes += line.length;
      ctx.logger.log(level, line);
    },
    finish() {
      if (dropped > 0) ctx.logger.warn(`${dropped} line(s) of script output were not logged`);
    },
    get dropped() {
      return dropped;
    },
  };
}

function positive(v: string | undefined): number | undefined {
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}
