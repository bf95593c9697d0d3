import type { BreachNotification } from '../../domain/breach-assessment.ts';
import {
  draftNotification,
  notificationName,
  obligationFor,
  planRedraft,
  replacedReason,
  targetWord,
  type NotificationTarget,
} from '../../domain/breach-notification.ts';
import type { BreachRegime } from '../../domain/breach-regimes.ts';
import { incidentRef } from '../../domain/incident.ts';
import type { ServiceDeps } from '../deps.ts';
import { applyingObligations, breachIncident, CONFLICT, tellChannel, type InChannel } from './notification-parts.ts';

export interface DraftResult {
  notification: BreachNotification;
  /** `unchanged`: drafting again gave the same content; nothing was written. */
  outcome: 'created' | 'replaced' | 'new-version' | 'unchanged';
  placeholders: number;
  redactions: number;
}

/**
 * `/incident breach draft <target> [regime]`: drafts (or drafts again) the notification to one
 * recipient of an obligation that applies under the configured regimes, from the incident, its
 * breach assessment and the other notifications; anyone in the incident channel may. The Markdown
 * (redacted by the PHI guard) goes into the channel as a file with a notice carrying Approve and
 * Withdraw. Drafting again follows planRedraft: a draft is replaced, an approved version whose
 * content changed is withdrawn for a new one, a sent one gets an update.
 */
export async function draftBreachNotification(
  deps: ServiceDeps,
  input: InChannel & { target: NotificationTarget; regime: BreachRegime | null },
): Promise<DraftResult> {
  const incident = await breachIncident(deps, input);
  const { assessment, obligations } = await applyingObligations(deps, incident);
  const obligation = obligationFor(input.target, input.regime, obligations);
  const { regime, kind } = obligation;
  const all = await deps.breachNotifications.latestOfIncident(incident.id);
  const latest = all.find((n) => n.regime === regime && n.kind === kind) ?? null;
  const others = all.filter((n) => n !== latest);
  const now = deps.clock.now();
  const make = (version: number) =>
    draftNotification({
      incident,
      assessment,
      obligation,
      others,
      version,
      timeZone: deps.settings.defaultTimeZone,
      now,
    });
  // Compared as the latest version would read now: the same content keeps it (and its approval).
  let draft = make(latest?.version ?? 1);
  const plan = planRedraft(latest, draft.markdown);
  if (plan.version !== (latest?.version ?? 1)) draft = make(plan.version);
  const name = notificationName(obligation);
  const counts = { placeholders: draft.placeholders.length, redactions: draft.findings.length };
  const entry = (text: string, data: Record<string, unknown> = {}) => ({
    occurredAt: now,
    kind: 'breach_notification_drafted',
    actorId: input.userId,
    text: `${text} (${counts.placeholders} field${counts.placeholders === 1 ? '' : 's'} to complete${counts.redactions ? `, ${counts.redactions} piece${counts.redactions === 1 ? '' : 's'} of personal data redacted` : ''})`,
    data: { ...counts, ...data },
  });
  let notification: BreachNotification | null;
  let outcome: DraftResult['outcome'];
  switch (plan.action) {
    case 'unchanged':
      return { notification: latest!, outcome: 'unchanged', ...counts };
    case 'create':
      outcome = 'created';
      notification = await deps.breachNotifications.addVersion(
        {
          incidentId: incident.id,
          regime,
          kind,
          version: 1,
          markdown: draft.markdown,
          draftedBy: input.userId,
          draftedAt: now,
        },
        entry(`Drafted the notification to ${name}, version 1`),
      );
      break;
    case 'replace':
      outcome = 'replaced';
      notification = await deps.breachNotifications.change(
        { id: latest!.id, state: 'draft', draftedAt: latest!.draftedAt },
        { markdown: draft.markdown, draftedBy: input.userId, draftedAt: now },
        entry(`Drafted the notification to ${name} again, version ${plan.version} (still a draft)`),
      );
      break;
    case 'new-version':
      outcome = 'new-version';
      notification = await deps.breachNotifications.addVersion(
        {
          incidentId: incident.id,
          regime,
          kind,
          version: plan.version,
          markdown: draft.markdown,
          draftedBy: input.userId,
          draftedAt: now,
        },
        entry(
          `Drafted version ${plan.version} of the notification to ${name}${plan.update ? ': an update to the one sent' : ''}${plan.withdrawPrevious ? `; approved version ${latest!.version} is withdrawn, replaced` : ''}`,
          { update: plan.update, replaces: plan.withdrawPrevious ? latest!.id : null },
        ),
        plan.withdrawPrevious
          ? {
              guard: { id: latest!.id, state: 'approved', draftedAt: latest!.draftedAt },
              change: {
                state: 'withdrawn',
                withdrawnBy: input.userId,
                withdrawnAt: now,
                withdrawReason: replacedReason(plan.version),
              },
            }
          : undefined,
      );
      break;
  }
  if (!notification) throw CONFLICT;
  await tellChannel(
    deps,
    incident,
    { kind: 'breach-notification', incident, notification, event: 'drafted', by: input.userId, ...counts },
    {
      filename: `${incidentRef(incident)}-${targetWord(notification)}${regime === 'hipaa' && kind === 'individuals' ? '-hipaa' : ''}-v${notification.version}.md`,
      title: `Draft notification to ${name}, version ${notification.version}`,
      content: notification.markdown,
    },
  );
  return { notification, outcome, ...counts };
}
