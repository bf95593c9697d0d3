// The breach assessment recorded on an incident that is a personal data breach: what data, how many
// people, the likelihood and severity of harm to them, containment, and the decision (reportable or
// not, always with a reason: the ICO expects a recorded reason for not reporting). Pure types and
// validation; the deadlines it sets are breach-regimes.ts's (breachObligations).

import { z } from 'zod';
import type { BreachFacts, BreachRegime, ObligationKind } from './breach-regimes.ts';

/** Kinds of personal data. `health`, `genetic` and `biometric` are special category data (UK GDPR Art. 9). */
export const DATA_CATEGORIES = [
  'health',
  'genetic',
  'biometric',
  'identity',
  'contact',
  'financial',
  'credentials',
  'location',
  'children',
  'other',
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];
export const SPECIAL_CATEGORIES: readonly DataCategory[] = ['health', 'genetic', 'biometric'];

export const DATA_CATEGORY_LABELS: Record<DataCategory, string> = {
  health: 'Health data (special category)',
  genetic: 'Genetic data (special category)',
  biometric: 'Biometric data (special category)',
  identity: 'Identity (names, NHS or social security numbers, dates of birth)',
  contact: 'Contact details',
  financial: 'Financial data',
  credentials: 'Usernames and passwords',
  location: 'Location data',
  children: "Children's data",
  other: 'Other personal data',
};

/** Likelihood of harm to the people affected, and its severity (the ICO's two questions). */
export const HARM_LIKELIHOODS = ['remote', 'possible', 'likely'] as const;
export type HarmLikelihood = (typeof HARM_LIKELIHOODS)[number];
export const HARM_SEVERITIES = ['minimal', 'significant', 'severe'] as const;
export type HarmSeverity = (typeof HARM_SEVERITIES)[number];

/** Longest free text in the assessment (containment, reason). */
export const ASSESSMENT_TEXT_MAX = 3000;
/** More people than this is a typing mistake (the world's population). */
export const PEOPLE_MAX = 10_000_000_000;

export const breachAssessmentSchema = z
  .object({
    categories: z
      .array(z.enum(DATA_CATEGORIES))
      .min(1, { message: 'Pick at least one kind of personal data.' })
      .transform((c) => DATA_CATEGORIES.filter((k) => c.includes(k))),
    /** Known or estimated; null: not known yet. */
    peopleAffected: z
      .number()
      .int({ message: 'The number of people must be a whole number.' })
      .min(0, { message: 'The number of people cannot be negative.' })
      .max(PEOPLE_MAX, { message: 'That number of people is too large.' })
      .nullable(),
    peopleEstimated: z.boolean(),
    /** HIPAA: the most people affected in one state; null: not known or not asked. */
    mostInOneState: z.number().int().min(0).max(PEOPLE_MAX).nullable().default(null),
    likelihood: z.enum(HARM_LIKELIHOODS),
    severity: z.enum(HARM_SEVERITIES),
    contained: z.boolean(),
    containment: z
      .string()
      .trim()
      .max(ASSESSMENT_TEXT_MAX, { message: `Containment is too long (at most ${ASSESSMENT_TEXT_MAX} characters).` }),
    /** The decision: reportable to the regulators or not; null: not decided yet. */
    reportable: z.boolean().nullable(),
    /** Why: required once a decision is made, above all for not reporting. */
    reason: z
      .string()
      .trim()
      .max(ASSESSMENT_TEXT_MAX, { message: `The reason is too long (at most ${ASSESSMENT_TEXT_MAX} characters).` }),
  })
  .superRefine((a, ctx) => {
    if (a.reportable !== null && !a.reason)
      ctx.addIssue({
        code: 'custom',
        path: ['reason'],
        message: a.reportable
          ? 'Give the reason the breach is reportable.'
          : 'Give the reason the breach is not reportable: the regulator expects it recorded.',
      });
    if (a.mostInOneState !== null && a.peopleAffected !== null && a.mostInOneState > a.peopleAffected)
      ctx.addIssue({
        code: 'custom',
        path: ['mostInOneState'],
        message: 'More people in one state than affected in all: check the numbers.',
      });
  });

export type BreachAssessment = z.output<typeof breachAssessmentSchema>;

/** The assessment as recorded: who assessed it last, when. */
export interface RecordedBreachAssessment extends BreachAssessment {
  assessedBy: string;
  assessedAt: Date;
}

/** High risk to the people (they are told too, UK GDPR Art. 34): harm likely or severe, or special category data with harm not remote. */
export function isHighRisk(a: Pick<BreachAssessment, 'likelihood' | 'severity' | 'categories'>): boolean {
  if (a.likelihood === 'likely' && a.severity !== 'minimal') return true;
  if (a.severity === 'severe' && a.likelihood !== 'remote') return true;
  return (
    a.categories.some((c) => SPECIAL_CATEGORIES.includes(c)) && a.likelihood !== 'remote' && a.severity !== 'minimal'
  );
}

/** What the regimes' deadlines need from an incident's breach and its assessment (none yet: nothing decided). */
export function breachFactsOf(awareAt: Date, a: BreachAssessment | null): BreachFacts {
  return {
    awareAt,
    reportable: a?.reportable ?? null,
    highRisk: a ? isHighRisk(a) : false,
    peopleAffected: a?.peopleAffected ?? null,
    mostInOneState: a?.mostInOneState ?? null,
  };
}

/** A notification to one recipient of one regime: drafted, approved, sent (notified), withdrawn or updated. */
export const NOTIFICATION_STATES = ['draft', 'approved', 'sent', 'withdrawn'] as const;
export type NotificationState = (typeof NOTIFICATION_STATES)[number];

export interface BreachNotification {
  id: string;
  incidentId: string;
  regime: BreachRegime;
  kind: ObligationKind;
  state: NotificationState;
  /** The draft's Markdown (the fields the recipient asks for), redacted of patient identifiers. */
  markdown: string;
  version: number;
  draftedBy: string;
  draftedAt: Date;
  approvedBy: string | null;
  approvedAt: Date | null;
  /** When it was sent (the obligation is met) and the recipient's reference, if any. */
  sentAt: Date | null;
  sentBy: string | null;
  reference: string | null;
  withdrawnAt: Date | null;
  withdrawnBy: string | null;
  withdrawReason: string | null;
}
