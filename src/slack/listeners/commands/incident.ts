import type { App } from '@slack/bolt';
import { parseIncidentCommand, helpText, type IncidentCommand } from '../../../domain/command.ts';
import { parseDeclaration, type Declaration } from '../../../domain/declaration.ts';
import { severityText } from '../../../domain/severity.ts';
import { afterAck, answerPrivately, type ListenerContext } from '../../context.ts';
import { userMessageFor } from '../../errors.ts';
import { COMMAND } from '../../ids.ts';
import { slashCommandSchema } from '../../payloads.ts';
import { declareAndReply, holdDeclaration, NOT_HELD } from '../declare-and-reply.ts';
import { runInChannel } from '../in-channel.ts';
import { showOnCall } from '../../../services/on-call/show-on-call.ts';
import { onCallMessage } from '../../views/on-call.ts';
import { declareModal } from '../../views/declare-modal.ts';
import { escapeMrkdwn } from '../../views/format.ts';
import { openReviewForm } from '../review-form.ts';
import { showActionItems } from '../../../services/review/show-action-items.ts';
import { showGuardrailReport } from '../../../services/review/show-guardrail-report.ts';
import { actionListMessage } from '../../views/action-items.ts';
import { guardrailReportMessage } from '../../views/guardrail-report.ts';
import { showOnCallLoad } from '../../../services/on-call/show-on-call-load.ts';
import { onCallLoadFiles, onCallLoadMessage } from '../../views/on-call-load.ts';

/** `/incident …`: answers within Slack's 3 s, then does the slow work. */
export function registerIncidentCommand(app: App, ctx: ListenerContext): void {
  app.command(COMMAND, async ({ command, ack, client }) => {
    const parsed = slashCommandSchema.safeParse(command);
    if (!parsed.success) {
      await ack({
        response_type: 'ephemeral',
        text: 'Slack sent an incomplete command, so nothing was done. Please try again.',
      });
      return;
    }
    const cmd = parsed.data;
    let request: IncidentCommand;
    let declaration: Declaration | undefined;
    try {
      request = parseIncidentCommand(cmd.text);
      // Bad input is answered in the ack itself, before anything is created.
      if (request.kind === 'declare') declaration = parseDeclaration(request.declaration);
    } catch (err) {
      await ack({ response_type: 'ephemeral', text: userMessageFor(err, ctx.deps.logger, { command: cmd.text }) });
      return;
    }

    switch (request.kind) {
      case 'help':
        await ack({ response_type: 'ephemeral', text: helpText() });
        return;
      case 'open-declare-modal':
        await ack();
        await afterAck(
          ctx,
          { responseUrl: cmd.response_url, userId: cmd.user_id },
          async () => {
            await client.views.open({
              trigger_id: cmd.trigger_id,
              view: declareModal({ responseUrl: cmd.response_url, channelId: cmd.channel_id }) as never,
            });
            return null;
          },
          { command: 'open declare modal', user: cmd.user_id },
        );
        return;
      case 'oncall':
        await ack();
        await afterAck(
          ctx,
          { responseUrl: cmd.response_url, userId: cmd.user_id },
          async () => {
            const msg = onCallMessage(
              await showOnCall(ctx.deps, { query: request.query }),
              ctx.deps.settings.defaultTimeZone,
            );
            await answerPrivately(ctx, { responseUrl: cmd.response_url, userId: cmd.user_id }, msg);
            return null;
          },
          { command: 'oncall', user: cmd.user_id },
        );
        return;
      case 'review':
        await ack();
        await openReviewForm(ctx, client, {
          triggerId: cmd.trigger_id,
          channelId: cmd.channel_id,
          userId: cmd.user_id,
          responseUrl: cmd.response_url,
          publish: true,
        });
        return;
      case 'actions':
        await ack();
        await afterAck(
          ctx,
          { responseUrl: cmd.response_url, userId: cmd.user_id },
          async () => {
            const list = await showActionItems(ctx.deps, { userId: cmd.user_id, filter: request.filter });
            const msg = actionListMessage(list.items, { filter: list.filter, today: list.today, total: list.total });
            await answerPrivately(ctx, { responseUrl: cmd.response_url, userId: cmd.user_id }, msg);
            return null;
          },
          { command: 'actions', user: cmd.user_id },
        );
        return;
      case 'guardrails':
        await ack();
        await afterAck(
          ctx,
          { responseUrl: cmd.response_url, userId: cmd.user_id },
          async () => {
            const msg = guardrailReportMessage(await showGuardrailReport(ctx.deps, { periodDays: request.periodDays }));
            await answerPrivately(ctx, { responseUrl: cmd.response_url, userId: cmd.user_id }, msg);
            return null;
          },
          { command: 'guardrails', user: cmd.user_id },
        );
        return;
      case 'load':
        await ack();
        await afterAck(
          ctx,
          { responseUrl: cmd.response_url, userId: cmd.user_id },
          async () => {
            const load = await showOnCallLoad(ctx.deps, { query: request.query, periodDays: request.periodDays });
            // With leads configured, everyone else sees their own row and the totals, and gets no files.
            const leads = ctx.deps.settings.oncallLeads;
            const isLead = leads.length === 0 || leads.includes(cmd.user_id);
            const own = [...load.slackUsers].filter(([, slack]) => slack === cmd.user_id).map(([person]) => person);
            let filesSent = false;
            if (isLead && load.report.responders.length) {
              // Individual figures go to the person who asked, not the channel they typed in.
              filesSent = await ctx.deps.chat.sendFilesPrivately(cmd.user_id, onCallLoadFiles(load)).then(
                () => true,
                (err: unknown) => {
                  ctx.deps.logger.error({ err, user: cmd.user_id }, 'sending the load charts failed');
                  return false;
                },
              );
            }
            const msg = onCallLoadMessage(load, { filesSent, ...(isLead ? {} : { onlyPeople: own }) });
            await answerPrivately(ctx, { responseUrl: cmd.response_url, userId: cmd.user_id }, msg);
            return null;
          },
          { command: 'load', user: cmd.user_id },
        );
        return;
      case 'declare': {
        const d = declaration!;
        const input = {
          declareKey: `command:${cmd.trigger_id}`,
          declaration: d,
          declaredBy: cmd.user_id,
          originChannelId: cmd.channel_id,
          responseUrl: cmd.response_url,
          via: 'command' as const,
          ...(request.breachAware ? { breachAware: request.breachAware } : {}),
        };
        if (!(await holdDeclaration(ctx, input))) {
          await ack({ response_type: 'ephemeral', text: NOT_HELD });
          return;
        }
        await ack({
          response_type: 'ephemeral',
          text: d.nearMiss
            ? `Recording a near miss: ${escapeMrkdwn(d.title)}…`
            : `Declaring a ${severityText(d.severity)} incident: ${escapeMrkdwn(d.title)}…`,
        });
        await declareAndReply(ctx, input);
        return;
      }
      default:
        // Acts on this channel's incident: answered now, done after the ack.
        await ack();
        await runInChannel(ctx, request, {
          channelId: cmd.channel_id,
          userId: cmd.user_id,
          responseUrl: cmd.response_url,
        });
        return;
    }
  });
}
