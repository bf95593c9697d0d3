// Block Kit for the post-incident review posted in the incident channel.
import type { KnownBlock, SectionBlock } from '@slack/types';
import {
  KEY_TIME_LABELS,
  type KeyTimes,
  type PostIncidentReview,
  type ReviewDuration,
  type ReviewSection,
  type ReviewTimelineItem,
} from '../../domain/review.ts';
import { SEVERITY_INFO, severityText } from '../../domain/severity.ts';
import type { ClinicalSafetySection } from '../../domain/clinical-safety.ts';
import type { BreachReviewSection } from '../../domain/breach-review.ts';
import { REVIEW_ACTIONS } from '../ids.ts';
import {
  clip,
  clipMrkdwn,
  context,
  escapeMrkdwn,
  fieldsSection,
  header,
  oneLine,
  personText,
  plainText,
  plural,
  section,
  timelineIcon,
  trackerText,
  userText,
} from './format.ts';
import { PRIORITY_LABELS } from './review-parts.ts';
import { slackTextToMrkdwn } from './timeline.ts';

/** Slack's hard limits that shape the review message, and how much of each list it shows. */
export const REVIEW_MESSAGE_LIMITS = {
  maxBlocks: 50,
  sectionChars: 3000,
  headerChars: 150,
  /** Action items listed; the rest are counted ("and N more"). */
  actionItems: 15,
  /** Timeline entries shown from the start and from the end. */
  timelineHead: 10,
  timelineTail: 10,
  /** One listed action item's line at most: four always fit in one section. */
  actionLineChars: 740,
  /** One timeline line at most: five always fit in one section. */
  timelineLineChars: 590,
  /** Changes listed under "What changed" (one section): the rest are counted. */
  changes: 8,
  /** One change's line at most: eight and the heading always fit in one section. */
  changeLineChars: 350,
} as const;

/** Human names of the sections a person still has to fill in. */
export const REVIEW_SECTION_NAMES: Record<ReviewSection, string> = {
  impact: 'Impact',
  detection: 'Detection',
  contributingFactors: 'Contributing factors',
  wentWell: 'What went well',
  wasHard: 'What was hard',
  actionItems: 'Action items',
};

const TBC = '_To be completed_';

// ---------------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------------

/** Lines (each at most `max`) packed, in order, into as few texts of at most `max` as greedy packing gives. */
function pack(lines: readonly string[], max: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = clipMrkdwn(raw, max);
    if (current === '') current = line;
    else if (current.length + 1 + line.length <= max) current += `\n${line}`;
    else {
      out.push(current);
      current = line;
    }
  }
  if (current !== '') out.push(current);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The review message
// ---------------------------------------------------------------------------------------------

function severityHistoryText(review: PostIncidentReview): string {
  const h = review.header;
  const steps = h.severityHistory.map((s) => {
    const reason = s.reason ? `: ${oneLine(s.reason, 300)}` : '';
    return s.from === null ? `declared ${s.severity} ${s.atText}` : `${s.severity} ${s.atText}${reason}`;
  });
  return `*Severity history:* ${steps.join(' → ')}`;
}

function factsSection(review: PostIncidentReview): SectionBlock {
  const h = review.header;
  const roles = h.roles.filter((r) => r.userId).map((r) => `${r.label}: ${personText(r.userId!)}`);
  const fields = [
    h.nearMiss
      ? '*Outcome*\n:large_green_circle: Near miss'
      : `*Severity*\n${SEVERITY_INFO[h.severity].emoji} ${severityText(h.severity)}`,
    `*Status*\n${h.statusLabel}`,
    `*Affected service*\n${h.affectedService?.trim() ? userText(h.affectedService, 300) : '_none given_'}`,
    `*Declared by*\n${personText(h.declaredBy)}`,
    `*Roles*\n${roles.length ? roles.join('\n') : '_none assigned_'}`,
  ];
  return fieldsSection(fields.map((text) => clipMrkdwn(text, 2000)));
}

