// Errors of the dashboard: thrown as UiError (status + readable messages) and rendered as an
// HTML page or fragment by one handler. Errors from other modules are mapped once here.
import type { Context } from "hono";
import { FlowInvalidError } from "../../executor/flow-source.ts";
import { OperationError } from "../../executor/operations.ts";
import { FileNotFoundError, StoragePathError } from "../../files/index.ts";
import { ErrorPage } from "../../../views/pages/error.tsx";
import { AppError } from "../errors.ts";
import { send, wantsFragment } from "./render.ts";
import { notFound, UiError } from "./ui-error.ts";

export { notFound, UiError };

export function toUiError(e: unknown): UiError {
  if (e instanceof UiError) return e;
  if (e instanceof AppError) return new UiError(e.status, e.message);
  if (e instanceof OperationError) return new UiError(e.status, e.message);
  if (e instanceof FlowInvalidError) return new UiError(422, "The flow is invalid", e.messages);
  if (e instanceof StoragePathError) return new UiError(422, e.message);
  if (e instanceof FileNotFoundError) return new UiError(404, e.message);
  return new UiError(500, "Internal error: the server log has the details");
}

export function onUiError(e: Error, c: Context) {
  const err = toUiError(e);
  if (err.status >= 500) console.error(`[tern] UI ${c.req.method} ${c.req.path} failed:`, e);
  return send(c, <ErrorPage status={err.status} title={err.message} messages={err.messages} partial={wantsFragment(c)} />, err.status);
}
