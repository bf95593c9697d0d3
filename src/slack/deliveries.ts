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
const withTrigger = z.object({
  type: z.enum(['view_submission', 'shortcut', 'message_action', 'block_actions']),
  trigger_id: id,
});
const viewClosed = z.object({
  type: z.literal('view_closed'),
  user: z.object({ id }),
  view: z.object({ id, hash: id }),
});

/**
 * What identifies a delivery across Slack's retries of it: the event id for the Events API; the
 * trigger for commands, shortcuts and view submissions; the pressed element and its time for
 * block actions. Null for what has no stable identity (options requests, a payload without its
 * id): those are keyed on their request's signature instead (requestKey).
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
  if (triggered.success)
    return `${triggered.data.type === 'view_submission' ? 'view' : 'interaction'}:${triggered.data.trigger_id}`;
  const closed = viewClosed.safeParse(body);
  if (closed.success) return `view_closed:${closed.data.view.id}:${closed.data.view.hash}:${closed.data.user.id}`;
  return null;
}

/** The key of a delivery that has no stable one: its request's signature (HTTP), so an exact replay is still caught. */
export function requestKey(context: Record<string, unknown>, contextKey: string): string | null {
  const signature = context[contextKey];
  return typeof signature === 'string' && /^v0=[0-9a-f]{64}$/.test(signature) ? `request:${signature}` : null;
}

/**
 * Global middleware: records every delivery once in the shared log before anything handles it, and
 * a delivery already recorded is acknowledged and dropped, whatever its headers: Slack's retry of
 * a slow answer (`x-slack-retry-num`), a copy racing the first on another replica, or a replay of
 * a captured request. The key is the delivery's own (deliveryKey) or, when it has none, the
 * request's signature (`signatureKey`, set by the HTTP receiver), so an exact replay is caught
 * either way. The record is one insert-if-absent (INSERT … ON CONFLICT DO NOTHING), awaited
 * before the handler runs: of two copies exactly one is handled. If its handling throws, the
 * record is dropped so Slack's retry is handled. If the log cannot be reached, the delivery is
 * handled anyway: a duplicate is better than a loss. Keys older than a day are deleted at most
 * once an hour, after a delivery's work.
 */
export function skipRepeatedDeliveries(opts: {
  log: DeliveryLog;
  clock: Clock;
  logger: Logger;
  keepMs?: number;
  pruneEveryMs?: number;
  /** The context key holding the request's signature (HTTP only). */
  signatureKey?: string;
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
    const key = deliveryKey(args.body) ?? (opts.signatureKey ? requestKey(args.context, opts.signatureKey) : null);
    if (!key) return args.next();
    const recorded = await record(key);
    if (recorded === false) {
      const { retryNum, retryReason } = args.context;
      opts.logger.info(
        { key, retryNum, retryReason },
        retryNum
          ? 'Slack retry of a delivery already handled: acknowledged, not repeated'
          : 'a delivery already handled came again (not as a Slack retry): acknowledged, not repeated',
      );
      // Events were acknowledged by Bolt already; everything else is acknowledged here, empty.
      if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
      return;
    }
    try {
      await args.next();
    } catch (err) {
      if (recorded === true)
        await opts.log
          .forget(key)
          .catch((e: unknown) => opts.logger.warn({ err: e, key }, 'could not drop the key of a failed delivery'));
      throw err;
    }
    await pruneIfDue();
  };
}
