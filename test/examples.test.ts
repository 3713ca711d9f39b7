// The flows in examples/ run for real: a Tern over a libSQL file in a temp dir, a CSV served
// by Bun.serve on 127.0.0.1, a real SMTP server (smtp-server), real python3 subprocesses and
// a real SQLite file for the sales table. Nothing leaves the machine.
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { loadConfig } from "../src/config.ts";
import type { Execution, TaskRun } from "../src/engine/model.ts";
import { resolveInputs } from "../src/flow/index.ts";
import { createTern, type Tern } from "../src/main.ts";
import { loadTaskRuns } from "../src/store/executions.ts";
import { executionLogs } from "../src/store/logs.ts";

const EXAMPLES = join(import.meta.dir, "../examples");

// Kestra's sample orders layout. Order 3 has a bad quantity, order 6 a zero one: both skipped.
// Order 5 has no total: the script computes it (3 x 4.10 = 12.30). E-mails are lower-cased,
// so ANN@x.test and ann@x.test are one customer.
const ORDERS = [
  "order_id,customer_name,customer_email,product_id,price,quantity,total",
  "1,Ann,ANN@x.test,10,2.50,4,10.00",
  "2,Bob,bob@x.test,11,5.00,1,5.00",
  "3,Cy,cy@x.test,10,2.50,many,0",
  "4,Ann,ann@x.test,12,1.25,2,2.50",
  '5,"Dee, Jr.",dee@x.test,11,4.10,3,',
  "6,Eve,eve@x.test,12,1.25,0,0",
  "",
].join("\n");

// OWID's latest-figures layout (a subset of its columns). OWID_WRL is the World aggregate:
// it must not be counted. Empty cells count as 0.
const COVID = [
  "iso_code,continent,location,last_updated_date,total_cases,new_cases,total_deaths,new_deaths",
  "OWID_WRL,,World,2024-08-04,775000000.0,9000.0,7000000.0,90.0",
  "FRA,Europe,France,2024-08-04,39000000.0,1200.0,168000.0,12.0",
  "USA,North America,United States,2024-08-04,103436829.0,5000.0,1190000.0,40.0",
  "BRA,South America,Brazil,2024-08-03,38000000.0,,700000.0,",
  "JPN,Asia,Japan,2024-08-04,33800000.0,2500.0,74000.0,3.0",
  "",
].join("\n");

interface Received {
  mail: ParsedMail;
  rcpt: string[];
}

let dir: string;
let tern: Tern;
let http: ReturnType<typeof Bun.serve>;
let smtp: SMTPServer;
let smtpPort: number;
const mails: Received[] = [];
const requests: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tern-examples-"));
  http = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      requests.push(path);
      if (path === "/orders.csv") return new Response(ORDERS, { headers: { "content-type": "text/csv" } });
      if (path === "/covid.csv") return new Response(COVID, { headers: { "content-type": "text/csv" } });
      return new Response("not found", { status: 404 });
    },
  });
  smtp = new SMTPServer({
    disabledCommands: ["STARTTLS", "AUTH"],
    onData(stream, session, cb) {
      simpleParser(stream).then((mail) => {
        mails.push({ mail, rcpt: session.envelope.rcptTo.map((r) => r.address) });
        cb();
      }, cb);
    },
  });
  await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", () => r()));
  smtpPort = (smtp.server.address() as { port: number }).port;
  // Tasks see only this env (plus what the flows declare): python3 must be on PATH.
  tern = await createTern(loadConfig({ data: join(dir, "data"), tick: "50" }, {}), { PATH: process.env.PATH, HOME: process.env.HOME });
  tern.service.start(50);
});

