import type { App } from '@slack/bolt';
import { parseIncidentCommand } from '../../../domain/command.ts';
import { parseDeclaration } from '../../../domain/declaration.ts';
import { withCommandService } from '../../../services/catalog/resolve-command-service.ts';
import type { ListenerContext } from '../../context.ts';
import { userMessageFor } from '../../errors.ts';
import { COMMAND } from '../../ids.ts';
import { slashCommandSchema } from '../../payloads.ts';
import type { ViewOpener } from '../review-form.ts';
import { handleActionItem } from './incident/action-item.ts';
import { handleActions } from './incident/actions.ts';
import { handleAllowances } from './incident/allowances.ts';
import { handleBreachAssess } from './incident/breach-assess.ts';
import { handleDeclare } from './incident/declare.ts';
import { handleGuardrails } from './incident/guardrails.ts';
import type { CommandAck, ParsedIncidentCommand, SubcommandHandler } from './incident/handler.ts';
import { handleHelp } from './incident/help.ts';
import { handleInChannel } from './incident/in-channel.ts';
import { handleLoad } from './incident/load.ts';
import { handleOnCall } from './incident/on-call.ts';
import { handleOpenDeclareModal } from './incident/open-declare-modal.ts';
import { handleReview } from './incident/review.ts';
import { handleService } from './incident/service.ts';

/** Each subcommand's handler, by the parsed command's kind. */
export const INCIDENT_SUBCOMMANDS: {
  [K in ParsedIncidentCommand['kind']]: SubcommandHandler<Extract<ParsedIncidentCommand, { kind: K }>>;
} = {
  help: handleHelp,
  'open-declare-modal': handleOpenDeclareModal,
  oncall: handleOnCall,
  review: handleReview,
  actions: handleActions,
  'action-done': handleActionItem,
  'action-reopen': handleActionItem,
  guardrails: handleGuardrails,
  load: handleLoad,
  allowances: handleAllowances,
  service: handleService,
  declare: handleDeclare,
  // Acts on this channel's incident.
  status: handleInChannel,
  update: handleInChannel,
  severity: handleInChannel,
  role: handleInChannel,
  note: handleInChannel,
  timeline: handleInChannel,
  resolve: handleInChannel,
  close: handleInChannel,
  reopen: handleInChannel,
  clinical: handleInChannel,
  'clinical-signoff': handleInChannel,
  hazard: handleInChannel,
  'breach-on': handleInChannel,
  'breach-off': handleInChannel,
  'breach-notified': handleInChannel,
  'breach-draft': handleInChannel,
  'breach-approve': handleInChannel,
  'breach-withdraw': handleInChannel,
  'breach-sent': handleInChannel,
  'breach-assess': handleBreachAssess,
  page: handleInChannel,
  'resolve-pagerduty': handleInChannel,
  evidence: handleInChannel,
  'action-add': handleInChannel,
  'freeze-show': handleInChannel,
  'freeze-on': handleInChannel,
  'freeze-off': handleInChannel,
  'freeze-override': handleInChannel,
};

/**
 * The subcommand in the command's text; a declaration's text is parsed too, and a freeze's service
 * read against the catalog. Throws on bad input.
 */
function parseRequest(ctx: ListenerContext, text: string): ParsedIncidentCommand {
  const request = withCommandService(ctx.deps, parseIncidentCommand(text));
  // Bad input is answered in the ack itself, before anything is created.
  return request.kind === 'declare' ? { ...request, declaration: parseDeclaration(request.declaration) } : request;
}

/** One `/incident …`: checked and parsed (bad input is answered in the ack), then handed to its subcommand's handler. */
export async function handleIncidentCommand(
  ctx: ListenerContext,
  { command, ack, client }: { command: unknown; ack: CommandAck; client: ViewOpener },
): Promise<void> {
  const parsed = slashCommandSchema.safeParse(command);
  if (!parsed.success) {
    await ack({
      response_type: 'ephemeral',
      text: 'Slack sent an incomplete command, so nothing was done. Please try again.',
    });
    return;
  }
  const cmd = parsed.data;
  let request: ParsedIncidentCommand;
  try {
    request = parseRequest(ctx, cmd.text);
  } catch (err) {
    await ack({ response_type: 'ephemeral', text: userMessageFor(err, ctx.deps.logger, { command: cmd.text }) });
    return;
  }
  const handler = INCIDENT_SUBCOMMANDS[request.kind] as SubcommandHandler;
  await handler({ request, command: cmd, ctx, ack, client });
}

/** `/incident …`: answers within Slack's 3 s, then does the slow work. */
export function registerIncidentCommand(app: App, ctx: ListenerContext): void {
  app.command(COMMAND, ({ command, ack, client }) => handleIncidentCommand(ctx, { command, ack, client }));
}
