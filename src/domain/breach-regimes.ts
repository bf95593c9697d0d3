// Who must be told about a personal data breach, and by when, under each regime a workspace answers
// to (BREACH_REGIMES). Pure: the facts of the breach assessment and the time zone are given.
//
// - uk-gdpr: the ICO within 72 hours of awareness (Art. 33), elapsed time, unless the breach is
//   unlikely to result in a risk to people (then a recorded reason); the people affected without
//   undue delay when the risk to them is high (Art. 34).
// - hipaa: the individuals within 60 calendar days of discovery (45 CFR 164.404); 500 or more
//   affected: HHS within the same 60 days (164.408(b)) and, 500 or more in one state, prominent media
//   there (164.406); fewer than 500: HHS's annual log, due 60 days after the end of the calendar year
//   of discovery (164.408(c)). Days are calendar days in the organisation's zone: a deadline is the
//   end of its day.
// - dspt: NHS England through the Data Security and Protection Toolkit within 72 hours of awareness.
//
// An obligation is `required` once the breach is assessed as reportable, `pending` while no
// decision is recorded (the clock runs all the same), and left out when assessed not reportable.

import { TZDate } from '@date-fns/tz';
import { AppError } from './errors.ts';

export const BREACH_REGIMES = ['uk-gdpr', 'hipaa', 'dspt'] as const;
export type BreachRegime = (typeof BREACH_REGIMES)[number];

/** People affected from which HHS is told at once, not on the annual log (and, in one state, the media). */
export const HIPAA_LARGE_BREACH = 500;
const HOUR = 3_600_000;

/** `uk-gdpr,hipaa,dspt`: comma-separated, any case, at least one, each once. AppError naming the three otherwise. */
export function parseBreachRegimes(text: string): BreachRegime[] {
  const words = text
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  if (!words.length) throw new AppError('must name at least one regime: uk-gdpr, hipaa or dspt, comma-separated');
  const out: BreachRegime[] = [];
  for (const w of words) {
    const regime = BREACH_REGIMES.find((r) => r === w);
    if (!regime) throw new AppError(`\`${w}\` is not a regime: use uk-gdpr, hipaa or dspt, comma-separated`);
    if (!out.includes(regime)) out.push(regime);
  }
  return out;
}

/** What the breach assessment says, as far as deadlines go. */
export interface BreachFacts {
  /** When the organisation became aware of the breach (HIPAA: discovered it). */
  awareAt: Date;
  /** The assessment's decision: reportable or not; null while not decided. */
  reportable: boolean | null;
  /** High risk to the people affected (UK GDPR Art. 34: they are told too). */
  highRisk: boolean;
  /** People affected, known or estimated; null when not known yet. */
  peopleAffected: number | null;
  /** HIPAA: people affected in the state with the most of them; null when not known. */
  mostInOneState: number | null;
}

export type ObligationKind = 'regulator' | 'individuals' | 'hhs' | 'hhs-annual-log' | 'media' | 'dspt';

export interface Obligation {
  regime: BreachRegime;
  kind: ObligationKind;
  /** Who is told, for people: `the ICO`, `the people affected`, … */
  recipient: string;
  /** The last moment (exclusive); null: without undue delay, no fixed deadline. */
  dueAt: Date | null;
  /** The deadline's day in the organisation's zone (YYYY-MM-DD), for day-counted deadlines; null otherwise. */
  dueDate: string | null;
  /** `required`: assessed reportable; `pending`: no decision yet, or the number of people is not known yet. */
  status: 'required' | 'pending';
  /** The rule: `UK GDPR Art. 33`, `45 CFR 164.404`, … */
  basis: string;
}

/** The instant ending the local day `days` after the local date of `at` (day 0 is that date). */
function endOfDayAfter(at: Date, days: number, zone: string): { dueAt: Date; dueDate: string } {
  const local = new TZDate(at.getTime(), zone);
  const last = new TZDate(local.getFullYear(), local.getMonth(), local.getDate() + days, zone);
  const next = new TZDate(local.getFullYear(), local.getMonth(), local.getDate() + days + 1, zone);
  return { dueAt: new Date(next.getTime()), dueDate: dateText(last) };
}

function dateText(d: TZDate): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The end of the local day 60 days after 31 December of the year `at` falls in (in `zone`): 1 March, or 29 February. */
function annualLogDue(at: Date, zone: string): { dueAt: Date; dueDate: string } {
  const year = new TZDate(at.getTime(), zone).getFullYear();
  const yearEnd = new TZDate(year, 11, 31, 12, 0, 0, 0, zone);
  return endOfDayAfter(new Date(yearEnd.getTime()), 60, zone);
}

/**
 * Every notification the regimes ask for, in the order of `regimes` (each regime's in a fixed
 * order). None when the breach is assessed as not reportable.
 */
export function breachObligations(regimes: readonly BreachRegime[], facts: BreachFacts, zone: string): Obligation[] {
  if (facts.reportable === false) return [];
  const decided = facts.reportable === true;
  const status = decided ? 'required' : 'pending';
  const out: Obligation[] = [];
  const within72 = new Date(facts.awareAt.getTime() + 72 * HOUR);
  for (const regime of regimes) {
    switch (regime) {
      case 'uk-gdpr':
        out.push({
          regime,
          kind: 'regulator',
          recipient: 'the ICO',
          dueAt: within72,
          dueDate: null,
          status,
          basis: 'UK GDPR Art. 33',
        });
        if (facts.highRisk)
          out.push({
            regime,
            kind: 'individuals',
            recipient: 'the people affected',
            dueAt: null,
            dueDate: null,
            status,
            basis: 'UK GDPR Art. 34',
          });
        break;
      case 'hipaa': {
        const sixty = endOfDayAfter(facts.awareAt, 60, zone);
        out.push({
          regime,
          kind: 'individuals',
          recipient: 'the individuals affected',
          ...sixty,
          status,
          basis: '45 CFR 164.404',
        });
        const n = facts.peopleAffected;
        if (n === null || n >= HIPAA_LARGE_BREACH) {
          out.push({
            regime,
            kind: 'hhs',
            recipient: 'HHS (the Secretary)',
            ...sixty,
            status: n === null ? 'pending' : status,
            basis: '45 CFR 164.408(b)',
          });
        }
        if (n === null || n < HIPAA_LARGE_BREACH) {
          out.push({
            regime,
            kind: 'hhs-annual-log',
            recipient: "HHS's annual breach log",
            ...annualLogDue(facts.awareAt, zone),
            status: n === null ? 'pending' : status,
            basis: '45 CFR 164.408(c)',
          });
        }
        const inState = facts.mostInOneState;
        if (
          (inState !== null && inState >= HIPAA_LARGE_BREACH) ||
          (inState === null && (n === null || n >= HIPAA_LARGE_BREACH))
        ) {
          out.push({
            regime,
            kind: 'media',
            recipient: 'prominent media outlets in the state',
            ...sixty,
            status: inState === null ? 'pending' : status,
            basis: '45 CFR 164.406',
          });
        }
        break;
      }
      case 'dspt':
        out.push({
          regime,
          kind: 'dspt',
          recipient: 'NHS England (through the DSPT)',
          dueAt: within72,
          dueDate: null,
          status,
          basis: 'NHS DSPT incident reporting',
        });
        break;
    }
  }
  return out;
}
