// Breach notifications: a Markdown draft per regime and recipient with the fields each asks for,
// filled from the incident, its breach assessment and the obligation (breach-regimes.ts), and the
// rules of its life: drafted, approved (by the commander or the data protection officer), sent,
// withdrawn, updated. Pure: the time, the people and the other notifications are given.
//
// The drafts:
// - ico: UK GDPR Art. 33(3) (the ICO's breach report): nature of the breach (data categories, people
//   and records, approximately), the DPO or contact, likely consequences, measures taken or proposed,
//   when it happened and when the organisation became aware, whether the people have been told.
// - individuals (UK GDPR Art. 34): plain language: what happened, the contact, likely consequences,
//   the measures, what they can do. Under HIPAA (45 CFR 164.404(c)): what happened with the dates of
//   the breach and its discovery, the types of PHI, the steps they should take, what the entity is
//   doing, and the contact procedures (toll-free number, email, website, postal address).
// - hhs, hhs-log (45 CFR 164.408): the fields of HHS's breach portal. media (164.406): a press
//   notice with the content of 164.404(c).
// - dspt: the NHS DSPT incident report's fields (type, date, people, data categories, sensitive,
//   containment, the ICO notified?).
//
// Unknowns are clearly marked placeholders (`[to complete: …]`), never guessed. Every free text
// (title, description, containment, reason) goes through the PHI guard's redaction first: a
// notification never carries a patient identifier by accident.
//
// Life of a notification (one row per version, see planRedraft):
//   draft → approved → sent;  draft / approved → withdrawn (a reason is required).
// - Approving: the commander or the DPO, and never the person who drafted that version while the
//   other approver is someone else (four eyes: the commander's own draft is the DPO's to approve,
//   the DPO's own the commander's; with no DPO assigned, or the commander being the DPO, the
//   commander may approve their own draft: the approval then records it was their own).
// - Sending (recording it was sent): only an approved version, by the commander or the DPO.
// - Withdrawing: a draft or an approved version, by the commander or the DPO, with a reason. A sent
//   notification cannot be withdrawn (it is out): draft an update instead.
// - Drafting again: a draft is replaced in place (same version, not approved yet); an approved
//   version whose content changes is withdrawn ("replaced by version N") and version N starts as a
//   draft, so no approval ever covers content it did not see; the same content leaves it approved;
//   a sent or withdrawn one gets version N as a new draft (for a sent one, an update to the
//   recipient, approved and sent like the first).

import type { BreachAssessment, BreachNotification, RecordedBreachAssessment } from './breach-assessment.ts';
import { DATA_CATEGORY_LABELS, isHighRisk, SPECIAL_CATEGORIES } from './breach-assessment.ts';
import type { BreachRegime, Obligation, ObligationKind } from './breach-regimes.ts';
import { canDecideBreach, commandingUser } from './access.ts';
import { AppError } from './errors.ts';
import { EXERCISE_LABEL } from './drill.ts';
import { incidentRef, type Incident } from './incident.ts';
import { redactString, type OutboundFinding } from './redaction.ts';
import { plain } from './review-markdown.ts';
import { dayIn, formatInZone } from './time.ts';

/** What a person types after `/incident breach draft|approve|withdraw|sent`. */
export const NOTIFICATION_TARGETS = ['ico', 'individuals', 'hhs', 'hhs-log', 'media', 'dspt'] as const;
export type NotificationTarget = (typeof NOTIFICATION_TARGETS)[number];

/** The obligations each word names (regime and kind). `individuals` is both UK GDPR's and HIPAA's. */
const TARGET_OBLIGATIONS: Record<NotificationTarget, readonly { regime: BreachRegime; kind: ObligationKind }[]> = {
  ico: [{ regime: 'uk-gdpr', kind: 'regulator' }],
  individuals: [
    { regime: 'uk-gdpr', kind: 'individuals' },
    { regime: 'hipaa', kind: 'individuals' },
  ],
  hhs: [{ regime: 'hipaa', kind: 'hhs' }],
  'hhs-log': [{ regime: 'hipaa', kind: 'hhs-annual-log' }],
  media: [{ regime: 'hipaa', kind: 'media' }],
  dspt: [{ regime: 'dspt', kind: 'dspt' }],
};

