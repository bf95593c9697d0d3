import { showService } from '../../../../services/catalog/show-service.ts';
import { afterAck, answerPrivately } from '../../../context.ts';
import { serviceMessage } from '../../../views/service.ts';
import type { ArgsOf } from './handler.ts';

/** `/incident service <name>` (anywhere): the catalog's service, its on-call, incidents, action items and changes, privately. */
export async function handleService({ request, command: cmd, ctx, ack }: ArgsOf<'service'>): Promise<void> {
  await ack();
  await afterAck(
    ctx,
    { responseUrl: cmd.response_url, userId: cmd.user_id },
    async () => {
      const view = await showService(ctx.deps, { userId: cmd.user_id, name: request.name });
      await answerPrivately(
        ctx,
        { responseUrl: cmd.response_url, userId: cmd.user_id },
        serviceMessage(view, ctx.deps.settings.defaultTimeZone),
      );
      return null;
    },
    { command: 'service', user: cmd.user_id },
  );
}
