import type { App } from '@slack/bolt';
import { z } from 'zod';
import { actionRef, type ActionItem } from '../../../domain/action-items.ts';
import { completeActionItem } from '../../../services/review/complete-action-item.ts';
import { reassignActionItem } from '../../../services/review/reassign-action-item.ts';
import { snoozeActionItem } from '../../../services/review/snooze-action-item.ts';
import { afterAck, type ListenerContext } from '../../context.ts';
import { ACTION_ITEM_ACTIONS as A } from '../../ids.ts';
import { homeFor } from '../events/app-home.ts';

const control = z.object({
  user: z.object({ id: z.string().min(1) }),
  response_url: z.url().optional(),
  /** Pressed in the App Home tab (no response_url there): the tab is redrawn. */
  view: z.object({ type: z.string() }).optional(),
  actions: z
    .array(
      z.object({
        action_id: z.string(),
        // The prefix and the item's id (a UUID: anything else could never be found).
        block_id: z
          .string()
          .startsWith(A.blockPrefix)
          .refine((b) => z.guid().safeParse(b.slice(A.blockPrefix.length)).success, { message: 'no action item id' }),
        value: z.string().optional(),
        selected_user: z.string().nullish(),
        selected_option: z.object({ value: z.string() }).nullish(),
      }),
    )
    .min(1),
});

/** Complete, reassign and snooze on a listed action item (in a message, a reminder or the App Home tab). */
export function registerActionItemControls(app: App, ctx: ListenerContext): void {
  const ids = new RegExp(`^(${A.complete}|${A.reassign}|${A.snooze})$`);
  app.action({ block_id: new RegExp(`^${A.blockPrefix}`), action_id: ids }, async ({ ack, body, client }) => {
    await ack();
    const parsed = control.safeParse(body);
    if (!parsed.success)
      return ctx.deps.logger.warn({ issues: parsed.error.issues }, 'ignored an unexpected action item control');
    const { user, response_url, view, actions } = parsed.data;
    const action = actions[0]!;
    const actionItemId = action.block_id.slice(A.blockPrefix.length);
    const fromHome = view?.type === 'home';
    await afterAck(
      ctx,
      // In the Home tab there is no response URL: a refusal comes as a direct message.
      { responseUrl: response_url ?? null, userId: user.id },
      async () => {
        let said: string;
        let item: ActionItem;
        if (action.action_id === A.complete) {
          item = await completeActionItem(ctx.deps, { actionItemId, userId: user.id });
          said = `:white_check_mark: ${actionRef(item)} is done.`;
        } else if (action.action_id === A.reassign) {
          item = await reassignActionItem(ctx.deps, {
            actionItemId,
            userId: user.id,
            ownerId: action.selected_user ?? '',
          });
          said = `${actionRef(item)} now belongs to <@${item.ownerId}>.`;
        } else {
          item = await snoozeActionItem(ctx.deps, {
            actionItemId,
            userId: user.id,
            days: Number(action.selected_option?.value),
          });
          said = `:zzz: No reminders about ${actionRef(item)} until ${item.snoozedUntil}.`;
        }
        if (fromHome) {
          await client.views.publish({ user_id: user.id, view: await homeFor(ctx, user.id) });
          return null;
        }
        return said;
      },
      { action: action.action_id, user: user.id, actionItemId },
    );
  });
}