/** The word for a notification's regime and kind (`ico`, `individuals`, …). */
export function targetWord(n: { regime: BreachRegime; kind: ObligationKind }): NotificationTarget {
  for (const t of NOTIFICATION_TARGETS)
    if (TARGET_OBLIGATIONS[t].some((o) => o.regime === n.regime && o.kind === n.kind)) return t;
  return 'ico';
}

/** A notification named for people: `the ICO (UK GDPR)`, `the individuals affected (HIPAA)`. */
export function notificationName(n: { regime: BreachRegime; kind: ObligationKind }): string {
  const regime = REGIME_NAMES[n.regime];
  switch (n.kind) {
    case 'regulator':
      return `the ICO (${regime})`;
    case 'individuals':
      return `the people affected (${regime})`;
    case 'hhs':
      return 'HHS (HIPAA)';
    case 'hhs-annual-log':
      return "HHS's annual breach log (HIPAA)";
    case 'media':
      return 'the media (HIPAA)';
    case 'dspt':
      return 'NHS England through the DSPT';
  }
}

const REGIME_NAMES: Record<BreachRegime, string> = { 'uk-gdpr': 'UK GDPR', hipaa: 'HIPAA', dspt: 'NHS DSPT' };

/** The usage of the target word, for messages. */
export const TARGET_USAGE = `${NOTIFICATION_TARGETS.join('|')}`;

/**
 * The obligation a typed target names among those that apply (breachObligations under the
 * configured regimes). `regime`: which, when the word names two (`individuals uk-gdpr`). AppError
 * saying what applies otherwise.
 */
export function obligationFor(
  target: NotificationTarget,
  regime: BreachRegime | null,
  applying: readonly Obligation[],
): Obligation {
  const named = TARGET_OBLIGATIONS[target].filter((o) => regime === null || o.regime === regime);
  const found = applying.filter((o) => named.some((n) => n.regime === o.regime && n.kind === o.kind));
  const what = applying.length
    ? `What applies now: ${[...new Set(applying.map((o) => `\`${targetWord(o)}\``))].join(', ')}.`
    : 'Nothing applies now (no regime asks for a notification: the breach may be assessed as not reportable).';
  if (!found.length) {
    throw new AppError(
      `No notification to ${regime ? `${REGIME_NAMES[regime]}'s ` : ''}\`${target}\` applies under the configured regimes and the breach assessment. ${what}`,
      'not_applicable',
    );
  }
  if (found.length > 1) {
    throw new AppError(
      `\`${target}\` applies under ${found.map((o) => REGIME_NAMES[o.regime]).join(' and ')}: say which, e.g. \`${target} ${found[0]!.regime}\`.`,
      'invalid_input',
    );
  }
  return found[0]!;
}

/**
 * The incident's notification a typed target names (its latest version), among those drafted.
 * AppError saying how to draft it, or to name the regime, otherwise.
 */
export function notificationFor<N extends Pick<BreachNotification, 'regime' | 'kind'>>(
  target: NotificationTarget,
  regime: BreachRegime | null,
  drafted: readonly N[],
): N {
  const named = TARGET_OBLIGATIONS[target].filter((o) => regime === null || o.regime === regime);
  const found = drafted.filter((n) => named.some((o) => o.regime === n.regime && o.kind === n.kind));
  if (!found.length)
    throw new AppError(
      `There is no notification to \`${target}\`${regime ? ` under ${REGIME_NAMES[regime]}` : ''} yet: draft it first with \`/incident breach draft ${target}${regime ? ` ${regime}` : ''}\`.`,
      'not_found',
    );
  if (found.length > 1)
    throw new AppError(
      `There are notifications to \`${target}\` under ${found.map((n) => REGIME_NAMES[n.regime]).join(' and ')}: say which, e.g. \`${target} ${found[0]!.regime}\`.`,
      'invalid_input',
    );
  return found[0]!;
}

/** Marks what a person must fill in before it goes out. */
export function placeholder(what: string): string {
  return `[to complete: ${what}]`;
}
const PLACEHOLDER = /\[to complete: [^\]]*\]/g;

