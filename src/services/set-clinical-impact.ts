import { assertCanCommand } from '../domain/authority.ts';
import { AppError } from '../domain/errors.ts';
import type { Incident } from '../domain/incident.ts';
import type { Notice } from '../ports/chat-platform.ts';
import type { ServiceDeps } from './deps.ts';
import { commitChange, incidentInChannel, type NoticeTarget } from './incident-changes.ts';

/**
 * `/incident clinical on|off`: anyone may raise clinical impact (safety first); only the commander
 * may clear it. Raising it alerts the clinical-safety channel once and requires a clinical safety officer.
 */
export async function setClinicalImpact(deps: ServiceDeps, input: { channelId: string; userId: string; on: boolean }) {
  const incident = await incidentInChannel(deps, input.channelId);
  if (incident.clinicalImpact === input.on) {
    throw new AppError(`Clinical impact is already ${input.on ? 'on' : 'off'}.`, 'invalid_input');
  }
  if (!input.on) assertCanCommand(incident, input.userId, 'clear clinical impact');
  const alert = input.on && !incident.clinicalNotifiedAt;
  const now = deps.clock.now();
  const notices: { to: NoticeTarget; notice: (i: Incident) => Notice }[] = [
    { to: 'incident', notice: (i) => ({ kind: 'clinical-impact', incident: i, by: input.userId, on: input.on }) },
  ];
  if (alert) notices.push({ to: 'clinical-safety', notice: (i) => ({ kind: 'clinical-safety-alert', incident: i }) });
  return commitChange(deps, {
    incident,
    change: { clinicalImpact: input.on, ...(alert ? { clinicalNotifiedAt: now } : {}) },
    guard: {},
    entry: {
      occurredAt: now,
      kind: 'clinical_impact',
      actorId: input.userId,
      text: input.on ? 'Clinical impact reported' : 'Clinical impact cleared',
      data: { on: input.on },
    },
    notices,
  });
}
