// Background checkpoints for the embedded database. In WAL mode every commit appends the pages
// it changed to the log, and by default the committing connection copies the log back into the
// database file (with an fsync) every 1,000 pages, on the thread that committed. Under load that
// copy was a third of the time the engine spent in the database. `tern serve` hands it to a
// worker thread with its own connection, so the main thread (HTTP and the executor) only appends.
// The main connection keeps a far higher automatic threshold as a safety net: if the thread
// stops or falls behind, the log is still bounded.
import type { Db } from "./db.ts";
import type { CheckpointStart } from "./checkpoint-worker.ts";

/** Main connection's own checkpoint threshold while the thread runs (pages, ~64 MiB). */
const SAFETY_NET_PAGES = 16_384;
/** The thread rewinds the log once it is this long (pages, ~16 MiB). */
const RESTART_FRAMES = 4_096;
/** File size the log is cut back to when it rewinds. */
const LOG_SIZE_LIMIT = 64 * 1024 * 1024;

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Start checkpointing `db` (an embedded file) from a worker thread; undefined for a server URL. */
export async function startCheckpointer(
  db: Db, url: string, { everyMs = 100, restartFrames = RESTART_FRAMES } = {},
): Promise<Checkpointer | undefined> {
  if (!url.startsWith("file:")) return undefined;
  const worker = new Worker(new URL("./checkpoint-worker.ts", import.meta.url).href);
  const started = new Promise<void>((resolve, reject) => {
    worker.addEventListener("message", (e) => (e.data === "started" ? resolve() : undefined));
    worker.addEventListener("error", (e) => reject(new Error(e.message)));
  });
  // The thread tries again every `everyMs`: a lasting failure (a full disk) is reported once.
  let lastError: string | undefined;
  worker.addEventListener("message", (e) => {
    const error = (e.data as { error?: string } | null)?.error;
    if (error && error !== lastError) console.error(`[tern] background checkpoint: ${error}`);
    if (e.data === "ok" || error) lastError = error;
  });
  const start: CheckpointStart = { path: url.slice("file:".length), everyMs, restartFrames };
  worker.postMessage(start);
  try {
    await started;
  } catch (e) {
    // Without the thread, the main connection keeps checkpointing as SQLite does by default.
    console.error(`[tern] background checkpoints unavailable (${(e as Error).message}); checkpointing inline`);
    worker.terminate();
    return undefined;
  }
  await db.$client.execute(`PRAGMA journal_size_limit = ${LOG_SIZE_LIMIT}`);
  await db.$client.execute(`PRAGMA wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  // Should the thread die later, the main connection takes the checkpoints back at once.
  worker.addEventListener("error", (e) => {
    console.error(`[tern] background checkpoint thread failed (${e.message}); checkpointing inline`);
    void db.$client.execute("PRAGMA wal_autocheckpoint = 1000").catch(() => {});
  });
  (worker as Worker & { unref(): void }).unref();
  return {
    async stop() {
      const stopped = new Promise<void>((resolve) => worker.addEventListener("message", (e) => (e.data === "stopped" ? resolve() : undefined)));
      worker.postMessage("stop");
      await Promise.race([stopped, Bun.sleep(1000)]);
      worker.terminate();
      // Back to SQLite's default: the main connection checkpoints for itself again.
      await db.$client.execute("PRAGMA wal_autocheckpoint = 1000").catch(() => {});
    },
  };
}
