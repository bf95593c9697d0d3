import { actionRef } from '../../../../domain/action-items.ts';
import { completeActionItem } from '../../../../services/review/complete-action-item.ts';
import { reopenActionItem } from '../../../../services/review/reopen-action-item.ts';
import { afterAck } from '../../../context.ts';
import type { ArgsOf } from './handler.ts';

/** `/incident action done ACT-12` and `/incident action reopen ACT-12` (anywhere): the outcome, privately. */
export async function handleActionItem({
  request,
  command: cmd,
  ctx,
  ack,
}: ArgsOf<'action-done' | 'action-reopen'>): Promise<void> {
  await ack();
  const input = { number: request.number, userId: cmd.user_id };
  await afterAck(
    ctx,
    { responseUrl: cmd.response_url, userId: cmd.user_id },
    async () => {
      if (request.kind === 'action-done') {
        const item = await completeActionItem(ctx.deps, input);
        return `:white_check_mark: ${actionRef(item)} is done.`;
      }
      const item = await reopenActionItem(ctx.deps, input);
      return `:arrows_counterclockwise: ${actionRef(item)} is open again.`;
    },
    { command: request.kind, user: cmd.user_id, number: request.number },
  );
}
