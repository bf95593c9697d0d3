import { AppError } from '../domain/errors.ts';
import type { Incident } from '../domain/incident.ts';
import type { Notice } from '../ports/chat-platform.ts';
import type { ChangeGuard, IncidentChange, NewTimelineEntry } from '../ports/incident-store.ts';
import type { ServiceDeps } from './deps.ts';

/** The incident whose channel this is; an AppError saying so anywhere else. */
export async function incidentInChannel(deps: ServiceDeps, channelId: string): Promise<Incident> {
  const incident = await deps.store.findByChannel(channelId);
  if (!incident) {
    throw new AppError(
      'This command only works in an incident channel (#inc-…). Run it there, or declare one with `/incident declare <sev1-4> <title>`.',
      'not_incident_channel',
    );
  }
  return incident;
}

/** Where a notice goes: the incident's channel, the broadcast channel (never for private incidents), the clinical-safety channel. */
export type NoticeTarget = 'incident' | 'broadcast' | 'clinical-safety';

/**
 * Records a change and its timeline entry together (refused if someone changed the incident in the
 * meantime), then brings Slack up to date: the pinned summary, the notices, the reminders. The
 * record is the truth: a Slack failure after it is logged, never undoes it.
 */
export async function commitChange(
  deps: ServiceDeps,
  args: {
    incident: Incident;
    change: IncidentChange;
    entry: NewTimelineEntry;
    /** What the decision was based on: the change is refused if any of it changed meanwhile. */
    guard: ChangeGuard;
    notices: { to: NoticeTarget; notice: (updated: Incident) => Notice }[];
  },
): Promise<Incident> {
  const { incident } = args;
  const updated = await deps.store.applyChange(incident.id, args.change, args.entry, args.guard);
  if (!updated) {
    throw new AppError('Someone changed this incident at the same moment. Look at the pinned summary and try again.', 'conflict');
  }
  const log = (what: string) => (err: unknown) => deps.logger.error({ err, incidentId: incident.id }, `${what} failed after a recorded change`);
  await refreshSummary(deps, incident.id).catch(log('updating the summary'));
  for (const { to, notice } of args.notices) {
    const channel =
      to === 'incident' ? updated.channelId
      : to === 'broadcast' ? (updated.isPrivate && !isFreeze(notice(updated)) ? null : deps.settings.broadcastChannelId)
      : deps.settings.clinicalSafetyChannelId;
    if (channel) await deps.chat.notify(channel, notice(updated)).catch(log(`posting a ${to} notice`));
  }
  await deps.reminders.schedule(updated).catch(log('scheduling reminders'));
  return updated;
}

/**
 * Redraws the pinned summary from the record as it is now (not from one change's snapshot, so two
 * changes finishing out of order still leave the latest state pinned).
 */
export async function refreshSummary(deps: ServiceDeps, incidentId: string): Promise<void> {
  const latest = await deps.store.findById(incidentId);
  if (latest?.channelId && latest.summaryTs) await deps.chat.updateSummary(latest.channelId, latest.summaryTs, latest);
}

/** The guard of a decision that rests on who commands the incident. */
export function decidedBy(incident: Incident): ChangeGuard {
  return { status: incident.status, severity: incident.severity, roles: { COMMANDER: incident.roles.COMMANDER ?? null } };
}

/** Freeze notices go out for private incidents too: they name no detail of the incident. */
function isFreeze(n: Notice): boolean {
  return n.kind === 'freeze-started' || n.kind === 'freeze-lifted';
}
