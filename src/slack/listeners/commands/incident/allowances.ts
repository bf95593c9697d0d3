import { showAllowances } from '../../../../services/on-call/show-allowances.ts';
import { afterAck, answerPrivately } from '../../../context.ts';
import type { ArgsOf } from './handler.ts';

/** `/incident allowances [month] [schedule or team]`: on-call allowances, privately (the payroll CSV to leads). */
export async function handleAllowances({ request, command: cmd, ctx, ack }: ArgsOf<'allowances'>): Promise<void> {
  await ack();
  await afterAck(
    ctx,
    { responseUrl: cmd.response_url, userId: cmd.user_id },
    async () => {
      const a = await showAllowances(ctx.deps, { userId: cmd.user_id, month: request.month, query: request.query });
      // TODO(issue 19): the Block Kit view and the payroll CSV.
      const text = `On-call allowances: ${a.scope.name}, ${a.period.label}: ${a.report.people.length} people.`;
      await answerPrivately(ctx, { responseUrl: cmd.response_url, userId: cmd.user_id }, { text, blocks: [] });
      return null;
    },
    { command: 'allowances', user: cmd.user_id },
  );
}
