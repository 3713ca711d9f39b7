// Pebble tags as liquidjs tags. scan.ts turns every segment into `{% name N %}` where N
// indexes the compile-time table of entries; liquidjs only drives block structure and output.
import { type Context, type Emitter, type Liquid, type Parser as LiquidParser, Tag, type TagToken, type TopLevelToken, type Template } from "liquidjs";
import type { Node } from "./ast";
import { locate } from "./errors";
import { evaluate } from "./evaluate";
import { Parser } from "./parser";
import { tokenize } from "./lexer";
import type { RenderState } from "./state";
import { iterable, isMap, stringify, truthy } from "./values";

export type Entry =
  | { kind: "text"; text: string }
  | { kind: "expr"; node: Node; snippet: string; line: number }
  | { kind: "tag"; args: string; snippet: string; line: number };

/** Set while liquidjs parses a compiled template (parsing is synchronous). */
let table: Entry[] = [];
export function withTable<T>(entries: Entry[], parse: () => T): T {
  const saved = table;
  table = entries;
  try {
    return parse();
  } finally {
    table = saved;
  }
}

export const STATE = Symbol("tern-template-state");
const stateOf = (ctx: Context): RenderState => (ctx.environments as Record<symbol, RenderState>)[STATE];
const entry = <K extends Entry["kind"]>(token: TagToken): Extract<Entry, { kind: K }> => table[Number(token.args)] as Extract<Entry, { kind: K }>;

async function run(node: Node, state: RenderState, at: { snippet: string; line: number }): Promise<unknown> {
  try {
    return await evaluate(node, state);
  } catch (e) {
    throw locate(e, at.snippet, at.line);
  }
}

/** Parse a tag's own grammar, reporting errors at the tag. */
function parseTag<T>(e: { args: string; snippet: string; line: number }, read: (p: Parser) => T): T {
  try {
    const p = new Parser(e.args, tokenize(e.args));
    const result = read(p);
    p.expectEnd();
    return result;
  } catch (err) {
    throw locate(err, e.snippet, e.line);
  }
}

class TextTag extends Tag {
  private text: string;
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    this.text = entry<"text">(token).text;
  }
  render(_ctx: Context, emitter: Emitter): void {
    emitter.write(this.text);
  }
}

class OutputTag extends Tag {
  private e: Extract<Entry, { kind: "expr" }>;
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    this.e = entry<"expr">(token);
  }
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    emitter.write(stringify(yield run(this.e.node, stateOf(ctx), this.e)));
  }
}

class IfTag extends Tag {
  private branches: { e: Extract<Entry, { kind: "tag" }>; node: Node; templates: Template[] }[] = [];
  private elseTemplates: Template[] = [];
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid, parser: LiquidParser) {
    super(token, remain, liquid);
    let current: Template[] = [];
    const branch = (t: TagToken) => {
      const e = entry<"tag">(t);
      this.branches.push({ e, node: parseTag(e, (p) => p.expression()), templates: (current = []) });
    };
    branch(token);
    parser.parseStream(remain)
      .on("tag:elseif", branch)
      .on("tag:else", () => void (current = this.elseTemplates))
      .on("tag:endif", function (this: { stop(): void }) { this.stop(); })
      .on("template", (tpl: Template) => void current.push(tpl))
      .start();
  }
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const state = stateOf(ctx);
    for (const b of this.branches) {
      if (truthy(yield run(b.node, state, b.e))) {
        yield this.liquid.renderer.renderTemplates(b.templates, ctx, emitter);
        return;
      }
    }
    yield this.liquid.renderer.renderTemplates(this.elseTemplates, ctx, emitter);
  }
}

class ForTag extends Tag {
  private e: Extract<Entry, { kind: "tag" }>;
  private names: string[];
  private iterable: Node;
  private templates: Template[] = [];
  private elseTemplates: Template[] = [];
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid, parser: LiquidParser) {
    super(token, remain, liquid);
    this.e = entry<"tag">(token);
    [this.names, this.iterable] = parseTag(this.e, (p): [string[], Node] => {
      const names = [p.expectName()];
      if (p.isOp(",")) p.next(), names.push(p.expectName());
      if (!p.isName("in")) throw p.error("expected 'in'");
      p.next();
      return [names, p.expression()];
    });
    let current = this.templates;
    parser.parseStream(remain)
      .on("tag:else", () => void (current = this.elseTemplates))
      .on("tag:endfor", function (this: { stop(): void }) { this.stop(); })
      .on("template", (tpl: Template) => void current.push(tpl))
      .start();
  }
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const state = stateOf(ctx);
    const value = yield run(this.iterable, state, this.e);
    const items = this.names.length === 2 && isMap(value) ? Object.entries(value) : iterable(value);
    if (items.length === 0) {
      yield this.liquid.renderer.renderTemplates(this.elseTemplates, ctx, emitter);
      return;
    }
    const scope: Record<string, unknown> = {};
    state.push(scope);
    try {
      for (let index = 0; index < items.length; index++) {
        const item = items[index];
        if (this.names.length === 2) {
          const [k, v] = Array.isArray(item) && isMap(value) ? item : [index, item];
          scope[this.names[0]] = k;
          scope[this.names[1]] = v;
        } else scope[this.names[0]] = item;
        const length = items.length;
        scope.loop = { index, length, first: index === 0, last: index === length - 1, revindex: length - index - 1 };
        yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
      }
    } finally {
      state.pop();
    }
  }
}

class SetTag extends Tag {
  private e: Extract<Entry, { kind: "tag" }>;
  private varName: string;
  private value: Node;
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    this.e = entry<"tag">(token);
    [this.varName, this.value] = parseTag(this.e, (p): [string, Node] => {
      const name = p.expectName();
      p.expectOp("=");
      return [name, p.expression()];
    });
  }
  *render(ctx: Context): Generator<unknown, void, unknown> {
    const state = stateOf(ctx);
    state.set(this.varName, yield run(this.value, state, this.e));
  }
}

/** `{% filter upper | trim %}…{% endfilter %}`: the body's output through filters. */
class FilterTag extends Tag {
  private e: Extract<Entry, { kind: "tag" }>;
  private chain: Node;
  private templates: Template[] = [];
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid, parser: LiquidParser) {
    super(token, remain, liquid);
    this.e = entry<"tag">(token);
    const e = this.e;
    this.chain = parseTag({ ...e, args: `__filterBody | ${e.args}` }, (p) => p.expression());
    parser.parseStream(remain)
      .on("tag:endfilter", function (this: { stop(): void }) { this.stop(); })
      .on("template", (tpl: Template) => void this.templates.push(tpl))
      .start();
  }
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const state = stateOf(ctx);
    const body = yield this.liquid.renderer.renderTemplates(this.templates, ctx);
    state.push({ __filterBody: body });
    try {
      emitter.write(stringify(yield run(this.chain, state, this.e)));
    } finally {
      state.pop();
    }
  }
}

/** Block tags and what may appear inside them; used by compile-time validation. */
export const BLOCKS: Record<string, { end: string; middle: string[] }> = {
  if: { end: "endif", middle: ["elseif", "else"] },
  for: { end: "endfor", middle: ["else"] },
  filter: { end: "endfilter", middle: [] },
};
export const SIMPLE_TAGS = ["set"];

export function registerTags(liquid: Liquid): void {
  liquid.registerTag("tern_text", TextTag);
  liquid.registerTag("tern_out", OutputTag);
  liquid.registerTag("if", IfTag);
  liquid.registerTag("for", ForTag);
  liquid.registerTag("set", SetTag);
  liquid.registerTag("filter", FilterTag);
}
