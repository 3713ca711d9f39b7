// The checkpointer thread (see checkpointer.ts): its own connection to the database file copies
// the write-ahead log into the database while the main thread goes on committing.
import Database from "libsql";

declare const self: Worker;

export interface CheckpointStart {
  path: string;
  everyMs: number;
  /** Log length (frames) from which a RESTART checkpoint rewinds the log. */
  restartFrames: number;
}

type Row = { busy: number; log: number; checkpointed: number };

let db: InstanceType<typeof Database> | undefined;
let timer: ReturnType<typeof setInterval> | undefined;
let failing = false;

function checkpoint(restartFrames: number) {
  try {
    // PASSIVE copies what it can without blocking anyone. Under steady writes it never catches
    // up with the commits made meanwhile, so the log would only grow: once it is long, RESTART
    // copies the short rest with the writer held off, and the next commit rewinds the log.
    const [r] = db!.pragma("wal_checkpoint(PASSIVE)") as Row[];
    if (r && r.log >= restartFrames) db!.pragma("wal_checkpoint(RESTART)");
    if (failing) postMessage("ok");
    failing = false;
  } catch (err) {
    failing = true;
    postMessage({ error: (err as Error).message });
  }
}

self.onmessage = (e: MessageEvent<CheckpointStart | "stop">) => {
  if (e.data === "stop") {
    clearInterval(timer);
    db?.close();
    db = undefined;
    postMessage("stopped");
    return;
  }
  const { path, everyMs, restartFrames } = e.data;
  db = new Database(path);
  // RESTART waits for the writer's transaction in progress, which is short.
  db.pragma("busy_timeout = 2000");
  timer = setInterval(() => checkpoint(restartFrames), everyMs);
  postMessage("started");
};
