// Secrets: SECRET_* env (base64), the AES-256-GCM table, key rotation, masking.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { createMasker, createSecretStore, decryptValue, encryptValue, MASK, maskSecrets, parseSecretKey } from "../src/secrets/index.ts";
import type { Db } from "../src/store/db.ts";
import { createTestDb } from "./helpers/task-context.ts";

let db: Db;
let dir: string;
beforeAll(async () => ({ db, dir } = await createTestDb()));
afterAll(async () => {
  db.$client.close();
  await rm(dir, { recursive: true, force: true });
});

const keyB64 = randomBytes(32).toString("base64");
const keyHex = randomBytes(32).toString("hex");

test("keys: base64, hex or passphrase; encryption round-trips with a random IV; the wrong key fails", () => {
  const k = parseSecretKey(keyB64);
  expect(k.key.length).toBe(32);
  expect(parseSecretKey(keyHex).key.toString("hex")).toBe(keyHex);
  expect(parseSecretKey("correct horse battery staple").key.length).toBe(32);
  const a = encryptValue(k, "s3cret!");
  const b = encryptValue(k, "s3cret!");
  expect(a).not.toBe(b);
  expect(decryptValue(k, a)).toBe("s3cret!");
  expect(() => decryptValue(parseSecretKey(keyHex), a)).toThrow("wrong TERN_SECRET_KEY or corrupted value");
  const tampered = Buffer.from(a, "base64");
  tampered[14]! ^= 1;
  expect(() => decryptValue(k, tampered.toString("base64"))).toThrow("wrong TERN_SECRET_KEY");
});

test("env secrets first (base64, upper-cased names), then the table by namespace chain", async () => {
  const store = createSecretStore(db, { key: keyB64, env: { SECRET_API_TOKEN: Buffer.from("from-env").toString("base64"), OTHER: "x" } });
  expect(await store.get("api_token")).toBe("from-env");
  await store.set("DB_PASSWORD", "global-pass");
  await store.set("DB_PASSWORD", "team-pass", "company.team");
  expect(await store.get("DB_PASSWORD", "company.team.sub")).toBe("team-pass");
  expect(await store.get("DB_PASSWORD", "company.other")).toBe("global-pass");
  expect(await store.get("NOPE")).toBeUndefined();
  expect(await store.list()).toEqual(["API_TOKEN", "DB_PASSWORD"]);
  const raw = await db.$client.execute("SELECT ciphertext, key_id FROM secrets");
  expect(JSON.stringify(raw.rows)).not.toContain("pass");
  // Another key cannot read them; no key at all cannot set.
  await expect(createSecretStore(db, { key: keyHex }).get("DB_PASSWORD")).rejects.toThrow("not configured");
  await expect(createSecretStore(db, {}).set("X", "y")).rejects.toThrow("TERN_SECRET_KEY is not set");
  expect(await store.delete("DB_PASSWORD", "company.team")).toBe(true);
  expect(await store.get("DB_PASSWORD", "company.team")).toBe("global-pass");
});

test("rotation re-encrypts every row under the new key", async () => {
  const old = createSecretStore(db, { key: keyB64 });
  await old.set("ROTATE_ME", "value-1");
  const next = createSecretStore(db, { key: keyHex, previousKeys: [keyB64] });
  const res = await next.rotate();
  expect(res.failed).toEqual([]);
  expect(res.rotated).toBeGreaterThanOrEqual(2);
  expect(await createSecretStore(db, { key: keyHex }).get("ROTATE_ME")).toBe("value-1");
  await expect(createSecretStore(db, { key: keyB64 }).get("ROTATE_ME")).rejects.toThrow("not configured");
});

test("masking hides values, their base64 and URL-encoded forms", () => {
  const secret = "p@ss word/1";
  const text = `pw=${secret} auth=${Buffer.from(secret).toString("base64")} url=?p=${encodeURIComponent(secret)} form=${encodeURIComponent(secret).replace(/%20/g, "+")}`;
  expect(maskSecrets(text, [secret])).toBe(`pw=${MASK} auth=${MASK} url=?p=${MASK} form=${MASK}`);
  expect(maskSecrets("Basic " + Buffer.from("user:hunter22").toString("base64"), ["user:hunter22"])).toBe(`Basic ${MASK}`);
  expect(createMasker(["ab", ""])("ab stays")).toBe("ab stays");
  expect(createMasker([])("nothing")).toBe("nothing");
});
