import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { Clock } from '../ports/clock.ts';
import type { DeliveryLog } from '../ports/delivery-log.ts';

/** Slack retries a delivery for a few minutes at most; a day of keys is plenty. */
export const DELIVERY_KEEP_MS = 24 * 60 * 60_000;
/** Old keys are deleted on the first delivery after this long since the last time. */
export const DELIVERY_PRUNE_EVERY_MS = 60 * 60_000;

const id = z.string().min(1).max(255);
const eventCallback = z.object({ type: z.literal('event_callback'), event_id: id });
const command = z.object({ command: z.string().min(1), trigger_id: id });
const blockActions = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id }),
  actions: z.array(z.object({ action_id: id, action_ts: id })).min(1),
});
const withTrigger = z.object({ type: z.enum(['view_submission', 'shortcut', 'message_action', 'block_actions']), trigger_id: id });
const viewClosed = z.object({ type: z.literal('view_closed'), user: z.object({ id }), view: z.object({ id, hash: id }) });

/**
 * What identifies a delivery across Slack's retries of it: the event id for the Events API; the
 * trigger for commands, shortcuts and view submissions; the pressed element and its time for
 * block actions. Null for what is not worth remembering (options requests must be answered each
 * time) or has no stable identity.
 */
export function deliveryKey(body: unknown): string | null {
  const event = eventCallback.safeParse(body);
  if (event.success) return `event:${event.data.event_id}`;
  const cmd = command.safeParse(body);
  if (cmd.success) return `command:${cmd.data.trigger_id}`;
  const action = blockActions.safeParse(body);
  if (action.success) {
    const [first] = action.data.actions;
    return `action:${first!.action_ts}:${first!.action_id}:${action.data.user.id}`;
  }
  const triggered = withTrigger.safeParse(body);
  if (triggered.success) return `${triggered.data.type === 'view_submission' ? 'view' : 'interaction'}:${triggered.data.trigger_id}`;
  const closed = viewClosed.safeParse(body);
  if (closed.success) return `view_closed:${closed.data.view.id}:${closed.data.view.hash}:${closed.data.user.id}`;
  return null;
}

/**
 * Global middleware: records every delivery once in the shared log, and a retry
 * (`x-slack-retry-num`, context.retryNum) of one already recorded is acknowledged and dropped, so
 * a slow answer never makes Slack's second copy repeat the work, on this replica or another. A
 * first delivery always runs (the listeners' own idempotency, e.g. declaring once per trigger,
 * still applies). If its handling throws, the record is dropped so Slack's retry is handled. If
 * the log cannot be reached, the delivery is handled anyway: a duplicate is better than a loss.
 * Keys older than a day are deleted at most once an hour, after a delivery's work.
 */
export function skipRetriedDeliveries(opts: {
  log: DeliveryLog;
  clock: Clock;
  logger: Logger;
  keepMs?: number;
  pruneEveryMs?: number;
}): Middleware<AnyMiddlewareArgs> {
  const keepMs = opts.keepMs ?? DELIVERY_KEEP_MS;
  const pruneEveryMs = opts.pruneEveryMs ?? DELIVERY_PRUNE_EVERY_MS;
  let lastPrune = Number.NEGATIVE_INFINITY;

  const pruneIfDue = async () => {
    const now = opts.clock.now().getTime();
    if (now - lastPrune < pruneEveryMs) return;
    lastPrune = now;
    try {
      const pruned = await opts.log.pruneBefore(new Date(now - keepMs));
      if (pruned > 0) opts.logger.debug({ pruned }, 'old Slack delivery keys deleted');
    } catch (err) {
      opts.logger.warn({ err }, 'deleting old Slack delivery keys failed');
    }
  };

  const record = (key: string) =>
    opts.log.record(key, opts.clock.now()).catch((err: unknown) => {
      opts.logger.warn({ err, key }, 'Slack delivery log unreachable: handling the delivery without it');
      return null;
    });

  return async (args) => {
    const key = deliveryKey(args.body);
    if (!key) return args.next();
    const retryNum = args.context.retryNum;
    // A first delivery runs at once (its ack does not wait for the insert: any retry of it comes
    // seconds later, when the key is there); a retry is checked before anything runs.
    const recording = record(key);
    if (retryNum !== undefined && retryNum > 0 && (await recording) === false) {
      opts.logger.info({ key, retryNum, retryReason: args.context.retryReason }, 'Slack retry of a delivery already handled: acknowledged, not repeated');
      // Events were acknowledged by Bolt already; everything else is acknowledged here, empty.
      if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
      return;
    }
    try {
      await args.next();
    } catch (err) {
      if ((await recording) === true) await opts.log.forget(key).catch((e: unknown) => opts.logger.warn({ err: e, key }, 'could not drop the key of a failed delivery'));
      throw err;
    }
    await recording;
    await pruneIfDue();
  };
}