function timesSection(review: PostIncidentReview): SectionBlock {
  const after: Record<keyof KeyTimes, ReviewDuration | null> = {
    declared: null,
    acknowledged: review.durations.toAcknowledge,
    mitigated: review.durations.toMitigate,
    resolved: review.durations.toResolve,
    closed: review.durations.toClose,
  };
  const fields = (Object.keys(KEY_TIME_LABELS) as (keyof KeyTimes)[]).map((k) => {
    const at = review.keyTimesText[k];
    const d = after[k];
    const value = at ? `${at}${d && d.ms !== null ? `\n_after ${d.text}_` : ''}` : '_not yet_';
    return `*${KEY_TIME_LABELS[k]}*\n${value}`;
  });
  return fieldsSection(fields);
}

/** How many hazards the posted review lists (the rest are counted; the Markdown file has them all). */
const REVIEW_HAZARDS = 10;

/** The clinical safety section: the hazards with their ratings before and after, and the sign-off. */
export function clinicalSafetyText(s: ClinicalSafetySection): string {
  const rating = (r: ClinicalSafetySection['hazards'][number]['before']) =>
    `${r.likelihood} × ${r.severity} = *${r.rating}*`;
  const lines = [
    '*Clinical safety (DCB0129 / DCB0160)*',
    `*Clinical safety officer:* ${s.clinicalSafetyOfficer ? personText(s.clinicalSafetyOfficer) : '_unassigned_'}`,
    ...(s.hazards.length
      ? s.hazards
          .slice(0, REVIEW_HAZARDS)
          .map(
            (h) =>
              `• *${escapeMrkdwn(h.hazardId)}* ${oneLine(h.title, 120)}: ${rating(h.before)} → ${h.after ? rating(h.after) : '_not assessed_'}`,
          )
      : ['_No hazard-log entries linked._']),
    ...(s.hazards.length > REVIEW_HAZARDS ? [`… and ${s.hazards.length - REVIEW_HAZARDS} more`] : []),
    s.signoff
      ? `:white_check_mark: *Signed off* by ${personText(s.signoff.by)} at ${s.signoff.atText}${s.signoff.note ? `: ${oneLine(s.signoff.note, 300)}` : ''}`
      : s.clinicalImpact
        ? ':warning: *Not signed off* by the clinical safety officer'
        : '_No sign-off (no clinical impact)_',
    ...(s.voided.length
      ? [`_${plural(s.voided.length, 'earlier sign-off')} made void (reopened or changed since)_`]
      : []),
  ];
  return lines.join('\n');
}

/** The personal data breach section: the assessment and its decision with the reason, each obligation and its notification. */
export function breachSectionText(s: BreachReviewSection): string {
  const a = s.assessment;
  const lines = ['*Personal data breach: assessment and notifications*', `*Regimes:* ${s.regimes.join(', ')}`];
  if (!a) lines.push('*Assessment:* not recorded');
  else
    lines.push(
      `*Decision:* ${a.decision}${a.reason ? `. Reason: ${oneLine(a.reason, 600)}` : ''} (assessed by ${personText(a.assessedBy)} at ${a.assessedText})`,
      `*Data:* ${oneLine(a.categories.join('; '), 300)} · *People affected:* ${oneLine(a.people, 120)}`,
      `*Harm:* likelihood ${a.likelihood}, severity ${a.severity}${a.highRisk ? ' (high risk)' : ''} · *Contained:* ${a.contained ? 'yes' : 'no'}${a.containment ? `. ${oneLine(a.containment, 300)}` : ''}`,
    );
  if (!s.obligations.length)
    lines.push(
      a?.decision === 'not reportable' ? '_No notification required: assessed not reportable._' : '_No obligations._',
    );
  for (const o of s.obligations)
    lines.push(
      `• ${escapeMrkdwn(o.regime)}: ${oneLine(o.recipient, 80)} (${oneLine(o.basis, 60)}), due ${oneLine(o.due, 80)}${o.status === 'pending' ? ' _(pending)_' : ''}: ${
        o.notifiedText
          ? `notified ${escapeMrkdwn(o.notifiedText)}${o.notifiedBy ? ` by ${personText(o.notifiedBy)}` : ''}${o.reference ? ` (${oneLine(o.reference, 120)})` : ''}${o.late ? ' *(late)*' : ''}`
          : '*not yet notified*'
      }`,
    );
  return lines.join('\n');
}

