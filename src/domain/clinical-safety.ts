// Clinical safety of an incident (DCB0129 / DCB0160): the hazard-log entries it is linked to, each
// with the clinical risk matrix before and after (clinical-risk.ts), and the clinical safety
// officer's sign-off, which a clinical-impact incident needs before it is resolved or closed. Pure.

import { z } from 'zod';
import {
  labelOf,
  parseClinicalSeverity,
  parseLikelihood,
  RATING_MEANING,
  riskRating,
  type ClinicalSeverity,
  type Likelihood,
  type RiskRating,
} from './clinical-risk.ts';
import { AppError } from './errors.ts';
import { incidentRef, type Incident } from './incident.ts';

/** A hazard log's id: a letter first, then letters, digits and dashes, at most 40 characters (HAZ-012, CRM-4-B). */
export const HAZARD_ID = /^[A-Za-z][A-Za-z0-9-]{0,39}$/;
export const HAZARD_TITLE_MAX = 200;
export const SIGNOFF_NOTE_MAX = 1000;

/** A likelihood and a severity of consequence: one cell of the 5 × 5 matrix. */
export interface RiskAssessment {
  likelihood: Likelihood;
  severity: ClinicalSeverity;
}

/** A hazard-log entry linked to an incident, with its risk before and (once assessed) after. */
export interface HazardLink {
  hazardId: string;
  title: string;
  before: RiskAssessment;
  /** The residual risk with the incident's controls in place; null until assessed. */
  after: RiskAssessment | null;
  linkedBy: string;
  linkedAt: Date;
  updatedBy: string;
  updatedAt: Date;
}

/** Why a sign-off became void: the incident changed after it (see SIGNOFF_VOIDED_BY). */
export type SignoffVoidReason = 'reopened' | 'hazard-changed' | 'clinical-impact-changed';

export const VOID_REASON_TEXT: Record<SignoffVoidReason, string> = {
  reopened: 'the incident was reopened',
  'hazard-changed': 'a hazard changed',
  'clinical-impact-changed': 'clinical impact changed',
};

/** A clinical safety officer's sign-off, kept when it becomes void. */
export interface ClinicalSignoff {
  id: string;
  signedBy: string;
  signedAt: Date;
  note: string | null;
  /** The "review the hazard log" action item (made with the incident's first sign-off). */
  actionItemId: string | null;
  voidedAt: Date | null;
  voidedBy: string | null;
  voidReason: SignoffVoidReason | null;
}

/** An incident's clinical safety record: its hazards (by id) and its sign-offs, oldest first. */
export interface ClinicalRecord {
  hazards: HazardLink[];
  signoffs: ClinicalSignoff[];
}

export const EMPTY_CLINICAL_RECORD: ClinicalRecord = { hazards: [], signoffs: [] };

/** The sign-off in force: the last one, unless it is void. */
export function currentSignoff(r: ClinicalRecord): ClinicalSignoff | null {
  const last = r.signoffs.at(-1);
  return last && !last.voidedAt ? last : null;
}

/**
 * What voids a sign-off: the incident changed after the clinical safety officer looked at it.
 * A reopen (it is an incident again), a hazard linked, changed or removed (the risk they accepted is
 * not the risk now), clinical impact turned off or on. Role changes do not: the sign-off names who
 * gave it. A void sign-off stays on the record; a new one must be given.
 */
export const SIGNOFF_VOIDED_BY: readonly SignoffVoidReason[] = [
  'reopened',
  'hazard-changed',
  'clinical-impact-changed',
];

// ---------------------------------------------------------------------------------------------
// Ratings
// ---------------------------------------------------------------------------------------------

export function ratingOf(a: RiskAssessment): RiskRating {
  return riskRating(a.likelihood, a.severity);
}

/** `High × Major = 4`. */
export function assessmentText(a: RiskAssessment): string {
  return `${labelOf(a.likelihood)} × ${labelOf(a.severity)} = ${ratingOf(a)}`;
}