/** What the draft is made from. */
export interface DraftInput {
  incident: Pick<
    Incident,
    'number' | 'title' | 'description' | 'affectedService' | 'createdAt' | 'breachAwareAt' | 'roles' | 'declaredBy'
  > &
    Partial<Pick<Incident, 'drill'>>;
  assessment: RecordedBreachAssessment | null;
  obligation: Obligation;
  /** The incident's other notifications (their latest versions): whether the people or the ICO were told. */
  others: readonly Pick<BreachNotification, 'regime' | 'kind' | 'state' | 'sentAt'>[];
  /** The version this draft will be (2 and up: an update). */
  version: number;
  timeZone: string;
  now: Date;
}

export interface Draft {
  markdown: string;
  /** What the PHI guard removed (where, what kind; never the text). */
  findings: OutboundFinding[];
  /** The placeholders left to complete, in order. */
  placeholders: string[];
}

/** The draft of one notification: Markdown with the fields its recipient asks for. */
export function draftNotification(input: DraftInput): Draft {
  const findings: OutboundFinding[] = [];
  /** Free text: redacted, then shown as plain Markdown (no links, HTML or emphasis from it). */
  const free = (text: string | null | undefined, path: string): string | null => {
    const t = (text ?? '').trim();
    if (!t) return null;
    const r = redactString(t, path);
    findings.push(...r.findings);
    return plain(r.value).replace(/\r?\n/g, '\n  ');
  };
  const f: Facts = {
    ...input,
    title: free(input.incident.title, 'title') ?? placeholder('a short title'),
    description: free(input.incident.description, 'description'),
    containment: free(input.assessment?.containment, 'containment'),
    reason: free(input.assessment?.reason, 'reason'),
    when: (d: Date) => `${dayIn(d, input.timeZone)} ${formatInZone(d, input.timeZone).split(' ').slice(3).join(' ')}`,
  };
  const lines = DRAFTERS[input.obligation.kind](f, input.obligation.regime);
  const markdown = `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
  return { markdown, findings, placeholders: markdown.match(PLACEHOLDER) ?? [] };
}

interface Facts extends DraftInput {
  title: string;
  description: string | null;
  containment: string | null;
  reason: string | null;
  when: (d: Date) => string;
}

const awareAt = (f: Facts) => f.incident.breachAwareAt ?? f.incident.createdAt;

function header(f: Facts, heading: string): string[] {
  const o = f.obligation;
  const due = o.dueAt ? `${f.when(o.dueAt)}${o.dueDate ? ` (the end of ${o.dueDate})` : ''}` : 'without undue delay';
  return [
    `# ${f.incident.drill ? `${EXERCISE_LABEL}: ` : ''}${heading}`,
    '',
    ...(f.incident.drill
      ? [`> **${EXERCISE_LABEL} (drill): not a real breach. Do not send this notification.**`, '']
      : []),
    `- **Incident:** ${incidentRef(f.incident)}: ${f.title}`,
    `- **Notification:** ${notificationName(o)}, under ${o.basis}${f.version > 1 ? `; version ${f.version}, an update to an earlier notification` : ''}`,
    `- **Due:** ${due}${o.dueAt && f.now.getTime() > o.dueAt.getTime() ? ' (**late**: give the reasons for the delay below)' : ''}`,
    '- **Before it is sent:** complete every `[to complete: …]`, then the incident commander or the data protection officer approves it.',
    '',
  ];
}

function categories(a: BreachAssessment | null): string {
  if (!a) return placeholder('the kinds of personal data involved (the breach is not assessed yet)');
  return a.categories.map((c) => DATA_CATEGORY_LABELS[c]).join('; ');
}

function special(a: BreachAssessment | null): string {
  if (!a) return placeholder('whether special category data (health, genetic, biometric) is involved');
  const s = a.categories.filter((c) => SPECIAL_CATEGORIES.includes(c));
  return s.length ? `Yes: ${s.map((c) => DATA_CATEGORY_LABELS[c]).join('; ')}` : 'No';
}

function people(a: BreachAssessment | null): string {
  if (!a || a.peopleAffected === null) return placeholder('the number of people affected (known or estimated)');
  return `${a.peopleAffected.toLocaleString('en-GB')}${a.peopleEstimated ? ' (estimated)' : ''}`;
}

