import { declareIncident, type DeclareIncidentInput } from '../../services/incident/declare-incident.ts';
import { afterAck, type ListenerContext } from '../context.ts';
import { declareResultText } from '../views/declare-result.ts';

/** The ack's answer when a declaration could not be held: nothing was declared, and the declarer knows. */
export const NOT_HELD =
  ':x: I could not record your declaration (the incident database did not answer), so nothing was declared. ' +
  'Please try again in a moment; if it keeps failing, page the on-call yourself.';

/**
 * Before the ack: holds the declaration where a crash after the ack cannot lose it (the background
 * retry declares what is held and never recorded). False when the database would not take it;
 * the ack then says so instead of promising a declaration.
 */
export async function holdDeclaration(ctx: ListenerContext, input: DeclareIncidentInput): Promise<boolean> {
  try {
    await ctx.intake.hold(input.declareKey, input, ctx.deps.clock.now());
    return true;
  } catch (err) {
    ctx.deps.logger.error({ err, declareKey: input.declareKey }, 'could not hold a declaration: refused in the ack');
    return false;
  }
}

/** After the ack: declares (command or modal alike) and tells the declarer privately how it went. */
export function declareAndReply(ctx: ListenerContext, input: DeclareIncidentInput): Promise<void> {
  return afterAck(
    ctx,
    { responseUrl: input.responseUrl, userId: input.declaredBy },
    async () => declareResultText(await declareIncident(ctx.deps, input, ctx.intake)),
    {
      declare: input.via,
      user: input.declaredBy,
    },
  );
}
