import type { App } from '@slack/bolt';
import { z } from 'zod';
import { actionRef, type ActionItem } from '../../../domain/action-items.ts';
import { completeActionItem } from '../../../services/review/complete-action-item.ts';
import { reassignActionItem } from '../../../services/review/reassign-action-item.ts';
import { reopenActionItem } from '../../../services/review/reopen-action-item.ts';
import { snoozeActionItem } from '../../../services/review/snooze-action-item.ts';
import { afterAck, type ListenerContext } from '../../context.ts';
import { ACTION_ITEM_ACTIONS as A, ACTION_LIST_ACTIONS } from '../../ids.ts';
import { showActionItems } from '../../../services/review/show-action-items.ts';
import { answerPrivately } from '../../context.ts';
import { actionListPageSchema, parseJsonOrNull } from '../../payloads.ts';
import { actionListMessage } from '../../views/action-items.ts';
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

/** Complete, reassign, snooze and reopen on a listed action item (in a message, a reminder or the App Home tab). */
export function registerActionItemControls(app: App, ctx: ListenerContext): void {
  const ids = new RegExp(`^(${A.complete}|${A.reassign}|${A.snooze}|${A.reopen})$`);
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
        } else if (action.action_id === A.reopen) {
          item = await reopenActionItem(ctx.deps, { actionItemId, userId: user.id });
          said = `:arrows_counterclockwise: ${actionRef(item)} is open again.`;
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

const pageRequest = z.object({
  user: z.object({ id: z.string().min(1) }),
  response_url: z.url().optional(),
  actions: z.array(z.object({ action_id: z.literal(ACTION_LIST_ACTIONS.more), value: z.string().max(2000) })).min(1),
});

/**
 * The "Next" button under an `/incident actions` listing: the page after the last item it showed,
 * answered privately (a new message, the earlier pages stay). The value is checked like any input.
 */
export async function handleActionListPage(ctx: ListenerContext, body: unknown): Promise<void> {
  const parsed = pageRequest.safeParse(body);
  const page = parsed.success ? actionListPageSchema.safeParse(parseJsonOrNull(parsed.data.actions[0]!.value)) : null;
  if (!parsed.success || !page?.success) {
    ctx.deps.logger.warn(
      { issues: (parsed.success ? page?.error : parsed.error)?.issues },
      'ignored an unexpected listing page request',
    );
    return;
  }
  const { user, response_url } = parsed.data;
  const { f: filter, t: tracker, s: shownBefore, c } = page.data;
  const to = { responseUrl: response_url ?? null, userId: user.id };
  await afterAck(
    ctx,
    to,
    async () => {
      const list = await showActionItems(ctx.deps, {
        userId: user.id,
        filter,
        tracker,
        after: { status: c.s, due: c.d, priority: c.p, number: c.n },
      });
      await answerPrivately(
        ctx,
        to,
        actionListMessage(list.items, {
          filter,
          tracker,
          today: list.today,
          total: list.total,
          totalCapped: list.totalCapped,
          shownBefore,
          next: list.next,
        }),
      );
      return null;
    },
    { action: ACTION_LIST_ACTIONS.more, user: user.id },
  );
}

/** The next page of an `/incident actions` listing. */
export function registerActionListPages(app: App, ctx: ListenerContext): void {
  app.action({ block_id: ACTION_LIST_ACTIONS.blockId, action_id: ACTION_LIST_ACTIONS.more }, async ({ ack, body }) => {
    await ack();
    await handleActionListPage(ctx, body);
  });
}
