import type { App } from '@slack/bolt';
import { parseIncidentCommand, helpText, type IncidentCommand } from '../../../domain/command.ts';
import { declarationSchema } from '../../../domain/declaration.ts';
import { AppError } from '../../../domain/errors.ts';
import { severityText } from '../../../domain/severity.ts';
import { declareIncident } from '../../../services/declare-incident.ts';
import { afterAck, type ListenerContext } from '../../context.ts';
import { userMessageFor } from '../../errors.ts';
import { COMMAND } from '../../ids.ts';
import { slashCommandSchema } from '../../payloads.ts';
import { declareModal } from '../../views/declare-modal.ts';
import { declareResultText } from '../../views/declare-result.ts';

/** `/incident …`: answers within Slack's 3 s, then does the slow work. */
export function registerIncidentCommand(app: App, ctx: ListenerContext): void {
  app.command(COMMAND, async ({ command, ack, client }) => {
    const parsed = slashCommandSchema.safeParse(command);
    if (!parsed.success) {
      await ack({ response_type: 'ephemeral', text: 'Slack sent an incomplete command, so nothing was done. Please try again.' });
      return;
    }
    const cmd = parsed.data;
    let request: IncidentCommand;
    try {
      request = parseIncidentCommand(cmd.text);
      if (request.kind === 'declare') {
        const check = declarationSchema.safeParse(request.declaration);
        if (!check.success) throw new AppError(check.error.issues.map((i) => i.message).join(' '));
      }
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
          cmd.response_url,
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
      case 'declare': {
        const d = request.declaration;
        await ack({ response_type: 'ephemeral', text: `Declaring a ${severityText(d.severity)} incident: ${d.title}…` });
        await afterAck(
          ctx,
          cmd.response_url,
          async () =>
            declareResultText(
              await declareIncident(ctx.deps, {
                declareKey: `command:${cmd.trigger_id}`,
                declaration: d,
                declaredBy: cmd.user_id,
                originChannelId: cmd.channel_id,
                responseUrl: cmd.response_url,
                via: 'command',
              }),
            ),
          { command: 'declare', user: cmd.user_id },
        );
      }
    }
  });
}
