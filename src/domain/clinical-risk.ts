// The clinical risk matrix of DCB0129 / DCB0160 (NHS clinical risk management for health IT): a
// hazard's likelihood and the severity of its consequence, each on a five-point scale, give a
// risk rating of 1 (acceptable) to 5 (unacceptable). Pure.

import { AppError } from './errors.ts';

export const LIKELIHOODS = ['very-low', 'low', 'medium', 'high', 'very-high'] as const;
export type Likelihood = (typeof LIKELIHOODS)[number];
export const SEVERITIES = ['minor', 'significant', 'considerable', 'major', 'catastrophic'] as const;
export type ClinicalSeverity = (typeof SEVERITIES)[number];
export type RiskRating = 1 | 2 | 3 | 4 | 5;

/** Rows: likelihood very low … very high; columns: severity minor … catastrophic. */
const MATRIX: readonly (readonly RiskRating[])[] = [
  [1, 1, 2, 2, 3],
  [1, 2, 2, 3, 4],
  [2, 2, 3, 3, 4],
  [2, 3, 3, 4, 5],
  [3, 4, 4, 5, 5],
];

/** What each rating asks for, in the standard's words (shortened). */
export const RATING_MEANING: Record<RiskRating, string> = {
  1: 'Acceptable: no further action needed',
  2: 'Acceptable where further reduction is not practicable',
  3: 'Undesirable: accepted only where further reduction is impractical',
  4: 'Mandatory elimination or control to reduce the risk to an acceptable level',
  5: 'Unacceptable',
};

const LABELS: Record<Likelihood | ClinicalSeverity, string> = {
  'very-low': 'Very low',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  'very-high': 'Very high',
  minor: 'Minor',
  significant: 'Significant',
  considerable: 'Considerable',
  major: 'Major',
  catastrophic: 'Catastrophic',
};

export const labelOf = (v: Likelihood | ClinicalSeverity): string => LABELS[v];

/** The risk rating of a likelihood and a severity. */
export function riskRating(likelihood: Likelihood, severity: ClinicalSeverity): RiskRating {
  return MATRIX[LIKELIHOODS.indexOf(likelihood)]![SEVERITIES.indexOf(severity)]!;
}

const word = (t: string) =>
  t
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');

/** A likelihood as people write it (`very high`, `Very-High`, `very_high`); AppError naming the five otherwise. */
export function parseLikelihood(text: string): Likelihood {
  const w = word(text);
  const found = LIKELIHOODS.find((l) => l === w);
  if (!found)
    throw new AppError(
      `\`${text.trim()}\` is not a likelihood: use very low, low, medium, high or very high.`,
      'invalid_input',
    );
  return found;
}

/** A severity of consequence as people write it; AppError naming the five otherwise. */
export function parseClinicalSeverity(text: string): ClinicalSeverity {
  const w = word(text);
  const found = SEVERITIES.find((s) => s === w);
  if (!found)
    throw new AppError(
      `\`${text.trim()}\` is not a severity: use minor, significant, considerable, major or catastrophic.`,
      'invalid_input',
    );
  return found;
}
