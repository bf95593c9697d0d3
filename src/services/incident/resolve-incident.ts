import { assertCanCommand } from '../../domain/access.ts';
import { assertClinicalSafetySignedOff } from '../../domain/clinical-safety.ts';
import type { Incident } from '../../domain/incident.ts';
import { assertTransition } from '../../domain/lifecycle.ts';
import type { Notice } from '../../ports/chat-platform.ts';
import type { ServiceDeps } from '../deps.ts';
import { commitChange, decidedBy, type NoticeTarget } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';

/**
 * `/incident resolve [summary]`: the commander's. Clinical impact needs the clinical safety
 * officer's sign-off first (domain/clinical-safety.ts). Lifts a freeze; the review feature then posts the post-incident review for people to fill
 * in (its after-commit hook).
 */
export async function resolveIncident(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; summary: string | null; responseUrl?: string | null },
) {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  assertCanCommand(incident, input.userId, 'resolve the incident');
  assertTransition(incident.status, 'RESOLVED');
  if (incident.clinicalImpact)
    assertClinicalSafetySignedOff(incident, await deps.store.clinicalRecord(incident.id), 'resolved');
  const now = deps.clock.now();
  const openPagerDuty = (await deps.store.pagerDutyLinks(incident.id)).filter((l) => l.status !== 'resolved').length;
  const notices: { to: NoticeTarget; notice: (i: Incident) => Notice }[] = (['incident', 'broadcast'] as const).map(
    (to) => ({
      to,
      // Only the incident channel is offered to resolve the linked PagerDuty incidents too.
      notice: (i) => ({
        kind: 'resolved',
        incident: i,
        by: input.userId,
        summary: input.summary,
        openPagerDutyIncidents: to === 'incident' ? openPagerDuty : 0,
      }),
    }),
  );
  // A freeze ends with the resolve, in the same transaction (decided by the store from what is stored).
  const resolved = await commitChange(deps, {
    incident,
    change: { status: 'RESOLVED', resolvedAt: now, lastUpdateAt: now },
    guard: {
      ...decidedBy(incident),
      roles: { COMMANDER: incident.roles.COMMANDER ?? null, CLINICAL_SAFETY: incident.roles.CLINICAL_SAFETY ?? null },
      clinicalImpact: incident.clinicalImpact,
      ...(incident.clinicalImpact ? { clinicalSignoff: 'given' as const } : {}),
    },
    entry: {
      occurredAt: now,
      kind: 'status_changed',
      actorId: input.userId,
      text: `Resolved${input.summary ? `: ${input.summary}` : ''}`,
      data: { from: incident.status, to: 'RESOLVED', summary: input.summary },
    },
    notices,
    author: { userId: input.userId, responseUrl: input.responseUrl ?? null },
  });
  return resolved;
}
