// `tern backup DIR`: a consistent copy of an embedded installation, taken while it runs. The
// database is written with VACUUM INTO (one read transaction: a snapshot, whatever the server
// commits meanwhile, compacted, without the write-ahead log beside it), then the stored files.
// DIR is a data directory: `tern serve --data DIR` starts from it and finishes what was running.
import { cpSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { configFrom } from "../cli.ts";
import { databaseUrlFor, openDatabase } from "../store/db.ts";
import { withDb } from "./open-db.ts";

const USAGE = `Usage: tern backup DIR [--data DIR]
  Copy the embedded database (a consistent snapshot, safe while tern serve runs) and the
  stored files into DIR, a new or empty directory. Restore: tern serve --data DIR.
  TERN_SECRET_KEY is not part of the backup: keep it apart.`;

export async function backupCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { data: { type: "string" } } });
  const [dest] = positionals;
  if (!dest || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  const config = configFrom({ data: values.data });
  const url = config.databaseUrl ?? databaseUrlFor(config.dataDir);
  if (!url.startsWith("file:")) {
    console.error(`tern backup: the database is a libSQL server (${new URL(url).host}); back it up with the server's own tools`);
    return 2;
  }
  const target = resolve(dest);
  if (existsSync(target) && readdirSync(target).length > 0) {
    console.error(`tern backup: ${target} is not empty; a backup goes into a new or empty directory`);
    return 2;
  }
  mkdirSync(target, { recursive: true });
  const started = performance.now();
  const counts = await withDb(values, async (db) => {
    await db.$client.execute({ sql: "VACUUM INTO ?", args: [join(target, "tern.db")] });
    const rs = await db.$client.execute("SELECT (SELECT count(*) FROM flows), (SELECT count(*) FROM executions)");
    return { flows: Number(rs.rows[0][0]), executions: Number(rs.rows[0][1]) };
  });
  // No instance holds a lease in the copy: it is released as if its holder had died, so the
  // server started on the copy goes on with the unfinished work at once instead of waiting for
  // leases of an instance that will never renew them there. (Fences are kept: they only grow.)
  const copy = await openDatabase({ url: `file:${join(target, "tern.db")}` });
  try {
    await copy.$client.batch([
      "UPDATE executions SET lease_until = 0 WHERE lease_until IS NOT NULL",
      "UPDATE task_runs SET lease_until = 0 WHERE lease_until IS NOT NULL",
      "UPDATE triggers SET lease_until = 0 WHERE lease_until IS NOT NULL",
      "UPDATE leases SET expires_at = 0",
    ], "write");
    // Leave one file, as VACUUM INTO wrote it, not a database plus its log.
    await copy.$client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    copy.$client.close();
  }
  // Files are written before the rows that name them commit, so every file the snapshot
  // refers to is there now; files added since are copied too, and are harmless.
  const storage = join(config.dataDir, "storage");
  if (existsSync(storage)) cpSync(storage, join(target, "storage"), { recursive: true });
  console.log(
    `tern backup: ${target} (${counts.flows} flow(s), ${counts.executions} execution(s), ` +
      `files ${existsSync(storage) ? "copied" : "none"}) in ${Math.round(performance.now() - started)} ms`,
  );
  return 0;
}
