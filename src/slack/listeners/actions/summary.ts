import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { InChannelCommand, SettableStatus } from '../../../domain/command.ts';
import { parseSeverity } from '../../../domain/severity.ts';
import type { ListenerContext } from '../../context.ts';
import { PAGERDUTY_ACTIONS, SUMMARY_ACTIONS as A } from '../../ids.ts';
import { runInChannel } from '../in-channel.ts';
import { afterAck } from '../../context.ts';
import { incidentInChannel } from '../../../services/access.ts';
import { hazardModal, noteModal, roleModal, updateModal } from '../../views/incident-modals.ts';
import { redrawSummary } from '../../../services/incident/redraw-summary.ts';

const summaryAction = z.object({
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }),
  response_url: z.url().optional(),
  actions: z
    .array(
      z.object({
        action_id: z.string(),
        value: z.string().optional(),
        selected_option: z.object({ value: z.string() }).optional(),
      }),
    )
    .min(1),
});

const STATUS_VALUES = new Set<SettableStatus>(['INVESTIGATING', 'IDENTIFIED', 'MONITORING']);

/** What a summary button or the severity menu asks for; null for anything unexpected. */
export function commandFromAction(action: z.infer<typeof summaryAction>['actions'][number]): InChannelCommand | null {
  const id = action.action_id;
  if (id.startsWith(A.statusPrefix)) {
    const status = (action.value ?? '') as SettableStatus;
    return STATUS_VALUES.has(status) ? { kind: 'status', status, message: null } : null;
  }
  if (id === A.severity) {
    const severity = parseSeverity(action.selected_option?.value ?? '');
    return severity ? { kind: 'severity', severity, reason: null } : null;
  }
  if (id === A.resolve) return { kind: 'resolve', summary: null };
  if (id === A.close) return { kind: 'close' };
  if (id === A.reopen) return { kind: 'reopen', reason: null };
  if (id === A.timeline) return { kind: 'timeline' };
  if (id === A.clinicalSignoff) return { kind: 'clinical-signoff', note: null };
  return null;
}

const ACTION_IDS = new RegExp(
  `^(${A.statusPrefix}[a-z]+|${[A.severity, A.resolve, A.close, A.reopen, A.timeline, A.clinicalSignoff].join('|')})$`,
);

const openForm = z.object({
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }),
  trigger_id: z.string().min(1),
  response_url: z.url().optional(),
  actions: z.array(z.object({ action_id: z.string() })).min(1),
});
const FORMS = { [A.update]: updateModal, [A.note]: noteModal, [A.role]: roleModal, [A.hazard]: hazardModal } as const;

/** The pinned summary's buttons: the same services and rules as the slash commands. */
export function registerSummaryActions(app: App, ctx: ListenerContext): void {
  // After resolving: "Resolve N linked PagerDuty incidents".
  app.action(
    { block_id: PAGERDUTY_ACTIONS.blockId, action_id: PAGERDUTY_ACTIONS.resolveLinked },
    async ({ ack, body }) => {
      await ack();
      const parsed = summaryAction.safeParse(body);
      if (!parsed.success)
        return ctx.deps.logger.warn({ issues: parsed.error.issues }, 'ignored an unexpected PagerDuty button');
      const { user, channel, response_url } = parsed.data;
      await runInChannel(
        ctx,
        { kind: 'resolve-pagerduty' },
        { channelId: channel.id, userId: user.id, responseUrl: response_url ?? null },
      );
    },
  );

  // "Post update", "Add note", "Assign role" open a form for this incident (submitted in listeners/views).
  app.action(
    { block_id: A.blockId, action_id: new RegExp(`^(${A.update}|${A.note}|${A.role}|${A.hazard})$`) },
    async ({ ack, body, client }) => {
      await ack();
      const parsed = openForm.safeParse(body);
      if (!parsed.success)
        return ctx.deps.logger.warn({ issues: parsed.error.issues }, 'ignored an unexpected form button');
      const { user, channel, trigger_id, response_url, actions } = parsed.data;
      const form = FORMS[actions[0]!.action_id as keyof typeof FORMS];
      await afterAck(
        ctx,
        { responseUrl: response_url ?? null, userId: user.id },
        async () => {
          const incident = await incidentInChannel(ctx.deps, channel.id, user.id);
          await client.views.open({ trigger_id, view: form(incident) });
          return null;
        },
        { action: actions[0]!.action_id, user: user.id },
      );
    },
  );

  app.action({ block_id: A.blockId, action_id: ACTION_IDS }, async ({ ack, body }) => {
    await ack();
    const parsed = summaryAction.safeParse(body);
    const cmd = parsed.success ? commandFromAction(parsed.data.actions[0]!) : null;
    if (!parsed.success || !cmd) {
      ctx.deps.logger.warn({ issues: parsed.error?.issues }, 'ignored an unexpected summary action');
      return;
    }
    const { user, channel, response_url } = parsed.data;
    await runInChannel(ctx, cmd, { channelId: channel.id, userId: user.id, responseUrl: response_url ?? null });
    // A refused choice in the severity menu would stay shown: redraw the summary from the record.
    if (cmd.kind === 'severity') await redrawSummary(ctx.deps, { channelId: channel.id });
  });
}
