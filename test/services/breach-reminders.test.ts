// The breach clock on the real store (PGlite, and the PostgreSQL server when TEST_DATABASE_URL is
// set): the compare-and-set claim, a failed post given back and sent by the next check, what the
// reminder queue reschedules at start, and a declared breach's record.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, test } from 'node:test';
import type { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import type { Incident } from '../../src/domain/incident.ts';
import { nextBreachReminderAt } from '../../src/domain/breach.ts';
import { sendReminders } from '../../src/services/incident/send-reminders.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const HOUR = 3_600_000;
const awareAt = new Date('2026-11-24T09:00:00Z');
const declaredAt = new Date('2026-11-24T14:05:00Z');
const at = (hours: number) => new Date(awareAt.getTime() + hours * HOUR);

function harness(store: PrismaIncidentStore) {
  const clock = new TestClock(declaredAt);
  const chat = new FakeChat();
  const deps = testDeps({ store, chat, clock });
  const notices = () => chat.notices.map((n) => n.notice);
  return {
    deps,
    get notices() {
      return notices();
    },
    /** The summaries redrawn (their ts). */
    get summaries() {
      return chat.summaries.filter((s) => s.redraw).map((s) => s.ts);
    },
    setNow: (d: Date) => clock.set(d),
    failNotify: (on: boolean) => chat.failOn('notify', on ? new Error('slack down') : null),
    breachHours: () => notices().flatMap((n) => (n.kind === 'breach-reminder' ? [n.hours] : [])),
  };
}

/** A breach declared with an awareness time, in its channel, with a commander. */
async function aBreach(store: PrismaIncidentStore, opts: { aware?: Date } = {}): Promise<Incident> {
  const { incident } = await store.createIfAbsent(
    declaring({
      declareKey: randomUUID(),
      declaration: aDeclaration({
        title: 'Clinic letters sent to wrong addresses',
        dataBreach: true,
        ...(opts.aware ? { breachAwareAt: opts.aware } : {}),
      }),
      declaredAt,
      via: 'test',
    }),
  );
  await store.recordProvisioning(incident.id, {
    channelId: `C${randomUUID().slice(0, 8).toUpperCase()}`,
    summaryTs: '1.0001',
  });
  return (await store.applyChange(
    incident.id,
    { role: { role: 'COMMANDER', userId: 'UBOB', assignedBy: 'UALICE' } },
    { occurredAt: declaredAt, kind: 'test_setup', actorId: null, text: 'set up for the test' },
  ))!;
}

for (const database of testDatabases()) {
  describe(`breach reminders on the store (${database.name})`, () => {
    const testStore = useTestStore(database);
    let store: PrismaIncidentStore;
    beforeEach(() => {
      store = testStore.store();
    });

    test('a declared breach records its awareness time (the declare time by default) and a timeline entry at that moment', async () => {
      const given = await aBreach(store, { aware: awareAt });
      assert.equal(given.dataBreach, true);
      assert.deepEqual(given.breachAwareAt, awareAt);
      assert.equal(given.breachRemindedHours, 0);
      const entry = (await store.timeline(given.id)).find((e) => e.kind === 'data_breach');
      assert.deepEqual(entry?.occurredAt, awareAt);
      assert.equal((await store.timeline(given.id)).find((e) => e.kind === 'declared')?.data?.dataBreach, true);
      const defaulted = await aBreach(store);
      assert.deepEqual(defaulted.breachAwareAt, declaredAt);
    });

    test('the claim is a compare-and-set: once per point, never an earlier point, never for a stale awareness time or after notifying', async () => {
      const i = await aBreach(store, { aware: awareAt });
      const claims = await Promise.all([
        store.claimBreachReminder(i.id, 24, awareAt),
        store.claimBreachReminder(i.id, 24, awareAt),
      ]);
      assert.deepEqual(claims.sort(), [false, true]);
      assert.equal(await store.claimBreachReminder(i.id, 24, awareAt), false, 'sent already');
      assert.equal(
        await store.claimBreachReminder(i.id, 48, new Date(awareAt.getTime() + 60_000)),
        false,
        'read before the awareness time changed',
      );
      assert.equal(await store.claimBreachReminder(i.id, 66, awareAt), true);
      assert.equal(await store.claimBreachReminder(i.id, 48, awareAt), false, 'a later point was sent');
      await store.applyChange(
        i.id,
        { breachNotifiedAt: at(67), breachNotifiedBy: 'UBOB' },
        { occurredAt: at(67), kind: 'breach_notified', actorId: 'UBOB', text: 'notified' },
      );
      assert.equal(await store.claimBreachReminder(i.id, 72, awareAt), false, 'notified: the clock stopped');
    });

    test('a failed post gives the claim back and the next check sends it; the summary is redrawn after a reminder', async () => {
      const h = harness(store);
      const i = await aBreach(store, { aware: awareAt });
      h.setNow(at(24.5));
      h.failNotify(true);
      await assert.rejects(sendReminders(h.deps, i.id), /slack down/);
      assert.equal((await store.findById(i.id))!.breachRemindedHours, 0, 'given back');
      h.failNotify(false);
      const sent = await sendReminders(h.deps, i.id);
      assert.deepEqual(
        sent.filter((r) => r.kind === 'breach-reminder').map((r) => r.kind === 'breach-reminder' && r.hours),
        [24],
      );
      assert.deepEqual(h.breachHours(), [24]);
      assert.equal((await store.findById(i.id))!.breachRemindedHours, 24);
      assert.deepEqual(h.summaries, ['1.0001']);
      // The breach clock's next point, as stored: 48 hours.
      assert.deepEqual(nextBreachReminderAt((await store.findById(i.id))!, at(24.5)), at(48));
    });

    test('the queue reschedules breaches awaiting notice whatever their status, and nothing notified or turned off', async () => {
      const resolved = await aBreach(store, { aware: awareAt });
      await store.applyChange(
        resolved.id,
        { status: 'RESOLVED', resolvedAt: at(10) },
        { occurredAt: at(10), kind: 'resolved', actorId: 'UBOB', text: 'Resolved' },
      );
      const notified = await aBreach(store, { aware: awareAt });
      await store.applyChange(
        notified.id,
        { breachNotifiedAt: at(10), breachNotifiedBy: 'UBOB' },
        { occurredAt: at(10), kind: 'breach_notified', actorId: 'UBOB', text: 'notified' },
      );
      const off = await aBreach(store, { aware: awareAt });
      await store.applyChange(
        off.id,
        { dataBreach: false },
        { occurredAt: at(10), kind: 'data_breach', actorId: 'UBOB', text: 'off' },
        { dataBreach: true },
      );
      const awaiting = (await store.listAwaitingBreachNotice()).map((x) => x.id);
      assert.ok(awaiting.includes(resolved.id));
      assert.ok(!awaiting.includes(notified.id));
      assert.ok(!awaiting.includes(off.id));
      assert.ok(!(await store.listActive()).some((x) => x.id === resolved.id), 'not active, yet still on the clock');
    });
  });
}
