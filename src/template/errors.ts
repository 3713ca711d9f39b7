// Error types of the expression engine. TemplateError is the public one (re-exported by
// index.ts); UndefinedError marks Pebble's "strict variables" failures so that `??`, `???`,
// `default` and `is defined` can recover from exactly those and nothing else.
export class TemplateError extends Error {
  override name = "TemplateError";
  /** Set once the message names the expression it came from, so it is not wrapped twice. */
  located = false;
}

/** A variable or attribute that does not exist (Pebble's AttributeNotFoundException). */
export class UndefinedError extends TemplateError {
  constructor(readonly path: string) {
    super(`Missing variable: '${path}'`);
  }
}

/** Say which `{{ … }}` / `{% … %}` failed; keeps errors that already say so. */
export function locate(e: unknown, snippet: string, line: number): TemplateError {
  if (e instanceof TemplateError && e.located) return e;
  const err =
    e instanceof UndefinedError
      ? new TemplateError(
          /^[A-Za-z_$][\w$-]*$/.test(e.path)
            ? // Pebble's wording for an unknown root variable (Kestra tests match on it).
              `Unable to find \`${e.path}\` used in the expression \`${snippet}\` at line ${line}`
            : `Missing variable: '${e.path}' on '${snippet}' at line ${line}`,
        )
      : new TemplateError(`Unable to render '${snippet}' at line ${line}: ${e instanceof Error ? e.message : String(e)}`);
  err.located = true;
  if (e instanceof Error) err.cause = e;
  return err;
}
