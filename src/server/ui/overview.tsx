// `/`: the overview page (last 14 days).
import type { Hono } from "hono";
import { overview } from "../../store/dashboard.ts";
import { OverviewPage } from "../../../views/pages/overview.tsx";
import type { Ctx } from "./deps.ts";
import { send } from "./render.ts";

const DAYS = 14;

export function mountOverview(app: Hono, ctx: Ctx) {
  app.get("/", async (c) => {
    const now = ctx.now();
    const today = Math.floor(now / 86_400_000);
    const days = Array.from({ length: DAYS }, (_, i) => today - DAYS + 1 + i);
    const o = await overview(ctx.deps.tern.db, days[0] * 86_400_000);
    return send(c, <OverviewPage v={{ ...o, days, now }} />);
  });
}