function impactText(review: PostIncidentReview): string {
  const i = review.impact;
  if (!i) return `*Impact*\n${TBC}`;
  return [
    '*Impact*',
    `*Users affected:* ${i.usersAffected?.trim() ? userText(i.usersAffected, 900) : TBC}`,
    `*Clinical / patient impact:* ${userText(i.clinicalImpact, 900)}`,
    `*Data impact:* ${userText(i.dataImpact, 900)}`,
  ].join('\n');
}

function detectionText(review: PostIncidentReview): string {
  const d = review.detection;
  const lines = ['*Detection*', `*How:* ${d.howLabel ?? TBC}`];
  if (d.note) lines.push(`*Note:* ${userText(d.note, 2500)}`);
  lines.push(`*Time to acknowledge:* ${d.timeToAcknowledge.text}`);
  return lines.join('\n');
}

function factorsText(review: PostIncidentReview): string {
  const cf = review.contributingFactors;
  if (!cf) return `*Contributing factors*\n${TBC}`;
  const lines = ['*Contributing factors*'];
  for (const f of cf.factors) lines.push(`• *${f.label}*${f.detail ? `: ${oneLine(f.detail, 250)}` : ''}`);
  if (cf.other) lines.push(`*Other factors:* ${userText(cf.other, 1000)}`);
  return lines.join('\n');
}

const freeText = (heading: string, s: string | null) => `*${heading}*\n${s?.trim() ? userText(s, 2900) : TBC}`;

type ReviewActionItem = NonNullable<PostIncidentReview['actionItems']>[number] & {
  ref?: string | null;
  status?: string;
};

function actionItemLine(a: ReviewActionItem): string {
  const ref = a.ref ? `*${escapeMrkdwn(a.ref)}* ` : '';
  const tracker = trackerText(a.tracker);
  const details = [
    a.ownerId ? personText(a.ownerId) : '_no owner_',
    a.due ? `due ${escapeMrkdwn(a.due)}` : 'no due date',
    a.categoryLabel,
    `${PRIORITY_LABELS[a.priority] ?? escapeMrkdwn(String(a.priority))} priority`,
    ...(tracker ? [tracker] : []),
  ].join(' · ');
  const done = a.status === 'done' ? ':white_check_mark: ' : '';
  const budget = REVIEW_MESSAGE_LIMITS.actionLineChars - done.length - ref.length - details.length - 6;
  return `• ${done}${ref}${oneLine(a.text, budget)} — ${details}`;
}

function actionItemsTexts(review: PostIncidentReview): string[] {
  const items = review.actionItems as ReviewActionItem[] | null;
  if (items === null) return [`*Action items*\n${TBC}`];
  if (items.length === 0) return ['*Action items*\n_No action items._'];
  const max = REVIEW_MESSAGE_LIMITS.actionItems;
  const lines = [`*Action items* (${items.length})`, ...items.slice(0, max).map(actionItemLine)];
  if (items.length > max) lines.push(`_… and ${items.length - max} more in the attached Markdown file_`);
  return pack(lines, REVIEW_MESSAGE_LIMITS.sectionChars);
}

