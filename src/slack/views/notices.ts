import type { KnownBlock } from '@slack/types';
import { ROLE_LABELS, STATUS_LABELS, SYSTEM_DECLARER, incidentRef, type Incident } from '../../domain/incident.ts';
import { SEVERITY_INFO, severityText } from '../../domain/severity.ts';
import type { Notice } from '../../ports/chat-platform.ts';
import { actionRef } from '../../domain/action-items.ts';
import { TRACKER_NAMES } from '../../domain/trackers.ts';
import { ACTION_CATEGORY_LABELS } from '../../domain/review.ts';
import { commandingText, escapeMrkdwn, inChannel, mrkdwnSection, plural } from './format.ts';
import { BREACH_DEADLINE_HOURS, breachDeadline, formatSpan } from '../../domain/breach.ts';
import { formatInZone } from '../../domain/time.ts';
import { isHighRisk, type RecordedBreachAssessment } from '../../domain/breach-assessment.ts';
import { formatDeadlineSpan, wordOf } from '../../domain/breach-obligations.ts';
import { scopeText } from '../../domain/freeze.ts';
import { ratingChangeText } from '../../domain/clinical-safety.ts';
import { BREACH_NOTIFICATION_ACTIONS, PAGERDUTY_ACTIONS } from '../ids.ts';
import { notificationName, targetWord } from '../../domain/breach-notification.ts';
import type { SlackMessage } from './incident-summary.ts';
import { exerciseMarked } from '../../domain/drill.ts';

const ref = (i: Incident) => `*${incidentRef(i)}*`;

/** An assessment's facts in a few words: the people and the harm (never the free text). */
export function assessmentFacts(a: RecordedBreachAssessment): string {
  const people =
    a.peopleAffected === null
      ? 'people affected not known yet'
      : `${a.peopleEstimated ? 'about ' : ''}${a.peopleAffected.toLocaleString('en-GB')} ${a.peopleAffected === 1 ? 'person' : 'people'} affected`;
  return `${people}, harm ${a.likelihood} and ${a.severity}${isHighRisk(a) ? ', high risk' : ''}${a.contained ? ', contained' : ', not contained'}`;
}
const quote = (text: string) =>
  escapeMrkdwn(text)
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');

