// `tern backfill`: the command creates the backfill on the database; with --run it fires
// every slot itself and exits.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backfillCommand } from "../src/cli/backfill.ts";
import { loadConfig } from "../src/config.ts";
import { createTern } from "../src/main.ts";

const dir = mkdtempSync(join(tmpdir(), "tern-backfill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("backfill --run creates one execution per slot, labelled, with inputs", async () => {
  const tern = await createTern(loadConfig({ data: dir }, {}), {});
  await tern.flows.save(`id: daily
namespace: cli.test
inputs:
  - id: region
    type: STRING
    defaults: eu
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: x
triggers:
  - id: every_day
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 6 * * *"
`);
  await tern.close();
  expect(await backfillCommand(["cli.test", "daily", "every_day", "--data", dir, "--start", "2025-06-01T00:00:00Z", "--end", "2025-06-04T12:00:00Z",
    "--input", "region=us", "--label", "reason=replay", "--run"])).toBe(0);
  const check = await createTern(loadConfig({ data: dir }, {}), {});
  const rs = await check.db.$client.execute("SELECT inputs, labels, trigger FROM executions ORDER BY created_at");
  await check.close();
  expect(rs.rows.length).toBe(4);
  expect(rs.rows.map((r) => JSON.parse(String(r.trigger)).variables.date).sort()).toEqual([
    "2025-06-01T06:00:00Z", "2025-06-02T06:00:00Z", "2025-06-03T06:00:00Z", "2025-06-04T06:00:00Z",
  ]);
  expect(JSON.parse(String(rs.rows[0].inputs))).toEqual({ region: "us" });
  expect(JSON.parse(String(rs.rows[0].labels))).toContainEqual({ key: "reason", value: "replay" });
});

test("usage errors exit 2; an unknown trigger exits 1", async () => {
  expect(await backfillCommand(["cli.test", "daily"])).toBe(2);
  expect(await backfillCommand(["cli.test", "daily", "nope", "--data", dir, "--start", "2025-06-01T00:00:00Z"])).toBe(1);
});
