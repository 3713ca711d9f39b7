// Source of /static/editor.js: turns the flow textarea into a CodeMirror 6 YAML editor.
// The textarea stays the form field: every change is copied into it and an `input` event is
// fired on it, so htmx's `input changed delay:400ms` validation and the plain form post work
// unchanged. Errors of the validate fragment (its data-errors) become line diagnostics.
// Build: bun views/editor/build.ts (writes views/static/editor.js).
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { EditorState } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from "@codemirror/view";

interface FlowError { line: number; col: number; path: string; message: string }

function attach(textarea: HTMLTextAreaElement): EditorView {
  const view = new EditorView({
    parent: textarea.parentElement!,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), history(), drawSelection(), indentOnInput(), bracketMatching(),
        highlightActiveLine(), highlightSelectionMatches(), lintGutter(), yaml(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        EditorState.tabSize.of(2),
        keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap, indentWithTab]),
        EditorView.updateListener.of((u) => {
          if (!u.docChanged) return;
          textarea.value = u.state.doc.toString();
          textarea.dispatchEvent(new Event("input", { bubbles: true }));
        }),
      ],
    }),
  });
  textarea.style.display = "none";
  return view;
}

function diagnostics(view: EditorView, errors: FlowError[]): Diagnostic[] {
  const doc = view.state.doc;
  return errors.map((e) => {
    const line = doc.line(Math.min(Math.max(1, e.line), doc.lines));
    const from = Math.min(line.from + Math.max(0, e.col - 1), line.to);
    return { from, to: Math.max(from, line.to), severity: "error", message: e.path ? `${e.path}: ${e.message}` : e.message };
  });
}

function showErrors(view: EditorView) {
  const box = document.getElementById("validation-result");
  if (!box) return;
  const errors = JSON.parse(box.dataset.errors || "[]") as FlowError[];
  view.dispatch(setDiagnostics(view.state, diagnostics(view, errors)));
  // The error lines, for tests and styling hooks.
  view.dom.dataset.errorLines = errors.map((e) => e.line).join(",");
}

function goTo(view: EditorView, lineNo: number) {
  const line = view.state.doc.line(Math.min(Math.max(1, lineNo), view.state.doc.lines));
  view.dispatch({ selection: { anchor: line.from }, scrollIntoView: true });
  view.focus();
}

function init() {
  const textarea = document.querySelector<HTMLTextAreaElement>("textarea[data-editor=yaml]");
  if (!textarea || textarea.dataset.attached) return;
  textarea.dataset.attached = "1";
  const view = attach(textarea);
  (window as unknown as { ternEditor: EditorView }).ternEditor = view;
  showErrors(view);
  document.addEventListener("htmx:after:swap", () => showErrors(view));
  document.addEventListener("click", (e) => {
    const a = (e.target as HTMLElement).closest<HTMLElement>("[data-goto-line]");
    if (!a) return;
    e.preventDefault();
    goTo(view, Number(a.dataset.gotoLine));
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