function timelineLine(e: ReviewTimelineItem): string {
  const head = [`${timelineIcon(e.kind)} *${e.atText}*`];
  if (e.actorId) head.push(clipMrkdwn(personText(e.actorId), 80));
  if (e.permalink && /^https:\/\/[^\s<>|]+$/.test(e.permalink) && e.permalink.length <= 300)
    head.push(`<${e.permalink}|message>`);
  const marker = e.deleted ? ' _(deleted)_' : e.edited ? ' _(edited)_' : '';
  const prefix = `${head.join(' · ')} — `;
  const budget = Math.max(20, REVIEW_MESSAGE_LIMITS.timelineLineChars - prefix.length - marker.length - 2);
  const raw = e.text.replace(/\s*\r?\n\s*/g, ' ').trim();
  let body: string;
  if (!raw) body = '_(no text)_';
  else {
    // A pinned message's text is Slack's own markup; every other entry's is plain text.
    const mrkdwn = e.kind === 'pinned_message' ? slackTextToMrkdwn(raw) : escapeMrkdwn(raw);
    const cut = clipMrkdwn(mrkdwn, budget);
    body = e.deleted ? `~${cut}~` : cut;
  }
  return `${prefix}${body}${marker}`;
}

function timelineTexts(review: PostIncidentReview): string[] {
  const { timeline } = review;
  const { timelineHead: head, timelineTail: tail } = REVIEW_MESSAGE_LIMITS;
  const heading = `*Timeline* (${plural(timeline.length, 'entry', 'entries')}, times in ${escapeMrkdwn(review.header.timeZone)})`;
  if (timeline.length === 0) return [`${heading}\n_Nothing on the timeline._`];
  const lines = [heading];
  if (timeline.length <= head + tail) lines.push(...timeline.map(timelineLine));
  else {
    lines.push(...timeline.slice(0, head).map(timelineLine));
    lines.push(
      `_… ${plural(timeline.length - head - tail, 'more entry', 'more entries')} in the attached Markdown file …_`,
    );
    lines.push(...timeline.slice(-tail).map(timelineLine));
  }
  return pack(lines, REVIEW_MESSAGE_LIMITS.sectionChars);
}

function changeLine(c: PostIncidentReview['whatChanged']['changes'][number]): string {
  const service = c.serviceKnown ? `*${oneLine(c.service, 80)}*` : `*${oneLine(c.service, 80)}* _(unknown service)_`;
  const what = `${c.kind}${c.version ? ` ${oneLine(c.version, 40)}` : ''}${c.environment ? ` to ${oneLine(c.environment, 30)}` : ''}`;
  const approvers = c.approvers.length
    ? `approved by ${oneLine(c.approvers.join(', '), 80)}`
    : '_no approver recorded_';
  const link = c.url && /^https?:\/\/[^\s<>|]+$/.test(c.url) && c.url.length <= 300 ? ` · <${c.url}|link>` : '';
  const flag = c.flagged ? ':no_entry: *during a change freeze* · ' : '';
  const tail = ` — ${c.author ? `by ${oneLine(c.author, 60)} · ` : ''}${approvers}${link}`;
  const head = `• ${flag}${escapeMrkdwn(c.atText)} · ${service} · ${what}: `;
  const budget = Math.max(20, REVIEW_MESSAGE_LIMITS.changeLineChars - head.length - tail.length);
  return `${head}${oneLine(c.summary, budget)}${tail}`;
}

/** "What changed": the changes to the service and its system in the hours before the declaration, in one section. */
function whatChangedText(review: PostIncidentReview): string {
  const wc = review.whatChanged;
  const heading = `*What changed* (${plural(wc.hours, 'hour')} before it was declared)`;
  const service = review.header.affectedService?.trim();
  if (!service) return `${heading}\n_No affected service was given, so no changes are listed._`;
  if (wc.changes.length === 0) return `${heading}\n_No change to ${oneLine(service, 150)} or its system was recorded._`;
  const max = REVIEW_MESSAGE_LIMITS.changes;
  const lines = [
    heading,
    ...wc.changes.slice(0, max).map((c) => clipMrkdwn(changeLine(c), REVIEW_MESSAGE_LIMITS.changeLineChars)),
  ];
  const more = wc.changes.length - Math.min(max, wc.changes.length) + wc.more;
  if (more > 0) lines.push(`_… and ${plural(more, 'more change')} in the attached Markdown file_`);
  return clipMrkdwn(lines.join('\n'), REVIEW_MESSAGE_LIMITS.sectionChars);
}

