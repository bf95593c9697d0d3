// The on-call history cache on both databases, and the sync over it with a fake PagerDuty: windows
// replaced not duplicated, stretches across a week boundary, newest weeks first, what the age says.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PrismaLoadCache } from '../../src/db/prisma-load-cache.ts';
import { SETTLE_MS } from '../../src/domain/sync-windows.ts';
import { silentLogger } from '../../src/logger.ts';
import type { LoadScope, OnCallHistory, OnCallWindow } from '../../src/ports/on-call-history.ts';
import { OnCallUnavailable } from '../../src/ports/on-call-provider.ts';
import { pagesWhileOnCall } from '../../src/services/on-call/show-on-call-load.ts';
import { syncOnCallHistory } from '../../src/services/on-call/sync-on-call-history.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { declaring, aDeclaration } from '../support/fixtures.ts';

const ALL: LoadScope = { kind: 'all', id: null, name: 'everyone on call' };
const d = (iso: string) => new Date(iso);
const person = { id: 'PALICE', name: 'Alice', email: 'alice@example.org', timeZone: 'Europe/London' };

for (const database of testDatabases()) {
  describe(`on-call history cache (${database.name})`, () => {
    const env = useTestStore(database);
    const cache = () => new PrismaLoadCache(env.db().prisma, env.db().pool);

    test('a window fetched again replaces its stretches; a stretch over a week boundary is two pieces, counted once by the report', async () => {
      const c = cache();
      const week1 = { start: d('2026-11-02T00:00:00Z'), end: d('2026-11-09T00:00:00Z') };
      const week2 = { start: d('2026-11-09T00:00:00Z'), end: d('2026-11-16T00:00:00Z') };
      const stretch = (start: string, end: string) => ({
        userId: 'PALICE',
        scheduleId: 'PS1',
        escalationPolicyId: 'PE1',
        level: 1,
        start: d(start),
        end: d(end),
      });
      const page = {
        id: 'LE1',
        incidentId: 'PI1',
        userId: 'PALICE',
        at: d('2026-11-08T23:30:00Z'),
        kind: 'assigned' as const,
        serviceId: null,
      };
      await c.saveWindow(
        't1',
        week1,
        { people: [person], stretches: [stretch('2026-11-08T12:00:00Z', '2026-11-09T00:00:00Z')], pages: [page] },
        d('2026-11-08T13:00:00Z'),
      );
      // Fetched again once the week is over: replaced, and the page stored once.
      await c.saveWindow(
        't1',
        week1,
        { people: [person], stretches: [stretch('2026-11-08T12:00:00Z', '2026-11-09T00:00:00Z')], pages: [page] },
        d('2026-11-10T00:00:00Z'),
      );
      await c.saveWindow(
        't1',
        week2,
        { people: [person], stretches: [stretch('2026-11-09T00:00:00Z', '2026-11-09T12:00:00Z')], pages: [] },
        d('2026-11-17T00:00:00Z'),
      );
      const read = await c.read('t1', d('2026-11-01T00:00:00Z'), d('2026-11-20T00:00:00Z'));
      assert.equal(read.stretches.length, 2, 'two pieces, no duplicate');
      assert.equal(read.pages.length, 1);
      assert.equal(read.pages[0]!.at.toISOString(), '2026-11-08T23:30:00.000Z');
      assert.deepEqual(
        read.people.map((p) => [p.id, p.timeZone]),
        [['PALICE', 'Europe/London']],
      );
      const windows = await c.windows('t1', d('2026-11-01T00:00:00Z'), d('2026-11-20T00:00:00Z'));
      assert.deepEqual(
        windows.map((w) => w.fetchedAt.toISOString()),
        ['2026-11-10T00:00:00.000Z', '2026-11-17T00:00:00.000Z'],
      );

      await c.setSlackUsers([{ personId: 'PALICE', slackUserId: 'UALICE' }], d('2026-11-20T00:00:00Z'));
      assert.equal(
        (await c.read('t1', d('2026-11-01T00:00:00Z'), d('2026-11-20T00:00:00Z'))).slackUsers.get('PALICE'),
        'UALICE',
      );
      assert.deepEqual(await c.peopleToMatch(['PALICE'], d('2026-11-19T00:00:00Z')), [], 'checked since');
      assert.equal((await c.peopleToMatch(['PALICE'], d('2026-11-21T00:00:00Z'))).length, 1, 'due for a new check');

      await c.saveScope('schedule:PS1', { kind: 'schedule', id: 'PS1', name: 'Platform Primary' });
      assert.deepEqual((await c.findScope('platform primary'))?.scope, {
        kind: 'schedule',
        id: 'PS1',
        name: 'Platform Primary',
      });
      assert.equal(await c.findScope('nothing'), null);
    });

    test('incident work: each holding of a role, ended by a handover or the resolution', async () => {
      const store = env.store();
      const { incident } = await store.createIfAbsent(
        declaring({
          declareKey: 'load-handover',
          declaration: aDeclaration({ title: 'Handover' }),
          declaredBy: 'UDECL',
          declaredAt: d('2026-11-20T10:00:00Z'),
        }),
      );
      const assign = (userId: string, at: string, previous: string | null) =>
        store.applyChange(
          incident.id,
          { role: { role: 'COMMANDER', userId, assignedBy: 'UDECL' } },
          {
            occurredAt: d(at),
            kind: 'role_assigned',
            actorId: 'UDECL',
            text: `Commander: ${userId}`,
            data: { role: 'COMMANDER', userId, previous },
          },
        );
      await assign('UALICE', '2026-11-20T10:05:00Z', null);
      await assign('UBOB', '2026-11-20T11:00:00Z', 'UALICE');
      await store.applyChange(
        incident.id,
        { status: 'RESOLVED', resolvedAt: d('2026-11-20T12:00:00Z') },
        {
          occurredAt: d('2026-11-20T12:00:00Z'),
          kind: 'status_changed',
          actorId: 'UBOB',
          text: 'Resolved',
          data: { from: 'DECLARED', to: 'RESOLVED' },
        },
      );
      const work = (
        await cache().incidentWork(
          ['UALICE', 'UBOB'],
          d('2026-11-01T00:00:00Z'),
          d('2026-11-25T00:00:00Z'),
          d('2026-11-25T00:00:00Z'),
        )
      )
        .filter((w) => w.incidentId === incident.id)
        .map((w) => [w.slackUserId, w.roles.join(), w.start.toISOString(), w.end.toISOString()]);
      assert.deepEqual(work, [
        ['UALICE', 'commander', '2026-11-20T10:05:00.000Z', '2026-11-20T11:00:00.000Z'],
        ['UBOB', 'commander', '2026-11-20T11:00:00.000Z', '2026-11-20T12:00:00.000Z'],
      ]);
    });

    test('sync fetches the newest weeks first; an outage part way leaves the report, flags the comparison and says how current it is', async () => {
      const c = cache();
      const asked: string[] = [];
      let failFrom = Infinity;
      const history: OnCallHistory = {
        findScope: async () => null,
        fetchWindow: async (_s, since): Promise<OnCallWindow> => {
          asked.push(since.toISOString().slice(0, 10));
          if (asked.length >= failFrom) throw new OnCallUnavailable('HTTP 503');
          return { people: [person], stretches: [], pages: [] };
        },
      };
      const now = d('2026-11-25T12:00:00Z');
      const deps = { history, loadCache: c, clock: { now: () => now }, logger: silentLogger };
      const periods = { previousFrom: d('2026-10-12T12:00:00Z'), from: d('2026-11-04T12:00:00Z'), to: now };
      failFrom = 5; // the four weeks of the current period fetched, then PagerDuty fails
      const first = await syncOnCallHistory(deps, 't2', ALL, periods);
      assert.deepEqual(asked.slice(0, 4), ['2026-11-23', '2026-11-16', '2026-11-09', '2026-11-02'], 'newest first');
      assert.equal(first.fetched, 4);
      assert.match(first.failed ?? '', /PagerDuty did not answer \(HTTP 503\)/);
      assert.equal(first.missingDays.current, 0, 'the current period is whole');
      assert.ok(first.missingDays.previous > 20, 'the period before has gaps');
      assert.equal(first.asOf?.toISOString(), now.toISOString(), 'the current week, as fetched now');

      // Ten minutes on, nothing is fetched; a day on, only the current week is stale; the finished weeks are final.
      asked.length = 0;
      failFrom = Infinity;
      const later = await syncOnCallHistory(
        { ...deps, clock: { now: () => new Date(now.getTime() + 5 * 60_000) } },
        't2',
        ALL,
        periods,
      );
      assert.ok(!asked.includes('2026-11-23'), 'the current week is fresh');
      assert.equal(later.missingDays.previous, 0, 'the gaps are filled now');
      const cached = await syncOnCallHistory(
        { ...deps, history: null, clock: { now: () => new Date(now.getTime() + 86_400_000) } },
        't2',
        ALL,
        periods,
        { fetch: false },
      );
      assert.equal(cached.fetched, 0);
      assert.equal(cached.failed, null, 'the cache alone is not a failure');
      assert.ok(
        cached.asOf && cached.asOf.getTime() <= now.getTime() + 5 * 60_000,
        'the current week is as old as its copy',
      );
      const weeks = await c.windows('t2', periods.previousFrom, now);
      const final = weeks.filter((w) => w.fetchedAt.getTime() >= w.end.getTime() + SETTLE_MS);
      assert.ok(final.length >= 5, 'weeks that were over when fetched are final');
    });
  });
}

describe('pages of a rotation', () => {
  test('count only while the person was on call in it (within an hour)', () => {
    const s = (start: string, end: string) => ({
      userId: 'P1',
      scheduleId: 'S',
      escalationPolicyId: null,
      level: 1,
      start: d(start),
      end: d(end),
    });
    const p = (id: string, at: string, userId = 'P1') => ({
      id,
      incidentId: 'I',
      userId,
      at: d(at),
      kind: 'assigned' as const,
      serviceId: null,
    });
    const kept = pagesWhileOnCall({
      people: [],
      stretches: [s('2026-11-02T09:00:00Z', '2026-11-03T09:00:00Z'), s('2026-11-10T09:00:00Z', '2026-11-11T09:00:00Z')],
      pages: [
        p('in', '2026-11-02T20:00:00Z'),
        p('grace', '2026-11-03T09:30:00Z'),
        p('between', '2026-11-06T12:00:00Z'),
        p('second', '2026-11-10T10:00:00Z'),
        p('other', '2026-11-02T20:00:00Z', 'P2'),
      ],
    });
    assert.deepEqual(
      kept.map((x) => x.id),
      ['in', 'grace', 'second'],
    );
  });
});
