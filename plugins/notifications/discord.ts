// io.kestra.plugin.notifications.discord.DiscordIncomingWebhook: post a message to Discord.
import { z } from "zod";
import { defineTask, NonRetriableError } from "../define.ts";
import { parsePayload, payloadProp, postWebhook, webhookUrl } from "./webhook.ts";

export default defineTask({
  type: "io.kestra.plugin.notifications.discord.DiscordIncomingWebhook",
  description: "Send a Discord message through an incoming webhook (a full payload, or content with an optional username and avatar).",
  schema: z.object({
    url: webhookUrl(),
    payload: payloadProp(),
    content: z.string().optional().meta({ description: "Message text when no payload is given" }),
    username: z.string().optional(),
    avatarUrl: z.string().optional(),
  }),
  examples: [
    {
      title: "Post a short message",
      code: `id: discord
type: io.kestra.plugin.notifications.discord.DiscordIncomingWebhook
url: "{{ secret('DISCORD_WEBHOOK') }}"
content: "Daily report is ready"`,
    },
  ],
  async run(ctx, p) {
    if (p.payload !== undefined) return postWebhook(ctx, "Discord", p.url, parsePayload(p.payload));
    if (p.content === undefined) throw new NonRetriableError("give a payload or content");
    const body: Record<string, unknown> = { content: p.content };
    if (p.username) body.username = p.username;
    if (p.avatarUrl) body.avatar_url = p.avatarUrl;
    return postWebhook(ctx, "Discord", p.url, body);
  },
});