afterAll(async () => {
  await tern.close();
  http.stop(true);
  await new Promise<void>((r) => smtp.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

/** Save examples/<name>.yaml, run it with `inputs` to its end; the execution and its task runs. */
async function runExample(name: string, inputs: Record<string, unknown> = {}): Promise<{ ex: Execution; runs: Map<string, TaskRun>; logs: string }> {
  const { model } = await tern.flows.save(readFileSync(join(EXAMPLES, `${name}.yaml`), "utf8"), `examples/${name}.yaml`);
  const resolved = resolveInputs((model.inputs ?? []) as never, inputs);
  expect(resolved.errors).toEqual([]);
  const created = await tern.service.create({ flow: model, inputs: resolved.values });
  const ex = await tern.service.waitFor(created.id);
  const runs = new Map((await loadTaskRuns(tern.db, ex.id)).map((r) => [r.taskId, r]));
  const logs = (await executionLogs(tern.db, ex.id)).map((l) => `${l.level} ${l.taskId ?? "-"}: ${l.message}`).join("\n");
  return { ex, runs, logs };
}

const base = () => `http://127.0.0.1:${http.port}`;

test("hello-world runs to SUCCESS with its output", async () => {
  const { ex, logs } = await runExample("hello-world", { name: "Ada" });
  expect(ex.state, logs).toBe("SUCCESS");
  expect(ex.outputs).toEqual({ shouted: "ADA" });
  expect(logs).toContain("Hello, Ada!");
});

test("branches-and-loops runs to SUCCESS through every branch", async () => {
  const { ex, runs, logs } = await runExample("branches-and-loops");
  expect(ex.state, logs).toBe("SUCCESS");
  const reports = (await loadTaskRuns(tern.db, ex.id)).filter((r) => r.taskId === "report");
  expect(reports.map((r) => r.outputs?.value).sort()).toEqual(["report for ap", "report for eu", "report for us"]);
  expect(runs.get("relaxed")?.state).toBe("SUCCESS");
  expect(runs.has("strict_mode")).toBe(false);
  expect(runs.has("alert")).toBe(false);
});

test("daily-sales-report: download, Python transform, load into a SQLite table, summary; a re-run replaces the day", async () => {
  const dbFile = join(dir, "sales.db");
  const inputs = { orders_url: `${base()}/orders.csv`, database_url: `jdbc:sqlite:${dbFile}` };
  const first = await runExample("daily-sales-report", inputs);
  expect(first.ex.state, first.logs).toBe("SUCCESS");
  expect(requests).toContain("/orders.csv");

  const transform = first.runs.get("transform")!.outputs as { vars: Record<string, unknown>; exitCode: number; outputFiles: Record<string, string> };
  expect(transform.exitCode).toBe(0);
  expect(transform.vars).toEqual({ rows: 4, skipped: 2, revenue: 29.8 });
  expect(transform.outputFiles["sales.csv"]).toStartWith("kestra:///tern/examples/daily-sales-report/executions/");
  expect(first.runs.get("load")!.outputs).toEqual({ rowCount: 4, table: "daily_sales" });
  expect(first.runs.get("summary")!.outputs).toEqual({ row: { orders: 4, units: 10, revenue: 29.8, customers: 3 }, size: 1 });
  expect((first.runs.get("top_products")!.outputs as { rows: unknown[] }).rows).toEqual([
    { product_id: 11, units: 4, revenue: 17.3 },
    { product_id: 10, units: 4, revenue: 10 },
    { product_id: 12, units: 2, revenue: 2.5 },
  ]);
  // Flow outputs typed INT/FLOAT: compared as numbers (the engine may hand them back as text).
  expect(Number(first.ex.outputs?.orders)).toBe(4);
  expect(Number(first.ex.outputs?.revenue)).toBe(29.8);
  expect(first.logs).toContain("4 orders, 10 units, revenue 29.8 from 3 customers (2 invalid rows skipped)");
  expect(first.logs).toContain("Top products: #11 (17.3), #10 (10), #12 (2.5)");

  // Read the table straight from the file the flow wrote.
  const db = createClient({ url: `file:${dbFile}` });
  try {
    const rows = async () =>
      (await db.execute("SELECT report_date, order_id, customer_email, product_id, quantity, price, total FROM daily_sales ORDER BY order_id")).rows.map((r) => ({ ...r }) as Record<string, unknown>);
    // The report day is the execution's start date in Tern's time zone: read it from the report.
    const day = /Sales for (\d{4}-\d\d-\d\d):/.exec(first.logs)?.[1] ?? "";
    expect(Math.abs(Date.parse(day) - first.ex.startDate!)).toBeLessThan(36 * 3600_000);
    expect(await rows()).toEqual([
      { report_date: day, order_id: 1, customer_email: "ann@x.test", product_id: 10, quantity: 4, price: 2.5, total: 10 },
      { report_date: day, order_id: 2, customer_email: "bob@x.test", product_id: 11, quantity: 1, price: 5, total: 5 },
      { report_date: day, order_id: 4, customer_email: "ann@x.test", product_id: 12, quantity: 2, price: 1.25, total: 2.5 },
      { report_date: day, order_id: 5, customer_email: "dee@x.test", product_id: 11, quantity: 3, price: 4.1, total: 12.3 },
    ]);

    // The same day again: the day's rows are replaced, not doubled (the primary key would refuse them).
    const again = await runExample("daily-sales-report", inputs);
    expect(again.ex.state, again.logs).toBe("SUCCESS");
    expect((await db.execute("SELECT COUNT(*) AS n FROM daily_sales")).rows[0]!.n).toBe(4);
  } finally {
    db.close();
  }
});

test("daily-sales-report fails, runs its errors branch and loads nothing when the database cannot be opened", async () => {
  const { ex, runs, logs } = await runExample("daily-sales-report", {
    orders_url: `${base()}/orders.csv`,
    database_url: `jdbc:sqlite:${join(dir, "no-such-dir", "sales.db")}`,
  });
  expect(ex.state).toBe("FAILED");
  expect(runs.get("transform")!.state).toBe("SUCCESS");
  expect(runs.get("prepare_table")!.state).toBe("FAILED");
  expect(runs.has("load")).toBe(false);
  expect(runs.get("alert")!.state).toBe("SUCCESS");
  expect(logs).toMatch(/ERROR alert: Daily sales report \d{4}-\d\d-\d\d failed \(execution /);
});

test("covid-summary: download, Python summary, the mail arrives with the numbers and the CSV attached", async () => {
  const before = mails.length;
  const { ex, runs, logs } = await runExample("covid-summary", {
    csv_url: `${base()}/covid.csv`,
    top: 2,
    smtp_host: "127.0.0.1",
    smtp_port: smtpPort,
    mail_from: "tern@example.test",
    mail_to: "ops@example.test, lead@example.test",
  });
  expect(ex.state, logs).toBe("SUCCESS");
  const vars = (runs.get("summarise")!.outputs as { vars: Record<string, unknown> }).vars;
  expect(vars).toEqual({
    as_of: "2024-08-04",
    countries: 4,
    new_cases: 8700,
    new_deaths: 55,
    total_cases: 214236829,
    total_deaths: 2132000,
    top: [
      { location: "United States", new_cases: 5000, new_deaths: 40, total_cases: 103436829, total_deaths: 1190000 },
      { location: "Japan", new_cases: 2500, new_deaths: 3, total_cases: 33800000, total_deaths: 74000 },
    ],
  });
  expect(Number(ex.outputs?.new_cases)).toBe(8700);

  expect(mails.length).toBe(before + 1);
  const { mail, rcpt } = mails[mails.length - 1]!;
  expect(rcpt.sort()).toEqual(["lead@example.test", "ops@example.test"]);
  expect(mail.from?.text).toBe("tern@example.test");
  expect(mail.subject).toBe("COVID-19 summary for 2024-08-04");
  const body = mail.text ?? "";
  expect(body).toContain("(4 countries)");
  expect(body).toMatch(/New cases: +8700\n/);
  expect(body).toMatch(/New deaths: +55\n/);
  expect(body).toMatch(/Total cases: +214236829\n/);
  expect(body).toMatch(/Total deaths: +2132000\n/);
  expect(body).toContain("United States: 5000 new cases, 40 new deaths");
  expect(body).toContain("Japan: 2500 new cases, 3 new deaths");
  expect(body).not.toContain("France"); // top 2 only
  expect(body).not.toContain("World");
  expect(body).toContain(`Execution: ${ex.id}`);
  expect(mail.attachments.map((a) => a.filename)).toEqual(["top-countries.csv"]);
  expect(mail.attachments[0]!.content.toString("utf8").replace(/\r\n/g, "\n")).toBe(
    "location,new_cases,new_deaths,total_cases,total_deaths\nUnited States,5000,40,103436829,1190000\nJapan,2500,3,33800000,74000\n",
  );
});

test("covid-summary fails and logs why when the mail server refuses the connection", async () => {
  // A port that was just free: nothing listens there.
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const closedPort = probe.port;
  probe.stop(true);
  const before = mails.length;
  const { ex, runs, logs } = await runExample("covid-summary", { csv_url: `${base()}/covid.csv`, smtp_host: "127.0.0.1", smtp_port: closedPort });
  expect(ex.state).toBe("FAILED");
  expect(runs.get("summarise")!.state).toBe("SUCCESS");
  expect(runs.get("mail")!.state).toBe("FAILED");
  expect(mails.length).toBe(before);
  expect(logs).toMatch(new RegExp(`ERROR alert: COVID-19 summary failed \\(execution ${ex.id}\\): sending mail via 127\\.0\\.0\\.1:${closedPort} failed`));
});

test("Tern's own settings reach the plugins but not the scripts: TERN_HTTP_ALLOW_PRIVATE=false refuses a download from 127.0.0.1", async () => {
  const guarded = await createTern(loadConfig({ data: join(dir, "guarded") }, {}), {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TERN_HTTP_ALLOW_PRIVATE: "false",
    TERN_SECRET_KEY: "not-for-scripts",
    SECRET_TOKEN: Buffer.from("hidden").toString("base64"),
  });
  guarded.service.start(50);
  try {
    const run = async (source: string) => {
      const { model } = await guarded.flows.save(source, "flow.yaml");
      const ex = await guarded.service.waitFor((await guarded.service.create({ flow: model })).id);
      return { ex, logs: (await executionLogs(guarded.db, ex.id)).map((l) => l.message).join("\n") };
    };
    // No retry here: the engine does not yet skip retries for a NonRetriableError.
    const before = requests.length;
    const dl = await run(`id: dl\nnamespace: t\ntasks:\n  - id: dl\n    type: io.kestra.plugin.core.http.Download\n    uri: ${base()}/orders.csv\n`);
    expect(dl.ex.state).toBe("FAILED");
    expect(dl.logs).toContain(`request to 127.0.0.1:${http.port} refused: private or loopback address 127.0.0.1 (set TERN_HTTP_ALLOW_PRIVATE=true to allow)`);
    expect(requests.length).toBe(before);

    const env = await run("id: env\nnamespace: t\ntasks:\n  - id: env\n    type: io.kestra.plugin.scripts.shell.Commands\n    commands: [env]\n");
    expect(env.ex.state, env.logs).toBe("SUCCESS");
    expect(env.logs).toContain("PATH=");
    expect(env.logs).not.toMatch(/TERN_|SECRET_|not-for-scripts/);
  } finally {
    await guarded.close();
  }
});
