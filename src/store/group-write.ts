// Group commit: writes issued in the same turn of the event loop (concurrent API requests,
// executor passes of different executions) go to the database as one transaction. A commit
// costs more than the statements of a small write, so under load this multiplies what one
// connection can take. Each caller still gets its own outcome: if the group fails, its
// members are retried one by one, so one bad write (a duplicate key, a lost lease) fails alone.
import type { Client, InStatement } from "@libsql/client";
import type { Db } from "./db.ts";

interface Pending {
  stmts: InStatement[];
  resolve(): void;
  reject(e: unknown): void;
}

/** Most statements one grouped transaction takes; the rest waits for the next one. */
const MAX_GROUP_STATEMENTS = 2000;

export interface GroupWriter {
  /** Resolves once `stmts` are committed (atomically, as one unit). */
  write(stmts: InStatement[]): Promise<void>;
}

export function createGroupWriter(client: Client): GroupWriter {
  let queue: Pending[] = [];
  let scheduled = false;

  async function flush() {
    scheduled = false;
    let size = 0;
    let n = 0;
    while (n < queue.length && (n === 0 || size + queue[n].stmts.length <= MAX_GROUP_STATEMENTS)) size += queue[n++].stmts.length;
    const group = queue.slice(0, n);
    queue = queue.slice(n);
    if (queue.length) schedule();
    if (group.length === 1) return run(group[0]);
    try {
      await client.batch(group.flatMap((g) => g.stmts), "write");
      for (const g of group) g.resolve();
    } catch {
      for (const g of group) await run(g);
    }
  }

  async function run(g: Pending) {
    try {
      await client.batch(g.stmts, "write");
      g.resolve();
    } catch (e) {
      g.reject(e);
    }
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    // After the I/O of this turn: everything issued meanwhile joins the group.
    setImmediate(() => void flush());
  }

  return {
    write(stmts) {
      if (stmts.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ stmts, resolve, reject });
        schedule();
      });
    },
  };
}

const writers = new WeakMap<Db, GroupWriter>();

/** The group writer of a database handle. */
export function groupWrite(db: Db, stmts: InStatement[]): Promise<void> {
  let w = writers.get(db);
  if (!w) writers.set(db, (w = createGroupWriter(db.$client)));
  return w.write(stmts);
}