function harm(a: BreachAssessment | null): string {
  if (!a) return placeholder('the likelihood and severity of harm to the people affected');
  return `Likelihood of harm: ${a.likelihood}; severity: ${a.severity}${isHighRisk(a) ? ' (high risk to the people affected)' : ''}`;
}

function containment(f: Facts): string {
  if (!f.assessment) return placeholder('how the breach was contained');
  return `${f.assessment.contained ? 'Contained' : '**Not contained yet**'}${f.containment ? `: ${f.containment}` : `. ${placeholder('how it was (or is being) contained')}`}`;
}

function whatHappened(f: Facts): string {
  return f.description ?? placeholder('what happened, in a few sentences');
}

/** The latest notification of `kind` under `regime` among the others: sent, planned or not. */
function toldText(f: Facts, regime: BreachRegime, kind: ObligationKind, who: string): string {
  const n = f.others.find((o) => o.regime === regime && o.kind === kind);
  if (n?.state === 'sent' && n.sentAt) return `Yes: ${who} were told on ${f.when(n.sentAt)}.`;
  if (n && n.state !== 'withdrawn')
    return `Not yet: a notification to ${who} is ${n.state === 'approved' ? 'approved' : 'being drafted'}.`;
  return `Not yet. ${placeholder(`whether and when ${who} will be told, or why not`)}`;
}

/** What people can do, by the kinds of data involved. */
function selfHelp(a: BreachAssessment | null): string[] {
  const out: string[] = [];
  const has = (c: BreachAssessment['categories'][number]) => !!a?.categories.includes(c);
  if (has('credentials')) out.push('- Change your password for our service, and anywhere else you use the same one.');
  if (has('financial'))
    out.push('- Check your bank and card statements, and tell your bank about anything you do not recognise.');
  if (has('contact') || has('identity'))
    out.push(
      '- Be wary of emails, calls or texts that mention this incident or ask for your details: we will never ask for your password.',
    );
  if (has('health') || has('genetic'))
    out.push('- If you are worried about your care or your health information, contact us (below) or your clinician.');
  out.push(`- ${placeholder('any other steps people should take to protect themselves')}`);
  return out;
}

const CONTACT_UK = `${placeholder("the data protection officer's (or contact's) name, email address and telephone number")}`;
const CONTACT_HIPAA = [
  `- Toll-free telephone: ${placeholder('a toll-free number (open at least 90 days)')}`,
  `- Email: ${placeholder('an email address')}`,
  `- Website: ${placeholder('a website address')}`,
  `- Post: ${placeholder('a postal address')}`,
];

type Drafter = (f: Facts, regime: BreachRegime) => string[];

