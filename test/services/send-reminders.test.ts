// sendReminders on the real store (PGlite, and the PostgreSQL server when TEST_DATABASE_URL is set)
// with a fake clock, a recording chat platform and a recording scheduler.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, test } from 'node:test';
import type { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import type { Incident } from '../../src/domain/incident.ts';
import { nextReminderAt } from '../../src/domain/reminders.ts';
import type { Severity } from '../../src/domain/severity.ts';
import { sendReminders } from '../../src/services/incident/send-reminders.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const declaredAt = new Date('2026-11-24T14:05:00Z');
const at = (minutes: number) => new Date(declaredAt.getTime() + minutes * 60_000);

function harness(store: PrismaIncidentStore) {
  const clock = new TestClock(declaredAt);
  const chat = new FakeChat();
  const scheduled: { incidentId: string; next: Date | null }[] = [];
  const deps = testDeps({
    store,
    chat,
    clock,
    reminders: {
      async schedule(incident) {
        scheduled.push({ incidentId: incident.id, next: nextReminderAt(incident, clock.now()) });
      },
    },
  });
  return {
    deps,
    notices: chat.notices,
    scheduled,
    setNow: (d: Date) => clock.set(d),
    failNotify: (on: boolean) => chat.failOn('notify', on ? new Error('slack down') : null),
    kinds: () => chat.noticeKinds(),
  };
}

async function anIncidentIn(
  store: PrismaIncidentStore,
  severity: Severity,
  opts: { commander?: string } = {},
): Promise<Incident> {
  const { incident } = await store.createIfAbsent(
    declaring({
      declareKey: randomUUID(),
      declaration: aDeclaration({ title: 'EHR login failing', severity }),
      declaredAt,
      via: 'test',
    }),
  );
  await store.recordProvisioning(incident.id, { channelId: `C${randomUUID().slice(0, 8).toUpperCase()}` });
  const changed = await store.applyChange(
    incident.id,
    {
      lastUpdateAt: declaredAt,
      ...(opts.commander ? { role: { role: 'COMMANDER', userId: opts.commander, assignedBy: 'UALICE' } } : {}),
    },
    { occurredAt: declaredAt, kind: 'test_setup', actorId: null, text: 'set up for the test' },
  );
  return changed!;
}

for (const database of testDatabases()) {
  describe(`sending reminders (${database.name})`, () => {
    const testStore = useTestStore(database);
    let store: PrismaIncidentStore;
    beforeEach(() => {
      store = testStore.store();
    });

    test('two concurrent checks send each due reminder exactly once, in the incident channel', async () => {
      const h = harness(store);
      const incident = await anIncidentIn(store, 'SEV1');
      h.setNow(at(31));
      const [a, b] = await Promise.all([sendReminders(h.deps, incident.id), sendReminders(h.deps, incident.id)]);
      assert.deepEqual([...a, ...b].map((r) => r.kind).sort(), ['commander-nudge', 'update-reminder']);
      assert.deepEqual(h.kinds().sort(), ['commander-nudge', 'update-reminder']);
      assert.ok(h.notices.every((n) => n.channelId === incident.channelId));
      const reminder = h.notices.find((n) => n.notice.kind === 'update-reminder')!.notice;
      assert.equal(reminder.kind === 'update-reminder' && reminder.minutesSinceUpdate, 31);
      const nudge = h.notices.find((n) => n.notice.kind === 'commander-nudge')!.notice;
      assert.equal(nudge.kind === 'commander-nudge' && nudge.minutesSinceDeclared, 31);

      // Both checks scheduled the next one: the reminder 60 minutes after the update.
      assert.equal(h.scheduled.length, 2);
      assert.deepEqual(
        h.scheduled.map((s) => s.next),
        [at(60), at(60)],
      );

      // The same due time again: nothing.
      h.setNow(at(59));
      assert.deepEqual(await sendReminders(h.deps, incident.id), []);
      assert.equal(h.notices.length, 2);
      // The next due time: the update reminder once more, not the nudge.
      h.setNow(at(60));
      assert.deepEqual(
        (await sendReminders(h.deps, incident.id)).map((r) => r.kind),
        ['update-reminder'],
      );
      assert.equal(h.notices.length, 3);
    });

    test('nothing after resolving, and nothing more is scheduled', async () => {
      const h = harness(store);
      const incident = await anIncidentIn(store, 'SEV1');
      h.setNow(at(20));
      const resolved = await store.applyChange(
        incident.id,
        { status: 'RESOLVED', resolvedAt: at(20) },
        { occurredAt: at(20), kind: 'resolved', actorId: 'UALICE', text: 'Resolved' },
      );
      assert.equal(resolved?.status, 'RESOLVED');
      h.setNow(at(240));
      assert.deepEqual(await sendReminders(h.deps, incident.id), []);
      assert.deepEqual(h.notices, []);
      assert.deepEqual(h.scheduled, [{ incidentId: incident.id, next: null }]);
    });

    test('a status update postpones the next update reminder', async () => {
      const h = harness(store);
      const incident = await anIncidentIn(store, 'SEV2', { commander: 'UBOB' });
      h.setNow(at(60));
      assert.deepEqual(
        (await sendReminders(h.deps, incident.id)).map((r) => r.dueAt),
        [at(60)],
      );

      await store.applyChange(
        incident.id,
        { lastUpdateAt: at(70) },
        { occurredAt: at(70), kind: 'status_update', actorId: 'UBOB', text: 'Rolling back the deploy' },
      );
      h.setNow(at(120)); // was the next due time before the update
      assert.deepEqual(await sendReminders(h.deps, incident.id), []);
      assert.deepEqual(h.scheduled.at(-1)?.next, at(130));
      h.setNow(at(130));
      const sent = await sendReminders(h.deps, incident.id);
      assert.deepEqual(sent, [{ kind: 'update-reminder', dueAt: at(130), minutesSinceUpdate: 60 }]);
      assert.deepEqual(h.kinds(), ['update-reminder', 'update-reminder']);
    });

    test('the commander nudge stops once a commander is set', async () => {
      const h = harness(store);
      const incident = await anIncidentIn(store, 'SEV3');
      h.setNow(at(5));
      assert.deepEqual(await sendReminders(h.deps, incident.id), []);
      assert.deepEqual(h.scheduled.at(-1)?.next, at(10));

      await store.applyChange(
        incident.id,
        { role: { role: 'COMMANDER', userId: 'UBOB', assignedBy: 'UALICE' } },
        { occurredAt: at(8), kind: 'role_assigned', actorId: 'UALICE', text: 'Commander: <@UBOB>' },
      );
      h.setNow(at(10));
      assert.deepEqual(await sendReminders(h.deps, incident.id), []);
      assert.deepEqual(h.notices, []);
      assert.deepEqual(h.scheduled.at(-1)?.next, at(120));
    });

    test('the commander nudge is sent once', async () => {
      const h = harness(store);
      const incident = await anIncidentIn(store, 'SEV4');
      h.setNow(at(10));
      assert.deepEqual(
        (await sendReminders(h.deps, incident.id)).map((r) => r.kind),
        ['commander-nudge'],
      );
      h.setNow(at(11));
      assert.deepEqual(await sendReminders(h.deps, incident.id), []);
      assert.deepEqual(h.kinds(), ['commander-nudge']);
    });

    test('a reminder that could not be posted is given back and sent by the retry, once', async () => {
      const h = harness(store);
      const incident = await anIncidentIn(store, 'SEV1', { commander: 'UBOB' });
      h.setNow(at(30));
      h.failNotify(true);
      await assert.rejects(sendReminders(h.deps, incident.id), /slack down/, 'the job fails, so pg-boss retries it');
      h.failNotify(false);
      assert.deepEqual(
        (await sendReminders(h.deps, incident.id)).map((r) => r.kind),
        ['update-reminder'],
      );
      assert.deepEqual(await sendReminders(h.deps, incident.id), [], 'and only once');
      assert.deepEqual(h.scheduled.at(-1)?.next, at(60));
    });

    test('no reminder is claimed for an update that came after it was read, or once resolved', async () => {
      const h = harness(store);
      const incident = await anIncidentIn(store, 'SEV1', { commander: 'UBOB' });
      assert.equal(
        await store.claimUpdateReminder(incident.id, at(30), new Date(incident.lastUpdateAt.getTime() - 1)),
        false,
        'stale read',
      );
      await store.applyChange(
        incident.id,
        { status: 'RESOLVED' },
        { occurredAt: at(5), kind: 'status_changed', actorId: 'UBOB', text: 'Resolved' },
      );
      assert.equal(await store.claimUpdateReminder(incident.id, at(30), incident.lastUpdateAt), false, 'resolved');
      assert.equal(await store.claimCommanderNudge(incident.id, at(30)), false);
      h.setNow(at(31));
      assert.deepEqual(await sendReminders(h.deps, incident.id), []);
    });

    test('an unknown incident: nothing', async () => {
      const h = harness(store);
      assert.deepEqual(await sendReminders(h.deps, randomUUID()), []);
      assert.deepEqual(h.scheduled, []);
    });
  });
}
