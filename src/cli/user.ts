// `tern user add|list|grant|passwd|disable|enable|delete` and `tern token create|list|delete`: accounts
// for the dashboard and the API. Passwords come from stdin; a token is printed once.
import { parseArgs } from "node:util";
import { addUser, createToken, grantUser, listAccounts, removeTokens, removeUser, setPassword, updateUser } from "../auth/accounts.ts";
import { isExpired } from "../auth/credentials.ts";
import { grantsOf, listTokens } from "../store/auth.ts";
import { readStdin, withDb } from "./open-db.ts";

const USAGE = `Usage:
  tern user add NAME --role admin|editor|operator|viewer [--namespace PREFIX]   password from stdin
  tern user grant NAME --role R [--namespace PREFIX]
  tern user passwd NAME                                                        password from stdin; ends the user's sessions
  tern user disable|enable NAME                                                disabling signs out and revokes its tokens
  tern user list
  tern user delete NAME
  tern token create NAME --role R [--namespace PREFIX] [--expires-in P30D] [--description TEXT]
                                                                               prints the token once; without --expires-in it never expires
  tern token list
  tern token delete ID|NAME`;

const options = {
  role: { type: "string" }, namespace: { type: "string" }, data: { type: "string" },
  "expires-in": { type: "string" }, description: { type: "string" },
} as const;

async function password(): Promise<string> {
  if (process.stdin.isTTY) return prompt("Password:") ?? "";
  return readStdin();
}

const grantText = (grants: { role: string; prefix: string }[]) => grants.map((g) => `${g.role}@${g.prefix}`).join(" ");

export async function userCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options });
  const [sub, name] = positionals;
  return withDb(values, async (db) => {
    if (sub === "list") {
      for (const u of await listAccounts(db)) console.log(`${u.username}\t${grantText(u.grants)}${u.disabled ? "\t(disabled)" : ""}`);
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
      const ended = await setPassword(db, name, await password());
      console.log(`password of ${name} changed${ended ? `; ${ended} session(s) signed out` : ""}`);
      return 0;
    }
    if (sub === "disable" || sub === "enable") {
      await updateUser(db, name, { disabled: sub === "disable" });
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
      // A user's token (made over the API or the dashboard) acts with its user's grants.
      const owners = new Map((await listAccounts(db)).map((u) => [u.id, u.username]));
      const now = Date.now();
      for (const t of await listTokens(db)) {
        const used = t.lastUsedAt ? new Date(t.lastUsedAt).toISOString() : "never used";
        const owner = owners.get(t.userId);
        const exp = t.expiresAt === null ? "never expires" : `${isExpired(t, now) ? "expired" : "expires"} ${new Date(t.expiresAt).toISOString()}`;
        const as = owner ? `as user ${owner}` : grantText(await grantsOf(db, `token:${t.id}`));
        console.log(`${t.id}\t${t.name}\t${as}\t${used}\t${exp}${t.description ? `\t${t.description}` : ""}`);
      }
      return 0;
    }
    if (sub === "create" && name && values.role) {
      const t = await createToken(db, { name, role: values.role, namespace: values.namespace, maxAge: values["expires-in"], description: values.description });
      const exp = t.expiresAt === null ? "never expires" : `expires ${new Date(t.expiresAt).toISOString()}`;
      console.error(`token ${name} (${t.id}) created, ${exp}; it is shown only this once:`);
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
