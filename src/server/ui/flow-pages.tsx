// A flow's tabs besides the editor: topology, its executions, revisions with diffs, triggers
// (enable/disable) and the Execute form (POST creates the execution, then shows it).
import type { Context, Hono } from "hono";
import { newExecutionId } from "../../executor/service.ts";
import { putInputFile } from "../../files/index.ts";
import { parseFlow, type Flow } from "../../flow/index.ts";
import { listExecutionSummaries } from "../../store/dashboard.ts";
import { getFlow, listRevisions, type StoredFlow } from "../../store/flows.ts";
import { listTriggerRows, setTriggerDisabled } from "../../store/trigger-rows.ts";
import { ExecutionResults } from "../../../views/pages/executions.tsx";
import { FlowShell } from "../../../views/pages/flow-shell.tsx";
import { ExecuteForm, Revisions, Triggers, type ExecuteView } from "../../../views/pages/flow-tabs.tsx";
import { triggerWhen } from "../../../views/pages/triggers.tsx";
import { TopologySvg } from "../../../views/pages/topology.tsx";
import type { Ctx } from "./deps.ts";
import { notFound, UiError } from "./errors.tsx";
import { diffLines } from "./diff.ts";
import { readInputForm } from "./execute-form.ts";
import { execFilter, pageParams } from "./params.ts";
import { topologyOf } from "./graph.ts";
import { formOf, redirect, send, wantsFragment } from "./render.ts";

