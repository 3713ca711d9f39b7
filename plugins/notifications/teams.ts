// io.kestra.plugin.notifications.teams.TeamsIncomingWebhook: post a card to Microsoft Teams.
import { z } from "zod";
import { defineTask } from "../define.ts";
import { parsePayload, payloadProp, postWebhook, webhookUrl } from "./webhook.ts";

export default defineTask({
  type: "io.kestra.plugin.notifications.teams.TeamsIncomingWebhook",
  description: "Send a Microsoft Teams message (MessageCard or Adaptive Card payload) through an incoming webhook.",
  schema: z.object({ url: webhookUrl(), payload: payloadProp().unwrap() }),
  examples: [
    {
      title: "A simple card",
      code: `id: teams
type: io.kestra.plugin.notifications.teams.TeamsIncomingWebhook
url: "{{ secret('TEAMS_WEBHOOK') }}"
payload: |
  {"@type": "MessageCard", "@context": "http://schema.org/extensions", "text": "Flow {{ flow.id }} done"}`,
    },
  ],
  run: (ctx, p) => postWebhook(ctx, "Teams", p.url, parsePayload(p.payload)),
});
