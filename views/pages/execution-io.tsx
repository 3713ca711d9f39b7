// Inputs and outputs of an execution. Internal-storage URIs (kestra:///…) of this execution
// become a download link and an inline preview (loaded when the details open).
import type { Execution, TaskRun } from "../../src/engine/model.ts";
import { Empty, json } from "../components.tsx";

const isFileUri = (v: unknown): v is string => typeof v === "string" && v.startsWith("kestra:///");

export function fileHref(ex: Execution, uri: string, kind: "download" | "preview") {
  return `/ui/executions/${encodeURIComponent(ex.id)}/file/${kind}?uri=${encodeURIComponent(uri)}`;
}

export function OutputValue({ ex, value }: { ex: Execution; value: unknown }) {
  if (isFileUri(value)) {
    const name = decodeURIComponent(value.split("/").pop() ?? value);
    return (
      <details class="file" hx-get={fileHref(ex, value, "preview")} hx-trigger="toggle once" hx-target="find .pv" hx-swap="innerHTML">
        <summary><span class="mono">{name}</span> · <a href={fileHref(ex, value, "download")} download={name}>download</a> · <a href={fileHref(ex, value, "preview")}>preview</a></summary>
        <div class="pv muted">loading preview…</div>
      </details>
    );
  }
  if (value !== null && typeof value === "object") {
    const files = Object.values(value as object).some(isFileUri) || (Array.isArray(value) && value.some(isFileUri));
    if (files) {
      return <table class="list kv">{Object.entries(value as object).map(([k, v]) => <tr><th>{k}</th><td><OutputValue ex={ex} value={v} /></td></tr>)}</table>;
    }
    return <pre>{json(value)}</pre>;
  }
  return <span class="mono">{String(value)}</span>;
}

function ValueTable({ ex, values }: { ex: Execution; values: Record<string, unknown> | null }) {
  if (!values || !Object.keys(values).length) return <Empty>None.</Empty>;
  return <table class="list kv">{Object.entries(values).map(([k, v]) => <tr><th>{k}</th><td><OutputValue ex={ex} value={v} /></td></tr>)}</table>;
}

export function ExecutionIo({ ex, runs }: { ex: Execution; runs: TaskRun[] }) {
  const withOutputs = runs.filter((r) => r.outputs && Object.keys(r.outputs).length);
  return (
    <div>
      <div class="grid2">
        <section class="panel"><h2>Inputs</h2><ValueTable ex={ex} values={ex.inputs} /></section>
        <section class="panel"><h2>Flow outputs</h2><ValueTable ex={ex} values={ex.outputs} /></section>
      </div>
      <section class="panel">
        <h2>Task outputs</h2>
        {withOutputs.length ? withOutputs.map((r) => (
          <div>
            <h3>{r.taskId}{r.value !== null && <span class="muted"> [{r.value}]</span>}</h3>
            <ValueTable ex={ex} values={r.outputs} />
          </div>
        )) : <Empty>No task produced outputs.</Empty>}
      </section>
      {ex.trigger && <section class="panel"><h2>Trigger</h2><pre>{json(ex.trigger)}</pre></section>}
      {Object.keys(ex.variables ?? {}).length > 0 && <section class="panel"><h2>Variables</h2><pre>{json(ex.variables)}</pre></section>}
    </div>
  );
}

/** The preview fragment: text shown escaped in <pre>, binary described instead of dumped. */
export function FilePreview({ text, size, truncated, binary }: { text: string; size: number; truncated: boolean; binary: boolean }) {
  if (binary) return <p class="muted">Binary file, {size} bytes. Use download.</p>;
  return (
    <div>
      <pre class="preview">{text}</pre>
      {truncated && <p class="muted">Showing the first {text.length} characters of {size} bytes.</p>}
    </div>
  );
}
