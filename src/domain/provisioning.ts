import type { Incident } from './incident.ts';

/** The Slack steps of declaring an incident, in order. Each is recorded as it completes. */
export type ProvisioningStep = 'create-channel' | 'invite-declarer' | 'post-summary' | 'pin-summary' | 'announce';

export const STEP_LABELS: Record<ProvisioningStep, string> = {
  'create-channel': 'creating the incident channel',
  'invite-declarer': 'inviting you to the channel',
  'post-summary': 'posting the summary',
  'pin-summary': 'pinning the summary',
  announce: 'announcing it in the broadcast channel',
};

/** Steps still to do; private incidents are never announced. */
export function pendingSteps(
  i: Pick<Incident, 'channelId' | 'declarerInvited' | 'summaryTs' | 'summaryPinned' | 'announcementTs' | 'isPrivate'>,
): ProvisioningStep[] {
  const steps: ProvisioningStep[] = [];
  if (!i.channelId) steps.push('create-channel');
  if (!i.declarerInvited) steps.push('invite-declarer');
  if (!i.summaryTs) steps.push('post-summary');
  if (!i.summaryPinned) steps.push('pin-summary');
  if (!i.isPrivate && !i.announcementTs) steps.push('announce');
  return steps;
}

/** How many times a failed provisioning run is retried in the background before a person must act. */
export const MAX_PROVISION_ATTEMPTS = 10;
/** Names tried when the channel name is taken (inc-12-x, inc-12-x-2, …). */
export const MAX_CHANNEL_NAME_ATTEMPTS = 20;
