import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDuration, incidentDurations } from '../../src/domain/durations.ts';
import {
  declaredAtFrom,
  formatReaderTime,
  slackTsToDate,
  statusChangesFrom,
  type StatusEntry,
} from '../../src/domain/timeline.ts';

const at = (iso: string) => new Date(iso);

describe('formatReaderTime', () => {
  test('winter: London GMT with a New York reader on EST', () => {
    assert.equal(
      formatReaderTime(at('2026-11-24T14:05:00Z'), 'Europe/London', 'America/New_York'),
      'Tue 24 Nov 14:05 GMT (09:05 EST)',
    );
  });

  test('summer: London BST with a New York reader on EDT', () => {
    assert.equal(
      formatReaderTime(at('2026-07-14T13:05:00Z'), 'Europe/London', 'America/New_York'),
      'Tue 14 Jul 14:05 BST (09:05 EDT)',
    );
  });

  test('between the US and UK clock changes the gap is four hours', () => {
    // The US moved to EDT on 8 March 2026, the UK to BST only on 29 March.
    assert.equal(
      formatReaderTime(at('2026-03-16T12:00:00Z'), 'Europe/London', 'America/New_York'),
      'Mon 16 Mar 12:00 GMT (08:00 EDT)',
    );
    // …and in autumn the UK is back on GMT a week before the US leaves EDT (25 Oct vs 1 Nov 2026).
    assert.equal(
      formatReaderTime(at('2026-10-28T12:00:00Z'), 'Europe/London', 'America/New_York'),
      'Wed 28 Oct 12:00 GMT (08:00 EDT)',
    );
  });

  test('across the London spring-forward hour, stored UTC maps to GMT then BST', () => {
    assert.equal(formatReaderTime(at('2026-03-29T00:59:00Z'), 'Europe/London', null), 'Sun 29 Mar 00:59 GMT');
    assert.equal(formatReaderTime(at('2026-03-29T01:00:00Z'), 'Europe/London', null), 'Sun 29 Mar 02:00 BST');
  });

  test('a New York default with a London reader', () => {
    assert.equal(
      formatReaderTime(at('2026-07-14T13:05:00Z'), 'America/New_York', 'Europe/London'),
      'Tue 14 Jul 09:05 EDT (14:05 BST)',
    );
    assert.equal(
      formatReaderTime(at('2026-01-05T13:05:00Z'), 'America/New_York', 'Europe/London'),
      'Mon 5 Jan 08:05 EST (13:05 GMT)',
    );
  });

  test('the same zone, no zone, an unknown zone or one that reads the same: no brackets', () => {
    const d = at('2026-11-24T14:05:00Z');
    assert.equal(formatReaderTime(d, 'Europe/London', 'Europe/London'), 'Tue 24 Nov 14:05 GMT');
    assert.equal(formatReaderTime(d, 'America/New_York', 'America/New_York'), 'Tue 24 Nov 09:05 EST');
    assert.equal(formatReaderTime(d, 'Europe/London', null), 'Tue 24 Nov 14:05 GMT');
    assert.equal(formatReaderTime(d, 'Europe/London', 'Not/A_Zone'), 'Tue 24 Nov 14:05 GMT');
    // Dublin reads "GMT" in winter too.
    assert.equal(formatReaderTime(d, 'Europe/London', 'Europe/Dublin'), 'Tue 24 Nov 14:05 GMT');
  });

  test("the reader's date is shown when it is another day there", () => {
    assert.equal(
      formatReaderTime(at('2026-11-24T23:30:00Z'), 'Europe/London', 'Asia/Tokyo'),
      'Tue 24 Nov 23:30 GMT (Wed 25 Nov 08:30 GMT+9)',
    );
    assert.equal(
      formatReaderTime(at('2026-11-25T02:30:00Z'), 'Europe/London', 'America/Los_Angeles'),
      'Wed 25 Nov 02:30 GMT (Tue 24 Nov 18:30 PST)',
    );
  });
});

