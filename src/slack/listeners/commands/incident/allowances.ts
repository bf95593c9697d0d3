import { showAllowances } from '../../../../services/on-call/show-allowances.ts';
import { afterAck, answerPrivately } from '../../../context.ts';
import { allowancesFiles, allowancesMessage } from '../../../views/allowances.ts';
import type { ArgsOf } from './handler.ts';

/** `/incident allowances [month] [schedule or team]`: on-call allowances, privately (the payroll CSV to leads). */
export async function handleAllowances({ request, command: cmd, ctx, ack }: ArgsOf<'allowances'>): Promise<void> {
  await ack();
  await afterAck(
    ctx,
    { responseUrl: cmd.response_url, userId: cmd.user_id },
    async () => {
      // The words after `allowances`, for a team named like a month (`march madness`).
      const words = cmd.text.trim().split(/\s+/).slice(1).join(' ');
      const a = await showAllowances(ctx.deps, {
        userId: cmd.user_id,
        month: request.month,
        query: request.query,
        words: words || null,
      });
      let files: boolean | null = null;
      if (a.everyone && a.report.people.length) {
        // Everyone's pay goes to the lead who asked, by direct message, never to the channel typed in.
        // A CSV that could not be made or sent is said so in the reply, which still comes.
        files = await Promise.resolve()
          .then(() => ctx.deps.chat.sendFilesPrivately(cmd.user_id, allowancesFiles(a)))
          .then(
            () => true,
            (err: unknown) => {
              ctx.deps.logger.error({ err, user: cmd.user_id }, 'making or sending the allowances CSV failed');
              return false;
            },
          );
      }
      await answerPrivately(
        ctx,
        { responseUrl: cmd.response_url, userId: cmd.user_id },
        allowancesMessage(a, { files, userId: cmd.user_id }),
      );
      return null;
    },
    { command: 'allowances', user: cmd.user_id },
  );
}
