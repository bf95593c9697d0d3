import { assertCanCommand } from '../../domain/access.ts';
import { AppError } from '../../domain/errors.ts';
import type { Severity } from '../../domain/severity.ts';
import type { ServiceDeps } from '../deps.ts';
import { commitChange, decidedBy, type NoticeTarget } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';
import type { Notice } from '../../ports/chat-platform.ts';
import type { Incident } from '../../domain/incident.ts';

/** `/incident sev <1-4> [reason]`: the commander's call. A SEV1 starts a change freeze; leaving SEV1 lifts it. */
export async function changeSeverity(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; severity: Severity; reason: string | null; responseUrl?: string | null },
) {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  assertCanCommand(incident, input.userId, 'change the severity');
  const from = incident.severity;
  if (from === input.severity) throw new AppError(`The incident is already ${from}.`, 'invalid_input');
  const notices: { to: NoticeTarget; notice: (i: Incident) => Notice }[] = (['incident', 'broadcast'] as const).map(
    (to) => ({
      to,
      notice: (i) => ({ kind: 'severity-changed', incident: i, by: input.userId, from, reason: input.reason }),
    }),
  );
  const now = deps.clock.now();
  return commitChange(deps, {
    incident,
    // The freeze is decided by the store from what is stored, under the same lock as the severity
    // (a freeze being set up at this moment is seen), and its notice posted by commitChange.
    change: { severity: input.severity, startsFreeze: input.severity === 'SEV1' },
    guard: decidedBy(incident),
    entry: {
      occurredAt: now,
      kind: 'severity_changed',
      actorId: input.userId,
      text: `Severity ${from} → ${input.severity}${input.reason ? `: ${input.reason}` : ''}`,
      data: { from, to: input.severity, reason: input.reason },
    },
    notices,
    author: { userId: input.userId, responseUrl: input.responseUrl ?? null },
  });
}
