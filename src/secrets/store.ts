// secret('NAME'): first SECRET_<NAME> from the environment (base64, as Kestra OSS), then the
// encrypted `secrets` table, looked up from the flow's namespace up to the global one ("").
import type { Db } from "../store/db.ts";
import { deleteSecretRow, getSecretRow, listRowsNotUnderKey, listSecretKeys, replaceCiphertext, upsertSecretRow } from "../store/secrets.ts";
import { decryptValue, encryptValue, parseSecretKey, type SecretKey } from "./crypto.ts";

export interface SecretStore {
  get(name: string, namespace?: string): Promise<string | undefined>;
  set(name: string, value: string, namespace?: string): Promise<void>;
  delete(name: string, namespace?: string): Promise<boolean>;
  /** Names only (environment and table); never values. */
  list(namespace?: string): Promise<string[]>;
  /** Re-encrypt every row under the current key (old keys given as `previousKeys`). */
  rotate(): Promise<{ rotated: number; failed: string[] }>;
}

export interface SecretStoreOptions {
  /** TERN_SECRET_KEY text; without it only SECRET_* environment secrets work. */
  key?: string;
  /** Keys the table may still be encrypted with (during a rotation). */
  previousKeys?: string[];
  env?: Record<string, string | undefined>;
  now?: () => number;
}

const ENV_PREFIX = "SECRET_";

/** Kestra's EnvVarSecretService: SECRET_<NAME>=base64(value); names are matched upper-cased. */
export function envSecrets(env: Record<string, string | undefined>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith(ENV_PREFIX) || v === undefined) continue;
    out.set(k.slice(ENV_PREFIX.length).toUpperCase(), Buffer.from(v.trim(), "base64").toString("utf8"));
  }
  return out;
}

/** "a.b.c" -> ["a.b.c", "a.b", "a", ""]: a namespace sees its parents' and global secrets. */
function namespaceChain(ns: string | undefined): string[] {
  if (!ns) return [""];
  const parts = ns.split(".");
  return [...parts.map((_, i) => parts.slice(0, parts.length - i).join(".")), ""];
}

export function createSecretStore(db: Db, opts: SecretStoreOptions = {}): SecretStore {
  const fromEnv = envSecrets(opts.env ?? {});
  const current: SecretKey | undefined = opts.key ? parseSecretKey(opts.key) : undefined;
  const keys = new Map<string, SecretKey>();
  for (const k of [...(opts.previousKeys ?? []).map(parseSecretKey), ...(current ? [current] : [])]) keys.set(k.id, k);
  const now = opts.now ?? (() => Date.now());

  const needKey = (): SecretKey => {
    if (!current) throw new Error("TERN_SECRET_KEY is not set: the encrypted secret store is unavailable");
    return current;
  };
  const open = (keyId: string, ciphertext: string, name: string): string => {
    const k = keys.get(keyId);
    if (!k) throw new Error(`secret "${name}" is encrypted with key ${keyId}, which is not configured (set it in TERN_SECRET_KEY or as a previous key)`);
    return decryptValue(k, ciphertext);
  };

  return {
    async get(name, namespace) {
      const env = fromEnv.get(name.toUpperCase());
      if (env !== undefined) return env;
      for (const ns of namespaceChain(namespace)) {
        const row = await getSecretRow(db, ns, name);
        if (row) return open(row.keyId, row.ciphertext, name);
      }
      return undefined;
    },
    async set(name, value, namespace = "") {
      if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`invalid secret name "${name}" (letters, digits, _ . - only)`);
      const k = needKey();
      await upsertSecretRow(db, { namespace, key: name, ciphertext: encryptValue(k, value), keyId: k.id, updatedAt: now() });
    },
    delete: (name, namespace = "") => deleteSecretRow(db, namespace, name),
    async list(namespace = "") {
      const names = new Set(await listSecretKeys(db, namespace));
      for (const n of fromEnv.keys()) names.add(n);
      return [...names].sort();
    },
    async rotate() {
      const k = needKey();
      let rotated = 0;
      const failed: string[] = [];
      for (const row of await listRowsNotUnderKey(db, k.id)) {
        try {
          const plain = open(row.keyId, row.ciphertext, row.key);
          if (await replaceCiphertext(db, row, encryptValue(k, plain), k.id, now())) rotated++;
        } catch {
          failed.push(row.namespace ? `${row.namespace}/${row.key}` : row.key);
        }
      }
      return { rotated, failed };
    },
  };
}
