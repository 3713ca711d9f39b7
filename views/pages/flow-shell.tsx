// The frame of every flow page: breadcrumb, title, actions and the flow's tabs.
import type { Child } from "hono/jsx";
import { Notice } from "../components.tsx";
import { Header, Layout, Tabs } from "../layout.tsx";

export type FlowTab = "editor" | "topology" | "executions" | "revisions" | "triggers" | "execute";

export const flowHref = (ns: string, id: string) => `/ui/flows/${encodeURIComponent(ns)}/${encodeURIComponent(id)}`;

export function FlowShell({ ns, id, tab, notice, children, scripts, description }: { ns: string; id: string; tab: FlowTab; notice?: string; children?: Child; scripts?: string[]; description?: string }) {
  const h = flowHref(ns, id);
  const tabs = [
    { key: "editor", label: "Editor", href: h },
    { key: "topology", label: "Topology", href: `${h}/topology` },
    { key: "executions", label: "Executions", href: `${h}/executions` },
    { key: "revisions", label: "Revisions", href: `${h}/revisions` },
    { key: "triggers", label: "Triggers", href: `${h}/triggers` },
    { key: "execute", label: "Execute", href: `${h}/execute` },
  ];
  return (
    <Layout title={`${id} · ${ns}`} active="flows" scripts={scripts}>
      <Header title={id} crumbs={[{ href: "/ui/flows", label: "Flows" }, { href: `/ui/flows?namespace=${encodeURIComponent(ns)}`, label: ns }]}>
        <a class="btn primary" href={`${h}/execute`}>Execute</a>
      </Header>
      {description && <p class="muted description">{description}</p>}
      {notice && <Notice kind="ok">{notice}</Notice>}
      <Tabs tabs={tabs} active={tab} />
      {children}
    </Layout>
  );
}
