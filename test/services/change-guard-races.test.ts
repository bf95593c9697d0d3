// Check-then-act on shared state, at the same moment, on the real stores (PGlite, and the PostgreSQL
// server when TEST_DATABASE_URL is set): each decision is either one statement, a unique
// constraint, or taken under the incident's change guard, so of two requests deciding on the same
// state, the second sees the first or is refused. Roles, action items (complete, reassign, snooze,
// their reminders), resolving linked PagerDuty incidents, message deletes, the on-call history
// cache and provisioning runs that outlive their lease.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { PrismaLoadCache } from '../../src/db/prisma-load-cache.ts';
import { PrismaReviewStore } from '../../src/db/prisma-review-store.ts';
import type { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import { AppError } from '../../src/domain/errors.ts';
import { SYSTEM_DECLARER, type Incident } from '../../src/domain/incident.ts';
import type { OnCallProvider } from '../../src/ports/on-call-provider.ts';
import { assignRole } from '../../src/services/incident/assign-role.ts';
import { provisionIncident } from '../../src/services/incident/provision-incident.ts';
import { reassignActionItem } from '../../src/services/review/reassign-action-item.ts';
import { resolvePagedIncidents } from '../../src/services/on-call/resolve-paged-incidents.ts';
import { declaring, aDeclaration } from '../support/fixtures.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';

const at = new Date('2026-12-01T10:00:00Z');

function harness(
  store: PrismaIncidentStore,
  reviews: PrismaReviewStore,
  opts: { onCall?: OnCallProvider; clock?: TestClock; leaseMs?: number } = {},
) {
  let holdAnnounce: Promise<void> | null = null;
  const chat = new FakeChat();
  chat.before = async (method) => {
    if (method !== 'announce') return;
    const held = holdAnnounce;
    holdAnnounce = null;
    if (held) await held;
  };
  const deps = testDeps({
    store,
    reviews,
    chat,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.onCall ? { onCall: opts.onCall } : {}),
    ...(opts.leaseMs ? { settings: { provisioning: { leaseMs: opts.leaseMs, graceMs: 0 } } } : {}),
  });
  return {
    deps,
    /** Holds the next announcement until the returned function is called. */
    holdNextAnnounce() {
      let release!: () => void;
      holdAnnounce = new Promise<void>((r) => (release = r));
      return release;
    },
  };
}

/**
 * `obj` whose `method` holds its first `n` answers until all `n` have been read: every racer then
 * decides on the same state, so the change guard, not the timing, decides who wins. Later calls
 * pass straight through.
 */
function readingTogether<T extends object>(obj: T, method: keyof T & string, n: number): T {
  let waiting: (() => void)[] = [];
  let held = 0;
  return new Proxy(obj, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop !== method) return value.bind(target);
      return async (...args: unknown[]) => {
        const result = await value.apply(target, args);
        if (held >= n) return result;
        held++;
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length === n) {
            for (const release of waiting) release();
            waiting = [];
          }
        });
        return result;
      };
    },
  });
}

async function anIncident(store: PrismaIncidentStore, declaredBy = 'UALICE', commander?: string): Promise<Incident> {
  const { incident } = await store.createIfAbsent(
    declaring({
      declareKey: randomUUID(),
      declaration: aDeclaration({ title: 'Races' }),
      declaredBy,
      declaredAt: at,
      via: 'test',
    }),
  );
  await store.recordProvisioning(incident.id, {
    channelId: `C${randomUUID().slice(0, 8).toUpperCase()}`,
    summaryTs: '1.0001',
  });
  if (commander) {
    await store.applyChange(
      incident.id,
      { role: { role: 'COMMANDER', userId: commander, assignedBy: declaredBy } },
      { occurredAt: at, kind: 'role_assigned', actorId: declaredBy, text: 'set up' },
    );
  }
  return (await store.findById(incident.id))!;
}

/** Settles every promise; the values and the errors. */
async function settle<T>(work: Promise<T>[]) {
  const results = await Promise.allSettled(work);
  return {
    ok: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    refused: results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown),
  };
}

