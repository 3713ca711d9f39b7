// The YAML editor: a textarea (enhanced into CodeMirror by /static/editor.js when scripts
// run) that posts itself to the validate fragment as you type; errors are listed with their
// line and column, and carried in data-errors so the editor can mark the lines.
import { Csrf, ErrorBox } from "../components.tsx";
import { Header, Layout } from "../layout.tsx";
import { FlowShell } from "./flow-shell.tsx";

export interface EditorError { line: number; col: number; path: string; message: string }

export function Validation({ errors, ok }: { errors: EditorError[]; ok?: string }) {
  return (
    <div class="validation" id="validation-result" data-errors={JSON.stringify(errors)} data-valid={String(errors.length === 0)}>
      {errors.length === 0 ? <p class="ok">✓ {ok ?? "Valid flow"}</p> : (
        <>
          <p><b>{errors.length} error{errors.length > 1 ? "s" : ""}</b></p>
          <ul>
            {errors.map((e) => (
              <li data-line={e.line} data-col={e.col}>
                <a class="at" href={`#L${e.line}`} data-goto-line={e.line}>line {e.line}:{e.col}</a>{" "}
                {e.path && <code>{e.path}</code>} {e.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

export interface EditorView {
  source: string;
  errors: EditorError[];
  /** Existing flow (save creates a new revision) or a new one. */
  flow?: { namespace: string; id: string; revision: number; description?: string };
  notice?: string;
  saveError?: string;
}

function EditorForm({ v }: { v: EditorView }) {
  const action = v.flow ? `/ui/flows/${encodeURIComponent(v.flow.namespace)}/${encodeURIComponent(v.flow.id)}` : "/ui/flows";
  return (
    <form method="post" action={action} id="flow-form">
      <Csrf />
      {v.saveError && <ErrorBox title={v.saveError} messages={[]} />}
      <div class="editor-wrap">
        <div>
          <textarea name="source" id="source" rows={28} spellcheck={false} autocomplete="off" data-editor="yaml"
            hx-post="/ui/flows/validate" hx-trigger="input changed delay:400ms" hx-target="#validation" hx-swap="innerHTML">{v.source}</textarea>
        </div>
        <aside class="panel" id="validation" aria-live="polite">
          <Validation errors={v.errors} />
        </aside>
      </div>
      <p>
        <button type="submit" class="primary" id="save">Save</button>{" "}
        {v.flow && <span class="muted">Saving creates revision {v.flow.revision + 1} when the source changed.</span>}
      </p>
    </form>
  );
}

export function FlowEditorPage({ v }: { v: EditorView }) {
  const scripts = ["/static/editor.js"];
  if (!v.flow) {
    return (
      <Layout title="New flow" active="flows" scripts={scripts}>
        <Header title="New flow" crumbs={[{ href: "/ui/flows", label: "Flows" }]} />
        <EditorForm v={v} />
      </Layout>
    );
  }
  return (
    <FlowShell ns={v.flow.namespace} id={v.flow.id} tab="editor" notice={v.notice} scripts={scripts} description={v.flow.description}>
      <EditorForm v={v} />
    </FlowShell>
  );
}

export const NEW_FLOW = `id: hello_world
namespace: company.team
description: A first flow

inputs:
  - id: user
    type: STRING
    defaults: Tern user

tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "Hello {{ inputs.user }}"
`;