/** `4 → 2` (or `4 → not assessed`). */
export function ratingChangeText(h: Pick<HazardLink, 'before' | 'after'>): string {
  return `${ratingOf(h.before)} → ${h.after ? ratingOf(h.after) : 'not assessed'}`;
}

/**
 * Whether the incident's clinical safety may be signed off as recorded: every hazard's residual
 * risk assessed, and none left unacceptable (5). The refusal names the hazards.
 */
export function assertReadyForSignoff(r: ClinicalRecord): void {
  const unassessed = r.hazards.filter((h) => !h.after).map((h) => h.hazardId);
  if (unassessed.length)
    throw new AppError(
      `Assess the residual risk of ${unassessed.join(', ')} first: \`/incident hazard update <HAZ-ID> after:<likelihood>/<severity>\`.`,
      'invalid_input',
    );
  const unacceptable = r.hazards.filter((h) => h.after && ratingOf(h.after) === 5).map((h) => h.hazardId);
  if (unacceptable.length)
    throw new AppError(
      `The residual risk of ${unacceptable.join(', ')} is 5 (${RATING_MEANING[5]}): reduce it before signing off.`,
      'invalid_input',
    );
}

// ---------------------------------------------------------------------------------------------
// `/incident hazard …`
// ---------------------------------------------------------------------------------------------

export type HazardCommand =
  | { op: 'add'; hazardId: string; title: string; before: RiskAssessment; after: RiskAssessment | null }
  | {
      op: 'update';
      hazardId: string;
      title?: string;
      before?: RiskAssessment;
      /** null: the residual risk is cleared (`after:none`). */
      after?: RiskAssessment | null;
    }
  | { op: 'remove'; hazardId: string };

export const HAZARD_USAGE = [
  '`/incident hazard add <HAZ-ID> <title> before:<likelihood>/<severity> [after:<likelihood>/<severity>]`',
  '`/incident hazard update <HAZ-ID> [title] [before:<likelihood>/<severity>] [after:<likelihood>/<severity>|none]`',
  '`/incident hazard remove <HAZ-ID>`',
].join(', ');

const WORDS_HELP =
  'likelihood: very-low, low, medium, high, very-high; severity: minor, significant, considerable, major, catastrophic';

const hazardIdSchema = z
  .string()
  .regex(HAZARD_ID, {
    error: (i) =>
      `\`${String(i.input).slice(0, 50)}\` is not a hazard id: use letters, digits and dashes, starting with a letter, at most 40 (e.g. HAZ-012).`,
  })
  .transform((s) => s.toUpperCase());

const titleSchema = z
  .string()
  .trim()
  .min(1, { error: 'Give the hazard its title from the hazard log.' })
  .max(HAZARD_TITLE_MAX, { error: `A hazard title is at most ${HAZARD_TITLE_MAX} characters.` });

/** `high/major` (or `very high/major` written `very-high/major`): a likelihood and a severity. */
export function parseAssessment(text: string, which: 'before' | 'after'): RiskAssessment {
  const parts = text.split('/');
  if (parts.length !== 2 || !parts[0]!.trim() || !parts[1]!.trim())
    throw new AppError(
      `Write ${which}: as \`${which}:<likelihood>/<severity>\`, e.g. \`${which}:high/major\` (${WORDS_HELP}).`,
      'invalid_input',
    );
  return { likelihood: parseLikelihood(parts[0]!), severity: parseClinicalSeverity(parts[1]!) };
}

/**
 * The words after `/incident hazard`. Titles are the words between the id and the first
 * `before:`/`after:`; an option appears at most once.
 */
