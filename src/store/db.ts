// Opens the database (an embedded libSQL file or a libSQL server URL) and applies migrations.
import { createClient, type Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import * as schema from "../../db/schema.ts";
import { installStatementCache } from "./statement-cache.ts";

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

export interface OpenOptions {
  /** `file:/path/tern.db`, `libsql://…`, `http://127.0.0.1:8080` */
  url: string;
  authToken?: string;
}

const MIGRATIONS = join(import.meta.dir, "../../db/migrations");

export async function openDatabase(opts: OpenOptions): Promise<Db> {
  const isFile = opts.url.startsWith("file:");
  if (isFile) {
    mkdirSync(dirname(opts.url.slice("file:".length)), { recursive: true });
    installStatementCache();
  }
  // One connection for an embedded file: SQLite has one writer anyway, the per-connection
  // pragmas below then hold for every statement, and nothing can hit SQLITE_BUSY_SNAPSHOT
  // between connections of the same process. (So no client.transaction(): use batch.)
  const client = createClient({ url: opts.url, authToken: opts.authToken, ...(isFile ? { concurrency: 1, timeout: 10_000 } : {}) });
  if (isFile) {
    // WAL lets readers (the dashboard) run beside the writer; the busy timeout makes
    // several processes on one file wait for each other instead of failing with SQLITE_BUSY.
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("PRAGMA busy_timeout = 10000");
    await client.execute("PRAGMA synchronous = NORMAL");
  }
  const db = drizzle(client, { schema }) as Db;
  await migrateWithRetry(db);
  return db;
}

/** Several instances starting at once race on the migrations table; the loser retries. */
async function migrateWithRetry(db: Db): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await migrate(db, { migrationsFolder: MIGRATIONS });
      return;
    } catch (e) {
      if (attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
    }
  }
}

export function databaseUrlFor(dataDir: string): string {
  return `file:${join(dataDir, "tern.db")}`;
}
