// AES-256-GCM for secret values. Each value gets a fresh random 96-bit IV; the stored text is
// base64(iv | ciphertext | tag). The key id (first 16 hex chars of SHA-256 of the key) is kept
// beside each row so a rotation knows which key opens it, without revealing the key.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export interface SecretKey {
  id: string;
  key: Buffer;
}

/**
 * TERN_SECRET_KEY: 32 bytes as base64 or hex; anything else is a passphrase hashed with
 * SHA-256 (convenient, but only as strong as the passphrase).
 */
export function parseSecretKey(text: string): SecretKey {
  const t = text.trim();
  if (t === "") throw new Error("TERN_SECRET_KEY is empty");
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, "hex");
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t, "base64");
    if (b.length === 32) key = b;
  }
  key ??= createHash("sha256").update(t, "utf8").digest();
  return { id: createHash("sha256").update(key).digest("hex").slice(0, 16), key };
}

export function encryptValue(key: SecretKey, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key.key, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64");
}

export class SecretDecryptError extends Error {
  override name = "SecretDecryptError";
}

export function decryptValue(key: SecretKey, stored: string): string {
  const raw = Buffer.from(stored, "base64");
  if (raw.length < 12 + 16) throw new SecretDecryptError("stored secret is truncated");
  const decipher = createDecipheriv("aes-256-gcm", key.key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  try {
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    // GCM's tag check: a wrong key and a tampered value look the same, on purpose.
    throw new SecretDecryptError("cannot decrypt secret: wrong TERN_SECRET_KEY or corrupted value");
  }
}
