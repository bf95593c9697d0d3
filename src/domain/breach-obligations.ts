// The breach obligations as a team works them: the words that name one in `/incident breach
// notified`, the notifications recorded as made, each obligation's reminder points, and HIPAA's
// year-end list of breaches for HHS's annual log. Pure: the time and the zone are given.
//
// Reminders: a 72-hour obligation is reminded 24, 48 and 66 hours after awareness and once at the
// deadline (overdue), like the ICO's clock in breach.ts; a day-counted one (HIPAA's 60 days, the
// annual log) 14 days and 3 days before its last day (at the local midnight starting that day, so a
// clock change between moves nothing) and once when it is overdue. UK GDPR's regulator (the ICO)
// keeps its own clock on the incident (breach.ts, the reminder queue); every other obligation's
// reminders are claimed per obligation (breach_obligation_notice.reminded_point).

import { TZDate } from '@date-fns/tz';
import { formatSpan } from './breach.ts';
import { AppError } from './errors.ts';
import {
  HIPAA_LARGE_BREACH,
  type BreachFacts,
  type BreachRegime,
  type Obligation,
  type ObligationKind,
} from './breach-regimes.ts';

/** Words of `/incident breach notified <word>` and the obligation kinds they name. */
export const OBLIGATION_WORDS = ['ico', 'individuals', 'hhs', 'hhs-log', 'media', 'dspt'] as const;
export type ObligationWord = (typeof OBLIGATION_WORDS)[number];

const WORD_TARGETS: Record<ObligationWord, { regime: BreachRegime | null; kind: ObligationKind }> = {
  ico: { regime: 'uk-gdpr', kind: 'regulator' },
  // The people affected, under every regime that asks for it (one letter to them meets each).
  individuals: { regime: null, kind: 'individuals' },
  hhs: { regime: 'hipaa', kind: 'hhs' },
  'hhs-log': { regime: 'hipaa', kind: 'hhs-annual-log' },
  media: { regime: 'hipaa', kind: 'media' },
  dspt: { regime: 'dspt', kind: 'dspt' },
};

export function obligationWord(text: string): ObligationWord | null {
  const w = text.trim().toLowerCase();
  return OBLIGATION_WORDS.find((o) => o === w) ?? null;
}

/** The word for an obligation (for messages: `/incident breach notified hhs`). */
export function wordOf(o: Pick<Obligation, 'regime' | 'kind'>): ObligationWord {
  if (o.kind === 'regulator') return 'ico';
  if (o.kind === 'hhs-annual-log') return 'hhs-log';
  return o.kind;
}

/** A notification recorded as made (or the reminders sent so far) for one obligation of a breach. */
export interface ObligationNotice {
  regime: BreachRegime;
  kind: ObligationKind;
  /** The awareness time the row belongs to: a breach flagged again with a new awareness time starts over. */
  awareAt: Date | null;
  /** The last reminder point sent (1-based, see reminderPoints); null: none. */
  remindedPoint: number | null;
  notifiedAt: Date | null;
  notifiedBy: string | null;
  reference: string | null;
}

/** The notice of `o` for the breach aware since `awareAt`, if it was notified. */
export function notifiedNotice(
  o: Pick<Obligation, 'regime' | 'kind'>,
  notices: readonly ObligationNotice[],
  awareAt: Date,
): ObligationNotice | null {
  return (
    notices.find(
      (n) =>
        n.regime === o.regime &&
        n.kind === o.kind &&
        n.notifiedAt !== null &&
        n.awareAt !== null &&
        n.awareAt.getTime() === awareAt.getTime(),
    ) ?? null
  );
}

/**
 * The obligations `/incident breach notified [word]` names among the current ones: no word, the
 * regulator of the first configured regime (the ICO for UK GDPR, as before regimes; HHS, or its
 * annual log under 500 people, for HIPAA; NHS England for DSPT). AppError when it names none.
 */
