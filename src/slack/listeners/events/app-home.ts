import type { App } from '@slack/bolt';
import { z } from 'zod';
import { showHome } from '../../../services/show-action-items.ts';
import type { ListenerContext } from '../../context.ts';
import { appHomeView } from '../../views/action-items.ts';

/** The parts of app_home_opened the bot relies on (https://api.slack.com/events/app_home_opened). */
const homeOpened = z.object({ type: z.literal('app_home_opened'), user: z.string().min(1), tab: z.string().optional() });

/** Opening the bot's Home tab shows the person's action items and the team's overdue ones. */
export function registerAppHome(app: App, ctx: ListenerContext): void {
  app.event('app_home_opened', async ({ event, client }) => {
    const parsed = homeOpened.safeParse(event);
    if (!parsed.success || (parsed.data.tab && parsed.data.tab !== 'home')) return;
    const userId = parsed.data.user;
    try {
      await client.views.publish({ user_id: userId, view: appHomeView(await showHome(ctx.deps, { userId })) as never });
    } catch (err) {
      ctx.deps.logger.error({ err, user: userId }, 'drawing the App Home tab failed');
    }
  });
}
