// /ui/plugins: every task type, documented from its zod schema (as JSON Schema) with its
// description, aliases and YAML examples.
import type { Child } from "hono/jsx";
import { Empty } from "../components.tsx";
import { Header, Layout } from "../layout.tsx";

export interface PluginProp { name: string; type: string; required: boolean; description?: string; default?: string; values?: string[] }
export interface PluginDoc { type: string; title: string; kind: string; aliases: string[]; description: string; props: PluginProp[]; examples: { title: string; code: string }[] }

const href = (type: string) => `/ui/plugins/${encodeURIComponent(type)}`;

export function PluginsPage({ docs, q }: { docs: PluginDoc[]; q: string }) {
  const groups = new Map<string, PluginDoc[]>();
  for (const d of docs) {
    const pkg = d.type.split(".").slice(0, -1).join(".");
    groups.set(pkg, [...(groups.get(pkg) ?? []), d]);
  }
  return (
    <Layout title="Plugins" active="plugins">
      <Header title="Plugins" />
      <form class="filters" method="get" action="/ui/plugins">
        <label class="f">Search<input type="search" name="q" value={q} placeholder="type, alias or description" /></label>
        <button type="submit">Search</button>
      </form>
      {docs.length === 0 && <Empty>No task type matches.</Empty>}
      {[...groups].map(([pkg, list]) => (
        <section class="panel">
          <h2 class="plugin-type">{pkg}</h2>
          <table class="list"><tbody>
            {list.map((d) => <tr><td style="width:220px"><a href={href(d.type)}><b>{d.title}</b></a> <span class="muted">{d.kind === "flowable" ? "flowable" : ""}</span></td><td>{d.description}</td></tr>)}
          </tbody></table>
        </section>
      ))}
    </Layout>
  );
}

function Section({ title, children }: { title: string; children?: Child }) {
  return <section class="panel"><h2>{title}</h2>{children}</section>;
}

export function PluginPage({ d }: { d: PluginDoc }) {
  return (
    <Layout title={d.title} active="plugins">
      <Header title={d.title} crumbs={[{ href: "/ui/plugins", label: "Plugins" }]} />
      <p class="plugin-type">{d.type}</p>
      {d.aliases.length > 0 && <p class="muted">Also accepted as: {d.aliases.map((a, i) => <>{i > 0 && ", "}<code>{a}</code></>)}</p>}
      <p>{d.description}</p>
      <Section title="Properties">
        {d.props.length === 0 ? <Empty>No property besides id and type.</Empty> : (
          <table class="list">
            <thead><tr><th>Property</th><th>Type</th><th>Required</th><th>Default</th><th>Description</th></tr></thead>
            <tbody>{d.props.map((p) => (
              <tr><td class="mono"><b>{p.name}</b></td><td class="mono">{p.type}{p.values && <div class="muted">{p.values.join(" | ")}</div>}</td>
                <td>{p.required ? "yes" : ""}</td><td class="mono">{p.default ?? ""}</td><td>{p.description ?? ""}</td></tr>
            ))}</tbody>
          </table>
        )}
      </Section>
      <Section title="Examples">
        {d.examples.length === 0 ? <Empty>No example.</Empty> : d.examples.map((e) => <div><h3>{e.title}</h3><pre>{e.code}</pre></div>)}
      </Section>
    </Layout>
  );
}
