import { SYSTEM_DECLARER, type Incident } from './incident.ts';
import { freezeApplies } from './lifecycle.ts';

/** The Slack steps of declaring an incident, in order. Each is recorded as it completes. */
export type ProvisioningStep =
  | 'create-channel'
  | 'invite-declarer'
  | 'post-summary'
  | 'pin-summary'
  | 'announce'
  | 'start-freeze'
  | 'alert-clinical-safety'
  | 'notify-owner'
  | 'invite-on-call';

export const STEP_LABELS: Record<ProvisioningStep, string> = {
  'create-channel': 'creating the incident channel',
  'invite-declarer': 'inviting you to the channel',
  'post-summary': 'posting the summary',
  'pin-summary': 'pinning the summary',
  announce: 'announcing it in the broadcast channel',
  'start-freeze': 'announcing the SEV1 change freeze',
  'alert-clinical-safety': 'alerting clinical safety',
  'notify-owner': "telling the service's owning team",
  'invite-on-call': 'inviting the on-call responders',
};

/**
 * Steps still to do. Private incidents are never announced (a SEV1 freeze still is, without detail);
 * clinical impact alerts clinical safety once. Near misses are announced as such and page nobody.
 */
export function pendingSteps(
  i: Pick<
    Incident,
    | 'channelId'
    | 'declaredBy'
    | 'declarerInvited'
    | 'summaryTs'
    | 'summaryPinned'
    | 'announcementTs'
    | 'isPrivate'
    | 'status'
    | 'severity'
    | 'freezeActive'
    | 'freezeAnnounced'
    | 'clinicalImpact'
    | 'clinicalNotifiedAt'
    | 'affectedService'
    | 'onCallInvitedAt'
    | 'nearMiss'
  >,
  /**
   * `onCall`: an on-call system is connected (then the affected service's on-call are invited).
   * `ownerNoticeOwed`: the affected service's owning team has a channel in the catalog and has not
   * been told yet (ownerNoticeOwed below).
   */
  opts: { onCall: boolean; ownerNoticeOwed?: boolean } = { onCall: false },
): ProvisioningStep[] {
  const steps: ProvisioningStep[] = [];
  if (!i.channelId) steps.push('create-channel');
  if (!i.declarerInvited && i.declaredBy !== SYSTEM_DECLARER) steps.push('invite-declarer');
  if (!i.summaryTs) steps.push('post-summary');
  if (!i.summaryPinned) steps.push('pin-summary');
  if (!i.isPrivate && !i.announcementTs) steps.push('announce');
  // The freeze of a SEV1 declaration is decided here (unless a change decided it first), and a
  // freeze notice still owed (in effect, or lifted) is posted.
  const undecidedFreeze = freezeApplies(i) && !i.freezeActive;
  if (undecidedFreeze || i.freezeActive !== i.freezeAnnounced) steps.push('start-freeze');
  if (i.clinicalImpact && !i.clinicalNotifiedAt) steps.push('alert-clinical-safety');
  if (opts.ownerNoticeOwed) steps.push('notify-owner');
  // Last: an on-call system that is down must not hold up anything else.
  // A near miss pages nobody.
  if (opts.onCall && i.affectedService && !i.onCallInvitedAt && !i.nearMiss) steps.push('invite-on-call');
  return steps;
}

/** How many times a failed provisioning run is retried in the background before a person must act. */
export const MAX_PROVISION_ATTEMPTS = 10;
/** Names tried when the channel name is taken (inc-12-x, inc-12-x-2, …). */
export const MAX_CHANNEL_NAME_ATTEMPTS = 20;

/**
 * The timeline entries that record the owning team was told (or could not be: a warning): the
 * notice is owed until one of them is on the timeline.
 */
export const OWNER_NOTICE_KINDS = ['owner_notified', 'owner_notice_failed'] as const;

/**
 * Whether the affected service's owning team is still to be told: the incident names a service
 * whose team has a channel in the catalog, it is not a near miss (nobody is paged for one), it is
 * not private (nothing of a private incident leaves its channel, not even that it exists: its
 * commander brings the team in), and neither entry of OWNER_NOTICE_KINDS is on its timeline
 * (`told`). Not owed is never retried.
 */
export function ownerNoticeOwed(
  i: Pick<Incident, 'affectedService' | 'nearMiss' | 'isPrivate'>,
  teamChannel: string | null,
  told: boolean,
): boolean {
  return !!i.affectedService && !!teamChannel && !i.nearMiss && !i.isPrivate && !told;
}
