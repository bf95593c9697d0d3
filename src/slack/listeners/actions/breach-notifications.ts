import type { App } from '@slack/bolt';
import { z } from 'zod';
import { assertMayWithdrawVersion, WITHDRAW_REASON_MAX } from '../../../domain/breach-notification.ts';
import { approveBreachNotification } from '../../../services/breach/approve-breach-notification.ts';
import { shownNotification } from '../../../services/breach/notification-parts.ts';
import { incidentInChannel } from '../../../services/access.ts';
import { withdrawBreachNotification } from '../../../services/breach/withdraw-breach-notification.ts';
import { afterAck, type ListenerContext } from '../../context.ts';
import { BREACH_NOTIFICATION_ACTIONS as B, BREACH_WITHDRAW_MODAL as M } from '../../ids.ts';
import { parseJsonOrNull } from '../../payloads.ts';
import { withdrawModal } from '../../views/breach-notification-modal.ts';

/** The version a button showed (its value). */
const shownValue = z.object({ id: z.uuid(), drafted: z.number().int().nonnegative() });

const buttonPress = z.object({
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }),
  trigger_id: z.string().min(1),
  response_url: z.url().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string() })).min(1),
});

const submission = z.object({
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
});
const withdrawMeta = shownValue.extend({ channelId: z.string().min(1) });
const reasonInput = z.object({ value: z.string().nullish() });

/**
 * Approve and Withdraw under a breach notification's notice. Each runs the same use case (and
 * rules) as the slash command, on the version the message showed: the server checks who presses
 * them, a refusal is told privately and changes nothing. Withdraw asks for the reason in a form.
 */
export function registerBreachNotificationActions(app: App, ctx: ListenerContext): void {
  app.action(
    { block_id: B.blockId, action_id: new RegExp(`^(${B.approve}|${B.withdraw})$`) },
    async ({ ack, body, client }) => {
      await ack();
      const parsed = buttonPress.safeParse(body);
      const action = parsed.success ? parsed.data.actions[0]! : null;
      const shown = action ? shownValue.safeParse(parseJsonOrNull(action.value)) : null;
      if (!parsed.success || !action || !shown?.success) {
        ctx.deps.logger.warn({ issues: parsed.error?.issues }, 'ignored an unexpected breach notification button');
        return;
      }
      const { user, channel, trigger_id, response_url } = parsed.data;
      const who = { channelId: channel.id, userId: user.id };
      const version = { id: shown.data.id, draftedAt: new Date(shown.data.drafted) };
      await afterAck(
        ctx,
        { responseUrl: response_url ?? null, userId: user.id },
        async () => {
          if (action.action_id === B.approve) {
            await approveBreachNotification(ctx.deps, { ...who, which: { shown: version } });
            return null;
          }
          // Refused before the form opens: nobody types a reason for nothing.
          const incident = await incidentInChannel(ctx.deps, who.channelId, who.userId);
          const n = await shownNotification(ctx.deps, incident, version);
          assertMayWithdrawVersion(n, incident, user.id);
          await client.views.open({ trigger_id, view: withdrawModal(channel.id, n) });
          return null;
        },
        { action: action.action_id, user: user.id },
      );
    },
  );

  app.view(M.callbackId, async ({ ack, body }) => {
    const parsed = submission.safeParse(body);
    const meta = parsed.success ? withdrawMeta.safeParse(parseJsonOrNull(parsed.data.view.private_metadata)) : null;
    if (!parsed.success || !meta?.success) {
      await ack({
        response_action: 'errors',
        errors: { [M.block]: 'Slack sent an incomplete form. Please try again.' },
      });
      return;
    }
    const reason = (reasonInput.safeParse(parsed.data.view.state.values[M.block]?.[M.action]).data?.value ?? '').trim();
    if (!reason || reason.length > WITHDRAW_REASON_MAX) {
      await ack({
        response_action: 'errors',
        errors: {
          [M.block]: reason ? `At most ${WITHDRAW_REASON_MAX} characters.` : 'Give the reason: it is recorded.',
        },
      });
      return;
    }
    await ack();
    const { channelId, id, drafted } = meta.data;
    const userId = parsed.data.user.id;
    await afterAck(
      ctx,
      { responseUrl: null, userId },
      async () => {
        await withdrawBreachNotification(ctx.deps, {
          channelId,
          userId,
          which: { shown: { id, draftedAt: new Date(drafted) } },
          reason,
        });
        return null;
      },
      { view: M.callbackId, user: userId },
    );
  });
}
