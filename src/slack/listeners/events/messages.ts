import type { App } from '@slack/bolt';
import { z } from 'zod';
import { slackTsToDate } from '../../../domain/timeline.ts';
import { updateMessageEntry, type MessageChange } from '../../../services/incident/update-message-entry.ts';
import type { ListenerContext } from '../../context.ts';

/** An edited message (https://api.slack.com/events/message/message_changed). */
export const messageChangedSchema = z.object({
  type: z.literal('message'),
  subtype: z.literal('message_changed'),
  channel: z.string().min(1),
  /** When the change happened. */
  ts: z.string().min(1).optional(),
  message: z.object({
    ts: z.string().min(1),
    text: z.string().default(''),
    /** `tombstone`: a thread parent was deleted but its replies remain. */
    subtype: z.string().optional(),
    edited: z.object({ ts: z.string().min(1) }).optional(),
  }),
});

/** A deleted message (https://api.slack.com/events/message/message_deleted). */
export const messageDeletedSchema = z.object({
  type: z.literal('message'),
  subtype: z.literal('message_deleted'),
  channel: z.string().min(1),
  ts: z.string().min(1).optional(),
  deleted_ts: z.string().min(1),
});

const when = (ts: string | undefined) => (ts ? (slackTsToDate(ts) ?? undefined) : undefined);

/** An edit or delete of a message that is on an incident's timeline updates its entry. */
export function registerMessageEvents(app: App, ctx: ListenerContext): void {
  app.event('message', async ({ event }) => {
    const change = messageChange(event);
    if (!change) return;
    try {
      await updateMessageEntry(ctx.deps, change);
    } catch (err) {
      ctx.deps.logger.error(
        { err, channel: change.channelId, ts: change.ts },
        'could not update a timeline message entry',
      );
    }
  });
}

/** The change an event describes, or null for every other message event. */
export function messageChange(event: unknown): MessageChange | null {
  const changed = messageChangedSchema.safeParse(event);
  if (changed.success) {
    const e = changed.data;
    const at = when(e.message.edited?.ts) ?? when(e.ts);
    const base = { channelId: e.channel, ts: e.message.ts, ...(at ? { at } : {}) };
    if (e.message.subtype === 'tombstone') return { ...base, deleted: true };
    return { ...base, newText: e.message.text };
  }
  const deleted = messageDeletedSchema.safeParse(event);
  if (deleted.success) {
    const e = deleted.data;
    const at = when(e.ts);
    return { channelId: e.channel, ts: e.deleted_ts, deleted: true, ...(at ? { at } : {}) };
  }
  return null;
}
