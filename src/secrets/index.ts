// Secrets: environment (SECRET_*, base64) and the AES-256-GCM encrypted table; log masking.
export { createSecretStore, envSecrets, type SecretStore, type SecretStoreOptions } from "./store.ts";
export { parseSecretKey, encryptValue, decryptValue, SecretDecryptError, type SecretKey } from "./crypto.ts";
export { createMasker, maskSecrets, MASK } from "./mask.ts";
