import { severityText } from '../../../../domain/severity.ts';
import { type DeclareIncidentInput, withDeclaredService } from '../../../../services/incident/declare-incident.ts';
import { CATALOG_UNREAD } from '../../../../domain/catalog.ts';
import { serviceCatalogUnread } from '../../../../services/incident/search-services.ts';
import { userMessageFor } from '../../../errors.ts';
import { escapeMrkdwn } from '../../../views/format.ts';
import { declareAndReply, holdDeclaration, NOT_HELD } from '../../declare-and-reply.ts';
import type { ArgsOf } from './handler.ts';

/**
 * `/incident declare <sev1-4> <title>`: its service resolved against the catalog (an unknown one is
 * refused in the ack, with suggestions, and nothing is held), held before the ack, which says what
 * is being declared; declared after it.
 */
export async function handleDeclare({ request, command: cmd, ctx, ack }: ArgsOf<'declare'>): Promise<void> {
  let input: DeclareIncidentInput;
  try {
    input = withDeclaredService(ctx.deps, {
      declareKey: `command:${cmd.trigger_id}`,
      declaration: request.declaration,
      declaredBy: cmd.user_id,
      originChannelId: cmd.channel_id,
      responseUrl: cmd.response_url,
      via: 'command' as const,
      ...(request.breachAware ? { breachAware: request.breachAware } : {}),
      ...(request.serviceWords ? { serviceWords: request.serviceWords } : {}),
    });
  } catch (err) {
    await ack({ response_type: 'ephemeral', text: userMessageFor(err, ctx.deps.logger, { command: cmd.text }) });
    return;
  }
  if (!(await holdDeclaration(ctx, input))) {
    await ack({ response_type: 'ephemeral', text: NOT_HELD });
    return;
  }
  // As resolved: a service named by more than one word took them out of the title.
  const d = input.declaration;
  // A catalog configured but not read yet (Backstage down at start): the service was taken as typed.
  const unread = input.service && serviceCatalogUnread(ctx.deps) ? ` _${CATALOG_UNREAD}_` : '';
  await ack({
    response_type: 'ephemeral',
    text:
      (d.nearMiss
        ? `Recording a near miss: ${escapeMrkdwn(d.title)}…`
        : d.drill
          ? `Declaring an exercise (drill), ${severityText(d.severity)}: ${escapeMrkdwn(d.title)}…`
          : `Declaring a ${severityText(d.severity)} incident: ${escapeMrkdwn(d.title)}…`) + unread,
  });
  await declareAndReply(ctx, input);
}
