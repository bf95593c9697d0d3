import { incidentChannelName } from '../../domain/channel-name.ts';
import type { Incident } from '../../domain/incident.ts';
import type { NewTimelineEntry } from '../../domain/timeline.ts';
import {
  MAX_CHANNEL_NAME_ATTEMPTS,
  OWNER_NOTICE_KINDS,
  STEP_LABELS,
  ownerNoticeOwed,
  pendingSteps,
  type ProvisioningStep,
} from '../../domain/provisioning.ts';
import { ChatError, isTransient } from '../../ports/chat-platform.ts';
import { type OnCallProvider, OnCallUnavailable } from '../../ports/on-call-provider.ts';
import { ProvisioningLeaseLost } from '../../ports/incident-store.ts';
import { runAfterCommit } from '../after-commit.ts';
import type { ServiceDeps } from '../deps.ts';
import { outboundIncident, redactionWarning } from '../../domain/redaction.ts';
import { sendOwedNotices } from '../owed-notices.ts';
import { redrawStaleSummary, refreshSummary } from '../commit-change.ts';
import { serviceLabel, serviceNamed, type CatalogService } from '../../domain/catalog.ts';
import { summaryContext } from '../summary-context.ts';

export type ProvisionOutcome =
  /** `warnings`: steps that cannot succeed and were passed over (e.g. a guest cannot be invited). */
  /** `alreadyDone`: another run (request, retry pass, replica) had finished it; this one did nothing. */
  | { state: 'complete'; incident: Incident; warnings: string[]; alreadyDone?: true }
  | { state: 'failed'; incident: Incident; step: ProvisioningStep; reason: string }
  /** Another request or worker is provisioning it right now. */
  | { state: 'busy'; incident: Incident };

/** How long one run may hold an incident; renewed at every step, so only a stalled run loses it. */
export const LEASE_MS = 2 * 60_000;

/** The configured lease (PROVISION_LEASE_SECONDS), else LEASE_MS. */
const leaseMsOf = (deps: ServiceDeps) => deps.settings.provisioning?.leaseMs ?? LEASE_MS;

function reasonOf(err: unknown): string {
  if (err instanceof ChatError) return `Slack said \`${err.code}\``;
  if (err instanceof OnCallUnavailable) return `PagerDuty did not answer: ${err.message}`;
  return 'an unexpected error';
}

/**
 * Does the Slack steps of declaring that are not done yet (channel, invite, summary, pin,
 * announcement), recording each as it completes, so a failure half way loses nothing and a later
 * run carries on where this one stopped. A lease keeps two runs from making two channels.
 */
export async function provisionIncident(deps: ServiceDeps, incidentId: string): Promise<ProvisionOutcome> {
  const { store, clock } = deps;
  const now = clock.now();
  // The lease is also a fencing token: each record is a compare-and-set on it, so a run that
  // stalled past it (and was taken over) stops at its next record instead of carrying on beside
  // the run that took over. The claim gives the incident as claimed (done or leased: nothing).
  const lease = { until: new Date(now.getTime() + leaseMsOf(deps)) };
  const claimed = await store.claimProvisioning(incidentId, now, lease.until);
  if (!claimed) return busyOrDone(deps, incidentId);
  let incident = claimed;
  const warnings: string[] = [];
  let step: ProvisioningStep | undefined;
  const ran = new Set<ProvisioningStep>();
  try {
    // Whether the owning team is still to be told: asked of the timeline only when it has a channel.
    const teamChannel = catalogService(deps, incident)?.slackChannel ?? null;
    const noticeOwed =
      ownerNoticeOwed(incident, teamChannel, false) && !(await store.hasTimelineEntry(incident.id, OWNER_NOTICE_KINDS));
    // Each step at most once a run: one left to another run (a notice being posted by a change)
    // is not waited for here.
    for (;;) {
      step = pendingSteps(incident, { onCall: !!deps.onCall, ownerNoticeOwed: noticeOwed }).find((s) => !ran.has(s));
      if (!step) break;
      incident = await runStep(deps, incident, step, warnings, lease);
      ran.add(step);
    }
    const redacted = declarationRedactionWarning(deps, incident, ran);
    if (redacted) warnings.push(redacted);
    incident = await store.finishProvisioning(incidentId, clock.now(), null, lease.until);
    await deps.reminders
      .schedule(incident)
      .catch((err) => deps.logger.error({ err, incidentId }, 'scheduling reminders failed'));
    // The other features' part (a near miss's review is posted now: it is over when recorded).
    await runAfterCommit(deps, { kind: 'provisioned', incident });
    return { state: 'complete', incident, warnings };
  } catch (err) {
    if (err instanceof ProvisioningLeaseLost) {
      deps.logger.warn({ incidentId, step }, 'provisioning run stalled past its lease and was taken over: stopped');
      return busyOrDone(deps, incidentId);
    }
    const reason = reasonOf(err);
    deps.logger.error({ err, incidentId, step }, 'incident provisioning step failed');
    try {
      incident = await store.finishProvisioning(
        incidentId,
        clock.now(),
        `${STEP_LABELS[step!]}: ${reason}`,
        lease.until,
      );
    } catch (finishErr) {
      if (finishErr instanceof ProvisioningLeaseLost) return busyOrDone(deps, incidentId);
      throw finishErr;
    }
    // Waiting on PagerDuty (the last step) must not hold up the incident's reminders.
    if (step === 'invite-on-call') await deps.reminders.schedule(incident).catch(() => {});
    return { state: 'failed', incident, step: step!, reason };
  }
}