const DRAFTERS: Record<ObligationKind, Drafter> = {
  regulator: (f) => {
    const a = f.assessment;
    const late = f.obligation.dueAt && f.now.getTime() > f.obligation.dueAt.getTime();
    return [
      ...header(f, 'Personal data breach report to the ICO'),
      `- **Organisation:** ${placeholder('organisation name, address and ICO registration number')}`,
      `- **Report:** ${f.version > 1 ? 'a follow-up to our earlier report' : 'initial report'}`,
      '',
      '## 1. About the breach (its nature)',
      '',
      `- **What happened:** ${whatHappened(f)}`,
      `- **How it was discovered:** ${placeholder('how the breach came to light')}`,
      `- **When it happened:** ${placeholder('when the breach started (and ended, if it has)')}`,
      `- **When we became aware:** ${f.when(awareAt(f))}`,
      `- **Categories of personal data:** ${categories(a)}`,
      `- **Special category data:** ${special(a)}`,
      `- **Approximate number of people affected:** ${people(a)}`,
      `- **Approximate number of personal data records:** ${placeholder('the approximate number of records')}`,
      `- **Categories of people affected:** ${placeholder('e.g. patients, staff, children')}`,
      '',
      '## 2. Likely consequences',
      '',
      `- ${harm(a)}`,
      `- **Consequences for the people affected:** ${placeholder('the likely consequences (e.g. distress, discrimination, identity fraud)')}`,
      '',
      '## 3. Measures taken or proposed',
      '',
      `- **Containment:** ${containment(f)}`,
      `- **Measures to mitigate its possible adverse effects:** ${placeholder('what was done or is proposed')}`,
      `- **Measures to prevent it happening again:** ${placeholder('what will change')}`,
      '',
      '## 4. Telling the people affected (Art. 34)',
      '',
      `- **Have they been told?** ${toldText(f, 'uk-gdpr', 'individuals', 'the people affected')}`,
      '',
      '## 5. Contact',
      '',
      `- **Data protection officer or other contact:** ${CONTACT_UK}`,
      '',
      ...(late
        ? [
            '## 6. Reasons for the delay',
            '',
            `- ${placeholder('why the report is later than 72 hours after awareness')}`,
            '',
          ]
        : []),
      '## Our assessment',
      '',
      `- **Reportable:** ${a?.reportable === true ? 'Yes' : a?.reportable === false ? 'No' : placeholder('the decision')}${f.reason ? `. Reason: ${f.reason}` : ''}`,
    ];
  },
  individuals: (f, regime) =>
    regime === 'hipaa'
      ? [
          ...header(f, 'Notice of a breach of your health information'),
          `Dear ${placeholder('name, or "patient" for a substitute notice')},`,
          '',
          '## What happened',
          '',
          `${whatHappened(f)}`,
          '',
          `- **Date of the breach:** ${placeholder('the date of the breach, if known')}`,
          `- **Date we discovered it:** ${f.when(awareAt(f))}`,
          '',
          '## What information was involved',
          '',
          `- **Types of protected health information:** ${categories(f.assessment)}`,
          `- ${placeholder('e.g. full name, Social Security number, date of birth, home address, account number, diagnosis, disability code')}`,
          '',
          '## What you should do to protect yourself',
          '',
          ...selfHelp(f.assessment),
          '',
          '## What we are doing',
          '',
          `- **To investigate and contain it:** ${containment(f)}`,
          `- **To mitigate harm to you:** ${placeholder('e.g. credit monitoring offered')}`,
          `- **To protect against further breaches:** ${placeholder('what will change')}`,
          '',
          '## For more information',
          '',
          ...CONTACT_HIPAA,
        ]
      : [
          ...header(f, 'Notice to the people affected: your personal data'),
          `Dear ${placeholder('name')},`,
          '',
          '## What happened',
          '',
          `${whatHappened(f)} We became aware of it on ${f.when(awareAt(f))}.`,
          '',
          '## What information was involved',
          '',
          `${categories(f.assessment)}`,
          '',
          '## What this may mean for you',
          '',
          `${placeholder('the likely consequences for you, in plain words')}`,
          '',
          '## What we have done',
          '',
          `- ${containment(f)}`,
          `- ${placeholder('what else we have done or will do to limit the harm')}`,
          '',
          '## What you can do',
          '',
          ...selfHelp(f.assessment),
          '',
          '## Who to contact',
          '',
          `- ${CONTACT_UK}`,
          "- You have the right to complain to the Information Commissioner's Office (ico.org.uk, 0303 123 1113).",
        ],
  hhs: (f) => hhsReport(f, false),
  'hhs-annual-log': (f) => hhsReport(f, true),
  media: (f) => [
    ...header(f, 'Media notice: breach of protected health information'),
    `- **State(s) and outlets:** ${placeholder('the state(s) with 500 or more residents affected, and the prominent media outlets serving them')}`,
    `- **Residents of the state affected:** ${f.assessment?.mostInOneState != null ? f.assessment.mostInOneState.toLocaleString('en-GB') : placeholder('the number of residents affected in the state')}`,
    '',
    '## What happened',
    '',
    `${whatHappened(f)}`,
    '',
    `- **Date of the breach:** ${placeholder('the date of the breach, if known')}`,
    `- **Date of discovery:** ${f.when(awareAt(f))}`,
    '',
    '## What information was involved',
    '',
    `- **Types of protected health information:** ${categories(f.assessment)}`,
    '',
    '## What people should do',
    '',
    ...selfHelp(f.assessment),
    '',
    '## What we are doing',
    '',
    `- ${containment(f)}`,
    `- ${placeholder('how we are investigating, mitigating harm and protecting against further breaches')}`,
    '',
    '## Contact',
    '',
    ...CONTACT_HIPAA,
  ],
  dspt: (f) => {
    const a = f.assessment;
    return [
      ...header(f, 'NHS DSPT incident report'),
      `- **Organisation (ODS code):** ${placeholder('organisation name and ODS code')}`,
      `- **Incident type:** ${placeholder('e.g. confidentiality, integrity or availability breach; cyber incident')}`,
      `- **Date of the incident:** ${placeholder('when the incident happened')}`,
      `- **Date detected (aware):** ${f.when(awareAt(f))}`,
      `- **Summary:** ${f.title}. ${whatHappened(f)}`,
      `- **Number of people affected:** ${people(a)}`,
      `- **Data categories involved:** ${categories(a)}`,
      `- **Sensitive (special category) data:** ${special(a)}`,
      `- **Likelihood and severity of harm:** ${harm(a)}`,
      `- **Containment:** ${containment(f)}`,
      `- **ICO notified?** ${toldText(f, 'uk-gdpr', 'regulator', 'the ICO')}`,
      `- **Data subjects informed?** ${toldText(f, 'uk-gdpr', 'individuals', 'the people affected')}`,
      `- **Reporter's contact:** ${CONTACT_UK}`,
    ];
  },
};

