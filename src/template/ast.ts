// Syntax tree of a Pebble expression. `src` is the source text of the node, used to name
// the missing variable in strict-mode errors (`outputs.my-task.value`).
export interface Args {
  positional: Node[];
  named: [string, Node][];
}

export type Node =
  | { k: "lit"; value: unknown }
  | { k: "var"; name: string; src: string }
  | { k: "get"; obj: Node; key: Node; src: string }
  /** `a.b-c…`: key "b-c" when `a` has it, else the subtraction Pebble would see. */
  | { k: "dash"; obj: Node; key: string; dashed: Node; fallback: Node }
  | { k: "list"; items: Node[] }
  | { k: "map"; entries: [Node, Node][] }
  | { k: "interp"; parts: Node[] }
  | { k: "call"; name: string; args: Args; src: string }
  | { k: "method"; obj: Node; name: string; args: Args; src: string }
  | { k: "filter"; input: Node; name: string; args: Args }
  | { k: "test"; input: Node; name: string; args: Args; negate: boolean }
  | { k: "unary"; op: "not" | "-" | "+"; arg: Node }
  | { k: "binary"; op: string; left: Node; right: Node }
  | { k: "cond"; test: Node; then: Node; else: Node };
