import { showGuardrailReport } from '../../../../services/review/show-guardrail-report.ts';
import { afterAck, answerPrivately } from '../../../context.ts';
import { guardrailReportMessage } from '../../../views/guardrail-report.ts';
import type { ArgsOf } from './handler.ts';

/** `/incident guardrails [90d]`: the guardrail report, privately. */
export async function handleGuardrails({ request, command: cmd, ctx, ack }: ArgsOf<'guardrails'>): Promise<void> {
  await ack();
  await afterAck(
    ctx,
    { responseUrl: cmd.response_url, userId: cmd.user_id },
    async () => {
      const msg = guardrailReportMessage(await showGuardrailReport(ctx.deps, { periodDays: request.periodDays }));
      await answerPrivately(ctx, { responseUrl: cmd.response_url, userId: cmd.user_id }, msg);
      return null;
    },
    { command: 'guardrails', user: cmd.user_id },
  );
}
