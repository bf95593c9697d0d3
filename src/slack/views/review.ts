// Block Kit for the post-incident review: the message posted in the incident channel, and the form
// a person fills in (with the reader of its submission).
import {
  ACTION_CATEGORIES,
  KEY_TIME_LABELS,
  ACTION_CATEGORY_LABELS,
  ACTION_PRIORITIES,
  ACTION_TEXT_MAX,
  CONTRIBUTING_FACTOR_LABELS,
  CONTRIBUTING_FACTORS,
  DETECTION_LABELS,
  DETECTION_METHODS,
  REVIEW_TEXT_MAX,
  type ActionPriority,
  type ContributingFactor,
  type DetectionMethod,
  type KeyTimes,
  type PostIncidentReview,
  type ReviewDuration,
  type ReviewInputDraft,
  type ReviewSection,
  type ReviewTimelineItem,
} from '../../domain/review.ts';
import { SEVERITY_INFO, severityText } from '../../domain/severity.ts';
import { REVIEW_ACTIONS, REVIEW_MODAL, reviewInputId } from '../ids.ts';
import {
  clip,
  clipMrkdwn,
  context,
  escapeMrkdwn,
  header,
  oneLine,
  personText,
  plainText,
  plural,
  section,
  timelineIcon,
  userText,
} from './format.ts';
import { slackTextToMrkdwn } from './timeline.ts';

type Block = Record<string, unknown>;

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

export const PRIORITY_LABELS: Record<ActionPriority, string> = { high: 'High', medium: 'Medium', low: 'Low' };

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

function factsSection(review: PostIncidentReview): Block {
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
  return { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text: clipMrkdwn(text, 2000) })) };
}

function timesSection(review: PostIncidentReview): Block {
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
    return { type: 'mrkdwn', text: `*${KEY_TIME_LABELS[k]}*\n${value}` };
  });
  return { type: 'section', fields };
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
  const details = [
    a.ownerId ? personText(a.ownerId) : '_no owner_',
    a.due ? `due ${escapeMrkdwn(a.due)}` : 'no due date',
    a.categoryLabel,
    `${PRIORITY_LABELS[a.priority] ?? escapeMrkdwn(String(a.priority))} priority`,
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
export function reviewMessage(review: PostIncidentReview): { text: string; blocks: Record<string, unknown>[] } {
  const h = review.header;
  const button = reviewButtonLabel(review);
  const flags: string[] = [];
  if (h.nearMiss) flags.push(':large_green_circle: *Near miss*: no harm reached users');
  else flags.push(severityHistoryText(review));
  if (h.isPrivate) flags.push(':lock: Private incident');
  if (h.clinicalImpact) flags.push(':hospital: Clinical impact');
  if (h.dataBreach)
    flags.push(
      `:warning: Personal data breach, ${h.dataBreach.notifiedText ? `regulator notified ${h.dataBreach.notifiedText}${h.dataBreach.late ? ' (late)' : ''}` : 'regulator not yet notified'}`,
    );

  const blocks: Block[] = [header(`${h.ref}: ${h.title} — Post-incident review`), context(flags.join('  ·  '))];
  if (h.description.trim()) blocks.push(section(userText(h.description, 1500)));
  blocks.push(factsSection(review), timesSection(review), { type: 'divider' });
  blocks.push(section(impactText(review)), section(detectionText(review)), section(factorsText(review)));
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
    text: clip(`Post-incident review${h.nearMiss ? ' (near miss)' : ''}: ${h.ref} ${escapeMrkdwn(h.title)}`, 3000),
    blocks,
  };
}

// ---------------------------------------------------------------------------------------------
// The form
// ---------------------------------------------------------------------------------------------

const B = REVIEW_MODAL.blocks;

interface Option {
  text: { type: 'plain_text'; text: string; emoji: boolean };
  value: string;
}
const option = (text: string, value: string): Option => ({
  text: { type: 'plain_text', text: clip(text, 75), emoji: true },
  value,
});

const DETECTION_OPTIONS = DETECTION_METHODS.map((m) => option(DETECTION_LABELS[m], m));
const FACTOR_OPTIONS = CONTRIBUTING_FACTORS.map((f) => option(CONTRIBUTING_FACTOR_LABELS[f], f));
const CATEGORY_OPTIONS = ACTION_CATEGORIES.map((c) => option(ACTION_CATEGORY_LABELS[c], c));
const PRIORITY_OPTIONS = ACTION_PRIORITIES.map((p) => option(PRIORITY_LABELS[p], p));

