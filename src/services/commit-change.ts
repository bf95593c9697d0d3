import { AppError } from '../domain/errors.ts';
import type { Incident } from '../domain/incident.ts';
import type { Notice } from '../ports/chat-platform.ts';
import type { ChangeGuard, IncidentChange } from '../ports/incident-store.ts';
import type { NewTimelineEntry } from '../domain/timeline.ts';
import type { ServiceDeps } from './deps.ts';
import { runAfterCommit } from './after-commit.ts';
import { outboundNotice, warnAuthor, type Author, type OutboundFinding } from './outbound-text.ts';
import { sendOwedNotices } from './owed-notices.ts';
import { summaryContext } from './summary-context.ts';

/** Where a notice goes: the incident's channel, the broadcast channel (never for private incidents), the clinical-safety channel. */
export type NoticeTarget = 'incident' | 'broadcast' | 'clinical-safety';

/**
 * Records a change and its timeline entry together (refused if someone changed the incident in the
 * meantime), then brings Slack up to date: the pinned summary, the notices, the reminders, and runs
 * the other features' after-commit hooks (deps.afterCommit). The record is the truth: a Slack or hook
 * failure after it is logged, never undoes it.
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
    /** Who wrote the change's text, warned privately when it leaves the channel redacted (default: the entry's actor, by DM). */
    author?: Author;
  },
): Promise<Incident> {
  const { incident } = args;
  const updated = await deps.store.applyChange(incident.id, args.change, args.entry, args.guard);
  if (!updated) {
    throw new AppError(
      'Someone changed this incident at the same moment. Look at the pinned summary and try again.',
      'conflict',
    );
  }
  const log = (what: string) => (err: unknown) =>
    deps.logger.error({ err, incidentId: incident.id }, `${what} failed after a recorded change`);
  await refreshSummary(deps, incident.id).catch(log('updating the summary'));
  // Outside the incident channel every notice is redacted; what its author typed is warned about once per notice kind.
  const typed = new Map<Notice['kind'], { findings: OutboundFinding[]; channels: string[] }>();
  for (const { to, notice } of args.notices) {
    const channel =
      to === 'incident'
        ? updated.channelId
        : to === 'broadcast'
          ? updated.isPrivate
            ? null
            : deps.settings.broadcastChannelId
          : deps.settings.clinicalSafetyChannelId;
    if (!channel) continue;
    let sent = notice(updated);
    if (to !== 'incident') {
      const out = outboundNotice(sent);
      sent = out.notice;
      if (out.typed.length) {
        const seen = typed.get(sent.kind) ?? { findings: out.typed, channels: [] };
        seen.channels.push(channel);
        typed.set(sent.kind, seen);
      }
    }
    await deps.chat.notify(channel, sent).catch(log(`posting a ${to} notice`));
  }
  for (const [kind, { findings, channels }] of typed) {
    const author = args.author ?? (args.entry.actorId ? { userId: args.entry.actorId } : null);
    await warnAuthor(
      deps,
      author,
      findings,
      `Your ${TYPED_LABELS[kind] ?? 'message'} was shared in ${channels.map((c) => `<#${c}>`).join(' and ')}.`,
    );
  }
  // The freeze this change decided (started or ended) and a clinical-safety alert it made due,
  // posted under the notice lease (see sendOwedNotices): nothing to do when nothing is owed.
  if (owesNotices(updated))
    await sendOwedNotices(deps, incident.id).catch(log('posting a freeze or clinical-safety notice'));
  await deps.reminders.schedule(updated).catch(log('scheduling reminders'));
  await runAfterCommit(deps, {
    kind: 'changed',
    before: incident,
    after: updated,
    change: args.change,
    by: args.entry.actorId,
  });
  return updated;
}

/** How long one run may take to redraw a summary before another may (a stalled run's lease runs out). */
const SUMMARY_LEASE_MS = 60_000;
const MAX_REDRAWS = 10;

/**
 * Redraws the pinned summary from the record as it is now, after a change. One run at a time per
 * incident draws (a lease), reading the record after it took the lease and drawing again while
 * changes came meanwhile: two changes finishing out of order (a slow redraw overtaken by a later
 * one) never leave an older state pinned, whichever replica made them.
 */
export async function refreshSummary(deps: ServiceDeps, incidentId: string): Promise<void> {
  await deps.store.markSummaryStale(incidentId);
  await redrawStaleSummary(deps, incidentId);
}

/** Redraws the summary if a change came since it was last drawn (and nobody is drawing it now). */
export async function redrawStaleSummary(deps: ServiceDeps, incidentId: string): Promise<void> {
  for (let round = 0; round < MAX_REDRAWS; round++) {
    const now = deps.clock.now();
    const until = new Date(now.getTime() + SUMMARY_LEASE_MS);
    const version = await deps.store.claimSummaryRedraw(incidentId, now, until);
    if (version === null) return;
    let drawn: number | null = null;
    try {
      const latest = await deps.store.findById(incidentId);
      if (latest?.channelId && latest.summaryTs) {
        await deps.chat.updateSummary(latest.channelId, latest.summaryTs, latest, await summaryContext(deps, latest));
        drawn = version;
      }
    } finally {
      await deps.store.finishSummaryRedraw(incidentId, until, drawn);
    }
    // No summary yet: the run that posts it draws what is stale then.
    if (drawn === null) return;
  }
}

/** The guard of a decision that rests on who commands the incident. */
export function decidedBy(incident: Incident): ChangeGuard {
  return {
    status: incident.status,
    severity: incident.severity,
    roles: { COMMANDER: incident.roles.COMMANDER ?? null },
  };
}

/** What the author typed, by notice kind, for the warning when it was redacted. */
const TYPED_LABELS: Partial<Record<Notice['kind'], string>> = {
  'status-update': 'update',
  'status-changed': 'status message',
  'severity-changed': 'reason for the severity change',
  resolved: 'resolution summary',
  reopened: 'reason for reopening',
};

/** Whether the incident, as a change left it, owes a freeze notice or a clinical-safety alert. */
function owesNotices(i: Incident): boolean {
  return i.freezeActive !== i.freezeAnnounced || (i.clinicalImpact && !i.clinicalNotifiedAt);
}