function hhsReport(f: Facts, annual: boolean): string[] {
  const a = f.assessment;
  return [
    ...header(
      f,
      annual
        ? 'HHS breach report (annual log: fewer than 500 individuals)'
        : 'HHS breach report (500 or more individuals)',
    ),
    `- **Covered entity:** ${placeholder('name, address, type of covered entity and contact (name, telephone, email)')}`,
    `- **Business associate involved:** ${placeholder('yes or no; if yes, its name and contact')}`,
    '',
    '## The breach',
    '',
    `- **Breach start and end dates:** ${placeholder('when it started and ended')}`,
    `- **Discovery date:** ${f.when(awareAt(f))}`,
    `- **Approximate number of individuals affected:** ${people(a)}`,
    `- **Type of breach:** ${placeholder('hacking/IT incident, unauthorised access or disclosure, theft, loss, improper disposal, other')}`,
    `- **Location of the breached information:** ${placeholder('e.g. network server, email, electronic medical record, laptop, paper')}`,
    `- **Type of protected health information:** ${categories(a)}`,
    `- **Brief description:** ${f.title}. ${whatHappened(f)}`,
    '',
    '## Safeguards and actions',
    '',
    `- **Safeguards in place before the breach:** ${placeholder('e.g. firewalls, encryption, access controls, training')}`,
    `- **Actions taken in response:** ${containment(f)}`,
    `- **Individual notice:** ${toldText(f, 'hipaa', 'individuals', 'the individuals')}`,
    ...(annual ? [] : [`- **Media notice:** ${toldText(f, 'hipaa', 'media', 'the media')}`]),
    `- **Substitute notice required?** ${placeholder('yes or no (10 or more individuals with out-of-date contact details)')}`,
  ];
}

/** What drafting a notification again does, given its latest version (see the top of this file). */
export type RedraftPlan =
  /** The first version. */
  | { action: 'create'; version: 1 }
  /** A draft's content replaced (same version, still a draft). */
  | { action: 'replace'; version: number }
  /** Nothing changed: kept as it is (an approval stays). */
  | { action: 'unchanged'; version: number }
  /** A new version as a draft; `withdrawPrevious`: the previous (approved, unsent) is withdrawn as replaced. */
  | { action: 'new-version'; version: number; withdrawPrevious: boolean; update: boolean };

export function planRedraft(
  latest: Pick<BreachNotification, 'state' | 'version' | 'markdown'> | null,
  markdown: string,
): RedraftPlan {
  if (!latest) return { action: 'create', version: 1 };
  switch (latest.state) {
    case 'draft':
      return latest.markdown === markdown
        ? { action: 'unchanged', version: latest.version }
        : { action: 'replace', version: latest.version };
    case 'approved':
      return latest.markdown === markdown
        ? { action: 'unchanged', version: latest.version }
        : { action: 'new-version', version: latest.version + 1, withdrawPrevious: true, update: false };
    case 'sent':
      return { action: 'new-version', version: latest.version + 1, withdrawPrevious: false, update: true };
    case 'withdrawn':
      return { action: 'new-version', version: latest.version + 1, withdrawPrevious: false, update: false };
  }
}

