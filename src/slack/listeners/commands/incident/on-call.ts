import { showOnCall } from '../../../../services/on-call/show-on-call.ts';
import { afterAck, answerPrivately } from '../../../context.ts';
import { onCallMessage } from '../../../views/on-call.ts';
import type { ArgsOf } from './handler.ts';

/** `/incident oncall [service or schedule]`: who carries the pager, privately. */
export async function handleOnCall({ request, command: cmd, ctx, ack }: ArgsOf<'oncall'>): Promise<void> {
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
}
