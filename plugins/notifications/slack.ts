// io.kestra.plugin.notifications.slack.SlackIncomingWebhook: post a message to Slack.
import { z } from "zod";
import { defineTask, NonRetriableError } from "../define.ts";
import { parsePayload, payloadProp, postWebhook, webhookUrl } from "./webhook.ts";

export default defineTask({
  type: "io.kestra.plugin.notifications.slack.SlackIncomingWebhook",
  description: "Send a Slack message through an incoming webhook.",
  schema: z.object({
    url: webhookUrl(),
    payload: payloadProp(),
    messageText: z.string().optional().meta({ description: "Plain message text (sent as {\"text\": …}) when no payload is given" }),
  }),
  examples: [
    {
      title: "Tell the team a flow finished",
      code: `id: slack
type: io.kestra.plugin.notifications.slack.SlackIncomingWebhook
url: "{{ secret('SLACK_WEBHOOK') }}"
payload: |
  {"text": "Flow {{ flow.id }} finished: execution {{ execution.id }}"}`,
    },
  ],
  async run(ctx, p) {
    if (p.payload === undefined && p.messageText === undefined) throw new NonRetriableError("give a payload or messageText");
    return postWebhook(ctx, "Slack", p.url, p.payload !== undefined ? parsePayload(p.payload) : { text: p.messageText });
  },
});