/** What a run that does not hold the lease reports: done by another run, or being done by one. */
async function busyOrDone(deps: ServiceDeps, incidentId: string): Promise<ProvisionOutcome> {
  const incident = await mustFind(deps, incidentId);
  return incident.provisionedAt
    ? { state: 'complete', incident, warnings: [], alreadyDone: true }
    : { state: 'busy', incident };
}

async function runStep(
  deps: ServiceDeps,
  incident: Incident,
  step: ProvisioningStep,
  warnings: string[],
  lease: { until: Date },
): Promise<Incident> {
  const { chat, store, clock } = deps;
  const record = async (patch: Parameters<typeof store.recordProvisioning>[1], entry?: NewTimelineEntry) => {
    const renewed = new Date(clock.now().getTime() + leaseMsOf(deps));
    const recorded = await store.recordProvisioning(incident.id, patch, renewed, lease.until, entry);
    lease.until = renewed;
    return recorded;
  };
  const channelId = incident.channelId!;
  switch (step) {
    case 'create-channel': {
      // The channel and its timeline entry are recorded together.
      const { patch, entry } = await createChannel(deps, incident);
      return record(patch, entry);
    }
    case 'invite-declarer':
      try {
        await chat.inviteUsers(channelId, [incident.declaredBy]);
      } catch (err) {
        if (!(err instanceof ChatError) || isTransient(err)) throw err;
        // A person who cannot be invited must not hold up the summary and the announcement.
        const text = `Could not invite the declarer <@${incident.declaredBy}> (Slack said ${err.code}): join the channel yourself.`;
        warnings.push(`I could not invite you to the channel (Slack said \`${err.code}\`): please join it yourself.`);
        return record(
          { declarerInvited: true },
          {
            occurredAt: clock.now(),
            kind: 'invite_failed',
            actorId: null,
            text,
            data: { userId: incident.declaredBy, error: err.code },
          },
        );
      }
      return record({ declarerInvited: true });
    case 'post-summary': {
      const context = await summaryContext(deps, incident);
      const posted = await record({ summaryTs: await chat.postSummary(channelId, incident, context) });
      // A change recorded while it was being posted is drawn now (its own redraw found no summary).
      await redrawStaleSummary(deps, incident.id).catch((err) =>
        deps.logger.warn({ err }, 'summary not redrawn after a change'),
      );
      return posted;
    }
    case 'pin-summary':
      await chat.pinMessage(channelId, incident.summaryTs!);
      return record({ summaryPinned: true });
    // What leaves the incident channel carries its text redacted (the record keeps it whole).
    case 'announce':
      return record({
        announcementTs: await chat.announce(deps.settings.broadcastChannelId, outboundIncident(incident).value),
      });
    case 'start-freeze': {
      // Decided in one statement, only while the incident is still SEV1 and active (a downgrade or
      // resolve that came first wins); the notice is then posted under the notice lease, which
      // also tells a downgrade made while it was being posted.
      const { started } = await store.decideFreeze(incident.id);
      await sendOwedNotices(deps, incident.id);
      // The summary went up before the freeze: show it there too (a failure here loses nothing).
      if (started)
        await refreshSummary(deps, incident.id).catch((err) =>
          deps.logger.warn({ err }, 'summary not updated with the freeze'),
        );
      return record({});
    }
    case 'notify-owner':
      return notifyOwner(deps, incident, warnings, record);
    case 'invite-on-call':
      return inviteOnCall(deps, incident, record);
    case 'alert-clinical-safety':
      // Under the notice lease, so `/incident clinical on` at the same moment cannot alert twice.
      await sendOwedNotices(deps, incident.id);
      return record({});
  }
}

