// Password hashing on Bun (argon2id); the auth code receives these two functions.
export const hashPassword = (plain: string): Promise<string> => Bun.password.hash(plain, { algorithm: "argon2id" });

export async function verifyPassword(plain: string, hash: string): Promise<boolean> {
  try {
    return await Bun.password.verify(plain, hash);
  } catch {
    return false; // a malformed stored hash is a failed login, not a 500
  }
}