/** The words of each notice (mrkdwn). User text is escaped so it cannot ping or forge links. */
export function noticeText(n: Notice): string {
  const i = n.incident;
  switch (n.kind) {
    case 'status-update':
      return `:loudspeaker: ${ref(i)} update from <@${n.by}> (${STATUS_LABELS[i.status]}, ${i.severity}): ${escapeMrkdwn(i.title)}\n${quote(n.message)}`;
    case 'status-changed':
      return `:arrows_counterclockwise: <@${n.by}> moved ${ref(i)} from ${STATUS_LABELS[n.from]} to *${STATUS_LABELS[i.status]}*.${n.message ? `\n${quote(n.message)}` : ''}`;
    case 'severity-changed':
      return `${SEVERITY_INFO[i.severity].emoji} <@${n.by}> changed ${ref(i)} severity from ${n.from} to *${severityText(i.severity)}*.${n.reason ? `\n${quote(n.reason)}` : ''}`;
    case 'role-assigned':
      return `:bust_in_silhouette: <@${n.by}> made <@${n.userId}> the ${ROLE_LABELS[n.role]} of ${ref(i)}.`;
    case 'note-added':
      return `:memo: Note from <@${n.by}> added to the timeline:\n${quote(n.text)}`;
    case 'resolved':
      return `:white_check_mark: <@${n.by}> resolved ${ref(i)}: ${escapeMrkdwn(i.title)}${inChannel(i)}.${n.summary ? `\n${quote(n.summary)}` : ''}`;
    case 'closed':
      return `:lock: <@${n.by}> closed ${ref(i)}.`;
    case 'reopened':
      return `:rotating_light: <@${n.by}> reopened ${ref(i)}: ${escapeMrkdwn(i.title)}${inChannel(i)}.${n.reason ? `\n${quote(n.reason)}` : ''}`;
    case 'clinical-impact':
      return n.on
        ? `:hospital: <@${n.by}> marked ${ref(i)} as having *clinical impact*. A clinical safety officer is required: assign one with \`/incident role clinical-safety @user\`.`
        : `<@${n.by}> marked ${ref(i)} as having no clinical impact.`;
    case 'clinical-safety-alert':
      return (
        (n.groupId ? `<!subteam^${n.groupId}> ` : '') +
        (i.isPrivate
          ? `:hospital: A private ${i.severity} incident, ${ref(i)}, has *clinical impact* and needs a clinical safety officer. Ask ${commandingText(i)} to be added.`
          : `:hospital: ${ref(i)} (${i.severity}) has *clinical impact* and needs a clinical safety officer: ${escapeMrkdwn(i.title)}${inChannel(i)}.`)
      );
    case 'clinical-record': {
      const void_ = n.voided
        ? '\n:warning: The clinical safety sign-off is *void*: the clinical safety officer must sign off again.'
        : '';
      if (n.change.op === 'signoff')
        return `:white_check_mark: <@${n.by}>, the clinical safety officer, *signed off* the clinical safety of ${ref(i)}.${n.change.note ? `\n${quote(n.change.note)}` : ''}`;
      const h = n.change.hazard;
      const what = n.change.op === 'add' ? 'linked' : n.change.op === 'update' ? 'updated' : 'unlinked';
      return `:hospital: <@${n.by}> ${what} hazard *${escapeMrkdwn(h.hazardId)}* (${escapeMrkdwn(h.title)}) on ${ref(i)}: risk ${ratingChangeText(h)}.${void_}`;
    }
    case 'freeze-started':
      return i.isPrivate
        ? `:ice_cube: *Change freeze*: a SEV1 incident is in progress. Do not deploy or change production until it is lifted here.`
        : `:ice_cube: *Change freeze*: SEV1 ${ref(i)} is in progress${inChannel(i)}. Do not deploy or change production until it is lifted here.`;
    case 'freeze-lifted':
      return i.isPrivate
        ? `:sunny: The change freeze is lifted: the SEV1 incident is no longer in progress.`
        : `:sunny: The change freeze for ${ref(i)} is lifted.`;
    case 'change-freeze-started':
      return `:ice_cube: <@${n.by}> froze changes to *${escapeMrkdwn(scopeText(n.scope))}* for ${ref(i)}: do not deploy or change it until the freeze is lifted. Pipelines asking \`GET /api/freeze\` are told to wait.\n${quote(n.reason)}`;
    case 'change-freeze-ended':
      if (n.because)
        return `:sunny: The change freeze of ${ref(i)} on ${n.scopes.map((s) => `*${escapeMrkdwn(scopeText(s))}*`).join(', ')} ended: the incident was ${n.because}${n.by ? ` by <@${n.by}>` : ''}.`;
      return `:sunny: <@${n.by}> lifted the change freeze of ${ref(i)} on ${n.scopes.map((s) => `*${escapeMrkdwn(scopeText(s))}*`).join(', ')}.`;
    case 'freeze-override':
      return `:unlock: <@${n.by}> let *one* deployment of *${escapeMrkdwn(n.service)}* through the change freeze of ${ref(i)}.\n${quote(n.reason)}`;
    case 'freeze-deployment':
      return n.outcome === 'held'
        ? `:no_entry: A deployment of *${escapeMrkdwn(n.service)}* was held by the change freeze: ${escapeMrkdwn(n.what)}. The commander can let one through with \`/incident freeze override ${escapeMrkdwn(n.service)} <reason>\`.`
        : n.outcome === 'let-through'
          ? `:unlock: ${escapeMrkdwn(n.what)} went through the change freeze on *${escapeMrkdwn(n.service)}* on the override ${n.approvedBy ? `<@${n.approvedBy}> approved` : 'approved'}. The override is used up.`
          : `:warning: A change to *${escapeMrkdwn(n.service)}* landed during the change freeze without an override: ${escapeMrkdwn(n.what)}.`;
    case 'update-reminder':
      return `:alarm_clock: No status update on ${ref(i)} for ${n.minutesSinceUpdate} minutes. ${commandingText(i)}, please post one with \`/incident update <message>\`.`;
    case 'on-call-lookup-failed':
      return `:warning: Could not look up who is on call for ${escapeMrkdwn(i.affectedService ?? '')} (${escapeMrkdwn(n.reason)}). The bot keeps trying and will invite them here; page someone now with \`/incident page <service|@user>\` if it cannot wait.`;
    case 'owner-notice':
      // A private incident leaves its channel as its reference only.
      return i.isPrivate
        ? `:lock: A private incident, ${ref(i)}, affects a service your team owns. Ask ${commandingText(i)} to be added if you are needed.`
        : `:rotating_light: ${ref(i)} (${i.severity}) affects *${escapeMrkdwn(n.service)}*, which ${n.owner ? escapeMrkdwn(n.owner) : 'your team'} owns: ${escapeMrkdwn(i.title)}${inChannel(i)}. Join the channel to help.`;
    case 'on-call-invited':
      return n.people.length
        ? `:telephone_receiver: Invited who is on call for ${escapeMrkdwn(n.target)}: ${n.people.map((p) => `${p.slackUserId ? `<@${p.slackUserId}>` : escapeMrkdwn(p.name)} (level ${p.level})`).join(', ')}.`
        : `Nobody is on call for ${escapeMrkdwn(n.target)} in PagerDuty right now.`;
    case 'paged':
      return `:rotating_light: <@${n.by}> paged ${escapeMrkdwn(n.target)} through PagerDuty${n.paged.htmlUrl ? `: <${n.paged.htmlUrl}|incident ${n.paged.number ?? ''}>` : ''}.`;
    case 'action-item-added': {
      const a = n.item;
      return `:white_square_button: <@${n.by}> added action item *${actionRef(a)}* to ${ref(i)}: ${escapeMrkdwn(a.text)}\nOwner ${a.ownerId ? `<@${a.ownerId}>` : '_none_'} · due ${a.due ?? '_no date_'} · ${ACTION_CATEGORY_LABELS[a.category]} · ${a.priority} priority`;
    }
    case 'action-item-assigned': {
      const a = n.item;
      // Sent directly to the owner: a private incident's title stays out of it.
      const from = i.isPrivate ? `${ref(i)} (private)` : `${ref(i)} ${escapeMrkdwn(i.title)}`;
      return `:white_square_button: <@${n.by}> gave you action item *${actionRef(a)}* from ${from}: ${escapeMrkdwn(a.text)}\nDue ${a.due ?? '_no date_'}. See your items with \`/incident actions\` or in the bot's Home tab.`;
    }
    case 'tracker-failed': {
      const where = n.issueKey
        ? `${escapeMrkdwn(n.issueKey)} in ${TRACKER_NAMES[n.tracker]}`
        : `${TRACKER_NAMES[n.tracker]} (${escapeMrkdwn(n.target)})`;
      if (n.gone)
        return `:warning: The issue of action item *${actionRef(n.item)}* of ${ref(i)}, ${where}, was deleted or moved: ${escapeMrkdwn(n.reason)}. The item is kept here and lives in Slack only from now on.`;
      const what = n.issueKey
        ? `could not be brought in step with ${where}`
        : `could not be opened as an issue in ${where}`;
      return `:warning: Action item *${actionRef(n.item)}* of ${ref(i)} ${what}: ${escapeMrkdwn(n.reason)}. It is kept here, nothing is lost, and the bot keeps trying in the background; you will not be told again for this outage.`;
    }
    case 'tracker-assigned': {
      const from = i.isPrivate ? `${ref(i)} (private)` : `${ref(i)} ${escapeMrkdwn(i.title)}`;
      return `:white_square_button: ${escapeMrkdwn(n.by)} gave you action item *${actionRef(n.item)}* from ${from} in ${TRACKER_NAMES[n.tracker]} (${escapeMrkdwn(n.issueKey)}): ${escapeMrkdwn(n.item.text)}\nDue ${n.item.due ?? '_no date_'}. See your items with \`/incident actions\` or in the bot's Home tab.`;
    }
    case 'data-breach': {
      if (!n.on)
        return `<@${n.by}> marked ${ref(i)} as *not* a personal data breach: the regulator-notification clock is stopped.${n.reason ? `\nReason:\n${quote(n.reason)}` : ''}`;
      const aware = i.breachAwareAt ? ` (aware since ${formatInZone(i.breachAwareAt, n.timeZone)})` : '';
      const due = i.breachAwareAt ? `, by *${formatInZone(breachDeadline(i.breachAwareAt), n.timeZone)}*` : '';
      return `:closed_lock_with_key: <@${n.by}> marked ${ref(i)} as a *personal data breach*${aware}. The regulator must be notified within ${BREACH_DEADLINE_HOURS} hours of becoming aware${due}. Once it is done, the commander records it with \`/incident breach notified [reference]\`.`;
    }
    case 'breach-notified': {
      const late =
        i.breachAwareAt &&
        i.breachNotifiedAt &&
        i.breachNotifiedAt.getTime() > breachDeadline(i.breachAwareAt).getTime();
      return `:white_check_mark: <@${n.by}> recorded that the regulator was notified of the data breach on ${ref(i)}${late ? `, ${formatSpan(i.breachNotifiedAt!.getTime() - breachDeadline(i.breachAwareAt!).getTime())} after the ${BREACH_DEADLINE_HOURS}-hour deadline` : ''}. The breach reminders stop.${n.reference ? `\nReference:\n${quote(n.reference)}` : ''}`;
    }
    case 'breach-reminder': {
      const deadline = formatInZone(n.deadline, n.timeZone);
      if (n.hours >= BREACH_DEADLINE_HOURS) {
        return `:rotating_light: *Data breach*: the ${BREACH_DEADLINE_HOURS}-hour deadline to notify the regulator of ${ref(i)} passed at *${deadline}*. ${commandingText(i)}, notify the regulator now and record it with \`/incident breach notified [reference]\`.`;
      }
      return `:alarm_clock: *Data breach*: ${n.hours} hours since becoming aware of ${ref(i)}. The regulator must be notified by *${deadline}* (in ${formatSpan(n.deadline.getTime() - n.now.getTime())}). ${commandingText(i)}, once it is done record it with \`/incident breach notified [reference]\`.`;
    }
    case 'breach-notification':
      return breachNotificationText(n);
    case 'breach-assessed': {
      const a = n.assessment;
      if (!n.decisionChanged)
        return `:clipboard: <@${n.by}> updated the breach assessment of ${ref(i)} (${assessmentFacts(a)}). The decision is unchanged.`;
      const decision = a.reportable === null ? '*not decided*' : a.reportable ? '*reportable*' : '*not reportable*';
      const after =
        a.reportable === false
          ? ' The notification deadlines and their reminders stop.'
          : a.reportable
            ? ' See the pinned summary for who must be told by when.'
            : '';
      return `:clipboard: <@${n.by}> assessed the breach of ${ref(i)} as ${decision} (${assessmentFacts(a)}).${after}${a.reason ? `\nReason:\n${quote(a.reason)}` : ''}`;
    }
    case 'obligation-notified': {
      const lines = n.obligations.map(
        (o) =>
          `• ${o.recipient} (${o.basis})${n.late.includes(wordOf(o)) && o.dueAt ? `, ${formatSpan(n.at.getTime() - o.dueAt.getTime())} after the deadline` : ''}`,
      );
      return `:white_check_mark: <@${n.by}> recorded a breach notification on ${ref(i)}:\n${lines.join('\n')}\nIts reminders stop.${n.reference ? `\nReference:\n${quote(n.reference)}` : ''}`;
    }
    case 'obligation-reminder': {
      const o = n.obligation;
      const due = o.dueDate ? `the end of ${o.dueDate}` : formatInZone(o.dueAt!, n.timeZone);
      const record = `record it with \`/incident breach notified ${wordOf(o)} [reference]\``;
      if (n.overdue)
        return `:rotating_light: *Data breach*: the deadline to notify ${o.recipient} of ${ref(i)} (${o.basis}) passed at *${due}*. ${commandingText(i)}, notify them now and ${record}.`;
      return `:alarm_clock: *Data breach*: ${o.recipient} must be notified of ${ref(i)} by *${due}* (${o.basis}; in ${(o.dueDate ? formatDeadlineSpan : formatSpan)(o.dueAt!.getTime() - n.now.getTime())}). ${commandingText(i)}, once it is done ${record}.`;
    }
    case 'commander-nudge':
      return `:wave: ${ref(i)} has had no incident commander for ${n.minutesSinceDeclared} minutes. ${i.declaredBy === SYSTEM_DECLARER ? 'Take it yourself' : `<@${i.declaredBy}>, hand the role to someone (or yourself)`} with \`/incident role commander @user\`.`;
  }
}

