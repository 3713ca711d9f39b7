// Notifications: mail over SMTP, Slack / Discord / Teams incoming webhooks.
import type { TaskDefinition } from "../define.ts";
import discord from "./discord.ts";
import mailSend from "./mail-send.ts";
import slack from "./slack.ts";
import teams from "./teams.ts";

export const notificationTasks: TaskDefinition[] = [mailSend, slack, discord, teams];