export function mountFlowPages(app: Hono, ctx: Ctx) {
  const { db, flows, service, storage } = ctx.deps.tern;

  async function load(c: Context): Promise<{ stored: StoredFlow; flow: Flow }> {
    const ns = c.req.param("ns")!;
    const id = c.req.param("id")!;
    const stored = await getFlow(db, ns, id);
    if (!stored) throw notFound(`Flow ${ns}.${id}`);
    const flow = parseFlow(stored.source, `${ns}.${id}`).flow;
    if (!flow) throw new UiError(422, `The stored flow ${ns}.${id} no longer validates; fix it in the editor`);
    return { stored, flow };
  }

  app.get("/ui/flows/edit/:ns/:id/:tab?", (c) => {
    const tab = c.req.param("tab");
    const to = `/ui/flows/${encodeURIComponent(c.req.param("ns"))}/${encodeURIComponent(c.req.param("id"))}`;
    return c.redirect(tab && tab !== "editor" && tab !== "source" ? `${to}/${encodeURIComponent(tab)}` : to, 301);
  });

  app.get("/ui/flows/:ns/:id/topology", async (c) => {
    const { stored, flow } = await load(c);
    const topo = topologyOf(`${stored.namespace}\u0000${stored.id}\u0000${stored.revision}`, flow);
    return send(c, <FlowShell ns={stored.namespace} id={stored.id} tab="topology" description={flow.description}><TopologySvg topo={topo} /></FlowShell>);
  });

  app.get("/ui/flows/:ns/:id/executions", async (c) => {
    const ns = c.req.param("ns");
    const id = c.req.param("id");
    const { values, filter, query } = execFilter(c);
    const { page, size } = pageParams(c);
    const { rows, total } = await listExecutionSummaries(db, { ...filter, namespace: ns, exactNamespace: true, flowId: id }, page, size);
    const v = { f: values, rows, total, page, size, now: ctx.now(), query: `${query}${query ? "&" : ""}namespace=${encodeURIComponent(ns)}&flowId=${encodeURIComponent(id)}`, namespaces: [] };
    if (wantsFragment(c)) return send(c, <ExecutionResults v={v} />);
    return send(c, <FlowShell ns={ns} id={id} tab="executions"><ExecutionResults v={v} /></FlowShell>);
  });

  app.get("/ui/flows/:ns/:id/revisions", async (c) => {
    const { stored, flow } = await load(c);
    const revs = await listRevisions(db, stored.namespace, stored.id);
    const pick = (k: string, d: number) => {
      const n = Number(c.req.query(k));
      return revs.some((r) => r.revision === n) ? n : d;
    };
    const b = pick("b", stored.revision);
    const a = pick("a", Math.max(1, b - 1));
    const src = (n: number) => revs.find((r) => r.revision === n)?.source ?? "";
    const v = { ns: stored.namespace, id: stored.id, revisions: revs.map((r) => ({ revision: r.revision, createdAt: r.createdAt })), a, b, diff: diffLines(src(a), src(b)), sourceB: src(b) };
    return send(c, <FlowShell ns={stored.namespace} id={stored.id} tab="revisions" description={flow.description}><Revisions v={v} /></FlowShell>);
  });

  app.get("/ui/flows/:ns/:id/triggers", async (c) => {
    const { stored, flow } = await load(c);
    const rows = await listTriggerRows(db, { namespace: stored.namespace, flowId: stored.id });
    const triggers = flow.triggers.map((t) => ({
      id: t.id, type: t.type, when: triggerWhen(t), disabledInFlow: t.disabled === true, row: rows.find((r) => r.triggerId === t.id),
    }));
    return send(c, <FlowShell ns={stored.namespace} id={stored.id} tab="triggers" description={flow.description}><Triggers ns={stored.namespace} id={stored.id} triggers={triggers} /></FlowShell>);
  });

  app.post("/ui/flows/:ns/:id/triggers/:tid/toggle", async (c) => {
    const { stored, flow } = await load(c);
    const t = flow.triggers.find((x) => x.id === c.req.param("tid"));
    if (!t) throw notFound(`Trigger ${c.req.param("tid")}`);
    const form = await formOf(c);
    const disabled = String(form.get("disabled")) === "true";
    await setTriggerDisabled(db, { namespace: stored.namespace, flowId: stored.id, triggerId: t.id, type: t.type }, disabled, ctx.now());
    const back = String(form.get("back") ?? "");
    return redirect(c, back === "/ui/triggers" ? back : `/ui/flows/${encodeURIComponent(stored.namespace)}/${encodeURIComponent(stored.id)}/triggers`);
  });

  const executePage = (c: Context, v: ExecuteView & { description?: string }, status: 200 | 422 = 200) =>
    send(c, <FlowShell ns={v.ns} id={v.id} tab="execute" description={v.description}><ExecuteForm v={v} /></FlowShell>, status);

  app.get("/ui/flows/:ns/:id/execute", async (c) => {
    const { stored, flow } = await load(c);
    return executePage(c, { ns: stored.namespace, id: stored.id, inputs: flow.inputs, disabled: stored.disabled || flow.disabled, description: flow.description });
  });

  app.post("/ui/flows/:ns/:id/execute", async (c) => {
    const { stored, flow } = await load(c);
    const model = await flows.get(stored.namespace, stored.id);
    if (!model) throw notFound(`Flow ${stored.namespace}.${stored.id}`);
    if (stored.disabled || flow.disabled) throw new UiError(409, "This flow is disabled and cannot be executed");
    // The id is chosen here so uploaded files land in the execution's own folder.
    const executionId = newExecutionId();
    const scope = { namespace: stored.namespace, flowId: stored.id, executionId };
    const form = await formOf(c);
    const r = await readInputForm(
      form, flow.inputs, (inputId, file) => putInputFile(storage, scope, inputId, file.name || "upload", file.stream()),
      (provided) => service.resolveInputs(model, provided),
    );
    if (Object.keys(r.errors).length) {
      return executePage(c, { ns: stored.namespace, id: stored.id, inputs: flow.inputs, sent: r.sent, errors: r.errors, labels: String(form.get("labels") ?? "") }, 422);
    }
    const ex = await service.create({ flow: model, id: executionId, inputs: r.values, labels: r.labels });
    return redirect(c, `/ui/executions/${encodeURIComponent(ex.id)}`);
  });
}
