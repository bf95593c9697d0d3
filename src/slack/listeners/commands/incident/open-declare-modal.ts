import { hasServiceCatalog, serviceCatalogUnread } from '../../../../services/incident/search-services.ts';
import { afterAck } from '../../../context.ts';
import { declareModal } from '../../../views/declare-modal.ts';
import type { ArgsOf } from './handler.ts';

/** `/incident` alone: the declare form. */
export async function handleOpenDeclareModal({
  command: cmd,
  ctx,
  ack,
  client,
}: ArgsOf<'open-declare-modal'>): Promise<void> {
  await ack();
  await afterAck(
    ctx,
    { responseUrl: cmd.response_url, userId: cmd.user_id },
    async () => {
      await client.views.open({
        trigger_id: cmd.trigger_id,
        view: declareModal(
          { responseUrl: cmd.response_url, channelId: cmd.channel_id },
          { catalog: hasServiceCatalog(ctx.deps), catalogUnread: serviceCatalogUnread(ctx.deps) },
        ),
      });
      return null;
    },
    { command: 'open declare modal', user: cmd.user_id },
  );
}
