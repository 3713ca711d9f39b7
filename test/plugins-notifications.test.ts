// Notifications against real peers on 127.0.0.1: an SMTP server (smtp-server) and Bun.serve.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import type { RunnableDefinition } from "../plugins/define.ts";
import { notificationTasks } from "../plugins/notifications/index.ts";
import { createHarness, type Harness } from "./helpers/task-context.ts";

const task = (suffix: string) => notificationTasks.find((t) => t.type.endsWith(suffix)) as RunnableDefinition<any>;

interface Received {
  mail: ParsedMail;
  envelope: { from: string; to: string[] };
  user?: string;
}

let smtp: SMTPServer;
let smtpPort: number;
let waiters: ((r: Received) => void)[] = [];
const nextMail = () => new Promise<Received>((r) => waiters.push(r));

let http: ReturnType<typeof Bun.serve>;
const posted: { path: string; body: unknown }[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === "mailer" && auth.password === "s3cret") cb(null, { user: auth.username });
      else cb(new Error("Invalid username or password"));
    },
    onData(stream, session, cb) {
      simpleParser(stream).then((mail) => {
        const envelope = { from: (session.envelope.mailFrom as any).address, to: session.envelope.rcptTo.map((r) => r.address) };
        waiters.shift()?.({ mail, envelope, user: session.user as string | undefined });
        cb();
      }, cb);
    },
  });
  await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", () => r()));
  smtpPort = (smtp.server.address() as { port: number }).port;
  http = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/broken") return new Response("invalid_payload", { status: 400 });
      posted.push({ path, body: await req.json() });
      return new Response("ok");
    },
  });
});
afterAll(async () => {
  http.stop(true);
  await new Promise<void>((r) => smtp.close(() => r()));
});

let h: Harness;
afterEach(async () => h && (await h.cleanup()));

test("MailSend delivers HTML + text + attachment to a real SMTP server, with AUTH", async () => {
  h = await createHarness();
  const csv = await h.storage.put("summary.csv", "country,cases\nFR,10\n");
  const arrived = nextMail();
  const out = await h.run(task("mail.MailSend"), {
    host: "127.0.0.1",
    port: smtpPort,
    transportStrategy: "SMTP",
    username: "mailer",
    password: "s3cret",
    from: "tern@example.com",
    to: "a@example.com, b@example.com",
    cc: ["c@example.com"],
    bcc: "hidden@example.com",
    subject: "Daily summary",
    htmlTextContent: "<h1>Summary</h1><p>10 cases</p>",
    plainTextContent: "Summary: 10 cases",
    attachments: [{ name: "summary.csv", uri: csv, contentType: "text/csv" }],
  });
  const { mail, envelope, user } = await arrived;
  expect(out.messageId).toBeString();
  expect(user).toBe("mailer");
  expect(envelope.from).toBe("tern@example.com");
  expect(envelope.to.sort()).toEqual(["a@example.com", "b@example.com", "c@example.com", "hidden@example.com"]);
  expect(mail.subject).toBe("Daily summary");
  expect(mail.html).toContain("<h1>Summary</h1>");
  expect(mail.text?.trim()).toBe("Summary: 10 cases");
  expect(mail.headers.get("bcc")).toBeUndefined();
  expect(mail.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([["summary.csv", "text/csv", "country,cases\nFR,10\n"]]);
});

test("MailSend fails clearly: wrong password, STARTTLS required but not offered, no recipient", async () => {
  h = await createHarness();
  const base = { host: "127.0.0.1", port: smtpPort, from: "tern@example.com", to: "a@example.com", subject: "x", plainTextContent: "x" };
  await expect(h.run(task("mail.MailSend"), { ...base, transportStrategy: "SMTP", username: "mailer", password: "nope" })).rejects.toThrow(
    `sending mail via 127.0.0.1:${smtpPort} failed`,
  );
  await expect(h.run(task("mail.MailSend"), { ...base, transportStrategy: "SMTP_TLS" })).rejects.toThrow("failed");
  await expect(h.run(task("mail.MailSend"), { ...base, to: undefined, transportStrategy: "SMTP" })).rejects.toThrow("no recipient");
});

test("Slack, Discord and Teams webhooks post the expected JSON", async () => {
  h = await createHarness();
  const base = `http://127.0.0.1:${http.port}`;
  posted.length = 0;
  await h.run(task("slack.SlackIncomingWebhook"), { url: `${base}/slack`, payload: '{"text": "hello slack"}' });
  await h.run(task("slack.SlackIncomingWebhook"), { url: `${base}/slack`, messageText: "plain" });
  await h.run(task("discord.DiscordIncomingWebhook"), { url: `${base}/discord`, content: "hello discord", username: "tern" });
  await h.run(task("discord.DiscordIncomingWebhook"), { url: `${base}/discord`, payload: { embeds: [{ title: "t" }] } });
  await h.run(task("teams.TeamsIncomingWebhook"), { url: `${base}/teams`, payload: { "@type": "MessageCard", text: "hello teams" } });
  expect(posted).toEqual([
    { path: "/slack", body: { text: "hello slack" } },
    { path: "/slack", body: { text: "plain" } },
    { path: "/discord", body: { content: "hello discord", username: "tern" } },
    { path: "/discord", body: { embeds: [{ title: "t" }] } },
    { path: "/teams", body: { "@type": "MessageCard", text: "hello teams" } },
  ]);
  await expect(h.run(task("slack.SlackIncomingWebhook"), { url: `${base}/broken`, payload: "{}" })).rejects.toThrow("Slack webhook answered HTTP 400: invalid_payload");
  await expect(h.run(task("slack.SlackIncomingWebhook"), { url: `${base}/slack`, payload: "{not json" })).rejects.toThrow("payload is not valid JSON");
});
