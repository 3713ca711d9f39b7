// Expression engine: syntax, operators, tags, strictness and output formatting.
import { describe, expect, test } from "bun:test";
import { TemplateError } from "../src/template/index.ts";
import { evaluate, render, vars } from "./template-helpers.ts";

describe("literals and output formatting", () => {
  test.each([
    ["{{ 'single' }} {{ \"double\" }}", "single double"],
    ["{{ 42 }}|{{ 4.5 }}|{{ -7 }}", "42|4.5|-7"],
    ["{{ true }}/{{ false }}/{{ null }}/{{ none }}", "true/false//"],
    ["{{ [1, 'a', true, null] }}", '[1,"a",true,null]'],
    ["{{ {'k': 1, 'n': null, 'l': [1]} }}", '{"k":1,"l":[1]}'],
    ["{{ inputs.obj }}", '{"a":1,"b":[1,2],"c":{"d":"x"}}'],
    ["{{ inputs.f }}", "0.1"],
    ["{{ 'it\\'s' }} {{ \"say \\\"hi\\\"\" }}", `it's say "hi"`],
    ["{{ 'back\\\\slash' }}", "back\\slash"],
    ["{{ 'no\\nescape' }}", "no\\nescape"],
    ['{{ "hi #{inputs.name}!" }}', "hi World!"],
    ["plain text { with braces }", "plain text { with braces }"],
    ["{{ inputs.nullValue }}", ""],
  ])("%s", async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });

  test("Dates print as ISO-8601 instants and large integers without exponent", async () => {
    expect(await render("{{ d }} {{ big }}", { d: new Date("2024-01-01T00:00:00Z"), big: 12345678901234 })).toBe(
      "2024-01-01T00:00:00Z 12345678901234",
    );
  });

  test("evaluate() returns typed values", async () => {
    expect(await evaluate("inputs.list")).toEqual([3, 1, 2]);
    expect(await evaluate("1 + 1")).toBe(2);
    expect(await evaluate("{'a': [1, inputs.n]}")).toEqual({ a: [1, 3] });
    expect(await evaluate("inputs.nullValue")).toBeNull();
    expect(await evaluate("inputs.n > 2")).toBe(true);
  });
});

describe("member access", () => {
  test.each([
    ["{{ inputs.obj.c.d }}", "x"],
    ["{{ inputs.obj['c']['d'] }}", "x"],
    ["{{ inputs['from-parent'] }}", "dash"],
    ["{{ inputs.list[0] }}-{{ inputs.list.1 }}", "3-1"],
    ["{{ outputs.each[taskrun.value].value }}", "A"],
    ["{{ outputs.my-task.value }}", "42"],
    ["{{ outputs.loop.iteration-1 }}", "4"],
    ["{{ vars.a-vars.b }}", "6"],
    ["{{ inputs.list.size }} {{ inputs.name.length }}", "3 5"],
    ["{{ inputs.name.toUpperCase() }} {{ inputs.list.size() }}", "WORLD 3"],
  ])("%s", async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });

  test("flat dotted keys read as nested maps (labels.system.correlationId)", async () => {
    expect(await render("{{ labels.system.correlationId }}", { labels: { "system.correlationId": "abc" } })).toBe("abc");
  });
});

describe("Java doubles", () => {
  // Pebble computes with Long and Double: a literal with a fraction, or any operand with one,
  // makes a Double, which prints with its fraction even when whole.
  test.each([
    ["{{ 2.0 }} {{ -2.0 }} {{ 1.5 * 2 }} {{ 1.5 + 1.5 }} {{ 3 * 1.0 }} {{ 7 % 2.0 }}", "2.0 -2.0 3.0 3.0 3.0 1.0"],
    ["{{ 10 / 4 }} {{ 10 / 4.0 }} {{ 2 + 3 }} {{ 1.25 }}", "2 2.5 5 1.25"],
    ["{{ 'a' ~ 2.0 }} {{ 'a' + (1.5 * 2) }} {{ \"#{2.0}\" }}", "a2.0 a3.0 2.0"],
    ["{{ 20000000.0 }} {{ 1234567.0 }}", "2.0E7 1234567.0"],
    ["{{ 2.0 == 2 }} {{ 1.0 + 1 > 1 }} {{ 3.0 < 2 }} {{ 0.0 ? 'y' : 'n' }} {{ 1.0 ? 'y' : 'n' }}", "true true false n y"],
    ["{% set x = 2.5 * 2 %}{{ x }} {{ x + 1 }} {{ x | className }} {{ 5 | className }}", "5.0 6.0 java.lang.Double java.lang.Integer"],
    // Filters, functions and indexes see plain numbers; JSON writes numbers.
    ["{{ (1.5 * 2) | number }} {{ range(1.0, 3) }} {{ [10, 20][1.0] }} {{ [1.0, 2] }}", "3 [1,2,3] 20 [1,2]"],
  ])("%s", async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });
});

