import type { App } from '@slack/bolt';
import type { HomeView, KnownBlock } from '@slack/types';
import { z } from 'zod';
import { showHome } from '../../../services/review/show-action-items.ts';
import type { ListenerContext } from '../../context.ts';
import { appHomeView } from '../../views/action-items.ts';
import { onCallLoadHomeBlocks } from '../../views/on-call-load.ts';
import { showOnCallLoad } from '../../../services/on-call/show-on-call-load.ts';
import { LOAD_PERIOD_DAYS } from '../../../domain/command.ts';
import { AppError } from '../../../domain/errors.ts';
import { getsOnCallLoadOnHomeTab } from '../../../domain/access.ts';

/** The parts of app_home_opened the bot relies on (https://api.slack.com/events/app_home_opened). */
const homeOpened = z.object({
  type: z.literal('app_home_opened'),
  user: z.string().min(1),
  tab: z.string().optional(),
});

/**
 * The Home tab of `userId`: their action items and the team's overdue ones and, for the on-call
 * leads (getsOnCallLoadOnHomeTab), the last 30 days of on-call load from the cache (opening the tab
 * never waits on PagerDuty).
 */
export async function homeFor(ctx: ListenerContext, userId: string): Promise<HomeView> {
  const view = appHomeView(await showHome(ctx.deps, { userId }));
  if (!getsOnCallLoadOnHomeTab(ctx.deps.settings, userId)) return view;
  let extra: KnownBlock[];
  try {
    extra = onCallLoadHomeBlocks(
      await showOnCallLoad(ctx.deps, { query: null, periodDays: LOAD_PERIOD_DAYS, fetch: false }),
    );
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    extra = [
      { type: 'divider' },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*On-call load*\nNothing cached yet: `/incident load` fetches it from PagerDuty.',
        },
      },
    ];
  }
  // A Home tab holds at most 100 blocks.
  return { ...view, blocks: [...view.blocks.slice(0, 100 - extra.length), ...extra] };
}

/** Opening the bot's Home tab shows the person's action items and the team's overdue ones. */
export function registerAppHome(app: App, ctx: ListenerContext): void {
  app.event('app_home_opened', async ({ event, client }) => {
    const parsed = homeOpened.safeParse(event);
    if (!parsed.success || (parsed.data.tab && parsed.data.tab !== 'home')) return;
    const userId = parsed.data.user;
    try {
      await client.views.publish({ user_id: userId, view: await homeFor(ctx, userId) });
    } catch (err) {
      ctx.deps.logger.error({ err, user: userId }, 'drawing the App Home tab failed');
    }
  });
}
