import { maySeeIndividualOnCallFigures } from '../../../../domain/access.ts';
import { showOnCallLoad } from '../../../../services/on-call/show-on-call-load.ts';
import { afterAck, answerPrivately } from '../../../context.ts';
import { onCallLoadFiles, onCallLoadMessage } from '../../../views/on-call-load.ts';
import type { ArgsOf } from './handler.ts';

/** `/incident load [service or schedule] [30d]`: the on-call load, privately (charts and CSV to leads). */
export async function handleLoad({ request, command: cmd, ctx, ack }: ArgsOf<'load'>): Promise<void> {
  await ack();
  await afterAck(
    ctx,
    { responseUrl: cmd.response_url, userId: cmd.user_id },
    async () => {
      const load = await showOnCallLoad(ctx.deps, { query: request.query, periodDays: request.periodDays });
      // With leads configured, everyone else sees their own row and the totals, and gets no files.
      const isLead = maySeeIndividualOnCallFigures(ctx.deps.settings, cmd.user_id);
      const own = [...load.slackUsers].filter(([, slack]) => slack === cmd.user_id).map(([person]) => person);
      let filesSent = false;
      if (isLead && load.report.responders.length) {
        // Individual figures go to the person who asked, not the channel they typed in.
        // Files that could not be made or sent are said so in the reply, which still comes.
        filesSent = await onCallLoadFiles(load)
          .then((files) => ctx.deps.chat.sendFilesPrivately(cmd.user_id, files))
          .then(
            () => true,
            (err: unknown) => {
              ctx.deps.logger.error({ err, user: cmd.user_id }, 'making or sending the load charts failed');
              return false;
            },
          );
      }
      const msg = onCallLoadMessage(load, { filesSent, ...(isLead ? {} : { onlyPeople: own }) });
      await answerPrivately(ctx, { responseUrl: cmd.response_url, userId: cmd.user_id }, msg);
      return null;
    },
    { command: 'load', user: cmd.user_id },
  );
}