describe("operators", () => {
  test.each([
    ["{{ 2 + 3 * 4 }} {{ (2 + 3) * 4 }}", "14 20"],
    ["{{ 10 / 4 }} {{ 10 / 2.5 }} {{ 7 % 3 }} {{ 1.5 * 2 }}", "2 4.0 1 3.0"],
    ["{{ -inputs.n + 1 }}", "-2"],
    ["{{ 'a' + 1 }} {{ 'a' ~ 1 ~ true ~ null }}", "a1 a1true"],
    ["{{ flow.namespace ~ '.' ~ flow.id }}", "company.team.hello"],
    ["{{ 1..3 }}", "[1,2,3]"],
    ["{{ 2 > 1 }} {{ 2 <= 1 }} {{ 'b' > 'a' }} {{ 1 == 1.0 }} {{ '1' == 1 }}", "true false true true false"],
    ["{{ inputs.name equals 'World' }} {{ inputs.name != 'x' }} {{ [1, 2] == [1, 2] }}", "true true true"],
    ["{{ true and false }} {{ true or false }} {{ not false }} {{ not inputs.flag }}", "false true true false"],
    ["{{ not 1 == 2 }}", "true"],
    ["{{ [1, 2] contains 2 }} {{ 'hello' contains 'ell' }} {{ inputs.obj contains 'a' }} {{ [1, 2, 3] contains [1, 3] }}", "true true true true"],
    ["{{ 'b' in ['a', 'b'] }} {{ 'z' not in ['a'] }} {{ 2 in ['1', '2'] }}", "true true true"],
    ["{{ inputs.n > 2 ? 'big' : 'small' }}", "big"],
    ["{{ inputs.n > 5 ? 'big' : inputs.n > 2 ? 'medium' : 'small' }}", "medium"],
    ["{{ (inputs.missing ?? 0) == 0 ? 'create' : 'update' }}", "create"],
    ["{{ inputs.missing ?? 'd' }} {{ inputs.nullValue ?? 'n' }} {{ inputs.name ?? 'x' }}", "d n World"],
    ["[{{ inputs.nullValue ??? 'd' }}] {{ undefinedVar ??? 'u' }}", "[] u"],
    ["{{ outputs.default.value ?? outputs['error-t1'].value }}", "from error"],
    ["{{ outputs.nope.deep.deeper ?? 'safe' }}", "safe"],
  ])("%s", async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });

  test("integer division by zero fails like Java", async () => {
    await expect(render("{{ 1 / 0 }}")).rejects.toThrow("/ by zero");
  });
});

describe("tests (is …)", () => {
  test.each([
    ["{{ inputs.name is defined }} {{ nope is defined }} {{ nope is not defined }} {{ inputs.nope.x is defined }}", "true false true false"],
    ["{{ nope.deep is null }} {{ inputs.nullValue is null }} {{ inputs.name is not null }}", "true true true"],
    ["{{ '' is empty }} {{ '  ' is empty }} {{ [] is empty }} {{ {} is empty }} {{ inputs.list is not empty }}", "true true true true true"],
    ["{{ 4 is even }} {{ 3 is odd }} {{ 3 is even }}", "true true false"],
    ["{{ inputs.list is iterable }} {{ inputs.obj is map }} {{ inputs.list is map }}", "true true false"],
    ["{{ inputs.json is json }} {{ taskrun.value is json }}", "true false"],
  ])("%s", async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });
});

describe("strict variables", () => {
  test("an undefined root variable names itself and the expression", async () => {
    const err = await render("x {{ foo.bar }}").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as Error).message).toBe("Unable to find `foo` used in the expression `{{ foo.bar }}` at line 1");
  });

  test("a missing attribute names the whole path", async () => {
    await expect(render("line1\n{{ inputs.nope }}")).rejects.toThrow("Missing variable: 'inputs.nope' on '{{ inputs.nope }}' at line 2");
  });

  test("a missing dashed key names the dashed path", async () => {
    await expect(render("{{ outputs.other-task.value }}")).rejects.toThrow("'outputs.other-task'");
  });

  test("attribute of null and index out of range fail", async () => {
    await expect(render("{{ inputs.nullValue.x }}")).rejects.toThrow("inputs.nullValue.x");
    await expect(render("{{ inputs.list[5] }}")).rejects.toThrow("inputs.list[5]");
  });

  test("only the branch taken is evaluated (Kestra's `? 'ok' : ko` idiom)", async () => {
    const t = "{{ taskrun.attemptsCount == 1 ? 'ok' : ko }}";
    expect(await render(t)).toBe("ok");
    await expect(render(t, { ...vars, taskrun: { attemptsCount: 2 } })).rejects.toThrow("Unable to find `ko` used in the expression");
  });

  test("evaluate() is strict too", async () => {
    await expect(evaluate("missing + 1")).rejects.toThrow("Unable to find `missing`");
    await expect(evaluate("1 +")).rejects.toThrow(TemplateError);
  });

  test("syntax errors and unknown names are TemplateErrors", async () => {
    await expect(render("{{ 1 + }}")).rejects.toThrow(TemplateError);
    await expect(render("{{ inputs.name | nope }}")).rejects.toThrow("Filter [nope] does not exist");
    await expect(render("{{ nope() }}")).rejects.toThrow("Function or Macro [nope] does not exist");
    await expect(render("{{ 1 is nope }}")).rejects.toThrow("Test [nope] does not exist");
    await expect(render("{{ unclosed")).rejects.toThrow("Unclosed '{{'");
    await expect(render("{% if true %}x")).rejects.toThrow("Unclosed tag 'if' starting at line 1");
    await expect(render("{% endfor %}")).rejects.toThrow("Unexpected 'endfor'");
    await expect(render("{% macro x() %}{% endmacro %}")).rejects.toThrow("Unexpected tag name 'macro'");
  });
});