for (const database of testDatabases()) {
  describe(`check-then-act races (${database.name})`, () => {
    const env = useTestStore(database);
    const reviews = () => new PrismaReviewStore(env.db().prisma);

    test('two responders taking command of a PagerDuty-declared incident at once: one gets it, the other is told', async () => {
      const store = env.store();
      // All three look the incident up before any of them takes command.
      const h = harness(readingTogether(store, 'findByChannel', 3), reviews());
      const incident = await anIncident(store, SYSTEM_DECLARER);
      const { ok, refused } = await settle(
        ['UBOB', 'UCAROL', 'UDAN'].map((userId) =>
          assignRole(h.deps, { channelId: incident.channelId!, userId, role: 'COMMANDER', assignee: userId }),
        ),
      );
      assert.equal(ok.length, 1, 'one takes command');
      assert.equal(refused.length, 2);
      for (const err of refused) assert.ok(err instanceof AppError && err.code === 'conflict', String(err));
      const entries = (await store.timeline(incident.id)).filter((e) => e.kind === 'role_assigned');
      assert.equal(entries.length, 1, 'one role_assigned entry');
      assert.equal((await store.findById(incident.id))!.roles.COMMANDER, entries[0]!.data!.userId);
    });

    test('an action item reassigned by its owner and its commander at once: one reassign, one refusal', async () => {
      const store = env.store();
      const r = reviews();
      // Both read the item before either reassigns it.
      const h = harness(store, readingTogether(r, 'findActionItem', 2));
      const incident = await anIncident(store, 'UALICE', 'UKATE');
      const item = await r.addActionItem(
        incident.id,
        { text: 'Add a guardrail', ownerId: 'UOWEN', due: '2099-01-01', category: 'guardrail', priority: 'medium' },
        { by: 'UALICE', at },
      );
      const { ok, refused } = await settle([
        reassignActionItem(h.deps, { actionItemId: item.id, userId: 'UOWEN', ownerId: 'UBOB' }),
        reassignActionItem(h.deps, { actionItemId: item.id, userId: 'UKATE', ownerId: 'UDAN' }),
      ]);
      assert.equal(ok.length, 1);
      assert.equal(refused.length, 1);
      assert.ok(refused[0] instanceof AppError && refused[0].code === 'conflict');
      const entries = (await store.timeline(incident.id)).filter((e) => e.kind === 'action_item_reassigned');
      assert.equal(entries.length, 1, 'one reassign on the timeline');
      assert.equal((await r.findActionItem(item.id))!.ownerId, ok[0]!.ownerId);
    });

    test('an action item change decided on a stale read is refused: the former owner cannot complete it, the sweep cannot remind them', async () => {
      const store = env.store();
      const r = reviews();
      const incident = await anIncident(store, 'UALICE', 'UKATE');
      const item = await r.addActionItem(
        incident.id,
        { text: 'Write the runbook', ownerId: 'UOWEN', due: '2026-12-01', category: 'runbook', priority: 'medium' },
        { by: 'UALICE', at },
      );
      // Read by the former owner's click and by a reminder sweep, then reassigned to Bob.
      const seenByOwen = { ownerId: 'UOWEN' };
      await r.reassignActionItem(item.id, 'UBOB', { by: 'UKATE', at }, { ownerId: 'UOWEN' });
      assert.equal(
        await r.completeActionItem(item.id, { by: 'UOWEN', at }, seenByOwen),
        null,
        'Owen no longer owns it',
      );
      assert.equal(await r.snoozeActionItem(item.id, '2099-01-01', { by: 'UOWEN', at }, seenByOwen), null);
      assert.equal(
        await r.claimActionReminder(item.id, 'due', null, at, { ownerId: 'UOWEN', snoozedUntil: null }),
        false,
        'not reminded to the old owner',
      );
      // Snoozed after the sweep read it: no reminder either.
      await r.snoozeActionItem(item.id, '2099-01-01', { by: 'UBOB', at }, { ownerId: 'UBOB' });
      assert.equal(
        await r.claimActionReminder(item.id, 'due', null, at, { ownerId: 'UBOB', snoozedUntil: null }),
        false,
        'not reminded despite the snooze',
      );
      assert.equal(
        await r.claimActionReminder(item.id, 'due', null, at, { ownerId: 'UBOB', snoozedUntil: '2099-01-01' }),
        true,
        'as read: claimed',
      );
      // The commander handed over: the old commander's decision no longer holds.
      await store.applyChange(
        incident.id,
        { role: { role: 'COMMANDER', userId: 'ULEO', assignedBy: 'UKATE' } },
        { occurredAt: at, kind: 'role_assigned', actorId: 'UKATE', text: 'handover' },
      );
      assert.equal(
        await r.completeActionItem(item.id, { by: 'UKATE', at }, { ownerId: 'UBOB' }),
        null,
        'Kate no longer commands it',
      );
      assert.equal(
        (await r.completeActionItem(item.id, { by: 'ULEO', at }, { ownerId: 'UBOB' }))?.status,
        'done',
        'the new commander may',
      );
    });

    test('resolving the linked PagerDuty incidents twice at once records each once', async () => {
      const store = env.store();
      const resolvedAtPagerDuty: string[] = [];
      const onCall = {
        resolvePaged: async (id: string) => void resolvedAtPagerDuty.push(id),
      } as unknown as OnCallProvider;
      const h = harness(store, reviews(), { onCall });
      const incident = await anIncident(store, 'UALICE');
      for (const n of [1, 2]) {
        await store.linkPagerDuty(incident.id, {
          pagerDutyIncidentId: `PRES${n}-${incident.number}`,
          htmlUrl: null,
          title: `Page ${n}`,
          origin: 'page',
          status: 'triggered',
        });
      }
      await store.applyChange(
        incident.id,
        { status: 'RESOLVED', resolvedAt: at },
        { occurredAt: at, kind: 'status_changed', actorId: 'UALICE', text: 'Resolved' },
      );
      const input = { channelId: incident.channelId!, userId: 'UALICE' };
      const { ok } = await settle([resolvePagedIncidents(h.deps, input), resolvePagedIncidents(h.deps, input)]);
      assert.equal(
        ok.reduce((a, b) => a + b, 0),
        2,
        'two links resolved in all',
      );
      const entries = (await store.timeline(incident.id)).filter((e) => e.kind === 'pagerduty');
      assert.deepEqual(entries.map((e) => e.text).sort(), [
        'Resolved PagerDuty incident Page 1',
        'Resolved PagerDuty incident Page 2',
      ]);
      assert.ok((await store.pagerDutyLinks(incident.id)).every((l) => l.status === 'resolved'));
    });

    test('a message deleted twice keeps the first delete', async () => {
      const store = env.store();
      const incident = await anIncident(store);
      await store.upsertMessageEntry(incident.id, {
        sourceTs: '1764000000.000100',
        occurredAt: at,
        actorId: 'UBOB',
        text: 'pinned',
        permalink: null,
        kind: 'pinned_message',
      });
      const first = new Date('2026-12-01T11:00:00Z');
      await store.updateMessageEntry(incident.id, '1764000000.000100', { deletedAt: first });
      await store.updateMessageEntry(incident.id, '1764000000.000100', { deletedAt: new Date('2026-12-01T12:00:00Z') });
      const entry = (await store.timeline(incident.id)).find((e) => e.sourceTs === '1764000000.000100')!;
      assert.equal(entry.deletedAt?.toISOString(), first.toISOString());
    });

    test('one on-call history window saved by several reports at once keeps one copy of its stretches', async () => {
      const cache = new PrismaLoadCache(env.db().prisma, env.db().pool);
      const window = { start: new Date('2026-10-05T00:00:00Z'), end: new Date('2026-10-12T00:00:00Z') };
      // Nobody named: saves that name the same people happen to queue on those people's rows, but
      // two fetches of one window need not name the same people, so that cannot be what serializes them.
      const data = {
        people: [],
        stretches: [1, 2, 3].map((d) => ({
          userId: 'PRACE',
          scheduleId: 'PS1',
          escalationPolicyId: null,
          level: 1,
          start: new Date(`2026-10-0${5 + d}T00:00:00Z`),
          end: new Date(`2026-10-0${5 + d}T12:00:00Z`),
        })),
        pages: [],
      };
      for (let round = 0; round < 3; round++) {
        const scope = `race-${randomUUID()}`;
        // Saved once, then fetched again by several reports at once: each replaces the same rows.
        await cache.saveWindow(scope, window, data, new Date('2026-10-13T00:00:00Z'));
        await Promise.all(
          Array.from({ length: 8 }, () => cache.saveWindow(scope, window, data, new Date('2026-10-13T00:00:00Z'))),
        );
        assert.equal((await cache.read(scope, window.start, window.end)).stretches.length, 3, `round ${round}`);
      }
    });

    test('a provisioning run that stalls past its lease and is taken over stops at its next record', async () => {
      const store = env.store();
      const clock = new TestClock();
      const h = harness(store, reviews(), { clock, leaseMs: 60_000 });
      const { incident } = await store.createIfAbsent(
        declaring({
          declareKey: randomUUID(),
          declaration: aDeclaration({ title: 'Stalled' }),
          declaredAt: new Date(),
          via: 'test',
        }),
      );
      const release = h.holdNextAnnounce();
      const stalled = provisionIncident(h.deps, incident.id);
      // Wait until the stalled run is in its announcement, then let its lease run out.
      for (let i = 0; i < 200 && (await store.findById(incident.id))!.summaryPinned === false; i++)
        await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50));
      clock.advance(5 * 60_000);
      const takeover = await provisionIncident(h.deps, incident.id);
      assert.equal(takeover.state, 'complete');
      const announcedByTakeover = (await store.findById(incident.id))!.announcementTs;
      release();
      const late = await stalled;
      assert.notEqual(late.state, 'failed');
      assert.ok(
        late.state === 'busy' || (late.state === 'complete' && late.alreadyDone),
        `the stalled run reports the other run's work: ${late.state}`,
      );
      const after = (await store.findById(incident.id))!;
      assert.equal(
        after.announcementTs,
        announcedByTakeover,
        'the stalled run did not record over the run that took over',
      );
      assert.equal(after.provisionError, null);
    });
  });
}