/** The reason an approved version is withdrawn when its content changes. */
export const replacedReason = (version: number) =>
  `Replaced by version ${version} (the content changed before it was sent).`;

type Who = Pick<Incident, 'roles' | 'declaredBy'>;

/** The people who may approve, send or withdraw: the commander and the data protection officer. */
export function notificationApprovers(i: Who): string[] {
  return [...new Set([commandingUser(i), i.roles.DPO].filter((u): u is string => !!u))];
}

function assertApprover(i: Who, userId: string, action: string): void {
  // The rule of access.ts (canDecideBreach): the same people decide the breach and its notifications.
  if (canDecideBreach(i, userId)) return;
  const dpo = i.roles.DPO
    ? `the data protection officer, <@${i.roles.DPO}>`
    : 'the data protection officer (none assigned: the commander gives the role with `/incident role dpo @user`)';
  throw new AppError(
    `Only the incident commander, <@${commandingUser(i)}>, or ${dpo} can ${action}. Nothing was changed.`,
    'forbidden',
  );
}

const label = (n: Pick<BreachNotification, 'regime' | 'kind' | 'version'>) =>
  `the notification to ${notificationName(n)} (version ${n.version})`;

/**
 * Whether `userId` may approve `n`: a draft, by the commander or the DPO, not by its drafter while
 * the other approver is someone else. Returns whether it is the drafter's own approval.
 */
export function assertMayApprove(
  n: Pick<BreachNotification, 'regime' | 'kind' | 'version' | 'state' | 'draftedBy' | 'approvedBy'>,
  i: Who,
  userId: string,
): { ownDraft: boolean } {
  if (n.state !== 'draft')
    throw new AppError(`${capital(label(n))} is ${stateText(n)}: only a draft can be approved.`, 'invalid_state');
  assertApprover(i, userId, `approve ${label(n)}`);
  const ownDraft = n.draftedBy === userId;
  if (ownDraft) {
    const others = notificationApprovers(i).filter((u) => u !== userId);
    if (others.length)
      throw new AppError(
        `You drafted ${label(n)}, so someone else approves it: ${others.map((u) => `<@${u}>`).join(' or ')}. Nothing was changed.`,
        'forbidden',
      );
  }
  return { ownDraft };
}

/** Whether `userId` may record `n` as sent: an approved version, by the commander or the DPO. */
export function assertMaySend(
  n: Pick<BreachNotification, 'regime' | 'kind' | 'version' | 'state' | 'approvedBy'>,
  i: Who,
  userId: string,
): void {
  if (n.state !== 'approved')
    throw new AppError(
      `${capital(label(n))} is ${stateText(n)}: only an approved notification can be recorded as sent.${n.state === 'draft' ? ' Approve it first.' : ''}`,
      'invalid_state',
    );
  assertApprover(i, userId, `record ${label(n)} as sent`);
}

/** Longest reason for withdrawing, and longest recipient's reference. */
export const WITHDRAW_REASON_MAX = 1000;
export const NOTIFICATION_REFERENCE_MAX = 300;

/** Whether `userId` may withdraw `n` with `reason`: a draft or approved version, by the commander or the DPO, with a reason. */
export function assertMayWithdraw(
  n: Pick<BreachNotification, 'regime' | 'kind' | 'version' | 'state'>,
  i: Who,
  userId: string,
  reason: string,
): void {
  assertMayWithdrawVersion(n, i, userId);
  if (!reason.trim())
    throw new AppError(
      'Give the reason for withdrawing it: it is recorded on the timeline and the audit trail.',
      'invalid_input',
    );
  if (reason.length > WITHDRAW_REASON_MAX)
    throw new AppError(`The reason is too long (at most ${WITHDRAW_REASON_MAX} characters).`, 'invalid_input');
}