/**
 * The declarer's warning when this run first sent their incident outside its channel (the channel
 * name, the announcement, the clinical-safety alert) and PHI was redacted from its title,
 * description or service (the description and service also go, redacted, into the review); null
 * when nothing was found or nothing left the channel. Told with the declare result, once.
 */
function declarationRedactionWarning(
  deps: ServiceDeps,
  incident: Incident,
  ran: ReadonlySet<ProvisioningStep>,
): string | null {
  const announced = ran.has('announce');
  const alerted = ran.has('alert-clinical-safety') && !!deps.settings.clinicalSafetyChannelId && !incident.isPrivate;
  if (!announced && !alerted && !ran.has('create-channel')) return null;
  const { findings } = outboundIncident({ ...incident, channelName: null });
  const where = [
    ...(announced ? [`the announcement in <#${deps.settings.broadcastChannelId}>`] : []),
    ...(alerted ? [`the clinical-safety alert in <#${deps.settings.clinicalSafetyChannelId}>`] : []),
    ...(ran.has('create-channel') ? ['the channel name'] : []),
    'its review',
  ];
  return redactionWarning(
    findings,
    `What you wrote about the incident goes outside its channel: ${where.join(', ').replace(/, ([^,]*)$/, ' and $1')}.`,
  );
}

/**
 * Creates inc-<n>-<slug>, adding -2, -3… while a name is taken by someone else. A taken name whose
 * channel the bot itself created is this incident's, made by an earlier run that stopped before it
 * could record it (a crash, a lost response): that channel is adopted, never duplicated.
 */
async function createChannel(deps: ServiceDeps, incident: Incident) {
  const { chat, clock } = deps;
  for (let attempt = 1; attempt <= MAX_CHANNEL_NAME_ATTEMPTS; attempt++) {
    const name = incidentChannelName(incident.number, incident.title, attempt, incident.drill);
    const created = await chat.createChannel(name, incident.isPrivate);
    let channel: { id: string; name: string } | null = created.ok ? created : null;
    let adopted = false;
    if (!channel) {
      const existing = await chat.findChannelByName(name);
      if (existing?.createdByBot) {
        channel = existing;
        adopted = true;
      }
    }
    if (channel) {
      const entry: NewTimelineEntry = {
        occurredAt: clock.now(),
        kind: 'channel_created',
        actorId: null,
        text: adopted
          ? `Channel #${channel.name} (created by an earlier attempt) taken over`
          : `Channel #${channel.name} created`,
        data: { channelId: channel.id, adopted },
      };
      return { patch: { channelId: channel.id, channelName: channel.name }, entry };
    }
  }
  throw new ChatError('name_taken', `every channel name for ${incident.number} is taken`);
}

/** The catalog service the incident affects (by its stored name), or null: none, or no catalog. */
function catalogService(deps: ServiceDeps, incident: Pick<Incident, 'affectedService'>): CatalogService | null {
  return incident.affectedService ? serviceNamed(deps.catalog.current(), incident.affectedService) : null;
}

/** A Slack channel ID (C0123ABCD, or G… for an older private channel), as the catalog may give one. */
const CHANNEL_ID = /^[CG][A-Z0-9]{6,}$/;

/**
 * The catalog's channel (an ID, or a name with or without #) as a channel ID, or null when no
 * channel of that name is visible to the bot.
 */
