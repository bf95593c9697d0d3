import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { InChannelCommand, SettableStatus } from '../../../domain/command.ts';
import { parseSeverity } from '../../../domain/severity.ts';
import type { ListenerContext } from '../../context.ts';
import { SUMMARY_ACTIONS as A } from '../../ids.ts';
import { runInChannel } from '../in-channel.ts';
import { refreshSummary } from '../../../services/incident-changes.ts';

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
  return null;
}

const ACTION_IDS = new RegExp(`^(${A.statusPrefix}[a-z]+|${[A.severity, A.resolve, A.close, A.reopen, A.timeline].join('|')})$`);

/** The pinned summary's buttons: the same services and rules as the slash commands. */
export function registerSummaryActions(app: App, ctx: ListenerContext): void {
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
    if (cmd.kind === 'severity') {
      const incident = await ctx.deps.store.findByChannel(channel.id);
      if (incident) await refreshSummary(ctx.deps, incident.id).catch((err) => ctx.deps.logger.warn({ err }, 'summary not redrawn'));
    }
  });
}
