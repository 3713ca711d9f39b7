// Named parameters (`:name`, as in Kestra's jdbc `parameters`) -> PostgreSQL's $1..$n.
// Skips quoted strings, quoted identifiers, comments, dollar-quoted bodies and `::` casts,
// so only real placeholders are replaced.
export function toPositional(sql: string, params: Record<string, unknown>): { text: string; values: unknown[] } {
  const order: string[] = [];
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const rest = sql.slice(i);
    const skip =
      c === "'" ? /^'(?:[^']|'')*'/.exec(rest)
      : c === '"' ? /^"(?:[^"]|"")*"/.exec(rest)
      : rest.startsWith("--") ? /^--[^\n]*/.exec(rest)
      : rest.startsWith("/*") ? /^\/\*[\s\S]*?\*\//.exec(rest)
      : c === "$" ? /^(\$[A-Za-z_]*\$)[\s\S]*?\1/.exec(rest)
      : rest.startsWith("::") ? /^::/.exec(rest)
      : null;
    if (skip) {
      out += skip[0];
      i += skip[0].length;
      continue;
    }
    const named = c === ":" ? /^:([A-Za-z_][A-Za-z0-9_]*)/.exec(rest) : null;
    if (named) {
      const name = named[1]!;
      if (!(name in params)) throw new Error(`SQL parameter ":${name}" has no value in parameters`);
      let idx = order.indexOf(name);
      if (idx === -1) idx = order.push(name) - 1;
      out += `$${idx + 1}`;
      i += named[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return { text: out, values: order.map((n) => params[n]) };
}
