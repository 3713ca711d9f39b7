// Full page or fragment, chosen by the HX-Request header (one component renders both, the
// route passes `partial`), and the HTML error pages: errors are readable, never JSON.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Child } from "hono/jsx";
import { html } from "hono/html";
import { jsx } from "hono/jsx";
import { RequestContext } from "hono/jsx-renderer";
import { UiError } from "./ui-error.ts";

/**
 * A targeted htmx request wants the fragment. History restores and hx-select requests
 * ("full") get the whole page, as does any request without htmx.
 */
export function wantsFragment(c: Context): boolean {
  return c.req.header("HX-Request") === "true" && c.req.header("HX-Request-Type") !== "full" && !c.req.header("HX-History-Restore-Request");
}

export function send(c: Context, node: Child, status: ContentfulStatusCode = 200) {
  // Components reach the request (CSRF token, who is signed in) through useRequestContext().
  node = jsx(RequestContext.Provider, { value: c }, node);
  // The doctype only on full pages; fragments are swapped into an existing document.
  const body = wantsFragment(c) ? html`${node}` : html`<!DOCTYPE html>${node}`;
  return c.html(body, status, { "Cache-Control": "no-store" });
}

/** After a form POST: htmx follows HX-Location-free redirects fine; plain forms get a 303. */
export function redirect(c: Context, to: string) {
  if (c.req.header("HX-Request") === "true") {
    c.header("HX-Redirect", to);
    return c.body(null, 204);
  }
  return c.redirect(to, 303);
}

/** The posted form; a body that is not a form is a readable 400, an empty body an empty form. */
export async function formOf(c: Context): Promise<FormData> {
  const type = c.req.header("Content-Type") ?? "";
  if (!type) return new FormData();
  try {
    return await c.req.formData();
  } catch {
    throw new UiError(400, "The form could not be read: send it as a form (urlencoded or multipart)");
  }
}