/** A notice as posted; every notice about a drill (clinical-safety alerts, breach notices, owner notices…) is marked as an exercise. */
export function noticeMessage(n: Notice): SlackMessage {
  const text = exerciseMarked(n.incident, noticeText(n));
  const blocks: KnownBlock[] = [mrkdwnSection(text)];
  if (n.kind === 'resolved' && n.openPagerDutyIncidents > 0) {
    const count = n.openPagerDutyIncidents;
    blocks.push({
      type: 'actions',
      block_id: PAGERDUTY_ACTIONS.blockId,
      elements: [
        {
          type: 'button',
          action_id: PAGERDUTY_ACTIONS.resolveLinked,
          text: { type: 'plain_text', text: `Resolve ${plural(count, 'linked PagerDuty incident')}` },
        },
      ],
    });
  }
  if (n.kind === 'breach-notification') {
    const buttons = breachNotificationButtons(n.notification);
    if (buttons) blocks.push(buttons);
  }
  return { text, blocks };
}

type BreachNotificationNotice = Extract<Notice, { kind: 'breach-notification' }>;

function breachNotificationText(n: BreachNotificationNotice): string {
  const v = n.notification;
  const what = `the notification to *${notificationName(v)}* (version ${v.version}) of ${ref(n.incident)}`;
  const word = `${targetWord(v)}${v.kind === 'individuals' ? ` ${v.regime}` : ''}`;
  switch (n.event) {
    case 'drafted': {
      const todo = n.placeholders
        ? ` It has ${plural(n.placeholders, 'field')} marked \`[to complete: …]\` to fill in before it is sent.`
        : '';
      const redacted = n.redactions
        ? ` The PHI guard removed ${plural(n.redactions, 'piece')} of personal data from it.`
        : '';
      return `:memo: <@${n.by}> drafted ${what}: the Markdown is attached.${todo}${redacted}\nThe incident commander or the data protection officer approves it (the button, or \`/incident breach approve ${word}\`).`;
    }
    case 'approved':
      return `:white_check_mark: <@${n.by}> approved ${what}${n.ownDraft ? ' (their own draft: no other approver on the incident)' : ''}. Once it is sent, record it with \`/incident breach sent ${word} [reference]\`.`;
    case 'sent':
      return `:outbox_tray: <@${n.by}> recorded ${what} as sent.${v.reference ? `\nReference:\n${quote(v.reference)}` : ''}`;
    case 'withdrawn':
      return `:wastebasket: <@${n.by}> withdrew ${what}.${v.withdrawReason ? `\n${quote(v.withdrawReason)}` : ''}`;
  }
}

/** Approve (a draft) and Withdraw (a draft or an approved version); none once it is sent or withdrawn. */
function breachNotificationButtons(v: BreachNotificationNotice['notification']): KnownBlock | null {
  if (v.state !== 'draft' && v.state !== 'approved') return null;
  const value = JSON.stringify({ id: v.id, drafted: v.draftedAt.getTime() });
  const B = BREACH_NOTIFICATION_ACTIONS;
  return {
    type: 'actions',
    block_id: B.blockId,
    elements: [
      ...(v.state === 'draft'
        ? [
            {
              type: 'button' as const,
              action_id: B.approve,
              style: 'primary' as const,
              text: { type: 'plain_text' as const, text: 'Approve' },
              value,
            },
          ]
        : []),
      { type: 'button', action_id: B.withdraw, text: { type: 'plain_text', text: 'Withdraw' }, value },
    ],
  };
}
