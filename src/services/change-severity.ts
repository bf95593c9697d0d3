import { assertCanCommand } from '../domain/authority.ts';
import { AppError } from '../domain/errors.ts';
import { isActive } from '../domain/lifecycle.ts';
import type { Severity } from '../domain/severity.ts';
import type { ServiceDeps } from './deps.ts';
import { commitChange, decidedBy, incidentInChannel, type NoticeTarget } from './incident-changes.ts';
import type { Notice } from '../ports/chat-platform.ts';
import type { Incident } from '../domain/incident.ts';

/** `/incident sev <1-4> [reason]`: the commander's call. A SEV1 starts a change freeze; leaving SEV1 lifts it. */
export async function changeSeverity(deps: ServiceDeps, input: { channelId: string; userId: string; severity: Severity; reason: string | null; responseUrl?: string | null }) {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  assertCanCommand(incident, input.userId, 'change the severity');
  const from = incident.severity;
  if (from === input.severity) throw new AppError(`The incident is already ${from}.`, 'invalid_input');
  const startsFreeze = input.severity === 'SEV1' && isActive(incident.status) && !incident.freezeActive;
  const liftsFreeze = from === 'SEV1' && incident.freezeActive;
  const notices: { to: NoticeTarget; notice: (i: Incident) => Notice }[] = (['incident', 'broadcast'] as const).map((to) => ({
    to,
    notice: (i) => ({ kind: 'severity-changed', incident: i, by: input.userId, from, reason: input.reason }),
  }));
  if (startsFreeze) notices.push({ to: 'broadcast', notice: (i) => ({ kind: 'freeze-started', incident: i }) });
  if (liftsFreeze) notices.push({ to: 'broadcast', notice: (i) => ({ kind: 'freeze-lifted', incident: i }) });
  const now = deps.clock.now();
  return commitChange(deps, {
    incident,
    change: { severity: input.severity, ...(startsFreeze ? { freezeActive: true } : liftsFreeze ? { freezeActive: false } : {}) },
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