async function teamChannelId(deps: ServiceDeps, channel: string): Promise<string | null> {
  const given = channel.trim();
  if (CHANNEL_ID.test(given)) return given;
  const name = given.replace(/^#/, '').toLowerCase();
  if (!name) return null;
  return (await deps.chat.findChannelByName(name))?.id ?? null;
}

/**
 * Tells the affected service's owning team, in its channel (the catalog's), that the incident
 * affects it, with a link to the incident channel: the text through the PHI guard; never for a
 * private incident. Once: its timeline entry (OWNER_NOTICE_KINDS) is the record,
 * written with the step under the provisioning lease. A channel that cannot be
 * found or posted to is a warning on the timeline (and to the declarer), never a failed
 * declaration; Slack being down fails the step, so the background retry tries again.
 */
async function notifyOwner(
  deps: ServiceDeps,
  incident: Incident,
  warnings: string[],
  record: (
    patch: Parameters<ServiceDeps['store']['recordProvisioning']>[1],
    entry?: NewTimelineEntry,
  ) => Promise<Incident>,
): Promise<Incident> {
  const { chat, clock } = deps;
  const service = catalogService(deps, incident);
  const channel = service?.slackChannel;
  // Gone from the catalog since (or its channel removed): nobody to tell. A private incident is
  // never told outside its channel (ownerNoticeOwed leaves it out; said again here): done, not retried.
  if (!service || !channel || incident.isPrivate) return record({});
  const team = service.ownerName ?? service.owner;
  const unreachable = (why: string) => {
    warnings.push(
      `I could not tell the owning team of ${serviceLabel(service)} in ${channel} (${why}): let them know yourself.`,
    );
    return record(
      {},
      {
        occurredAt: clock.now(),
        kind: 'owner_notice_failed',
        actorId: null,
        text: `Could not tell the owning team${team ? ` (${team})` : ''} in ${channel}: ${why}`,
        data: { service: service.name, owner: service.owner, channel, error: why },
      },
    );
  };
  const channelId = await teamChannelId(deps, channel);
  if (!channelId) return unreachable('no such channel visible to the bot');
  try {
    await chat.notify(channelId, {
      kind: 'owner-notice',
      incident: outboundIncident(incident).value,
      service: serviceLabel(service),
      owner: service.ownerName,
    });
  } catch (err) {
    if (!(err instanceof ChatError) || isTransient(err)) throw err;
    return unreachable(`Slack said ${err.code}`);
  }
  return record(
    {},
    {
      occurredAt: clock.now(),
      kind: 'owner_notified',
      actorId: null,
      text: `Told the owning team${team ? ` (${team})` : ''} of ${serviceLabel(service)} in <#${channelId}>`,
      data: { service: service.name, owner: service.owner, channelId },
    },
  );
}

/**
 * Invites who is on call for the affected service, matched to Slack members by email, and records
 * who and why. If the on-call system is down, the channel is told once and the step fails, so the
 * background retry tries again; nothing else waits for it (it is the last step).
 */
async function inviteOnCall(
  deps: ServiceDeps,
  incident: Incident,
  record: (patch: Parameters<ServiceDeps['store']['recordProvisioning']>[1]) => Promise<Incident>,
): Promise<Incident> {
  const { chat, store, clock } = deps;
  const service = incident.affectedService!;
  // The catalog's PagerDuty service when it names one; else a PagerDuty service of the same name.
  const serviceId = catalogService(deps, incident)?.pagerDutyServiceId;
  let answer: Awaited<ReturnType<OnCallProvider['onCall']>>;
  try {
    answer = await deps.onCall!.onCall(service, clock.now(), {
      exactService: true,
      ...(serviceId ? { serviceId } : {}),
    });
  } catch (err) {
    if (err instanceof OnCallUnavailable && !incident.onCallLookupFailedNoticed) {
      await chat
        .notify(incident.channelId!, { kind: 'on-call-lookup-failed', incident, reason: err.message })
        .catch(() => {});
      await record({ onCallLookupFailedNoticed: true });
    }
    throw err;
  }
  const people = await Promise.all(
    (answer?.now ?? []).map(async (s) => ({
      slackUserId: s.email ? await chat.userIdByEmail(s.email).catch(() => null) : null,
      name: s.name,
      level: s.level,
      schedule: s.scheduleName,
    })),
  );
  const found = [...new Set(people.map((p) => p.slackUserId).filter((id): id is string => !!id))];
  await chat.inviteUsers(incident.channelId!, found);
  const target = answer ? answer.target.name : service;
  await store.addTimelineEntry(incident.id, {
    occurredAt: clock.now(),
    kind: 'on_call_invited',
    actorId: null,
    text: answer
      ? people.length
        ? `Invited the on-call for ${target}: ${people.map((p) => `${p.slackUserId ?? p.name} (level ${p.level}${p.schedule ? `, ${p.schedule}` : ''}${p.slackUserId ? '' : ', not in Slack'})`).join('; ')}`
        : `Nobody on call for ${target}`
      : `No PagerDuty service or schedule named ${service}: nobody invited`,
    data: { target, people },
  });
  if (answer)
    await chat.notify(incident.channelId!, { kind: 'on-call-invited', incident, people, target }).catch(() => {});
  return record({ onCallInvitedAt: clock.now() });
}

async function mustFind(deps: ServiceDeps, id: string): Promise<Incident> {
  const incident = await deps.store.findById(id);
  if (!incident) throw new Error(`incident ${id} not found`);
  return incident;
}
