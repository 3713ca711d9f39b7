// Importing flows from an uploaded file (Kestra's POST /flows/import): one YAML file of one or
// more documents, or a ZIP of YAML files. Each flow is validated and namespace-checked on its
// own; the invalid ones are named (Kestra: the document index for YAML, the entry name for a
// ZIP) with Tern's file:line:col errors. Shared by the API and the dashboard's import form.
import { parseFlows } from "../../flow/index.ts";
import { readZip, ZipError } from "../../files/zip.ts";
import { invalid } from "../errors.ts";
import type { ApiDeps } from "./common.ts";

export interface ImportReport {
  imported: { namespace: string; id: string; revision: number; changed: boolean }[];
  /** Kestra's answer: names of what could not be imported, each with its errors. */
  invalid: { name: string; errors: string[] }[];
}

const isYaml = (name: string) => /\.ya?ml$/i.test(name);

/** The YAML sources of an upload, each with the name Kestra reports it by. */
function sourcesOf(fileName: string, bytes: Uint8Array): { file: string; source: string }[] {
  const dec = new TextDecoder();
  if (isYaml(fileName)) return [{ file: fileName, source: dec.decode(bytes) }];
  if (/\.zip$/i.test(fileName)) {
    try {
      return readZip(bytes).filter((e) => isYaml(e.name)).map((e) => ({ file: e.name, source: dec.decode(e.data) }));
    } catch (e) {
      if (e instanceof ZipError || e instanceof RangeError) throw invalid(`${fileName}: ${e.message}`);
      throw invalid(`${fileName}: the archive could not be read (${(e as Error).message})`);
    }
  }
  const ext = fileName.includes(".") ? fileName.slice(fileName.lastIndexOf(".")) : "(none)";
  throw invalid(`cannot import a file of type ${ext}: send a .yaml/.yml file or a .zip of them`);
}

/**
 * Validate every flow of the upload, then store the valid ones (a changed source makes a new
 * revision). `canEdit` is the caller's editor grant per namespace. With `failOnError`, nothing
 * is stored unless every flow is valid (Kestra stores the valid ones and then fails; storing
 * none keeps a failed import from leaving half a set behind).
 */
export async function importFlows(
  deps: { tern: Pick<ApiDeps["tern"], "flows"> }, upload: { name: string; bytes: Uint8Array }, canEdit: (namespace: string) => boolean, failOnError = false,
): Promise<ImportReport> {
  const report: ImportReport = { imported: [], invalid: [] };
  const valid: { source: string; file: string }[] = [];
  const files = sourcesOf(upload.name, upload.bytes);
  for (const { file, source } of files) {
    const results = parseFlows(source, file);
    results.forEach((r, i) => {
      // Kestra names a YAML upload's documents by index, a ZIP's by entry name.
      const name = isYaml(upload.name) ? String(i) : file;
      if (!r.flow) return void report.invalid.push({ name, errors: r.errors.map((e) => e.format()) });
      if (!canEdit(r.flow.namespace)) return void report.invalid.push({ name, errors: [`${file}: flow ${r.flow.namespace}.${r.flow.id}: the editor role on namespace ${r.flow.namespace} is required`] });
      valid.push({ source: results.length === 1 ? source : r.flow.source, file });
    });
  }
  if (failOnError && report.invalid.length) return report;
  for (const v of valid) {
    const { model, changed } = await deps.tern.flows.save(v.source, v.file);
    report.imported.push({ namespace: model.namespace, id: model.id, revision: model.revision ?? 0, changed });
  }
  return report;
}
