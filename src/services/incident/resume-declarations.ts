import { actingAs } from '../../audit-context.ts';
import { AppError } from '../../domain/errors.ts';
import type { DeclarationIntake } from '../../ports/declaration-intake.ts';
import { declareIncident, heldDeclarationSchema } from './declare-incident.ts';
import type { ServiceDeps } from '../deps.ts';
import { RESUME_GRACE_MS, tellResumedOutcome } from './resume-provisioning.ts';
import { tellUser } from '../tell-user.ts';

/** Held declarations older than this are given up (Slack's response URLs last 30 minutes). */
export const HOLD_KEEP_MS = 24 * 60 * 60_000;

export type ResumedDeclaration = {
  key: string;
  result: 'declared' | 'already-declared' | 'refused' | 'unreadable' | 'failed';
};

/**
 * Declares what was acknowledged to Slack but never recorded (the process died between the ack and
 * the incident's insert, or the database failed then): each held declaration older than the grace
 * period with no incident by its key is declared now, on behalf of its declarer, who is told. One
 * whose input is refused is told so and released; one that fails otherwise stays held for the next
 * pass. Runs at start and periodically, before resumeProvisioning.
 */
export async function resumeDeclarations(
  deps: ServiceDeps,
  intake: DeclarationIntake,
  limit = 20,
): Promise<ResumedDeclaration[]> {
  const now = deps.clock.now();
  const pruned = await intake.prune(new Date(now.getTime() - HOLD_KEEP_MS));
  if (pruned > 0) deps.logger.debug({ pruned }, 'settled or expired held declarations deleted');
  const held = await intake.unrecorded(
    new Date(now.getTime() - (deps.settings.provisioning?.graceMs ?? RESUME_GRACE_MS)),
    limit,
  );
  const resumed: ResumedDeclaration[] = [];
  for (const h of held) {
    const parsed = heldDeclarationSchema.safeParse(h.request);
    if (!parsed.success) {
      // Nothing to declare from, nobody to tell: only a hand-edited or foreign row gets here.
      deps.logger.error(
        { declareKey: h.key, issues: parsed.error.issues },
        'a held declaration cannot be read: dropped',
      );
      await intake.release(h.key);
      resumed.push({ key: h.key, result: 'unreadable' });
      continue;
    }
    const input = parsed.data;
    const to = { responseUrl: input.responseUrl, userId: input.declaredBy };
    deps.logger.warn(
      { declareKey: h.key, receivedAt: h.receivedAt },
      'declaring an acknowledged declaration that was never recorded',
    );
    try {
      const result = await actingAs({ actor: input.declaredBy, via: `declare (resumed: ${input.via})` }, () =>
        declareIncident(deps, input, intake),
      );
      if (result.duplicate) {
        resumed.push({ key: h.key, result: 'already-declared' });
        continue;
      }
      await tellResumedOutcome(
        deps,
        result.outcome.incident,
        result.outcome,
        " (Declared by the bot's background retry: the request that asked for it was cut short, by a restart or a failure.)",
        result.advice ?? [],
      );
      resumed.push({ key: h.key, result: 'declared' });
    } catch (err) {
      if (err instanceof AppError) {
        await tellUser(
          deps,
          to,
          `:x: Your declaration (${input.declaration.title}) could not be recorded: ${err.userMessage}`,
        );
        resumed.push({ key: h.key, result: 'refused' });
      } else {
        deps.logger.error(
          { err, declareKey: h.key },
          'declaring a held declaration failed: tried again on the next pass',
        );
        resumed.push({ key: h.key, result: 'failed' });
      }
    }
  }
  return resumed;
}
