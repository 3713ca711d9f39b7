// io.kestra.plugin.notifications.mail.MailSend: send an email over SMTP with nodemailer
// (a well-kept SMTP client: STARTTLS, implicit TLS, AUTH, MIME, attachments).
import nodemailer from "nodemailer";
import { z } from "zod";
import { defineTask, NonRetriableError } from "../define.ts";

const addresses = z.union([z.string(), z.array(z.string())]);
const fileRef = z.object({
  name: z.string().meta({ description: "File name shown in the mail (the cid of an embedded image)" }),
  uri: z.string().meta({ description: "kestra:/// URI of the content" }),
  contentType: z.string().optional(),
});

/** "a@x, b@y" or [a@x, b@y] -> [a@x, b@y] */
export function addressList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean);
}

export default defineTask({
  type: "io.kestra.plugin.notifications.mail.MailSend",
  description: "Send an email (HTML and/or plain text, attachments from internal storage) through an SMTP server.",
  schema: z.object({
    host: z.string().meta({ description: "SMTP server host" }),
    // A number, or digits (a rendered `{{ inputs.port }}`); not z.coerce, which would turn an
    // unrendered expression into NaN at validation time instead of letting it through.
    port: z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)]).default(25),
    username: z.string().optional(),
    password: z.string().optional(),
    transportStrategy: z
      .enum(["SMTP", "SMTPS", "SMTP_TLS", "SMTP_OAUTH2"])
      .default("SMTPS")
      .meta({ description: "SMTP: plain (STARTTLS if offered); SMTPS: TLS from the start; SMTP_TLS: STARTTLS required" }),
    from: z.string(),
    to: addresses.optional(),
    cc: addresses.optional(),
    bcc: addresses.optional(),
    replyTo: z.string().optional(),
    subject: z.string().default(""),
    htmlTextContent: z.string().optional(),
    plainTextContent: z.string().optional(),
    attachments: z.array(fileRef).optional(),
    embeddedImages: z.array(fileRef).optional(),
    sessionTimeout: z.number().int().positive().default(10_000).meta({ description: "Connection and socket timeout in ms" }),
  }),
  examples: [
    {
      title: "Mail a report",
      code: `id: mail
type: io.kestra.plugin.notifications.mail.MailSend
host: smtp.example.com
port: 465
username: "{{ secret('SMTP_USER') }}"
password: "{{ secret('SMTP_PASSWORD') }}"
from: reports@example.com
to: team@example.com, boss@example.com
subject: Daily report
htmlTextContent: "<p>See attached.</p>"
attachments:
  - name: report.csv
    uri: "{{ outputs.transform.outputFiles['report.csv'] }}"`,
    },
  ],
  async run(ctx, p) {
    if (p.transportStrategy === "SMTP_OAUTH2") throw new NonRetriableError("transportStrategy SMTP_OAUTH2 is not supported by Tern");
    const to = addressList(p.to);
    const cc = addressList(p.cc);
    const bcc = addressList(p.bcc);
    if (to.length + cc.length + bcc.length === 0) throw new NonRetriableError("no recipient: set to, cc or bcc");
    const files = async (list: z.infer<typeof fileRef>[] | undefined, inline: boolean) =>
      Promise.all(
        (list ?? []).map(async (f) => ({
          filename: f.name,
          content: Buffer.from(await ctx.storage.get(f.uri)),
          contentType: f.contentType,
          ...(inline ? { cid: f.name } : {}),
        })),
      );
    const transport = nodemailer.createTransport({
      host: p.host,
      port: p.port,
      secure: p.transportStrategy === "SMTPS",
      requireTLS: p.transportStrategy === "SMTP_TLS",
      auth: p.username ? { user: p.username, pass: p.password ?? "" } : undefined,
      connectionTimeout: p.sessionTimeout,
      greetingTimeout: p.sessionTimeout,
      socketTimeout: p.sessionTimeout,
    });
    // nodemailer has no abort: closing the transport ends a send the engine killed.
    const onAbort = () => transport.close();
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    try {
      const info = await transport.sendMail({
        from: p.from,
        to,
        cc,
        bcc,
        replyTo: p.replyTo,
        subject: p.subject,
        html: p.htmlTextContent,
        text: p.plainTextContent,
        attachments: [...(await files(p.attachments, false)), ...(await files(p.embeddedImages, true))],
      });
      ctx.logger.info(`mail "${p.subject}" sent to ${[...to, ...cc, ...bcc].length} recipient(s) via ${p.host}:${p.port}`);
      return { messageId: info.messageId };
    } catch (e) {
      if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error("mail sending was killed");
      throw new Error(`sending mail via ${p.host}:${p.port} failed: ${(e as Error).message}`);
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
      transport.close();
    }
  },
});
