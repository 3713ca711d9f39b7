// `tern validate`: every error of every flow file; exit 2 if any.
import { validateFiles } from "../flow/index.ts";

export async function validateCommand(paths: string[]): Promise<number> {
  if (!paths.length) {
    console.error("tern validate: give flow files or directories");
    return 2;
  }
  const results = await validateFiles(paths);
  let bad = 0;
  for (const r of results) {
    if (r.errors.length === 0) continue;
    bad++;
    for (const e of r.errors) console.error(e.format());
  }
  console.error(`${results.length} flow file(s) checked, ${bad} with errors`);
  return bad ? 2 : 0;
}
