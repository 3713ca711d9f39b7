// Variables of one render: the caller's vars (never mutated) under a stack of scopes that
// `{% set %}` and `{% for %}` write to.
import type { TemplateServices } from "./index";
import { MISSING, type Scope } from "./scope";
import type { Dict } from "./values";

export type RenderString = (template: string, vars: Dict, services: TemplateServices, recursive: boolean) => Promise<string>;

export class RenderState implements Scope {
  private scopes: Dict[] = [{}];
  constructor(
    private readonly vars: Dict,
    readonly services: TemplateServices,
    private readonly renderWith: RenderString,
  ) {}

  lookup(name: string): unknown {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      if (Object.hasOwn(this.scopes[i], name)) return this.scopes[i][name];
    }
    return Object.hasOwn(this.vars, name) ? this.vars[name] : MISSING;
  }

  /** Assign where the name already lives in a local scope, else in the innermost one. */
  set(name: string, value: unknown): void {
    const owner = [...this.scopes].reverse().find((s) => Object.hasOwn(s, name)) ?? this.scopes[this.scopes.length - 1];
    owner[name] = value;
  }

  push(scope: Dict): void {
    this.scopes.push(scope);
  }

  pop(): void {
    this.scopes.pop();
  }

  variables(): Dict {
    return Object.assign({}, this.vars, ...this.scopes);
  }

  renderString(template: string, recursive: boolean): Promise<string> {
    return this.renderWith(template, this.variables(), this.services, recursive);
  }
}
