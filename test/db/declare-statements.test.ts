// Statements per declaration, counted on the database's pool (PriorityPool.statements): holding the
// declaration before the ack, recording the incident, releasing the hold, and every provisioning
// step (channel, declarer invited, summary posted and pinned, announcement, done), each step's
// record one statement that returns the incident with its roles and tells the audit trail who
// acted. A count, not a time: on the embedded database and on the PostgreSQL server.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { actingAs } from '../../src/audit-context.ts';
import { PgDeclarationIntake } from '../../src/db/pg-declaration-intake.ts';
import { declareIncident, type DeclareIncidentInput } from '../../src/services/incident/declare-incident.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, testDeps } from '../support/deps.ts';

const MAX_STATEMENTS = 15;

for (const database of testDatabases()) {
  describe(`statements per declaration (${database.name})`, () => {
    const { db } = useTestStore(database);

    test(`a declaration, held, recorded and provisioned, sends at most ${MAX_STATEMENTS} statements`, async () => {
      const chat = new FakeChat();
      const deps = testDeps({ db: db(), chat });
      const intake = new PgDeclarationIntake(db().pool);
      const input: DeclareIncidentInput = {
        declareKey: randomUUID(),
        declaration: { title: 'Pharmacy orders failing', severity: 'SEV2', affectedService: 'pharmacy' },
        declaredBy: 'UALICE',
        originChannelId: null,
        responseUrl: null,
        via: 'command',
      };
      const before = db().pool.statements;
      await intake.hold(input.declareKey, input, deps.clock.now());
      const result = await actingAs({ actor: 'UALICE', via: '/incident declare' }, () =>
        declareIncident(deps, input, intake),
      );
      const sent = db().pool.statements - before;

      assert.equal(result.duplicate, false);
      assert.ok(!result.duplicate && result.outcome.state === 'complete');
      const incident = result.outcome.incident;
      assert.ok(
        incident.provisionedAt && incident.summaryPinned && incident.announcementTs && incident.declarerInvited,
      );
      assert.equal(chat.channels.length, 1);
      assert.equal(chat.announcements.length, 1);
      // Everything was attributed to the declarer, as before.
      const actors = await db().prisma.$queryRaw<{ actor: string; via: string }[]>`
        SELECT DISTINCT actor, via FROM audit_entry WHERE incident_id = ${incident.id}::uuid`;
      assert.deepEqual(actors, [{ actor: 'UALICE', via: '/incident declare' }]);
      assert.ok(sent <= MAX_STATEMENTS, `${sent} statements for one declaration (at most ${MAX_STATEMENTS})`);
      assert.ok(sent > 0, 'the statements were counted');
    });

    test('a repeated declaration of the same request records nothing more and sends few statements', async () => {
      const deps = testDeps({ db: db(), chat: new FakeChat() });
      const input: DeclareIncidentInput = {
        declareKey: randomUUID(),
        declaration: { title: 'Lab results delayed', severity: 'SEV3' },
        declaredBy: 'UALICE',
        originChannelId: null,
        responseUrl: null,
        via: 'command',
      };
      const first = await declareIncident(deps, input);
      assert.equal(first.duplicate, false);
      const before = db().pool.statements;
      const again = await declareIncident(deps, input);
      const sent = db().pool.statements - before;
      assert.equal(again.duplicate, true);
      // The insert that fails on the key, and the read of the incident it found.
      assert.equal(sent, 2);
    });
  });
}
