// The audit trail on both databases: every change is recorded in its own transaction with who and
// through what, the trail refuses updates and deletes, and verification finds an altered entry, a
// removed one in the middle or at the end, a removed head and an incident whose trail is gone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actingAs } from '../../src/audit-context.ts';
import { PrismaAuditTrail } from '../../src/db/prisma-audit-trail.ts';
import { PrismaReviewStore } from '../../src/db/prisma-review-store.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { tamper as tamperWith } from '../support/tamper.ts';
import { declaring, aDeclaration } from '../support/fixtures.ts';

const declaration = (title: string) => aDeclaration({ title });
const at = (iso: string) => new Date(iso);
const ALICE = { actor: 'UALICE', via: '/incident declare' };

for (const database of testDatabases()) {
  describe(`audit trail (${database.name})`, () => {
    const env = useTestStore(database);
    const trail = () => new PrismaAuditTrail(env.db().prisma);
    const tamper = (sql: string, ...params: unknown[]) => tamperWith(env.db().pool, sql, params);

    async function declareAndChange(title: string, key: string) {
      const store = env.store();
      const { incident } = await actingAs(ALICE, () =>
        store.createIfAbsent(
          declaring({
            declareKey: key,
            declaration: declaration(title),
            declaredAt: at('2026-12-01T10:00:00Z'),
          }),
        ),
      );
      await actingAs({ actor: 'UBOB', via: '/incident sev' }, () =>
        store.applyChange(
          incident.id,
          { severity: 'SEV1' },
          {
            occurredAt: at('2026-12-01T10:05:00Z'),
            kind: 'severity_changed',
            actorId: 'UBOB',
            text: 'SEV2 → SEV1',
            data: { from: 'SEV2', to: 'SEV1' },
          },
          { severity: 'SEV2' },
        ),
      );
      await actingAs({ actor: 'UBOB', via: 'button incident_role' }, () =>
        store.applyChange(
          incident.id,
          { role: { role: 'COMMANDER', userId: 'UBOB', assignedBy: 'UBOB' } },
          { occurredAt: at('2026-12-01T10:06:00Z'), kind: 'role_assigned', actorId: 'UBOB', text: 'commander: Bob' },
        ),
      );
      // Background work with no person behind it is the bot's own.
      await store.recordProvisioning(incident.id, { channelId: `C${key}`, channelName: `inc-${incident.number}` });
      return incident;
    }

    test('every change is recorded with who, what, through what, and before/after of what changed', async () => {
      const incident = await declareAndChange('Audit me', 'audit-1');
      const entries = (await trail().read(incident.id)).entries;
      assert.deepEqual(
        entries.map((e) => e.seq),
        entries.map((_, i) => i + 1),
        'seq 1, 2, 3… without gaps',
      );
      const actions = entries.map((e) => `${e.action} ${e.actor} ${e.via}`);
      assert.deepEqual(actions.slice(0, 2), [
        'incident.insert UALICE /incident declare',
        'timeline_entry.insert UALICE /incident declare',
      ]);
      const sev = entries.find((e) => e.action === 'incident.update' && e.via === '/incident sev')!;
      assert.equal(sev.actor, 'UBOB');
      assert.equal(sev.before!.severity, 'SEV2');
      assert.equal(sev.after!.severity, 'SEV1');
      assert.ok(!('title' in sev.after!), 'an update records only what changed');
      assert.ok(
        entries.some(
          (e) => e.action === 'incident_role.insert' && e.after!.user_id === 'UBOB' && e.via === 'button incident_role',
        ),
      );
      const provisioning = entries.find((e) => e.action === 'incident.update' && e.after!.channel_id === 'Caudit-1')!;
      assert.deepEqual([provisioning.actor, provisioning.via], ['bot', 'bot']);
      assert.equal(entries[0]!.prevHash, '0'.repeat(64));
      for (let i = 1; i < entries.length; i++) assert.equal(entries[i]!.prevHash, entries[i - 1]!.hash);
      const verified = await trail().verify(incident.id);
      assert.deepEqual(verified.problems, []);
      assert.equal(verified.entries, entries.length);
    });

    test('a change that rolls back leaves no audit entry', async () => {
      const incident = await declareAndChange('Rolled back', 'audit-2');
      const before = (await trail().read(incident.id)).entries.length;
      // The guard no longer holds (it is SEV1 now): nothing is written, the trail included.
      const result = await actingAs({ actor: 'UCAROL', via: '/incident sev' }, () =>
        env
          .store()
          .applyChange(
            incident.id,
            { severity: 'SEV3' },
            { occurredAt: at('2026-12-01T11:00:00Z'), kind: 'severity_changed', actorId: 'UCAROL', text: 'x' },
            { severity: 'SEV2' },
          ),
      );
      assert.equal(result, null);
      assert.equal((await trail().read(incident.id)).entries.length, before);
    });

    test('the trail is append-only: updates, deletes and truncation are refused', async () => {
      const incident = await declareAndChange('Append only', 'audit-3');
      const prisma = env.db().prisma;
      await assert.rejects(
        prisma.$executeRaw`UPDATE audit_entry SET actor = 'UMALLORY' WHERE incident_id = ${incident.id}::uuid`,
        /append-only/,
      );
      await assert.rejects(
        prisma.$executeRaw`DELETE FROM audit_entry WHERE incident_id = ${incident.id}::uuid`,
        /append-only/,
      );
      await assert.rejects(prisma.$executeRaw`TRUNCATE audit_entry`, /append-only/);
      assert.deepEqual((await trail().verify(incident.id)).problems, []);
    });

    test('only the audit trigger writes the trail: a hand-written entry or head (a forged link) is refused', async () => {
      const incident = await declareAndChange('No forgery', 'audit-10');
      const prisma = env.db().prisma;
      const last = (await trail().read(incident.id)).entries.at(-1)!;
      await assert.rejects(
        prisma.$executeRaw`INSERT INTO audit_entry (incident_id, seq, at, actor, via, action, row_key, prev_hash, hash)
                           VALUES (${incident.id}::uuid, ${last.seq + 1}, now(), 'UMALLORY', '/incident sev', 'incident.update', ${incident.id}, ${last.hash}, 'x')`,
        /written only by the audit trigger/,
      );
      await assert.rejects(
        prisma.$executeRaw`UPDATE audit_head SET seq = seq + 1 WHERE incident_id = ${incident.id}::uuid`,
        /written only by the audit trigger/,
      );
      await assert.rejects(
        prisma.$executeRaw`DELETE FROM audit_head WHERE incident_id = ${incident.id}::uuid`,
        /written only by the audit trigger/,
      );
      await assert.rejects(prisma.$executeRaw`TRUNCATE audit_head`, /append-only/);
      assert.deepEqual((await trail().read(incident.id)).problems, []);
    });

    test('texts with quotes, backslashes, line breaks, control characters and emoji verify: the check rebuilds what the database hashed', async () => {
      const tricky = 'Ward "7B" \\ back\nslash\ttab \u0001 café 🚑';
      const store = env.store();
      const { incident } = await actingAs({ actor: 'UALICE', via: `/incident ${tricky}` }, () =>
        store.createIfAbsent(
          declaring({
            declareKey: 'audit-11',
            declaration: declaration(tricky),
            declaredAt: at('2026-12-01T10:00:00Z'),
          }),
        ),
      );
      await actingAs({ actor: 'UBOB', via: 'form "note"' }, () =>
        store.addTimelineEntry(incident.id, {
          occurredAt: at('2026-12-01T10:01:00Z'),
          kind: 'note',
          actorId: 'UBOB',
          text: tricky,
          data: { nested: { quote: '"', list: [1, 2.5, null, true] } },
        }),
      );
      const audit = await trail().read(incident.id);
      assert.ok(audit.entries.length >= 3);
      assert.deepEqual(audit.problems, []);
      assert.equal(audit.entries[0]!.after!.title, tricky);
    });

    test('verification finds an altered entry, a removed one, a removed newest one and a removed trail', async () => {
      const store = env.store();
      const altered = await declareAndChange('Altered', 'audit-4');
      const gap = await declareAndChange('Gap', 'audit-5');
      const tail = await declareAndChange('Tail', 'audit-6');
      const gone = await declareAndChange('Gone', 'audit-7');
      const intact = await declareAndChange('Intact', 'audit-8');
      assert.deepEqual((await trail().verify()).problems, [], 'all intact to begin with');

      await tamper(
        `UPDATE audit_entry SET after = jsonb_set(after, '{severity}', '"SEV3"') WHERE incident_id = $1 AND action = 'incident.update' AND after ? 'severity'`,
        altered.id,
      );
      await tamper('DELETE FROM audit_entry WHERE incident_id = $1 AND seq = 2', gap.id);
      await tamper(
        'DELETE FROM audit_entry WHERE incident_id = $1 AND seq = (SELECT max(seq) FROM audit_entry WHERE incident_id = $1)',
        tail.id,
      );
      await tamper('DELETE FROM audit_entry WHERE incident_id = $1', gone.id);
      await tamper('DELETE FROM audit_head WHERE incident_id = $1', gone.id);

      const { problems } = await trail().verify();
      const of = (n: number) => problems.filter((p) => p.number === n).map((p) => p.problem);
      assert.ok(
        of(altered.number).some((p) => /entry \d+ was altered/.test(p)),
        JSON.stringify(of(altered.number)),
      );
      assert.ok(
        of(gap.number).some((p) => /entries 2–2 are missing/.test(p)),
        JSON.stringify(of(gap.number)),
      );
      assert.ok(
        of(tail.number).some((p) => /missing \(the head names entry/.test(p)),
        JSON.stringify(of(tail.number)),
      );
      assert.deepEqual(of(gone.number), ['the incident has no audit trail']);
      assert.deepEqual(of(intact.number), []);
      // A later change still chains on (verification reports, it does not repair).
      await store.addTimelineEntry(intact.id, {
        occurredAt: at('2026-12-01T12:00:00Z'),
        kind: 'note',
        actorId: 'UALICE',
        text: 'still fine',
      });
      assert.deepEqual((await trail().verify(intact.id)).problems, []);
    });

    test('review and action item changes are on the incident trail too', async () => {
      const incident = await declareAndChange('Reviewed', 'audit-9');
      const reviews = new PrismaReviewStore(env.db().prisma);
      await actingAs({ actor: 'UALICE', via: 'form review' }, () =>
        reviews.addActionItem(
          incident.id,
          { text: 'Add a guardrail', ownerId: 'UALICE', due: '2026-12-31', category: 'guardrail', priority: 'high' },
          { by: 'UALICE', at: at('2026-12-01T13:00:00Z') },
        ),
      );
      const entries = (await trail().read(incident.id)).entries;
      const item = entries.find((e) => e.action === 'action_item.insert')!;
      assert.equal(item.actor, 'UALICE');
      assert.equal(item.via, 'form review');
      assert.equal(item.after!.text, 'Add a guardrail');
      assert.deepEqual((await trail().verify(incident.id)).problems, []);
    });
  });
}
