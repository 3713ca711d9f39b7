// `tern secret set|list|delete|rotate`: the encrypted secret store (AES-256-GCM under
// TERN_SECRET_KEY). Values come from stdin when not given, and are never printed.
import { parseArgs } from "node:util";
import { configFrom } from "../cli.ts";
import { createSecretStore } from "../secrets/index.ts";
import { appendAudit } from "../store/audit.ts";
import { readStdin, withDb } from "./open-db.ts";

const USAGE = `Usage:
  tern secret set NAME [value] [--namespace NS]   value from stdin when omitted
  tern secret list [--namespace NS]                names only
  tern secret delete NAME [--namespace NS]
  tern secret rotate                               re-encrypt every secret under TERN_SECRET_KEY;
                                                   the old key(s) in TERN_SECRET_KEY_PREVIOUS (comma-separated)`;

export async function secretCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { namespace: { type: "string", default: "" }, data: { type: "string" } },
  });
  const [sub, name, given] = positionals;
  const config = configFrom({ data: values.data });
  const previousKeys = (process.env.TERN_SECRET_KEY_PREVIOUS ?? "").split(",").map((k) => k.trim()).filter(Boolean);
  const ns = values.namespace;
  return withDb(values, async (db) => {
    const store = createSecretStore(db, { key: config.secretKey, previousKeys });
    const audit = (action: string, target: string, detail?: object) =>
      appendAudit(db, { at: Date.now(), actor: "cli", action, target, detail: detail ? JSON.stringify(detail) : null });
    const target = ns ? `${ns}/${name}` : name;
    switch (sub) {
      case "set": {
        if (!name) break;
        const value = given ?? (await readStdin());
        if (value === "") throw new Error("empty secret value");
        await store.set(name, value, ns);
        await audit("secret.set", target);
        console.log(`secret ${target} stored`);
        return 0;
      }
      case "list":
        for (const n of await store.list(ns)) console.log(n);
        return 0;
      case "delete": {
        if (!name) break;
        if (!(await store.delete(name, ns))) {
          console.error(`tern secret: no secret ${target}`);
          return 1;
        }
        await audit("secret.delete", target);
        return 0;
      }
      case "rotate": {
        const r = await store.rotate();
        await audit("secret.rotate", "*", r);
        console.log(`${r.rotated} secret(s) re-encrypted`);
        if (r.failed.length) console.error(`could not decrypt (missing key in TERN_SECRET_KEY_PREVIOUS?): ${r.failed.join(", ")}`);
        return r.failed.length ? 1 : 0;
      }
    }
    console.error(USAGE);
    return 2;
  });
}
