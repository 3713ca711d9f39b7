// The API's one error type and its one handler: every failure leaves as
// `{ error: { code, message, issues? } }` with an HTTP status, never with a stack trace.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { OperationError } from "../executor/operations.ts";
import { FlowInvalidError } from "../executor/flow-source.ts";
import { FileNotFoundError, StoragePathError } from "../files/index.ts";

export interface Issue {
  /** What the issue is about: an input id, a property path, a query parameter. */
  path?: string;
  message: string;
  line?: number;
  column?: number;
}

export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly issues?: Issue[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const notFound = (what: string) => new AppError(404, "NOT_FOUND", `${what} not found`);
export const badRequest = (message: string, issues?: Issue[]) => new AppError(400, "BAD_REQUEST", message, issues);
export const invalid = (message: string, issues?: Issue[]) => new AppError(422, "INVALID", message, issues);
export const conflict = (message: string) => new AppError(409, "CONFLICT", message);
export const tooLarge = (max: number) => new AppError(413, "PAYLOAD_TOO_LARGE", `request body over the ${max} bytes limit`);

const OPERATION_CODES = { 404: "NOT_FOUND", 409: "CONFLICT", 422: "INVALID" } as const;

/** Map the errors other modules throw to AppErrors once, here (gw's coerceError). */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof OperationError) return new AppError(e.status, OPERATION_CODES[e.status], e.message);
  if (e instanceof FlowInvalidError) return invalid("invalid flow", e.messages.map((message) => ({ message })));
  if (e instanceof StoragePathError) return invalid(e.message);
  if (e instanceof FileNotFoundError) return notFound(`file kestra:///${e.path}`);
  if (e instanceof HTTPException) {
    if (e.status === 413) return new AppError(413, "PAYLOAD_TOO_LARGE", "request body too large");
    return new AppError(e.status as ContentfulStatusCode, e.status === 400 ? "BAD_REQUEST" : "HTTP_ERROR", e.message || "request failed");
  }
  if (e instanceof SyntaxError) return badRequest(`malformed body: ${e.message}`);
  return new AppError(500, "INTERNAL", "internal error", undefined, { cause: e });
}

export function errorBody(err: AppError) {
  return { error: { code: err.code, message: err.message, ...(err.issues?.length ? { issues: err.issues } : {}) } };
}

/** app.onError: unknown errors are logged with their stack and answered without it. */
export function onError(e: Error, c: Context) {
  const err = toAppError(e);
  if (err.status >= 500) console.error(`[tern] ${c.req.method} ${c.req.path} failed:`, err.cause ?? e);
  return c.json(errorBody(err), err.status);
}
