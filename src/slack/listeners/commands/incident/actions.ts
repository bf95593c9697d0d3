import { showActionItems } from '../../../../services/review/show-action-items.ts';
import { afterAck, answerPrivately } from '../../../context.ts';
import { actionListMessage } from '../../../views/action-items.ts';
import type { ArgsOf } from './handler.ts';

/** `/incident actions [filter] [where]`: action items, privately. */
export async function handleActions({ request, command: cmd, ctx, ack }: ArgsOf<'actions'>): Promise<void> {
  await ack();
  await afterAck(
    ctx,
    { responseUrl: cmd.response_url, userId: cmd.user_id },
    async () => {
      const list = await showActionItems(ctx.deps, {
        userId: cmd.user_id,
        filter: request.filter,
        tracker: request.tracker,
      });
      const msg = actionListMessage(list.items, {
        filter: list.filter,
        tracker: list.tracker,
        today: list.today,
        total: list.total,
        totalCapped: list.totalCapped,
        next: list.next,
      });
      await answerPrivately(ctx, { responseUrl: cmd.response_url, userId: cmd.user_id }, msg);
      return null;
    },
    { command: 'actions', user: cmd.user_id },
  );
}
