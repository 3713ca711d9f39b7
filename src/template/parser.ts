// Pratt parser for Pebble expressions, with Pebble's (and Kestra's) operator precedences:
// ternary < not(5) < or(10) < and(15) < is/contains/in(20) < comparisons(30) < + -(40)
// < * / %(60) < |(100) < ~(110) < ?? ??? ..(120) < unary minus(500) < postfix.
import type { Args, Node } from "./ast";
import { TemplateError } from "./errors";
import { tokenize, type Token } from "./lexer";
import { double } from "./values";

const BINARY: Record<string, number> = {
  or: 10, and: 15, is: 20, contains: 20, in: 20, isIn: 20, not: 20,
  "==": 30, "!=": 30, "<": 30, ">": 30, "<=": 30, ">=": 30, equals: 30,
  "+": 40, "-": 40, "*": 60, "/": 60, "%": 60, "|": 100, "~": 110, "??": 120, "???": 120, "..": 120,
};
const UNARY: Record<string, number> = { not: 5, "-": 500, "+": 500 };
const LITERALS: Record<string, unknown> = { true: true, false: false, null: null, none: null, TRUE: true, FALSE: false, NULL: null };

export function parseExpression(src: string): Node {
  const p = new Parser(src, tokenize(src));
  const node = p.expression();
  p.expectEnd();
  return node;
}

/** A cursor over the tokens of one expression; tags use it to read `x in xs` or `x = expr`. */
export class Parser {
  pos = 0;
  constructor(readonly src: string, readonly tokens: Token[]) {}

  get peek(): Token {
    return this.tokens[this.pos];
  }
  next(): Token {
    return this.tokens[this.pos++];
  }
  isOp(value: string, offset = 0): boolean {
    const t = this.tokens[this.pos + offset];
    return t !== undefined && t.type === "op" && t.value === value;
  }
  isName(value: string, offset = 0): boolean {
    const t = this.tokens[this.pos + offset];
    return t !== undefined && t.type === "name" && t.value === value;
  }
  expectOp(value: string): Token {
    if (!this.isOp(value)) throw this.error(`expected '${value}'`);
    return this.next();
  }
  expectName(): string {
    if (this.peek.type !== "name") throw this.error("expected a name");
    return this.next().value;
  }
  expectEnd(): void {
    if (this.peek.type !== "eof") throw this.error("unexpected token");
  }
  error(what: string): TemplateError {
    const t = this.peek;
    const found = t.type === "eof" ? "end of expression" : `'${t.value || this.src.slice(t.start, t.end)}'`;
    return new TemplateError(`Syntax error in expression '${this.src.trim()}': ${what}, found ${found} at position ${t.start}`);
  }

  /** Full expression, including the ternary that Pebble only allows at the top level. */
  expression(): Node {
    const test = this.binary(0);
    if (!this.isOp("?")) return test;
    this.next();
    const then = this.expression();
    this.expectOp(":");
    return { k: "cond", test, then, else: this.expression() };
  }

  binary(minPrec: number): Node {
    let left = this.unary();
    while (true) {
      const t = this.peek;
      const op = t.type === "op" || t.type === "name" ? t.value : "";
      const prec = BINARY[op];
      if (prec === undefined || prec < minPrec) return left;
      if (op === "not" && !this.isName("in", 1)) return left;
      this.next();
      if (op === "|") left = this.filter(left);
      else if (op === "is") left = this.test(left);
      else if (op === "not") {
        this.next();
        left = { k: "unary", op: "not", arg: { k: "binary", op: "in", left, right: this.binary(prec + 1) } };
      } else left = { k: "binary", op: op === "isIn" ? "in" : op, left, right: this.binary(prec + 1) };
    }
  }

  private unary(): Node {
    const t = this.peek;
    const prec = t.type === "op" || t.type === "name" ? UNARY[t.value] : undefined;
    if (prec === undefined) return this.postfix(this.primary());
    this.next();
    const arg = this.binary(prec);
    return { k: "unary", op: t.value as "not" | "-" | "+", arg };
  }

  private filter(input: Node): Node {
    const name = this.expectName();
    return { k: "filter", input, name, args: this.isOp("(") ? this.args() : noArgs() };
  }

  private test(input: Node): Node {
    const negate = this.isName("not") ? (this.next(), true) : false;
    const name = this.expectName();
    return { k: "test", input, name, negate, args: this.isOp("(") ? this.args() : noArgs() };
  }