export function parseHazardCommand(rest: readonly string[]): HazardCommand {
  const [op, id, ...more] = rest;
  const verb = (op ?? '').toLowerCase();
  if (verb !== 'add' && verb !== 'update' && verb !== 'remove')
    throw new AppError(`${op ? `\`${op}\` is not a hazard command. ` : ''}Use ${HAZARD_USAGE}.`, 'invalid_input');
  if (!id) throw new AppError(`Name the hazard-log entry: ${HAZARD_USAGE}.`, 'invalid_input');
  const hazardId = parseOrThrow(hazardIdSchema, id);
  if (verb === 'remove') {
    if (more.length) throw new AppError(`\`/incident hazard remove\` takes only the hazard id.`, 'invalid_input');
    return { op: 'remove', hazardId };
  }
  const titleWords: string[] = [];
  const options: Partial<Record<'before' | 'after', string>> = {};
  for (const w of more) {
    const m = /^(before|after):(.*)$/i.exec(w);
    if (m) {
      const key = m[1]!.toLowerCase() as 'before' | 'after';
      if (options[key] !== undefined) throw new AppError(`Give ${key}: once.`, 'invalid_input');
      options[key] = m[2]!;
    } else if (Object.keys(options).length) {
      throw new AppError(
        `\`${w.slice(0, 50)}\` comes after the ratings: write the title first, then before:… and after:….`,
        'invalid_input',
      );
    } else titleWords.push(w);
  }
  const title = titleWords.join(' ');
  const after =
    options.after === undefined
      ? undefined
      : options.after.toLowerCase() === 'none'
        ? null
        : parseAssessment(options.after, 'after');
  const before = options.before === undefined ? undefined : parseAssessment(options.before, 'before');
  if (verb === 'add') {
    if (!before)
      throw new AppError(
        `Give the risk before: \`before:<likelihood>/<severity>\` (${WORDS_HELP}). ${HAZARD_USAGE}.`,
        'invalid_input',
      );
    return { op: 'add', hazardId, title: parseOrThrow(titleSchema, title), before, after: after ?? null };
  }
  if (!title && !before && after === undefined)
    throw new AppError(`Say what changes: a title, before:… or after:…. ${HAZARD_USAGE}.`, 'invalid_input');
  return {
    op: 'update',
    hazardId,
    ...(title ? { title: parseOrThrow(titleSchema, title) } : {}),
    ...(before ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
  };
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError(r.error.issues[0]?.message ?? 'Invalid input.', 'invalid_input');
  return r.data;
}

/** A sign-off's note as typed: at most SIGNOFF_NOTE_MAX characters, blank as none. */
export function parseSignoffNote(text: string | null): string | null {
  const note = text?.trim() ?? '';
  if (note.length > SIGNOFF_NOTE_MAX)
    throw new AppError(`A sign-off note is at most ${SIGNOFF_NOTE_MAX} characters.`, 'invalid_input');
  return note || null;
}

/** The hazard as it is after `cmd` (an update of `existing`). */
export function applyHazardUpdate(
  existing: HazardLink,
  cmd: Extract<HazardCommand, { op: 'update' }>,
  by: string,
  at: Date,
): HazardLink {
  return {
    ...existing,
    title: cmd.title ?? existing.title,
    before: cmd.before ?? existing.before,
    after: cmd.after === undefined ? existing.after : cmd.after,
    updatedBy: by,
    updatedAt: at,
  };
}

/** The timeline's line for a hazard linked, changed or removed. */
export function hazardLine(
  op: HazardCommand['op'],
  h: Pick<HazardLink, 'hazardId' | 'title' | 'before' | 'after'>,
): string {
  const what = op === 'add' ? 'linked' : op === 'update' ? 'updated' : 'unlinked';
  const ratings = `before ${assessmentText(h.before)}; after ${h.after ? assessmentText(h.after) : 'not assessed'}`;
  return `Hazard ${h.hazardId} ${what}: ${h.title} (${ratings})`;
}

