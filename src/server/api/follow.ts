// Server-Sent Events: an execution's updates and its log lines, live. The database is what
// is sent (events only wake the loop early, a poll covers executions walked by another
// instance); each stream ends with the settled execution and a final named `end` event.
import type { Context } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import type { Execution, LogEntry } from "../../engine/model.ts";
import { loadExecution, loadTaskRuns } from "../../store/executions.ts";
import { executionLogs, levelsFrom, type LogFilter } from "../../store/logs.ts";
import { executionJson, logJson, settled, type ApiDeps } from "./common.ts";

const POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;

/** A wait that an event (or the poll interval) ends; wakes while busy are not lost. */
function createWaker() {
  let resolve: (() => void) | undefined;
  let pending = false;
  return {
    wake() {
      pending = true;
      resolve?.();
    },
    async wait() {
      if (!pending) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((r) => {
          resolve = r;
          timer = setTimeout(r, POLL_MS);
        });
        clearTimeout(timer);
        resolve = undefined;
      }
      pending = false;
    },
  };
}

/** Run `body` inside an SSE response with event subscriptions, heartbeats and cleanup. */
function follow(c: Context, deps: ApiDeps, id: string, body: (stream: SSEStreamingApi, w: ReturnType<typeof createWaker>, isClosed: () => boolean) => Promise<void>, extra?: { log?: (l: LogEntry) => void }) {
  return streamSSE(c, async (stream) => {
    const { events } = deps.tern.service;
    const w = createWaker();
    let closed = false;
    const onExecution = (ex: Execution) => ex.id === id && w.wake();
    const onLog = (l: LogEntry) => {
      if (l.executionId !== id) return;
      extra?.log?.(l);
      w.wake();
    };
    events.on("execution", onExecution);
    events.on("taskRun", onExecution);
    events.on("end", onExecution);
    if (extra?.log) events.on("log", onLog);
    stream.onAbort(() => {
      closed = true;
      w.wake();
    });
    // A comment line keeps proxies (and idle timeouts) from closing a quiet stream.
    const heartbeat = setInterval(() => void stream.write(": keep-alive\n\n").catch(() => {}), HEARTBEAT_MS);
    try {
      await body(stream, w, () => closed);
    } finally {
      clearInterval(heartbeat);
      events.off("execution", onExecution);
      events.off("taskRun", onExecution);
      events.off("end", onExecution);
      events.off("log", onLog);
    }
  });
}

export function followExecution(c: Context, deps: ApiDeps, id: string) {
  const { db } = deps.tern;
  return follow(c, deps, id, async (stream, w, isClosed) => {
    let last = "";
    while (!isClosed()) {
      const ex = await loadExecution(db, id);
      if (!ex) {
        await stream.writeSSE({ event: "end", data: "DELETED" });
        return;
      }
      const runs = await loadTaskRuns(db, id);
      const done = settled(ex, runs);
      const json = JSON.stringify(executionJson(ex, runs));
      // Kestra marks the messages with ids: progress…, end.
      if (json !== last || done) await stream.writeSSE({ data: json, id: done ? "end" : "progress" });
      last = json;
      if (done) {
        await stream.writeSSE({ event: "end", data: ex.state });
        return;
      }
      await w.wait();
    }
  });
}

type Key = string;
const keyOf = (l: { taskRunId: string | null; timestamp: number; level: string; message: string }): Key =>
  `${l.taskRunId}\u0000${l.timestamp}\u0000${l.level}\u0000${l.message}`;

/** A multiset: a line sent from one source is skipped once when the other delivers it. */
function createMultiset() {
  const m = new Map<Key, number>();
  return {
    add: (k: Key) => void m.set(k, (m.get(k) ?? 0) + 1),
    take(k: Key): boolean {
      const n = m.get(k);
      if (!n) return false;
      if (n === 1) m.delete(k);
      else m.set(k, n - 1);
      return true;
    },
  };
}

/**
 * Existing lines, then live ones. Worker lines are emitted before they are stored (with the
 * task's completion) and executor lines after, so either source may deliver a line first:
 * whichever sends it records it, and the other skips it once.
 */
export function followLogs(c: Context, deps: ApiDeps, ex: Execution, filter: LogFilter) {
  const { db } = deps.tern;
  const live: LogEntry[] = [];
  const levels = filter.minLevel ? new Set(levelsFrom(filter.minLevel)) : undefined;
  const wanted = (l: LogEntry) =>
    (!levels || levels.has(l.level)) && (!filter.taskRunId || l.taskRunId === filter.taskRunId) && (!filter.taskId || l.taskId === filter.taskId);
  return follow(c, deps, ex.id, async (stream, w, isClosed) => {
    const sentFromDb = createMultiset();
    const sentLive = createMultiset();
    let lastId = 0;
    const send = (l: LogEntry) =>
      stream.writeSSE({ data: JSON.stringify(logJson({ ...l, namespace: ex.namespace, flowId: ex.flowId })) });
    const catchUp = async () => {
      for (const row of await executionLogs(db, ex.id, { ...filter, afterId: lastId })) {
        lastId = row.id;
        if (sentLive.take(keyOf(row))) continue;
        sentFromDb.add(keyOf(row));
        await send(row);
      }
    };
    while (!isClosed()) {
      // Read the state before the lines: once settled, every line is already stored.
      const current = await loadExecution(db, ex.id);
      const done = !current || settled(current, await loadTaskRuns(db, ex.id));
      await catchUp();
      for (const l of live.splice(0)) {
        if (!wanted(l) || sentFromDb.take(keyOf(l))) continue;
        sentLive.add(keyOf(l));
        await send(l);
      }
      if (done) {
        await stream.writeSSE({ event: "end", data: current?.state ?? "DELETED" });
        return;
      }
      await w.wait();
    }
  }, { log: (l) => live.push(l) });
}
