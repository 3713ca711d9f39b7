// The TemplateEngine: compiled templates and parsed expressions are cached by source text;
// rendering is single-pass (Kestra ≥ 0.14), only render() re-renders on request.
import { Liquid, type Template } from "liquidjs";
import type { Node } from "./ast";
import { compile } from "./compile";
import { locate, TemplateError } from "./errors";
import { evaluate } from "./evaluate";
import type { TemplateEngine, TemplateServices } from "./index";
import { Lru } from "./lru";
import { parseExpression } from "./parser";
import { hasMarkup } from "./scan";
import { RenderState } from "./state";
import { registerTags, STATE } from "./tags";
import { plain, type Dict } from "./values";

const MAX_RENDERS = 100;
const RAW_TAGS = /\{%-*\s*raw\s*-*%\}([\s\S]*?)\{%-*\s*endraw\s*-*%\}/g;

export function createTemplateEngine(options: { cacheSize?: number } = {}): TemplateEngine {
  const liquid = new Liquid();
  registerTags(liquid);
  const templates = new Lru<string, Template[]>(options.cacheSize ?? 1000);
  const expressions = new Lru<string, Node>(options.cacheSize ?? 1000);

  function compiled(src: string, keepRaw: boolean): Template[] {
    const key = (keepRaw ? "R" : "N") + src;
    let t = templates.get(key);
    if (!t) {
      t = compile(liquid, src, keepRaw);
      templates.set(key, t);
    }
    return t;
  }

  async function renderOnce(src: string, vars: Dict, services: TemplateServices, keepRaw: boolean): Promise<string> {
    if (!src.includes("{") || !hasMarkup(src)) return src;
    const state = new RenderState(vars, services, renderString);
    try {
      return String(await liquid.render(compiled(src, keepRaw), { [STATE]: state }));
    } catch (e) {
      throw unwrap(e);
    }
  }

  /** render(): Kestra's renderRecursively keeps raw blocks until the result is stable. */
  async function renderString(src: string, vars: Dict, services: TemplateServices, recursive: boolean): Promise<string> {
    if (!recursive) return renderOnce(src, vars, services, false);
    let current = src;
    for (let i = 0; i <= MAX_RENDERS; i++) {
      const next = await renderOnce(current, vars, services, true);
      if (next === current) return next.replace(RAW_TAGS, "$1");
      current = next;
    }
    throw new TemplateError("Too many rendering attempts");
  }

  return {
    render: (template, vars, services) => renderOnce(template, vars, services, false),
    async evaluate(expression, vars, services) {
      let node = expressions.get(expression);
      if (!node) {
        node = parseExpression(expression);
        expressions.set(expression, node);
      }
      try {
        return plain(await evaluate(node, new RenderState(vars, services, renderString)));
      } catch (e) {
        throw locate(e, expression, 1);
      }
    },
  };
}

let checker: Liquid | undefined;

/** Parse a template without rendering it: throws TemplateError on a syntax error. */
export function checkTemplate(template: string): void {
  if (!hasMarkup(template)) return;
  if (!checker) registerTags((checker = new Liquid()));
  compile(checker, template, false);
}

/** liquidjs wraps what tags throw; give callers our TemplateError back. */
function unwrap(e: unknown): TemplateError {
  let cur = e as { originalError?: unknown } | undefined;
  while (cur && !(cur instanceof TemplateError) && cur.originalError) cur = cur.originalError as typeof cur;
  if (cur instanceof TemplateError) return cur;
  const err = cur instanceof Error ? cur : new Error(String(cur));
  return new TemplateError(err.message, { cause: err });
}
