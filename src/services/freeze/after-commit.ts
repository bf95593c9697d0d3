// The freeze feature's part after an incident's change (see src/services/after-commit.ts): a
// resolved or closed incident ends its manual freezes, on the record (who resolved it, audited, a
// `freeze_ended` entry) and in the channels that were told they started. Their unused overrides lapse
// with them. Reopening the incident does not start them again. (The freeze store's "its incident is
// active" check stays as the safety net, should this hook fail.)
import { scopeText } from '../../domain/freeze.ts';
import { isActive } from '../../domain/lifecycle.ts';
import type { AfterCommit } from '../after-commit.ts';
import { redrawSummary, tellFreeze } from './freeze-helpers.ts';

/** Who ended a freeze when nobody is named (a change without an actor). */
const BY_THE_BOT = 'incident-bot';

export const endFreezesAfterCommit: AfterCommit = async (deps, event) => {
  if (event.kind !== 'changed') return;
  const { before, after } = event;
  if (isActive(after.status) || !isActive(before.status)) return;
  const by = event.by ?? BY_THE_BOT;
  const now = deps.clock.now();
  const how = after.status === 'CLOSED' ? 'closed' : 'resolved';
  const ended = await deps.freezes.end(after.id, null, { by, at: now }, (list) => ({
    occurredAt: now,
    kind: 'freeze_ended',
    actorId: event.by ?? null,
    text: `Change freeze lifted on ${list.map((f) => scopeText(f.scope)).join(', ')}: the incident was ${how}`,
    data: { scopes: list.map((f) => f.scope), reason: how },
  }));
  if (!ended.length) return;
  await tellFreeze(
    deps,
    after,
    {
      kind: 'change-freeze-ended',
      incident: after,
      by: event.by ?? '',
      scopes: ended.map((f) => f.scope),
      because: how,
    },
    null,
  );
  await redrawSummary(deps, after.id);
};
