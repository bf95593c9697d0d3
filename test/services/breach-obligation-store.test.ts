// The breach assessment and the obligations' notices on the real store (PGlite, and the PostgreSQL
// server when TEST_DATABASE_URL is set): the assessment written with its change, a reminder claim per
// obligation and point (compare-and-set), a notification made recorded once and never changed, the
// year-end claim once per year, and a not-reportable decision stopping the ICO's clock.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, test } from 'node:test';
import type { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import type { RecordedBreachAssessment } from '../../src/domain/breach-assessment.ts';
import type { Incident } from '../../src/domain/incident.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const awareAt = new Date('2026-11-24T09:00:00Z');
const declaredAt = new Date('2026-11-24T14:05:00Z');
const entry = (text: string) => ({ occurredAt: declaredAt, kind: 'test_setup', actorId: 'UALICE', text });
const DSPT = { regime: 'dspt', kind: 'dspt' } as const;

const ASSESSMENT: RecordedBreachAssessment = {
  categories: ['health'],
  peopleAffected: 3_000_000_000,
  peopleEstimated: true,
  mostInOneState: null,
  likelihood: 'possible',
  severity: 'significant',
  contained: false,
  containment: '',
  reportable: false,
  reason: 'Encrypted; the key was not exposed.',
  assessedBy: 'UDPO',
  assessedAt: declaredAt,
};

async function aBreach(store: PrismaIncidentStore): Promise<Incident> {
  const { incident } = await store.createIfAbsent(
    declaring({
      declareKey: randomUUID(),
      declaration: aDeclaration({ title: 'Letters misaddressed', dataBreach: true, breachAwareAt: awareAt }),
      declaredAt,
      via: 'test',
    }),
  );
  await store.recordProvisioning(incident.id, { channelId: `C${randomUUID().slice(0, 8).toUpperCase()}` });
  return (await store.findById(incident.id))!;
}

for (const database of testDatabases()) {
  describe(`breach assessment and notices on the store (${database.name})`, () => {
    const testStore = useTestStore(database);
    let store: PrismaIncidentStore;
    beforeEach(() => {
      store = testStore.store();
    });

    test('the assessment is written with its change (a person count above 2^31 kept), the decision on the incident', async () => {
      const i = await aBreach(store);
      assert.equal(await store.breachAssessment(i.id), null);
      const after = await store.applyChange(
        i.id,
        { breachAssessment: ASSESSMENT, breachReportable: false },
        entry('assessed'),
        { dataBreach: true },
      );
      assert.equal(after?.breachReportable, false);
      assert.deepEqual(await store.breachAssessment(i.id), ASSESSMENT);
      // A guard that fails writes neither the assessment nor the entry.
      const refused = await store.applyChange(
        i.id,
        { breachAssessment: { ...ASSESSMENT, reason: 'other' } },
        entry('refused'),
        { dataBreach: false },
      );
      assert.equal(refused, null);
      assert.equal((await store.breachAssessment(i.id))?.reason, ASSESSMENT.reason);
      assert.ok(!(await store.timeline(i.id)).some((e) => e.text === 'refused'));
      // Not reportable: the ICO's clock is not claimed.
      assert.equal(await store.claimBreachReminder(i.id, 24, awareAt), false);
    });

    test('two assessment forms decided on the same state: the second is refused, never overwriting the first', async () => {
      const i = await aBreach(store);
      // Both forms were opened with no assessment yet; the first is recorded.
      const first = await store.applyChange(
        i.id,
        { breachAssessment: ASSESSMENT, breachReportable: false },
        entry('first'),
        {
          dataBreach: true,
          breachAssessedAt: null,
        },
      );
      assert.ok(first);
      const second = await store.applyChange(
        i.id,
        {
          breachAssessment: { ...ASSESSMENT, reportable: null, reason: '', assessedBy: 'UBOB' },
          breachReportable: null,
        },
        entry('second'),
        { dataBreach: true, breachAssessedAt: null },
      );
      assert.equal(second, null, 'decided on a state that is gone');
      assert.deepEqual(await store.breachAssessment(i.id), ASSESSMENT);
      assert.equal((await store.findById(i.id))?.breachReportable, false);
      assert.ok(!(await store.timeline(i.id)).some((e) => e.text === 'second'));
      // Decided on the assessment as it now is: recorded.
      const later = { ...ASSESSMENT, contained: true, assessedAt: new Date(declaredAt.getTime() + 60_000) };
      const third = await store.applyChange(i.id, { breachAssessment: later }, entry('third'), {
        dataBreach: true,
        breachAssessedAt: ASSESSMENT.assessedAt,
      });
      assert.ok(third);
      assert.equal((await store.breachAssessment(i.id))?.contained, true);
    });

    test('a reminder claim per obligation and point: once, never an earlier point, not after notifying; given back', async () => {
      const i = await aBreach(store);
      const claims = await Promise.all([
        store.claimObligationReminder(i.id, DSPT, 1, awareAt),
        store.claimObligationReminder(i.id, DSPT, 1, awareAt),
      ]);
      assert.deepEqual(claims.sort(), [false, true]);
      assert.equal(
        await store.claimObligationReminder(i.id, DSPT, 1, new Date(awareAt.getTime() + 1)),
        false,
        'stale awareness time',
      );
      assert.equal(await store.claimObligationReminder(i.id, DSPT, 3, awareAt), true);
      assert.equal(await store.claimObligationReminder(i.id, DSPT, 2, awareAt), false, 'a later point was sent');
      await store.releaseObligationReminder(i.id, DSPT, 3, 1);
      assert.equal((await store.breachNotices(i.id))[0]?.remindedPoint, 1, 'given back');
      const notice = { ...DSPT, awareAt, at: declaredAt, by: 'UDPO', reference: 'DSPT-1' };
      assert.ok(
        await store.applyChange(i.id, { obligationNotices: [notice] }, entry('notified'), { dataBreach: true }),
      );
      assert.equal(await store.claimObligationReminder(i.id, DSPT, 3, awareAt), false, 'notified: no more reminders');
      // Recorded once: a second record is refused as a changed guard, nothing written.
      assert.equal(
        await store.applyChange(i.id, { obligationNotices: [{ ...notice, by: 'UBOB' }] }, entry('again'), {}),
        null,
      );
      const [row] = await store.breachNotices(i.id);
      assert.deepEqual([row?.notifiedBy, row?.reference], ['UDPO', 'DSPT-1']);
      // The database keeps it as recorded, even against a statement behind the bot's back.
      await assert.rejects(
        testStore.db().prisma
          .$executeRaw`UPDATE breach_obligation_notice SET reference = 'forged' WHERE incident_id = ${i.id}::uuid`,
        /a notification recorded as made is not changed/,
      );
    });

    test('the year-end list is claimed once per year, and given back', async () => {
      const year = 1900 + Math.floor(Math.random() * 100);
      const claims = await Promise.all([
        store.claimBreachYearEnd(year, declaredAt),
        store.claimBreachYearEnd(year, declaredAt),
      ]);
      assert.deepEqual(claims.sort(), [false, true]);
      await store.releaseBreachYearEnd(year);
      assert.equal(await store.claimBreachYearEnd(year, declaredAt), true);
    });
  });
}