function textInput(
  block: string,
  label: string,
  opts: { initial?: string | null; max: number; multiline: boolean; hint?: string; placeholder?: string },
): Block {
  const initial =
    typeof opts.initial === 'string' && opts.initial.trim() !== '' ? opts.initial.slice(0, opts.max) : null;
  return {
    type: 'input',
    block_id: block,
    optional: true,
    label: plainText(label, 2000),
    ...(opts.hint ? { hint: plainText(opts.hint, 2000) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: reviewInputId(block),
      multiline: opts.multiline,
      max_length: opts.max,
      ...(initial !== null ? { initial_value: initial } : {}),
      ...(opts.placeholder ? { placeholder: plainText(opts.placeholder, 150) } : {}),
    },
  };
}

function selectInput(
  block: string,
  label: string,
  options: Option[],
  initial: string | null | undefined,
  placeholder: string,
): Block {
  const chosen = options.find((o) => o.value === initial);
  return {
    type: 'input',
    block_id: block,
    optional: true,
    label: plainText(label, 2000),
    element: {
      type: 'static_select',
      action_id: reviewInputId(block),
      placeholder: plainText(placeholder, 150),
      options,
      ...(chosen ? { initial_option: chosen } : {}),
    },
  };
}

/** The form a person fills in. `prefill` is the stored input (may be null). private_metadata carries `metadata` as JSON. */
export function reviewModal(args: {
  incidentRef: string;
  title: string;
  prefill: ReviewInputDraft | null;
  /** `basedOn`: when the stored review the form shows was saved (null: none yet), to refuse overwriting a newer one. */
  metadata: { incidentId: string; channelId: string; basedOn?: string | null };
}): Record<string, unknown> {
  const p = args.prefill ?? {};
  const factors = new Set<string>(
    (p.contributingFactors ?? []).map((f) => f?.factor).filter((f): f is ContributingFactor => typeof f === 'string'),
  );
  const initialFactors = FACTOR_OPTIONS.filter((o) => factors.has(o.value));
  const long = (block: string, label: string, initial: string | null | undefined, hint?: string) =>
    textInput(block, label, { initial, max: REVIEW_TEXT_MAX, multiline: true, ...(hint ? { hint } : {}) });

  const blocks: Block[] = [
    section(
      `*${escapeMrkdwn(args.incidentRef)}: ${oneLine(args.title, 500)}*\nEvery field is optional: fill in what you know now and come back later. The timeline, key times and durations come from the record.`,
    ),
    header('Impact'),
    long(
      B.usersAffected,
      'Users affected',
      p.impact?.usersAffected,
      'Who was affected and roughly how many, e.g. “~300 clinicians on wards 5–7”.',
    ),
    long(
      B.clinicalImpact,
      'Clinical / patient impact',
      p.impact?.clinicalImpact,
      'Write “None” if there was none. Needed together with the data impact.',
    ),
    long(
      B.dataImpact,
      'Data impact',
      p.impact?.dataImpact,
      'Write “None” if there was none. Needed together with the clinical impact.',
    ),
    header('Detection'),
    selectInput(B.detection, 'How was it detected?', DETECTION_OPTIONS, p.detection?.how, 'Choose how'),
    long(B.detectionNote, 'Detection note', p.detection?.note),
    header('Contributing factors'),
    {
      type: 'input',
      block_id: B.factors,
      optional: true,
      label: plainText('What contributed?', 2000),
      element: {
        type: 'checkboxes',
        action_id: reviewInputId(B.factors),
        options: FACTOR_OPTIONS,
        ...(initialFactors.length ? { initial_options: initialFactors } : {}),
      },
    },
    long(B.otherFactors, 'Other factors', p.otherFactors),
    header('Looking back'),
    long(B.wentWell, 'What went well', p.wentWell),
    long(B.wasHard, 'What was hard', p.wasHard),
    { type: 'divider' },
    section(
      '*Add an action item*\nOne per save (saved items stay as they are). Leave the description empty to add none.',
    ),
    textInput(B.actionText, 'What should be done?', {
      max: ACTION_TEXT_MAX,
      multiline: false,
      placeholder: 'e.g. Alert on the EHR login failure rate',
    }),
    {
      type: 'input',
      block_id: B.actionOwner,
      optional: true,
      label: plainText('Owner', 2000),
      element: {
        type: 'users_select',
        action_id: reviewInputId(B.actionOwner),
        placeholder: plainText('Choose a person', 150),
      },
    },
    {
      type: 'input',
      block_id: B.actionDue,
      optional: true,
      label: plainText('Due', 2000),
      element: {
        type: 'datepicker',
        action_id: reviewInputId(B.actionDue),
        placeholder: plainText('Choose a date', 150),
      },
    },
    selectInput(B.actionCategory, 'Category', CATEGORY_OPTIONS, 'guardrail', 'Choose a category'),
    selectInput(B.actionPriority, 'Priority', PRIORITY_OPTIONS, 'medium', 'Choose a priority'),
  ];

  return {
    type: 'modal',
    callback_id: REVIEW_MODAL.callbackId,
    title: plainText('Post-incident review', 24),
    submit: plainText('Save review', 24),
    close: plainText('Cancel', 24),
    private_metadata: JSON.stringify(args.metadata),
    blocks,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the form's submission
// ---------------------------------------------------------------------------------------------

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a view_submission's state.values into the review input (without action items) and, if
 * the action fields are filled, one new action item. Never throws: validation is the caller's
 * (zod reviewInputSchema); blank fields are left out (undefined).
 */
export function reviewFromModal(values: Record<string, Record<string, unknown>>): {
  input: ReviewInputDraft;
  action: { text: string; ownerId?: string; due?: string; category: string; priority: string } | null;
} {
  const state = isRecord(values) ? values : {};
  const field = (block: string): Record<string, unknown> => {
    const b = state[block];
    const v = isRecord(b) ? b[reviewInputId(block)] : undefined;
    return isRecord(v) ? v : {};
  };
  const nonBlank = (v: unknown): string | undefined =>
    typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  const text = (block: string) => nonBlank(field(block).value);
  const selected = (block: string) => {
    const o = field(block).selected_option;
    return isRecord(o) ? nonBlank(o.value) : undefined;
  };
  const selectedMany = (block: string): string[] => {
    const os = field(block).selected_options;
    if (!Array.isArray(os)) return [];
    return os.map((o) => (isRecord(o) ? nonBlank(o.value) : undefined)).filter((v): v is string => v !== undefined);
  };

  const input: ReviewInputDraft = {};
  const usersAffected = text(B.usersAffected);
  const clinicalImpact = text(B.clinicalImpact);
  const dataImpact = text(B.dataImpact);
  // Any impact field filled in makes the section present, so a missing part is reported, not dropped.
  if (clinicalImpact !== undefined || dataImpact !== undefined || usersAffected !== undefined) {
    input.impact = {
      ...(usersAffected !== undefined ? { usersAffected } : {}),
      clinicalImpact: clinicalImpact ?? '',
      dataImpact: dataImpact ?? '',
    };
  }
  const how = selected(B.detection);
  const note = text(B.detectionNote);
  // A note without a method is kept so the form asks for the method rather than losing the note.
  if (how !== undefined || note !== undefined) {
    input.detection = { ...(how !== undefined ? { how } : {}), ...(note !== undefined ? { note } : {}) } as {
      how: DetectionMethod;
      note?: string;
    };
  }
  const factors = [...new Set(selectedMany(B.factors))];
  if (factors.length) input.contributingFactors = factors.map((factor) => ({ factor: factor as ContributingFactor }));
  const otherFactors = text(B.otherFactors);
  if (otherFactors !== undefined) input.otherFactors = otherFactors;
  const wentWell = text(B.wentWell);
  if (wentWell !== undefined) input.wentWell = wentWell;
  const wasHard = text(B.wasHard);
  if (wasHard !== undefined) input.wasHard = wasHard;

  const actionText = text(B.actionText);
  const ownerId = nonBlank(field(B.actionOwner).selected_user);
  const due = nonBlank(field(B.actionDue).selected_date);
  let action: { text: string; ownerId?: string; due?: string; category: string; priority: string } | null = null;
  // An owner or due date without a description is an item half filled in: the form asks for the rest.
  if (actionText !== undefined || ownerId !== undefined || due !== undefined) {
    action = {
      text: actionText ?? '',
      ...(ownerId !== undefined ? { ownerId } : {}),
      ...(due !== undefined ? { due } : {}),
      category: selected(B.actionCategory) ?? '',
      priority: selected(B.actionPriority) ?? 'medium',
    };
  }
  return { input, action };
}