/** The "review the hazard log" action item's text. */
export function hazardLogReviewText(
  incident: Pick<Incident, 'number'>,
  hazards: readonly Pick<HazardLink, 'hazardId'>[],
) {
  const ids = hazards.map((h) => h.hazardId);
  return `Review the hazard log after ${incidentRef(incident)}${ids.length ? ` (${ids.join(', ')})` : ''}: update the hazards, their controls and ratings in the clinical risk management file`;
}

/** The team the hazard-log review belongs to (a catalog Group: its tracker takes the issue when it has one). */
export const CLINICAL_SAFETY_TEAM = 'group:default/clinical-safety';

// ---------------------------------------------------------------------------------------------
// The review's clinical safety section (its Markdown: review-markdown.ts clinicalSafetyMarkdown)
// ---------------------------------------------------------------------------------------------

export interface ClinicalSafetySection {
  ref: string;
  title: string;
  clinicalImpact: boolean;
  clinicalSafetyOfficer: string | null;
  hazards: {
    hazardId: string;
    title: string;
    before: { likelihood: string; severity: string; rating: RiskRating; meaning: string };
    after: { likelihood: string; severity: string; rating: RiskRating; meaning: string } | null;
  }[];
  /** The sign-off in force, null when none. */
  signoff: { by: string; at: string; atText: string; note: string | null } | null;
  /** Sign-offs given and later void, oldest first. */
  voided: { by: string; at: string; atText: string; voidedAt: string; voidedText: string; reason: string }[];
}

function cell(a: RiskAssessment) {
  const rating = ratingOf(a);
  return { likelihood: labelOf(a.likelihood), severity: labelOf(a.severity), rating, meaning: RATING_MEANING[rating] };
}

/** The section as the review shows it; `fmt` writes a time for reading. */
export function clinicalSafetySection(
  incident: Pick<Incident, 'number' | 'title' | 'clinicalImpact' | 'roles'>,
  r: ClinicalRecord,
  fmt: (d: Date) => string,
): ClinicalSafetySection {
  const current = currentSignoff(r);
  return {
    ref: incidentRef(incident),
    title: incident.title,
    clinicalImpact: incident.clinicalImpact,
    clinicalSafetyOfficer: incident.roles.CLINICAL_SAFETY ?? null,
    hazards: r.hazards.map((h) => ({
      hazardId: h.hazardId,
      title: h.title,
      before: cell(h.before),
      after: h.after ? cell(h.after) : null,
    })),
    signoff: current
      ? { by: current.signedBy, at: current.signedAt.toISOString(), atText: fmt(current.signedAt), note: current.note }
      : null,
    voided: r.signoffs
      .filter((s) => s.voidedAt)
      .map((s) => ({
        by: s.signedBy,
        at: s.signedAt.toISOString(),
        atText: fmt(s.signedAt),
        voidedAt: s.voidedAt!.toISOString(),
        voidedText: fmt(s.voidedAt!),
        reason: s.voidReason ? VOID_REASON_TEXT[s.voidReason] : 'void',
      })),
  };
}

/**
 * A clinical-impact incident is resolved or closed only with its clinical safety officer assigned
 * and their sign-off in force (`/incident clinical signoff`). Nothing to check without clinical impact.
 */
export function assertClinicalSafetySignedOff(
  incident: Pick<Incident, 'clinicalImpact' | 'roles'>,
  record: ClinicalRecord,
  verb: 'resolved' | 'closed',
): void {
  if (!incident.clinicalImpact) return;
  const cso = incident.roles.CLINICAL_SAFETY;
  if (!cso)
    throw new AppError(
      `This incident has clinical impact: a clinical safety officer must be assigned and sign it off before it is ${verb}. Use \`/incident role clinical-safety @user\`.`,
      'clinical_safety_required',
    );
  if (!currentSignoff(record))
    throw new AppError(
      `This incident has clinical impact: the clinical safety officer, <@${cso}>, must sign it off before it is ${verb}, with \`/incident clinical signoff [note]\`.`,
      'clinical_signoff_required',
    );
}
