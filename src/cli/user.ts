// `tern user add|list|grant|passwd|delete` and `tern token create|list|delete`: accounts
// for the dashboard and the API. Passwords come from stdin; a token is printed once.
import { parseArgs } from "node:util";
import { addUser, createToken, grantUser, removeTokens, removeUser, setPassword } from "../auth/accounts.ts";
import { grantsOf, listTokens, listUsers } from "../store/auth.ts";
import type { Db } from "../store/db.ts";
import { readStdin, withDb } from "./open-db.ts";

const USAGE = `Usage:
  tern user add NAME --role admin|editor|operator|viewer [--namespace PREFIX]   password from stdin
  tern user grant NAME --role R [--namespace PREFIX]
  tern user passwd NAME                                                        password from stdin
  tern user list
  tern user delete NAME
  tern token create NAME --role R [--namespace PREFIX]                         prints the token once
  tern token list
  tern token delete ID|NAME`;

const options = { role: { type: "string" }, namespace: { type: "string" }, data: { type: "string" } } as const;

async function password(): Promise<string> {
  if (process.stdin.isTTY) return prompt("Password:") ?? "";
  return readStdin();
}

const grantText = async (db: Db, subject: string) =>
  (await grantsOf(db, subject)).map((g) => `${g.role}@${g.prefix}`).join(" ");

export async function userCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options });
  const [sub, name] = positionals;
  return withDb(values, async (db) => {
    if (sub === "list") {
      for (const u of await listUsers(db)) console.log(`${u.username}\t${await grantText(db, `user:${u.id}`)}${u.disabled ? "\t(disabled)" : ""}`);
      return 0;
    }
    if (!name) return usage();
    if (sub === "add") {
      if (!values.role) return usage();
      await addUser(db, { username: name, password: await password(), role: values.role, namespace: values.namespace });
      console.log(`user ${name} added (${values.role}@${values.namespace ?? "*"})`);
      return 0;
    }
    if (sub === "grant" && values.role) {
      await grantUser(db, name, { role: values.role, namespace: values.namespace });
      return 0;
    }
    if (sub === "passwd") {
      await setPassword(db, name, await password());
      return 0;
    }
    if (sub === "delete") return (await removeUser(db, name)) ? 0 : (console.error(`tern user: no user ${name}`), 1);
    return usage();
  });
}

export async function tokenCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options });
  const [sub, name] = positionals;
  return withDb(values, async (db) => {
    if (sub === "list") {
      for (const t of await listTokens(db)) {
        const used = t.lastUsedAt ? new Date(t.lastUsedAt).toISOString() : "never used";
        console.log(`${t.id}\t${t.name}\t${await grantText(db, `token:${t.id}`)}\t${used}`);
      }
      return 0;
    }
    if (sub === "create" && name && values.role) {
      const t = await createToken(db, { name, role: values.role, namespace: values.namespace });
      console.error(`token ${name} (${t.id}) created; it is shown only this once:`);
      console.log(t.token);
      return 0;
    }
    if (sub === "delete" && name) return (await removeTokens(db, name)) ? 0 : (console.error(`tern token: no token ${name}`), 1);
    return usage();
  });
}

function usage(): number {
  console.error(USAGE);
  return 2;
}
