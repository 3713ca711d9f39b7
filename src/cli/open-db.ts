// The database of the data directory (or TERN_DATABASE_URL) for the admin commands, which
// need no executor, storage or loops; stdin for values that must not appear in `ps`.
import { configFrom } from "../cli.ts";
import { databaseUrlFor, openDatabase, type Db } from "../store/db.ts";

export async function withDb<T>(values: { data?: string }, run: (db: Db) => Promise<T>): Promise<T> {
  // Only --data: these commands' own flags (--role admin…) are not server settings.
  const config = configFrom({ data: values.data });
  const db = await openDatabase({ url: config.databaseUrl ?? databaseUrlFor(config.dataDir), authToken: config.databaseAuthToken });
  try {
    return await run(db);
  } finally {
    db.$client.close();
  }
}

/** All of stdin without its final newline (`echo value | tern …`). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}
