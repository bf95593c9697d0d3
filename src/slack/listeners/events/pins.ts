import type { App } from '@slack/bolt';
import { z } from 'zod';
import { recordPinnedMessage, type PinnedMessageInput } from '../../../services/incident/record-pinned-message.ts';
import type { ListenerContext } from '../../context.ts';

/** The parts of a pin_added event the bot relies on (https://api.slack.com/events/pin_added). */
export const pinAddedSchema = z.object({
  type: z.literal('pin_added'),
  user: z.string().min(1),
  channel_id: z.string().min(1).optional(),
  item: z.object({
    type: z.literal('message'),
    channel: z.string().min(1).optional(),
    /** The pinned message; Slack includes it, with its permalink. */
    message: z
      .object({
        ts: z.string().min(1),
        user: z.string().min(1).optional(),
        text: z.string().default(''),
        permalink: z.string().optional(),
      })
      .optional(),
    ts: z.string().min(1).optional(),
  }),
});

/** A reaction on a message (https://api.slack.com/events/reaction_added); only :pushpin: counts. */
export const reactionAddedSchema = z.object({
  type: z.literal('reaction_added'),
  user: z.string().min(1),
  reaction: z.literal('pushpin'),
  item: z.object({ type: z.literal('message'), channel: z.string().min(1), ts: z.string().min(1) }),
});

/** pin_added and a :pushpin: reaction put the message on the incident's timeline (once). */
export function registerPinEvents(app: App, ctx: ListenerContext): void {
  app.event('pin_added', async ({ event }) => {
    const parsed = pinAddedSchema.safeParse(event);
    if (!parsed.success) return; // a file or a payload we do not know: not for the timeline
    const e = parsed.data;
    const channelId = e.item.channel ?? e.channel_id;
    const ts = e.item.message?.ts ?? e.item.ts;
    if (!channelId || !ts) return;
    const m = e.item.message;
    await record(ctx, {
      channelId,
      ts,
      pinnedBy: e.user,
      via: 'pin',
      ...(m ? { message: { userId: m.user ?? null, text: m.text, permalink: m.permalink ?? null } } : {}),
    });
  });

  app.event('reaction_added', async ({ event }) => {
    const parsed = reactionAddedSchema.safeParse(event);
    if (!parsed.success) return; // another reaction, or one on a file
    const e = parsed.data;
    await record(ctx, { channelId: e.item.channel, ts: e.item.ts, pinnedBy: e.user, via: 'reaction' });
  });
}

/** Events have no one to answer: failures are logged. */
async function record(ctx: ListenerContext, input: PinnedMessageInput): Promise<void> {
  try {
    await recordPinnedMessage(ctx.deps, input);
  } catch (err) {
    ctx.deps.logger.error(
      { err, channel: input.channelId, ts: input.ts, via: input.via },
      'could not add a pinned message to the timeline',
    );
  }
}
