// A refused account change (src/auth/accounts.ts) as the API reports it: the users and the
// tokens routes share it.
import { AppError, invalid } from "../server/errors.ts";
import { AccountError } from "./accounts.ts";

/** AccountError → the API's error: 404, 409, or 422 naming the field. */
export function accountError(e: unknown): unknown {
  if (!(e instanceof AccountError)) return e;
  if (e.status === 422) return invalid(e.message, e.field ? [{ path: e.field, message: e.message }] : undefined);
  return new AppError(e.status, e.status === 404 ? "NOT_FOUND" : "CONFLICT", e.message);
}

/** Await an account change, its refusal turned into the API's error. */
export async function api<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw accountError(e);
  }
}