  private primary(): Node {
    const t = this.next();
    switch (t.type) {
      case "num":
        // `2.0` is a Java double: it prints "2.0" (values.ts JavaDouble).
        return { k: "lit", value: /[.eE]/.test(t.value) ? double(t.num!) : t.num };
      case "str":
        return { k: "lit", value: t.value };
      case "istr":
        return { k: "interp", parts: t.parts!.map((p) => ("text" in p ? { k: "lit", value: p.text } : parseExpression(p.expr))) };
      case "name":
        if (t.value in LITERALS) return { k: "lit", value: LITERALS[t.value] };
        if (this.isOp("(")) return { k: "call", name: t.value, args: this.args(), src: t.value };
        return { k: "var", name: t.value, src: t.value };
      case "op":
        if (t.value === "(") {
          const inner = this.expression();
          this.expectOp(")");
          return inner;
        }
        if (t.value === "[") return { k: "list", items: this.list("]", () => this.expression()) };
        if (t.value === "{") return { k: "map", entries: this.list("}", () => this.entry()) };
    }
    this.pos--;
    throw this.error("expected a value");
  }

  private entry(): [Node, Node] {
    const key = this.binary(0);
    this.expectOp(":");
    return [key, this.expression()];
  }

  private list<T>(close: string, item: () => T): T[] {
    const items: T[] = [];
    while (!this.isOp(close)) {
      items.push(item());
      if (!this.isOp(",")) break;
      this.next();
    }
    this.expectOp(close);
    return items;
  }

  private args(): Args {
    this.expectOp("(");
    const args: Args = { positional: [], named: [] };
    this.list(")", () => {
      if (this.peek.type === "name" && this.isOp("=", 1)) {
        const name = this.next().value;
        this.next();
        args.named.push([name, this.expression()]);
      } else {
        if (args.named.length) throw this.error("positional argument after named ones");
        args.positional.push(this.expression());
      }
    });
    return args;
  }

  /** `.name`, `.dashed-name`, `[expr]` and `.method(args)` after a value. */
  private postfix(node: Node): Node {
    while (true) {
      if (this.isOp("[")) {
        const open = this.next();
        const key = this.expression();
        const close = this.expectOp("]");
        node = { k: "get", obj: node, key, src: srcOf(node) + this.src.slice(open.start, close.end) };
      } else if (this.isOp(".") && this.tokens[this.pos + 1]?.type === "member") {
        this.next();
        const name = this.next().value;
        if (this.isOp("(")) node = { k: "method", obj: node, name, args: this.args(), src: `${srcOf(node)}.${name}` };
        else if (name.includes("-")) return this.dashed(node, name);
        else node = { k: "get", obj: node, key: { k: "lit", value: name }, src: `${srcOf(node)}.${name}` };
      } else return node;
    }
  }

  private dashed(obj: Node, key: string): Node {
    const dashed = this.postfix({ k: "get", obj, key: { k: "lit", value: key }, src: `${srcOf(obj)}.${key}` });
    const parts = key.split("-");
    const first: Node = { k: "get", obj, key: { k: "lit", value: parts[0] }, src: `${srcOf(obj)}.${parts[0]}` };
    const rest = parts.slice(1).map((p): Node | undefined =>
      /^\d+(\.\d+)?$/.test(p) ? { k: "lit", value: Number(p) } : /^[A-Za-z_$][\w$]*$/.test(p) ? { k: "var", name: p, src: p } : undefined);
    if (rest.some((r) => r === undefined)) return dashed;
    // The tail (`.value` in `a.b-c.value`) belongs to the last operand in Pebble's reading.
    const last = rest.length - 1;
    rest[last] = reapplyTail(dashed, first.obj, key, rest[last]!);
    const fallback = rest.reduce<Node>((left, right) => ({ k: "binary", op: "-", left, right: right! }), first);
    return { k: "dash", obj, key, dashed, fallback };
  }
}

/** Rebuild the postfix chain that followed `obj.key` on top of `base`. */
function reapplyTail(chain: Node, obj: Node, key: string, base: Node): Node {
  if (chain.k === "get" && chain.obj === obj && chain.key.k === "lit" && chain.key.value === key) return base;
  if (chain.k === "get") {
    const inner = reapplyTail(chain.obj, obj, key, base);
    return { ...chain, obj: inner, src: chain.src.replace(`${srcOf(obj)}.${key}`, srcOf(base)) };
  }
  if (chain.k === "method") return { ...chain, obj: reapplyTail(chain.obj, obj, key, base) };
  return base;
}

export function srcOf(node: Node): string {
  if ("src" in node) return node.src;
  if (node.k === "lit") return JSON.stringify(node.value);
  return "(expression)";
}

function noArgs(): Args {
  return { positional: [], named: [] };
}
