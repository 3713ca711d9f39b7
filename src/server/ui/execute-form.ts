// Form fields -> typed input values: the Execute form and the resume form post one field per
// input (files as multipart). Values are typed by the flow module's resolveInputs, the same
// code the API and CLI use, so a value the form accepts is one the API would accept.
import type { InputDef, InputError } from "../../flow/index.ts";
import { resolveInputs } from "../../flow/index.ts";
import type { Label } from "../../engine/model.ts";
import { parseLabels } from "./params.ts";

export interface FormInputs {
  values: Record<string, unknown>;
  /** Error per input id, Kestra's wording. */
  errors: Record<string, string>;
  /** What was typed, to refill the form after an error (files cannot be refilled). */
  sent: Record<string, string | string[]>;
  labels: Label[];
}

/** Store an uploaded file and return its kestra:/// URI. */
export type PutFile = (inputId: string, file: File) => Promise<string>;

/** How the values are typed: the flow's inputs go through the execution service (expression defaults). */
export type ResolveInputs = (provided: Record<string, unknown>) => Promise<{ values: Record<string, unknown>; errors: InputError[] }>;

export async function readInputForm(
  form: FormData, defs: InputDef[], putFile: PutFile, resolve: ResolveInputs = async (p) => resolveInputs(defs, p),
): Promise<FormInputs> {
  const provided: Record<string, unknown> = {};
  const files = new Map<string, File>();
  const sent: Record<string, string | string[]> = {};
  for (const def of defs) {
    if (def.type === "FILE") {
      const f = form.get(def.id);
      // An empty file field (nothing chosen) arrives as a nameless empty File.
      if (f instanceof File && (f.name || f.size)) files.set(def.id, f), (provided[def.id] = "kestra:///pending");
      continue;
    }
    if (def.type === "MULTISELECT") {
      const all = form.getAll(def.id).map(String).filter(Boolean);
      sent[def.id] = all;
      if (all.length) provided[def.id] = all;
      continue;
    }
    const raw = form.get(def.id);
    if (typeof raw !== "string") continue;
    sent[def.id] = raw;
    if (raw === "") continue; // unset: the default applies, or "missing required input"
    provided[def.id] = def.type === "DATETIME" && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(raw) ? `${raw.length === 16 ? `${raw}:00` : raw}Z` : raw;
  }
  let { values, errors } = await resolve(provided);
  // Files are stored only once every input is valid: a refused form leaves nothing behind.
  if (!errors.length && files.size) {
    for (const [id, f] of files) provided[id] = await putFile(id, f);
    ({ values, errors } = await resolve(provided));
  }
  return {
    values,
    errors: Object.fromEntries(errors.map((e) => [e.input, e.message])),
    sent,
    labels: parseLabels(String(form.get("labels") ?? "").split(/\r?\n/)),
  };
}
