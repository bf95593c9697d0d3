import { outboundIncident } from '../domain/redaction.ts';
import type { Notice } from '../ports/chat-platform.ts';
import type { ServiceDeps } from './deps.ts';

/** How long a run may take to post an incident's owed notices before another may (the provisioning lease, 2 minutes by default). */
const DEFAULT_NOTICE_LEASE_MS = 2 * 60_000;
/** Enough for any real sequence of changes made while one notice was being posted. */
const MAX_ROUNDS = 10;

/**
 * Posts what an incident still owes outside its channel: the freeze notice that brings the
 * broadcast channel in line with the stored freeze ("in effect" or "lifted"), and the
 * clinical-safety alert (once). The freeze itself is decided with the severity and status (see
 * IncidentStore.applyChange and decideFreeze); this only tells it. A lease (claimNotices) lets one
 * run post at a time, so notices never cross or repeat; the holder looks again after each post, so
 * a change made while it was posting (a downgrade during a slow "in effect") is told by it, in order.
 * A run that finds the lease held leaves it to the holder. Returns what this call posted; a failed
 * post lets the lease go and throws, and the notice stays owed (the background pass tries again).
 */
export async function sendOwedNotices(deps: ServiceDeps, incidentId: string): Promise<Notice['kind'][]> {
  const { store, chat, clock, settings } = deps;
  const leaseMs = settings.provisioning?.leaseMs ?? DEFAULT_NOTICE_LEASE_MS;
  const posted: Notice['kind'][] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const now = clock.now();
    let lease = new Date(now.getTime() + leaseMs);
    const incident = await store.claimNotices(incidentId, now, lease);
    if (!incident) return posted;
    const record = async (patch: { freezeAnnounced?: boolean; clinicalNotifiedAt?: Date }) => {
      const renewed = new Date(clock.now().getTime() + leaseMs);
      await store.recordNotice(incidentId, lease, patch, renewed);
      lease = renewed;
    };
    try {
      if (incident.freezeActive !== incident.freezeAnnounced) {
        // Without detail for a private incident (the notice's view says only that a SEV1 is in progress).
        const kind = incident.freezeActive ? 'freeze-started' : 'freeze-lifted';
        await chat.notify(settings.broadcastChannelId, { kind, incident: outboundIncident(incident).value });
        await record({ freezeAnnounced: incident.freezeActive });
        posted.push(kind);
      }
      if (incident.clinicalImpact && !incident.clinicalNotifiedAt) {
        const channel = settings.clinicalSafetyChannelId;
        if (channel) {
          await chat.notify(channel, {
            kind: 'clinical-safety-alert',
            incident: outboundIncident(incident).value,
            groupId: settings.clinicalSafetyGroupId,
          });
          posted.push('clinical-safety-alert');
        }
        await record({ clinicalNotifiedAt: clock.now() });
      }
    } finally {
      await store
        .releaseNotices(incidentId, lease)
        .catch((err: unknown) => deps.logger.warn({ err, incidentId }, 'notice lease not released; it runs out'));
    }
  }
  deps.logger.warn({ incidentId }, 'owed notices still changing after several rounds; the background pass carries on');
  return posted;
}

/**
 * The background pass: posts the notices still owed by incidents that are set up (a post that
 * failed, or a run that died holding the lease). Each incident's failure is logged and left for
 * the next pass.
 */
export async function sendOwedNoticesPass(deps: ServiceDeps, limit = 20): Promise<number> {
  let sent = 0;
  for (const incident of await deps.store.listOwedNotices(deps.clock.now(), limit)) {
    try {
      sent += (await sendOwedNotices(deps, incident.id)).length;
    } catch (err) {
      deps.logger.error(
        { err, incidentId: incident.id },
        'an owed freeze or clinical-safety notice failed again; tried on the next pass',
      );
    }
  }
  return sent;
}
