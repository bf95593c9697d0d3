import { incidentChannelName } from '../domain/channel-name.ts';
import type { Incident } from '../domain/incident.ts';
import {
  MAX_CHANNEL_NAME_ATTEMPTS,
  STEP_LABELS,
  pendingSteps,
  type ProvisioningStep,
} from '../domain/provisioning.ts';
import { ChatError } from '../ports/chat-platform.ts';
import type { ServiceDeps } from './deps.ts';

export type ProvisionOutcome =
  | { state: 'complete'; incident: Incident }
  | { state: 'failed'; incident: Incident; step: ProvisioningStep; reason: string }
  /** Another request or worker is provisioning it right now. */
  | { state: 'busy'; incident: Incident };

const LEASE_MS = 2 * 60_000;

/**
 * Does the Slack steps of declaring that are not done yet (channel, invite, summary, pin,
 * announcement), recording each as it completes, so a failure half way loses nothing and a later
 * run carries on where this one stopped. A lease keeps two runs from making two channels.
 */
export async function provisionIncident(deps: ServiceDeps, incidentId: string): Promise<ProvisionOutcome> {
  const { store, clock } = deps;
  const now = clock.now();
  let incident = await mustFind(deps, incidentId);
  if (incident.provisionedAt) return { state: 'complete', incident };
  if (!(await store.claimProvisioning(incidentId, now, new Date(now.getTime() + LEASE_MS)))) {
    incident = await mustFind(deps, incidentId);
    return incident.provisionedAt ? { state: 'complete', incident } : { state: 'busy', incident };
  }
  let step: ProvisioningStep | undefined;
  try {
    while ((step = pendingSteps(incident)[0])) {
      incident = await runStep(deps, incident, step);
    }
    incident = await store.finishProvisioning(incidentId, clock.now(), null);
    return { state: 'complete', incident };
  } catch (err) {
    const reason = err instanceof ChatError ? `Slack said \`${err.code}\`` : 'an unexpected error';
    deps.logger.error({ err, incidentId, step }, 'incident provisioning step failed');
    incident = await store.finishProvisioning(incidentId, clock.now(), `${STEP_LABELS[step!]}: ${reason}`);
    return { state: 'failed', incident, step: step!, reason };
  }
}

async function runStep(deps: ServiceDeps, incident: Incident, step: ProvisioningStep): Promise<Incident> {
  const { chat, store } = deps;
  const channelId = incident.channelId!;
  switch (step) {
    case 'create-channel': {
      for (let attempt = 1; attempt <= MAX_CHANNEL_NAME_ATTEMPTS; attempt++) {
        const name = incidentChannelName(incident.number, incident.title, attempt);
        const created = await chat.createChannel(name, incident.isPrivate);
        if (created.ok) {
          const updated = await store.recordProvisioning(incident.id, { channelId: created.id, channelName: created.name });
          await store.addTimelineEntry(incident.id, {
            occurredAt: deps.clock.now(),
            kind: 'channel_created',
            actorId: null,
            text: `Channel #${created.name} created`,
            data: { channelId: created.id },
          });
          return updated;
        }
      }
      throw new ChatError('name_taken', `every channel name for ${incident.number} is taken`);
    }
    case 'invite-declarer':
      await chat.inviteUsers(channelId, [incident.declaredBy]);
      return store.recordProvisioning(incident.id, { declarerInvited: true });
    case 'post-summary':
      return store.recordProvisioning(incident.id, { summaryTs: await chat.postSummary(channelId, incident) });
    case 'pin-summary':
      await chat.pinMessage(channelId, incident.summaryTs!);
      return store.recordProvisioning(incident.id, { summaryPinned: true });
    case 'announce':
      return store.recordProvisioning(incident.id, {
        announcementTs: await chat.announce(deps.settings.broadcastChannelId, incident),
      });
  }
}

async function mustFind(deps: ServiceDeps, id: string): Promise<Incident> {
  const incident = await deps.store.findById(id);
  if (!incident) throw new Error(`incident ${id} not found`);
  return incident;
}