export function obligationsNamed(
  word: ObligationWord | null,
  regimes: readonly BreachRegime[],
  current: readonly Obligation[],
  facts: Pick<BreachFacts, 'reportable' | 'peopleAffected'>,
): Obligation[] {
  if (facts.reportable === false)
    throw new AppError(
      'The breach is assessed as not reportable, so there is no notification to record. If that changed, record the new decision with `/incident breach assess` first.',
      'invalid_input',
    );
  let target: { regime: BreachRegime | null; kind: ObligationKind };
  if (word) target = WORD_TARGETS[word];
  else {
    const first = regimes[0] ?? 'uk-gdpr';
    if (first === 'uk-gdpr') target = WORD_TARGETS.ico;
    else if (first === 'dspt') target = WORD_TARGETS.dspt;
    else if (facts.peopleAffected === null)
      throw new AppError(
        'Name the notification: `/incident breach notified hhs` (500 or more people) or `hhs-log` (fewer), `individuals`, `media`. The number of people affected is not assessed yet.',
        'invalid_input',
      );
    else target = facts.peopleAffected >= HIPAA_LARGE_BREACH ? WORD_TARGETS.hhs : WORD_TARGETS['hhs-log'];
  }
  const found = current.filter((o) => o.kind === target.kind && (target.regime === null || o.regime === target.regime));
  if (!found.length) {
    const names = [...new Set(current.map((o) => `\`${wordOf(o)}\``))].join(', ');
    throw new AppError(
      `This breach has no ${word ? `\`${word}\`` : 'regulator'} notification to record under the configured regimes (${regimes.join(', ')}).${names ? ` It has: ${names}.` : ''}`,
      'invalid_input',
    );
  }
  return found;
}

const HOUR = 3_600_000;

export interface ReminderPoint {
  /** 1-based, in order: what breach_obligation_notice.reminded_point records. */
  index: number;
  at: Date;
  /** The deadline itself: the obligation is overdue. */
  overdue: boolean;
}

/** The reminder points of an obligation with a fixed deadline (none: without undue delay). */
export function reminderPoints(o: Obligation, awareAt: Date, zone: string): ReminderPoint[] {
  if (!o.dueAt) return [];
  if (o.dueDate === null) {
    // Elapsed hours after awareness (the 72-hour clocks).
    return [24, 48, 66, 72].map((h, i) => ({
      index: i + 1,
      at: new Date(awareAt.getTime() + h * HOUR),
      overdue: h === 72,
    }));
  }
  const [y, m, d] = o.dueDate.split('-').map(Number) as [number, number, number];
  // The local midnight starting the day `days` before the last day's end (the day after dueDate, minus days).
  const before = (days: number) => new Date(new TZDate(y, m - 1, d + 1 - days, zone).getTime());
  return [
    { index: 1, at: before(14), overdue: false },
    { index: 2, at: before(3), overdue: false },
    { index: 3, at: o.dueAt, overdue: true },
  ];
}

export interface DueObligationReminder {
  obligation: Obligation;
  point: ReminderPoint;
  /** What the row held before the claim (given back when the post fails). */
  previous: number | null;
}

/**
 * The reminder due now for each obligation of a breach: its latest passed point later than the
 * last one sent (missed points are not sent in a burst), while it is not notified. UK GDPR's
 * regulator is left out (its clock is the incident's own). The obligations are those of the
 * assessment now: none once assessed not reportable.
 */
export function dueObligationReminders(
  obligations: readonly Obligation[],
  notices: readonly ObligationNotice[],
  awareAt: Date,
  zone: string,
  now: Date,
): DueObligationReminder[] {
  const due: DueObligationReminder[] = [];
  for (const o of obligations) {
    if (o.regime === 'uk-gdpr' && o.kind === 'regulator') continue;
    if (notifiedNotice(o, notices, awareAt)) continue;
    const row = notices.find((n) => n.regime === o.regime && n.kind === o.kind);
    const sent = row?.awareAt && row.awareAt.getTime() === awareAt.getTime() ? (row.remindedPoint ?? 0) : 0;
    const passed = reminderPoints(o, awareAt, zone).filter((p) => p.at.getTime() <= now.getTime());
    const latest = passed.at(-1);
    if (latest && latest.index > sent) due.push({ obligation: o, point: latest, previous: row?.remindedPoint ?? null });
  }
  return due;
}

/** A breach on HIPAA's year-end list: discovered in the year, fewer than 500 people, the annual log not notified. */
export interface AnnualLogEntry {
  incidentId: string;
  number: number;
  title: string;
  isPrivate: boolean;
  peopleAffected: number | null;
  dueAt: Date;
  dueDate: string;
}

/** The calendar year (in `zone`) whose annual-log list is due at `now`: the previous one. */
export function previousYear(now: Date, zone: string): number {
  return new TZDate(now.getTime(), zone).getFullYear() - 1;
}

/** The year (in `zone`) a breach was discovered in. */
export function yearOf(at: Date, zone: string): number {
  return new TZDate(at.getTime(), zone).getFullYear();
}

/** A span for a day-counted deadline: `12 days` from two days up, else as formatSpan (`41 h`). */
export function formatDeadlineSpan(ms: number): string {
  const DAY = 24 * HOUR;
  if (ms >= 2 * DAY) return `${Math.floor(ms / DAY)} days`;
  return formatSpan(ms);
}
