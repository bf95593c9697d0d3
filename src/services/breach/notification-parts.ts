// What the breach notification use cases share: the incident (a breach, in its channel), the
// obligations that apply to it now, the notification a typed word names, and the Slack side of a
// recorded step (the notice, and for a draft its Markdown file), which never undoes the record.
import type { BreachNotification, RecordedBreachAssessment } from '../../domain/breach-assessment.ts';
import { breachFactsOf } from '../../domain/breach-assessment.ts';
import { notificationFor, type NotificationTarget } from '../../domain/breach-notification.ts';
import { breachObligations, type BreachRegime, type Obligation } from '../../domain/breach-regimes.ts';
import { AppError } from '../../domain/errors.ts';
import type { Incident } from '../../domain/incident.ts';
import type { Notice } from '../../ports/chat-platform.ts';
import { incidentInChannel } from '../access.ts';
import type { ServiceDeps } from '../deps.ts';

/** Where a notification step was asked: the incident channel, and who. */
export interface InChannel {
  channelId: string;
  userId: string;
}

/** The incident of the channel, which must be a personal data breach. */
export async function breachIncident(deps: ServiceDeps, input: InChannel): Promise<Incident> {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  if (!incident.dataBreach)
    throw new AppError(
      'This incident is not marked as a personal data breach, so there is nothing to notify. Mark it with `/incident breach on` first.',
      'invalid_input',
    );
  return incident;
}

/** The obligations that apply to the incident now, under the configured regimes and its assessment. */
export async function applyingObligations(
  deps: ServiceDeps,
  incident: Incident,
): Promise<{ assessment: RecordedBreachAssessment | null; obligations: Obligation[] }> {
  const assessment = await deps.breachAssessments.assessmentOf(incident.id);
  const regimes = deps.settings.breachRegimes ?? ['uk-gdpr'];
  const awareAt = incident.breachAwareAt ?? incident.createdAt;
  const obligations = breachObligations(regimes, breachFactsOf(awareAt, assessment), deps.settings.defaultTimeZone);
  return { assessment, obligations };
}

/** The latest version of the notification `target` names (`regime` when the word names two). */
export async function namedNotification(
  deps: ServiceDeps,
  incident: Incident,
  target: NotificationTarget,
  regime: BreachRegime | null,
): Promise<BreachNotification> {
  return notificationFor(target, regime, await deps.breachNotifications.latestOfIncident(incident.id));
}

/** A version by the id a button carried: it must be this incident's, and (for a draft) the content shown. */
export async function shownNotification(
  deps: ServiceDeps,
  incident: Incident,
  shown: { id: string; draftedAt: Date },
): Promise<BreachNotification> {
  const n = await deps.breachNotifications.byId(shown.id);
  if (!n || n.incidentId !== incident.id) throw new AppError('That notification is not of this incident.', 'not_found');
  if (n.state === 'draft' && n.draftedAt.getTime() !== shown.draftedAt.getTime())
    throw new AppError(
      'That draft was replaced since this message: look at the newest draft in the channel, and approve that one.',
      'conflict',
    );
  return n;
}

export const CONFLICT = new AppError(
  'Someone changed this notification at the same moment. Look at the newest message about it and try again.',
  'conflict',
);

/** Tells the incident channel about a recorded step; a Slack failure is logged, the record stands. */
export async function tellChannel(
  deps: ServiceDeps,
  incident: Incident,
  notice: Notice,
  file?: { filename: string; title: string; content: string },
): Promise<void> {
  const channel = incident.channelId;
  if (!channel) return;
  const log = (what: string) => (err: unknown) =>
    deps.logger.error({ err, incidentId: incident.id }, `${what} failed after a recorded breach notification step`);
  if (file) await deps.chat.uploadFile(channel, { ...file, comment: '' }).catch(log('uploading the draft'));
  await deps.chat.notify(channel, notice).catch(log('posting the notice'));
}