/** The label of the review's button: "Fill in the review" while sections are missing, else "Edit the review". */
export function reviewButtonLabel(review: Pick<PostIncidentReview, 'missing'>): string {
  return review.missing.length ? 'Fill in the review' : 'Edit the review';
}

/**
 * The review posted in the incident channel: header, key facts, impact, detection, factors, went
 * well / hard, action items, a timeline excerpt, what is still missing, and a REVIEW_ACTIONS.edit
 * button ("Fill in the review" / "Edit the review", value: the incident ref) in block
 * REVIEW_ACTIONS.blockId. At most 50 blocks, every text within Slack's limits.
 */
export function reviewMessage(review: PostIncidentReview): { text: string; blocks: KnownBlock[] } {
  const h = review.header;
  const button = reviewButtonLabel(review);
  const flags: string[] = [];
  if (h.drill) flags.push(':test_tube: *Exercise (drill)*: no real impact, left out of metrics');
  if (h.nearMiss) flags.push(':large_green_circle: *Near miss*: no harm reached users');
  else flags.push(severityHistoryText(review));
  if (h.isPrivate) flags.push(':lock: Private incident');
  if (h.clinicalImpact) flags.push(':hospital: Clinical impact');
  if (h.dataBreach)
    flags.push(
      `:warning: Personal data breach, ${h.dataBreach.notifiedText ? `regulator notified ${h.dataBreach.notifiedText}${h.dataBreach.late ? ' (late)' : ''}` : review.breach?.assessment?.decision === 'not reportable' ? 'assessed not reportable' : 'regulator not yet notified'}`,
    );

  const blocks: KnownBlock[] = [
    header(
      h.drill ? `Exercise: ${h.ref}: ${h.title} — Exercise review` : `${h.ref}: ${h.title} — Post-incident review`,
    ),
    context(flags.join('  ·  ')),
  ];
  if (h.description.trim()) blocks.push(section(userText(h.description, 1500)));
  blocks.push(factsSection(review), timesSection(review), { type: 'divider' });
  blocks.push(section(whatChangedText(review)));
  blocks.push(section(impactText(review)));
  if (review.clinicalSafety) blocks.push(section(clinicalSafetyText(review.clinicalSafety)));
  if (review.breach) blocks.push(section(breachSectionText(review.breach)));
  blocks.push(section(detectionText(review)), section(factorsText(review)));
  blocks.push(section(freeText('What went well', review.wentWell)), section(freeText('What was hard', review.wasHard)));
  blocks.push({ type: 'divider' });
  for (const text of actionItemsTexts(review)) blocks.push(section(text));
  blocks.push({ type: 'divider' });
  for (const text of timelineTexts(review)) blocks.push(section(text));
  if (review.missing.length) {
    const names = review.missing.map((s) => REVIEW_SECTION_NAMES[s]).join(', ');
    blocks.push(
      section(
        `:memo: *Still to be completed:* ${names}. Press *${button}* below to add ${review.missing.length === 1 ? 'it' : 'them'}.`,
      ),
    );
  }
  blocks.push({
    type: 'actions',
    block_id: REVIEW_ACTIONS.blockId,
    elements: [
      {
        type: 'button',
        text: plainText(button, 75),
        action_id: REVIEW_ACTIONS.edit,
        value: clip(h.ref, 2000),
        ...(review.missing.length ? { style: 'primary' } : {}),
      },
    ],
  });
  blocks.push(
    context(
      `Times in ${escapeMrkdwn(h.timeZone)} · the complete review, with every timeline entry, is in the attached Markdown file`,
    ),
  );

  return {
    text: clip(
      `${h.drill ? 'Exercise review' : 'Post-incident review'}${h.nearMiss ? ' (near miss)' : ''}: ${h.ref} ${escapeMrkdwn(h.title)}`,
      3000,
    ),
    blocks,
  };
}
