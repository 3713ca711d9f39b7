// The dashboard's one error type: an HTTP status and readable messages (rendered by errors.tsx).
import type { ContentfulStatusCode } from "hono/utils/http-status";

export class UiError extends Error {
  constructor(readonly status: ContentfulStatusCode, message: string, readonly messages: string[] = []) {
    super(message);
  }
}

export const notFound = (what: string) => new UiError(404, `${what} not found`);
