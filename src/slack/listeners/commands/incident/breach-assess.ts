import { canDecideBreach } from '../../../../domain/access.ts';
import { incidentRef } from '../../../../domain/incident.ts';
import { breachToAssess } from '../../../../services/incident/assess-breach.ts';
import { regimesOf } from '../../../../services/incident/record-breach-notified.ts';
import { afterAck } from '../../../context.ts';
import { breachAssessmentModal } from '../../../views/breach-assessment-modal.ts';
import type { ArgsOf } from './handler.ts';

/** `/incident breach assess`: the assessment form, prefilled with the assessment so far (only for a breach). */
export async function handleBreachAssess({ command: cmd, ctx, ack, client }: ArgsOf<'breach-assess'>): Promise<void> {
  await ack();
  await afterAck(
    ctx,
    { responseUrl: cmd.response_url, userId: cmd.user_id },
    async () => {
      const { incident, assessment } = await breachToAssess(ctx.deps, {
        channelId: cmd.channel_id,
        userId: cmd.user_id,
      });
      await client.views.open({
        trigger_id: cmd.trigger_id,
        view: breachAssessmentModal({
          incidentRef: incidentRef(incident),
          prefill: assessment,
          askState: regimesOf(ctx.deps).includes('hipaa'),
          mayDecide: canDecideBreach(incident, cmd.user_id),
          metadata: { incidentId: incident.id, channelId: cmd.channel_id },
        }),
      });
      return null;
    },
    { command: 'breach-assess', user: cmd.user_id, channel: cmd.channel_id },
  );
}
