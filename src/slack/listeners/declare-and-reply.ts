import { declareIncident, type DeclareIncidentInput } from '../../services/declare-incident.ts';
import { afterAck, type ListenerContext } from '../context.ts';
import { declareResultText } from '../views/declare-result.ts';

/** After the ack: declares (command or modal alike) and tells the declarer privately how it went. */
export function declareAndReply(ctx: ListenerContext, input: DeclareIncidentInput): Promise<void> {
  return afterAck(ctx, { responseUrl: input.responseUrl, userId: input.declaredBy }, async () => declareResultText(await declareIncident(ctx.deps, input)), {
    declare: input.via,
    user: input.declaredBy,
  });
}