describe('durations from the timeline', () => {
  const declared = at('2026-11-24T14:00:00Z');
  const entry = (kind: string, iso: string, data?: Record<string, unknown>): StatusEntry => ({
    kind,
    occurredAt: at(iso),
    ...(data ? { data } : {}),
  });
  const entries: StatusEntry[] = [
    entry('declared', '2026-11-24T14:00:00Z'),
    entry('note', '2026-11-24T14:01:00Z', { to: 'RESOLVED' }), // a note is never a status change
    entry('status_changed', '2026-11-24T14:05:00Z', { from: 'DECLARED', to: 'INVESTIGATING' }),
    entry('pinned_message', '2026-11-24T14:06:00Z'),
    entry('status_changed', '2026-11-24T14:30:00Z', { from: 'INVESTIGATING', to: 'IDENTIFIED' }),
    entry('status_changed', '2026-11-24T15:05:00Z', { from: 'IDENTIFIED', to: 'MONITORING' }),
    entry('resolved', '2026-11-24T16:00:00Z', { from: 'MONITORING', to: 'RESOLVED' }),
    entry('reopened', '2026-11-24T16:10:00Z', { from: 'RESOLVED', to: 'INVESTIGATING' }),
    entry('resolved', '2026-11-24T17:00:00Z'), // no data: implied
    entry('closed', '2026-11-24T18:00:00Z'),
  ];

  test('statusChangesFrom keeps only status moves, oldest first', () => {
    const shuffled = [...entries].reverse();
    assert.deepEqual(
      statusChangesFrom(shuffled).map((c) => [c.at.toISOString().slice(11, 16), c.to]),
      [
        ['14:05', 'INVESTIGATING'],
        ['14:30', 'IDENTIFIED'],
        ['15:05', 'MONITORING'],
        ['16:00', 'RESOLVED'],
        ['16:10', 'INVESTIGATING'],
        ['17:00', 'RESOLVED'],
        ['18:00', 'CLOSED'],
      ],
    );
    assert.deepEqual(statusChangesFrom([entry('status_changed', '2026-11-24T14:05:00Z', { to: 'BOGUS' })]), []);
    assert.deepEqual(statusChangesFrom([entry('reopened', '2026-11-24T14:05:00Z')]), []);
  });

  test('acknowledge, mitigate (monitoring) and resolve (the latest) from those changes', () => {
    const d = incidentDurations(declaredAtFrom(entries, at('2000-01-01T00:00:00Z')), statusChangesFrom(entries));
    assert.deepEqual(
      [formatDuration(d.toAcknowledgeMs), formatDuration(d.toMitigateMs), formatDuration(d.toResolveMs)],
      ['5m', '1h 05m', '3h 00m'],
    );
    const fresh = incidentDurations(declared, statusChangesFrom([entry('declared', '2026-11-24T14:00:00Z')]));
    assert.deepEqual(fresh, { toAcknowledgeMs: null, toMitigateMs: null, toResolveMs: null });
  });

  test('declaredAtFrom falls back to the given time without a declared entry', () => {
    assert.deepEqual(declaredAtFrom([], declared), declared);
    assert.deepEqual(declaredAtFrom([entry('declared', '2026-11-24T13:59:00Z')], declared), at('2026-11-24T13:59:00Z'));
  });
});

describe('slackTsToDate', () => {
  test("a message's ts is its time", () => {
    assert.equal(slackTsToDate('1764000000.000100')!.toISOString(), '2025-11-24T16:00:00.000Z');
    assert.equal(slackTsToDate('1764000000.123456')!.toISOString(), '2025-11-24T16:00:00.123Z');
    assert.equal(slackTsToDate('1764000000')!.toISOString(), '2025-11-24T16:00:00.000Z');
    for (const bad of ['', 'abc', '1764000000.', '-1.0', '1.2.3']) assert.equal(slackTsToDate(bad), null, bad);
  });
});
