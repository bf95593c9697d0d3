// The one calendar-day parser and the one period (src/domain/time.ts) every page uses: real days
// from 1970 to 9998 only (Date reads 0000–0099 as 19xx, and the day after 9999-12-31 has a six-digit
// year), day arithmetic without Date's two-digit years, the start of a day in a zone, and the same
// rules on every page for a period given in part.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EVIDENCE_PERIOD } from '../../src/domain/evidence-pack.ts';
import { INSIGHTS_PERIOD } from '../../src/domain/insights.ts';
import { REGISTER_PERIOD } from '../../src/domain/register.ts';
import {
  addDays,
  dayIn,
  dayPeriod,
  daysBetween,
  isCalendarDay,
  periodFrom,
  startOfDayIn,
} from '../../src/domain/time.ts';

describe('calendar days', () => {
  test('a real day YYYY-MM-DD from 1970 to 9998, nothing trimmed', () => {
    for (const ok of ['1970-01-01', '2028-02-29', '9998-12-31']) assert.ok(isCalendarDay(ok), ok);
    for (const bad of [
      '9999-12-31',
      '0001-01-01',
      '0099-12-31',
      '1969-12-31',
      '2026-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-04-31',
      '2026-4-01',
      ' 2026-04-01',
      '2026-04-01 ',
      '+02026-04-01',
      '２０２６-04-01',
    ])
      assert.ok(!isCalendarDay(bad), bad);
  });

  test('day arithmetic keeps four-digit years as they are (no 19xx)', () => {
    assert.equal(addDays('9998-12-31', 1), '9999-01-01');
    assert.equal(addDays('0001-01-01', -1), '0000-12-31');
    assert.equal(addDays('0050-03-01', -1), '0050-02-28');
    assert.equal(daysBetween('0001-01-01', '0002-01-01'), 365);
    assert.throws(() => addDays('2026-02-30', 1), /Not a calendar date/);
  });

  test('the start of a day in a zone, at both ends of the years allowed', () => {
    assert.equal(startOfDayIn('1970-01-01', 'UTC').toISOString(), '1970-01-01T00:00:00.000Z');
    assert.equal(startOfDayIn('9999-01-01', 'Europe/London').toISOString(), '9999-01-01T00:00:00.000Z');
    assert.equal(startOfDayIn('0001-01-01', 'UTC').toISOString(), '0001-01-01T00:00:00.000Z', 'not 1901');
    assert.equal(startOfDayIn('2026-10-04', 'Australia/Sydney').toISOString(), '2026-10-03T14:00:00.000Z');
    // Santiago's clocks go forward at midnight: the day starts at 01:00.
    assert.equal(startOfDayIn('2026-09-06', 'America/Santiago').toISOString(), '2026-09-06T04:00:00.000Z');
    const p = dayPeriod('9998-12-31', '9998-12-31', 'Pacific/Auckland');
    assert.equal(p.until.getTime() - p.since.getTime(), 24 * 3600_000);
    assert.equal(dayIn(new Date('2026-12-05T23:30:00Z'), 'Pacific/Auckland'), '2026-12-06');
  });
});

describe('a period given in part: the same rules on every page', () => {
  const at = { now: new Date('2026-11-24T14:00:00Z'), timeZone: 'Europe/London' };
  const days = (p: ReturnType<typeof periodFrom>) => ('problem' in p ? p.problem : [p.fromDate, p.toDate]);

  test('neither: the page’s default; to alone: the page’s default length before it', () => {
    assert.deepEqual(days(periodFrom({}, REGISTER_PERIOD, at)), ['2026-08-27', '2026-11-24']);
    assert.deepEqual(days(periodFrom({}, INSIGHTS_PERIOD, at)), ['2026-09-07', '2026-11-24']);
    assert.deepEqual(days(periodFrom({}, EVIDENCE_PERIOD, at)), ['2026-07-01', '2026-09-30']);
    assert.deepEqual(days(periodFrom({ to: '2026-03-31' }, REGISTER_PERIOD, at)), ['2026-01-01', '2026-03-31']);
    assert.deepEqual(days(periodFrom({ to: '2026-03-31' }, INSIGHTS_PERIOD, at)), ['2026-01-07', '2026-03-31']);
    assert.deepEqual(days(periodFrom({ to: '2026-03-31' }, EVIDENCE_PERIOD, at)), ['2025-12-30', '2026-03-31']);
  });

  test('from alone runs to today; a future from is allowed everywhere (that one day)', () => {
    for (const rules of [REGISTER_PERIOD, INSIGHTS_PERIOD, EVIDENCE_PERIOD]) {
      assert.deepEqual(days(periodFrom({ from: '2026-11-01' }, rules, at)), ['2026-11-01', '2026-11-24']);
      assert.deepEqual(days(periodFrom({ from: '2027-01-01' }, rules, at)), ['2027-01-01', '2027-01-01']);
      assert.equal(
        days(periodFrom({ from: '2026-11-02', to: '2026-11-01' }, rules, at)),
        '"from" (2026-11-02) must not be after "to" (2026-11-01).',
      );
    }
  });

  test('the longest period is the page’s own', () => {
    assert.deepEqual(days(periodFrom({ from: '2025-09-29', to: '2026-09-30' }, EVIDENCE_PERIOD, at)), [
      '2025-09-29',
      '2026-09-30',
    ]);
    assert.equal(
      days(periodFrom({ from: '2025-09-28', to: '2026-09-30' }, EVIDENCE_PERIOD, at)),
      'The period can be at most 367 days long.',
    );
    assert.equal(
      days(periodFrom({ from: '2020-01-01', to: '2026-09-30' }, INSIGHTS_PERIOD, at)),
      'The period can be at most 1098 days long.',
    );
    assert.deepEqual(days(periodFrom({ from: '1970-01-01', to: '9998-12-31' }, REGISTER_PERIOD, at)), [
      '1970-01-01',
      '9998-12-31',
    ]);
  });
});