/** The state and the person of assertMayWithdraw, before a reason is asked for (the Withdraw button's form). */
export function assertMayWithdrawVersion(
  n: Pick<BreachNotification, 'regime' | 'kind' | 'version' | 'state'>,
  i: Who,
  userId: string,
): void {
  if (n.state === 'sent')
    throw new AppError(
      `${capital(label(n))} was sent already and cannot be withdrawn. To correct it, draft it again: that makes an update to send.`,
      'invalid_state',
    );
  if (n.state === 'withdrawn') throw new AppError(`${capital(label(n))} is withdrawn already.`, 'invalid_state');
  assertApprover(i, userId, `withdraw ${label(n)}`);
}

export function stateText(n: Pick<BreachNotification, 'state'>): string {
  return { draft: 'a draft', approved: 'approved', sent: 'sent', withdrawn: 'withdrawn' }[n.state];
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `/incident breach draft|approve|withdraw|sent …` as parsed. */
export type NotificationCommand =
  | { kind: 'breach-draft'; target: NotificationTarget; regime: BreachRegime | null }
  | { kind: 'breach-approve'; target: NotificationTarget; regime: BreachRegime | null }
  | { kind: 'breach-withdraw'; target: NotificationTarget; regime: BreachRegime | null; reason: string }
  | { kind: 'breach-sent'; target: NotificationTarget; regime: BreachRegime | null; reference: string | null };

export const NOTIFICATION_STEPS = ['draft', 'approve', 'withdraw', 'sent'] as const;
export type NotificationStep = (typeof NOTIFICATION_STEPS)[number];

const STEP_USAGE: Record<NotificationStep, string> = {
  draft: `draft <${TARGET_USAGE}> [uk-gdpr|hipaa]`,
  approve: `approve <${TARGET_USAGE}> [uk-gdpr|hipaa]`,
  withdraw: `withdraw <${TARGET_USAGE}> [uk-gdpr|hipaa] <reason>`,
  sent: `sent <${TARGET_USAGE}> [uk-gdpr|hipaa] [reference]`,
};

/** The usage of the four steps, for help and errors. */
export const NOTIFICATION_USAGE = `/incident breach <${NOTIFICATION_STEPS.join('|')}> <${TARGET_USAGE}> [uk-gdpr|hipaa] [reason or reference]`;

/**
 * `words`: what follows `/incident breach <step>`, as typed; `rest`: the text after the target (and
 * the regime, if one is named), line breaks kept. AppError saying how to write it otherwise.
 */
export function parseNotificationCommand(
  step: NotificationStep,
  words: readonly string[],
  rest: (n: number) => string,
): NotificationCommand {
  const bad = (got: string | undefined, hint: string) =>
    new AppError(
      `${got ? `\`${got}\` is not right here. ` : ''}Write it as \`/incident breach ${STEP_USAGE[step]}\`. ${hint}`.trim(),
      'invalid_input',
    );
  const first = (words[0] ?? '').toLowerCase();
  const target = NOTIFICATION_TARGETS.find((t) => t === first);
  if (!target) throw bad(words[0], `Name the recipient: ${NOTIFICATION_TARGETS.map((t) => `\`${t}\``).join(', ')}.`);
  const second = (words[1] ?? '').toLowerCase();
  const regime = (['uk-gdpr', 'hipaa'] as const).find((r) => r === second) ?? null;
  const after = rest(regime ? 2 : 1).trim();
  switch (step) {
    case 'draft':
    case 'approve':
      if (after) throw bad(words[regime ? 2 : 1], '');
      return { kind: step === 'draft' ? 'breach-draft' : 'breach-approve', target, regime };
    case 'withdraw':
      if (!after) throw bad(undefined, 'Give the reason for withdrawing it: it is recorded.');
      if (after.length > WITHDRAW_REASON_MAX)
        throw new AppError(`The reason is too long (at most ${WITHDRAW_REASON_MAX} characters).`, 'invalid_input');
      return { kind: 'breach-withdraw', target, regime, reason: after };
    case 'sent':
      if (after.length > NOTIFICATION_REFERENCE_MAX)
        throw new AppError(
          `The reference is too long (at most ${NOTIFICATION_REFERENCE_MAX} characters).`,
          'invalid_input',
        );
      return { kind: 'breach-sent', target, regime, reference: after || null };
  }
}
