import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseIncidentCommand, parseMonthWords } from '../../src/domain/command.ts';
import { AppError } from '../../src/domain/errors.ts';
import { payPeriod } from '../../src/domain/pay-period.ts';

const LONDON = 'Europe/London';
const iso = (d: Date) => d.toISOString();

describe('/incident allowances: the month and the scope', () => {
  test('a month as YYYY-MM, a name (full, three letters, sept) with or without a year; the rest names the schedule or team', () => {
    const cases: [string, unknown][] = [
      ['allowances', { kind: 'allowances', month: null, query: null }],
      ['allowances 2026-11', { kind: 'allowances', month: { year: 2026, month: 11 }, query: null }],
      ['allowances 2026-3 Platform', { kind: 'allowances', month: { year: 2026, month: 3 }, query: 'Platform' }],
      ['allowances november', { kind: 'allowances', month: { year: null, month: 11 }, query: null }],
      [
        'allowances Nov 2025 Pharmacy primary',
        { kind: 'allowances', month: { year: 2025, month: 11 }, query: 'Pharmacy primary' },
      ],
      ['allowances sept', { kind: 'allowances', month: { year: null, month: 9 }, query: null }],
      ['allowances may Platform', { kind: 'allowances', month: { year: null, month: 5 }, query: 'Platform' }],
      ['allowances Platform primary', { kind: 'allowances', month: null, query: 'Platform primary' }],
      // Two letters or a longer prefix are not month names: they name a scope.
      ['allowances ma', { kind: 'allowances', month: null, query: 'ma' }],
      ['allowances marc', { kind: 'allowances', month: null, query: 'marc' }],
    ];
    for (const [text, want] of cases) assert.deepEqual(parseIncidentCommand(text), want, text);
  });

  test('a month or year out of range is refused with the form to use', () => {
    for (const text of [
      'allowances 2026-13',
      'allowances 2026-0',
      'allowances 1969-12',
      'allowances 9999-01',
      'allowances nov 1900',
    ]) {
      assert.throws(
        () => parseIncidentCommand(text),
        (e: unknown) => e instanceof AppError && /not a (month|year)/.test(e.userMessage),
        text,
      );
    }
    assert.throws(() => parseIncidentCommand(`allowances ${'x'.repeat(201)}`), /too long/);
    assert.equal(parseMonthWords([]), null);
  });

  test('no month: the last full month, in the team zone (a new year goes back to December)', () => {
    const p = payPeriod(null, new Date('2026-12-06T10:00:00Z'), LONDON);
    assert.deepEqual(
      [p.key, p.label, iso(p.from), iso(p.to), p.complete],
      ['2026-11', 'November 2026', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', true],
    );
    const jan = payPeriod(null, new Date('2027-01-01T00:30:00Z'), LONDON);
    assert.equal(jan.key, '2026-12');
    // 23:30 UTC on 31 October is still October in London (GMT), but 00:30 on 1 April BST is April.
    assert.equal(payPeriod(null, new Date('2026-10-31T23:30:00Z'), LONDON).key, '2026-09');
    assert.equal(payPeriod(null, new Date('2026-03-31T23:30:00Z'), LONDON).key, '2026-03');
  });

  test('a month starts at local midnight: summer months in London start an hour before UTC midnight', () => {
    const july = payPeriod({ year: 2026, month: 7 }, new Date('2026-12-06T10:00:00Z'), LONDON);
    assert.deepEqual([iso(july.from), iso(july.to)], ['2026-06-30T23:00:00.000Z', '2026-07-31T23:00:00.000Z']);
    // March holds the spring change: 31 days less an hour.
    const march = payPeriod({ year: 2026, month: 3 }, new Date('2026-12-06T10:00:00Z'), LONDON);
    assert.equal(march.to.getTime() - march.from.getTime(), (31 * 24 - 1) * 3600_000);
    const ny = payPeriod({ year: 2026, month: 11 }, new Date('2026-12-06T10:00:00Z'), 'America/New_York');
    assert.deepEqual([iso(ny.from), iso(ny.to)], ['2026-11-01T04:00:00.000Z', '2026-12-01T05:00:00.000Z']);
  });

  test('the month under way runs to now; a name without a year is the latest such month begun; a month not begun is refused', () => {
    const now = new Date('2026-12-06T10:00:00Z');
    const dec = payPeriod({ year: null, month: 12 }, now, LONDON);
    assert.deepEqual([dec.key, iso(dec.to), dec.complete], ['2026-12', iso(now), false]);
    assert.equal(payPeriod({ year: null, month: 11 }, now, LONDON).key, '2026-11');
    assert.equal(payPeriod({ year: null, month: 3 }, new Date('2027-01-10T00:00:00Z'), LONDON).key, '2026-03');
    assert.throws(
      () => payPeriod({ year: 2027, month: 1 }, now, LONDON),
      (e: unknown) =>
        e instanceof AppError &&
        e.userMessage === 'January 2027 has not begun yet: ask for this month or an earlier one.',
    );
  });
});
