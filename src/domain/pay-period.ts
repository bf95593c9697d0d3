// The month an allowances report covers, in the team's time zone: [first local midnight, the next
// month's first local midnight), or up to now for the month under way.

import { TZDate } from '@date-fns/tz';
import type { MonthWord } from './command.ts';
import { AppError } from './errors.ts';

export interface PayPeriod {
  year: number;
  /** 1-12. */
  month: number;
  /** `2026-11`. */
  key: string;
  /** `November 2026`. */
  label: string;
  from: Date;
  /** The month's end, or now while the month is under way. */
  to: Date;
  /** False while the month is under way (the figures so far). */
  complete: boolean;
}

const LABELS = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** Local midnight starting the 1st of `month` (1-12, may be 13) of `year` in `zone`. */
function monthStart(year: number, month: number, zone: string): Date {
  return new Date(new TZDate(year, month - 1, 1, 0, 0, 0, 0, zone).getTime());
}

/**
 * The month asked for (`null`: the last full month), resolved against `now` in `zone`. A month
 * named without a year is the latest such month that has begun (`november` in March 2027 is
 * November 2026). A month that has not begun is refused.
 */
export function payPeriod(asked: MonthWord | null, now: Date, zone: string): PayPeriod {
  const local = new TZDate(now.getTime(), zone);
  const thisYear = local.getFullYear();
  const thisMonth = local.getMonth() + 1;
  let year: number;
  let month: number;
  if (!asked) {
    year = thisMonth === 1 ? thisYear - 1 : thisYear;
    month = thisMonth === 1 ? 12 : thisMonth - 1;
  } else {
    month = asked.month;
    year = asked.year ?? (asked.month <= thisMonth ? thisYear : thisYear - 1);
  }
  const from = monthStart(year, month, zone);
  const end = monthStart(year, month + 1, zone);
  const key = `${year}-${String(month).padStart(2, '0')}`;
  const label = LABELS.format(new Date(Date.UTC(year, month - 1, 1)));
  if (from.getTime() > now.getTime()) {
    throw new AppError(`${label} has not begun yet: ask for this month or an earlier one.`, 'invalid_input');
  }
  const complete = end.getTime() <= now.getTime();
  return { year, month, key, label, from, to: complete ? end : new Date(now.getTime()), complete };
}
