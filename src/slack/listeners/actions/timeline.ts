import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { TimelinePosition } from '../../../services/incident/show-timeline.ts';
import { afterAck, type ListenerContext } from '../../context.ts';
import { TIMELINE_ACTIONS as A } from '../../ids.ts';
import { parseJsonOrNull } from '../../payloads.ts';
import { renderTimelineReply } from '../../views/timeline.ts';

/** A page button's value (views/timeline.ts: pageButtonValue): the entry it pages from, at a time the database can hold. */
const cursorSchema = z.object({
  at: z.iso.datetime().refine((at) => {
    const year = new Date(at).getUTCFullYear();
    return year >= 1970 && year <= 9999;
  }),
  id: z.guid(),
});

export const timelinePageAction = z.object({
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }),
  response_url: z.url().optional(),
  actions: z
    .array(
      z.object({
        action_id: z.enum([A.older, A.newer]),
        value: z.string().max(200),
      }),
    )
    .min(1),
});

/** Which page a pressed button asks for; null when its value is not a page edge. */
export function positionFromAction(action: z.infer<typeof timelinePageAction>['actions'][number]): TimelinePosition {
  const cursor = cursorSchema.safeParse(parseJsonOrNull(action.value));
  if (!cursor.success) return null;
  const at = { occurredAt: new Date(cursor.data.at), id: cursor.data.id };
  return action.action_id === A.older ? { before: at } : { after: at };
}

/**
 * "Older" / "Newer" under a page of `/incident timeline`: the next page replaces the private
 * message (through its response URL), read with the same rules as the command (a private
 * incident's channel members only, asked again on every page).
 */
export function registerTimelinePages(app: App, ctx: ListenerContext): void {
  app.action({ block_id: A.blockId, action_id: new RegExp(`^(${A.older}|${A.newer})$`) }, async ({ ack, body }) => {
    await ack();
    const parsed = timelinePageAction.safeParse(body);
    const page = parsed.success ? positionFromAction(parsed.data.actions[0]!) : null;
    if (!parsed.success || !page) {
      ctx.deps.logger.warn({ issues: parsed.error?.issues }, 'ignored an unexpected timeline page button');
      return;
    }
    const { user, channel, response_url } = parsed.data;
    const to = { responseUrl: response_url ?? null, userId: user.id };
    await afterAck(
      ctx,
      to,
      async () => {
        const msg = await renderTimelineReply(ctx.deps, { channelId: channel.id, userId: user.id, page });
        if (to.responseUrl) await ctx.deps.chat.replyPrivately(to.responseUrl, msg.text, msg.blocks, { replace: true });
        else await ctx.deps.chat.directMessage(user.id, msg.text);
        return null;
      },
      { action: parsed.data.actions[0]!.action_id, user: user.id, channel: channel.id },
    );
  });
}
