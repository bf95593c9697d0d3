// HIPAA's year-end list (45 CFR 164.408(c)): the words of the message. Pure.
import type { AnnualLogEntry } from './breach-obligations.ts';
import { incidentRef } from './incident.ts';

const DAY = 86_400_000;

/** The direct message listing the year's breaches for HHS's annual log: references, people, the due date. No titles. */
export function annualLogMessage(year: number, entries: readonly AnnualLogEntry[], zone: string, now: Date): string {
  const sorted = [...entries].sort((a, b) => a.number - b.number);
  const due = sorted[0]!.dueDate;
  const left = Math.ceil((sorted[0]!.dueAt.getTime() - now.getTime()) / DAY);
  const lines = sorted.map(
    (e) =>
      `• *${incidentRef(e)}*${e.isPrivate ? ' (private)' : ''}: ${e.peopleAffected === null ? 'people affected not assessed yet' : `${e.peopleAffected} ${e.peopleAffected === 1 ? 'person' : 'people'} affected`}`,
  );
  return [
    `:spiral_calendar_pad: *HIPAA year-end*: ${sorted.length} breach${sorted.length === 1 ? '' : 'es'} discovered in ${year} affecting fewer than 500 people ${sorted.length === 1 ? 'goes' : 'go'} on HHS's annual breach log, not yet recorded as notified. Due by the end of *${due}* (${zone}${left > 0 ? `, ${left} day${left === 1 ? '' : 's'} left` : ', overdue'}).`,
    ...lines,
    'Once submitted, record each in its incident channel with `/incident breach notified hhs-log [reference]`.',
  ].join('\n');
}