describe("tags", () => {
  test.each([
    ["{% if inputs.n > 5 %}big{% elseif inputs.n > 2 %}medium{% else %}small{% endif %}", "medium"],
    ["{% if nope is defined %}yes{% else %}no{% endif %}", "no"],
    ["{% for x in inputs.list %}{{ loop.index }}:{{ x }}{% if not loop.last %},{% endif %}{% endfor %}", "0:3,1:1,2:2"],
    ["{% for x in inputs.list %}{{ loop.first }}/{{ loop.last }}/{{ loop.length }}/{{ loop.revindex }} {% endfor %}",
      "true/false/3/2 false/false/3/1 false/true/3/0 "],
    ["{% for x in [] %}x{% else %}empty{% endfor %}", "empty"],
    ["{% for e in inputs.obj %}{{ e.key }}={{ e.value }};{% endfor %}", 'a=1;b=[1,2];c={"d":"x"};'],
    ["{% for k, v in {'x': 1, 'y': 2} %}{{ k }}{{ v }}{% endfor %}", "x1y2"],
    ["{% for i in 1..2 %}{% for j in ['a', 'b'] %}{{ i }}{{ j }} {% endfor %}{% endfor %}", "1a 1b 2a 2b "],
    ["{% set total = 0 %}{% for x in inputs.list %}{% set total = total + x %}{% endfor %}{{ total }}", "6"],
    ["{% set name = 'local' %}{{ name }}", "local"],
    ["{% raw %}{{ not rendered }} {% if %}{% endraw %}", "{{ not rendered }} {% if %}"],
    ["{% verbatim %}{{ x }}{% endverbatim %}", "{{ x }}"],
    ["a {%- raw -%} {{ x }} {%- endraw -%} b", "a{{ x }}b"],
    ["a{# a comment {{ x }} #}b", "ab"],
    ["a  {{- ' b ' -}}  c", "a b c"],
    ["x\n  {%- if true -%}\n  y\n  {%- endif -%}\n  z", "xyz"],
    ["{% filter upper %}hello {{ inputs.name }}{% endfilter %}", "HELLO WORLD"],
    ["{{ {'a': {'b': 1}} }}", '{"a":{"b":1}}'],
    ["{% set m = {'k': '}}'} %}{{ m.k }}", "}}"],
  ])("%s", async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });

  test("a for-tag variable does not leak out of the loop", async () => {
    await expect(render("{% for x in [1] %}{% endfor %}{{ x }}")).rejects.toThrow("Unable to find `x`");
  });

  test("errorLogs() loop from the conformance corpus (errors.yaml)", async () => {
    const t = "{%- for log in errorLogs() -%}\n- task: {{ log.taskId }}, message: {{ log.message }}\n{%- endfor -%}\n";
    expect(await render(t)).toBe("- task: failed, message: Task failure");
  });
});

describe("rendering is not recursive", () => {
  test("a value containing an expression stays literal", async () => {
    expect(await render("{{ inputs.template }}")).toBe("{{ inputs.name }}");
    expect(await render("{{ vars.greeting }}")).toBe("Hello {{ inputs.name }}");
  });

  test("render() renders recursively, renderOnce() once", async () => {
    expect(await render("{{ render(vars.greeting) }}")).toBe("Hello World");
    const v = { ...vars, a: "{{ b }}", b: "{{ c }}", c: "end" };
    expect(await render("{{ render(a) }}", v)).toBe("end");
    expect(await render("{{ renderOnce(a) }}", v)).toBe("{{ c }}");
    expect(await render("{{ render(42) }}")).toBe("42");
  });

  test("render() keeps raw blocks literal across passes", async () => {
    const v = { ...vars, t: "{% raw %}{{ keep }}{% endraw %} {{ inputs.name }}" };
    expect(await render("{{ render(t) }}", v)).toBe("{{ keep }} World");
  });

  test("render() sees variables set by the template", async () => {
    expect(await render("{% set who = 'you' %}{{ render('hi {{ who }}') }}")).toBe("hi you");
  });
});
