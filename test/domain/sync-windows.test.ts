import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REFRESH_MS, SETTLE_MS, isFresh, windowsCovering } from '../../src/domain/sync-windows.ts';

describe('sync windows', () => {
  test('seven-day windows from Monday 00:00 UTC cover the period exactly once', () => {
    const w = windowsCovering(new Date('2026-11-04T12:00:00Z'), new Date('2026-11-25T00:00:00Z'));
    assert.deepEqual(
      w.map((x) => [x.start.toISOString(), x.end.toISOString()]),
      [
        ['2026-11-02T00:00:00.000Z', '2026-11-09T00:00:00.000Z'],
        ['2026-11-09T00:00:00.000Z', '2026-11-16T00:00:00.000Z'],
        ['2026-11-16T00:00:00.000Z', '2026-11-23T00:00:00.000Z'],
        ['2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z'],
      ],
    );
    assert.equal(new Date('2026-11-02T00:00:00Z').getUTCDay(), 1, 'a Monday');
    assert.equal(windowsCovering(new Date('2025-11-25T00:00:00Z'), new Date('2026-11-25T00:00:00Z')).length, 53);
    assert.deepEqual(
      windowsCovering(new Date('2026-11-09T00:00:00Z'), new Date('2026-11-09T00:00:00Z')),
      [],
      'an empty period',
    );
  });

  test('a window is fresh when fetched after it settled, or recently', () => {
    const start = new Date('2026-11-02T00:00:00Z');
    const end = new Date('2026-11-09T00:00:00Z');
    const now = new Date('2026-11-25T00:00:00Z');
    assert.equal(isFresh({ start, end, fetchedAt: new Date(end.getTime() + SETTLE_MS) }, now), true, 'final');
    assert.equal(
      isFresh({ start, end, fetchedAt: new Date(end.getTime() - 1) }, now),
      false,
      'fetched before it ended, long ago',
    );
    assert.equal(
      isFresh({ start, end, fetchedAt: new Date(now.getTime() - REFRESH_MS + 1) }, now),
      true,
      'recent copy',
    );
    assert.equal(
      isFresh({ start, end: new Date('2026-11-30T00:00:00Z'), fetchedAt: new Date(now.getTime() - REFRESH_MS) }, now),
      false,
      'the current week, stale',
    );
  });
});
