// Audit checkpoints on both databases: a checkpoint of every chain head, then what an owner with
// the triggers switched off can do afterwards. An older incident erased with its entries and head,
// or a chain rewritten with every hash recomputed, passes the chain check alone but not the
// checkpoint; normal growth does. And the scheduled periods' compare-and-set.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { actingAs } from '../../src/audit-context.ts';
import { PgCheckpointPeriods } from '../../src/db/pg-checkpoint-periods.ts';
import { PrismaAuditTrail } from '../../src/db/prisma-audit-trail.ts';
import { PrismaReviewStore } from '../../src/db/prisma-review-store.ts';
import {
  checkpointFindings,
  generateSigningKey,
  parseSigningKey,
  parseVerifyKey,
  readCheckpoint,
  type Checkpoint,
} from '../../src/domain/audit-checkpoint.ts';
import { takeAuditCheckpoint } from '../../src/services/audit/take-audit-checkpoint.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { rewriteChain, tamper as tamperWith } from '../support/tamper.ts';
import { declaring, aDeclaration } from '../support/fixtures.ts';

const declaration = (title: string) => aDeclaration({ title });
const at = (iso: string) => new Date(iso);
const key = generateSigningKey();
const signer = parseSigningKey(key.seed);
const trusted = parseVerifyKey(key.publicKey);
const clock = { now: () => at('2026-12-05T13:00:00Z') };

for (const database of testDatabases()) {
  describe(`audit checkpoints (${database.name})`, () => {
    const env = useTestStore(database);
    const trail = () => new PrismaAuditTrail(env.db().prisma);
    const tamper = (sql: string, ...params: unknown[]) => tamperWith(env.db().pool, sql, params);
    let keyN = 0;

    async function declare(title: string) {
      const store = env.store();
      const { incident } = await actingAs({ actor: 'UALICE', via: '/incident declare' }, () =>
        store.createIfAbsent(
          declaring({
            declareKey: `cp-${++keyN}`,
            declaration: declaration(title),
            declaredAt: at('2026-12-01T10:00:00Z'),
          }),
        ),
      );
      await actingAs({ actor: 'UBOB', via: '/incident sev' }, () =>
        store.applyChange(
          incident.id,
          { severity: 'SEV1' },
          { occurredAt: at('2026-12-01T10:05:00Z'), kind: 'severity_changed', actorId: 'UBOB', text: 'SEV2 → SEV1' },
          { severity: 'SEV2' },
        ),
      );
      return incident;
    }
    const note = (incidentId: string, text: string) =>
      actingAs({ actor: 'UBOB', via: '/incident note' }, () =>
        env.store().addTimelineEntry(incidentId, {
          occurredAt: at('2026-12-01T11:00:00Z'),
          kind: 'note',
          actorId: 'UBOB',
          text,
        }),
      );
    const addActionItem = (incidentId: string, text: string) =>
      actingAs({ actor: 'UALICE', via: 'form review' }, () =>
        new PrismaReviewStore(env.db().prisma).addActionItem(
          incidentId,
          { text, ownerId: 'UALICE', due: '2026-12-31', category: 'guardrail', priority: 'high' },
          { by: 'UALICE', at: at('2026-12-01T13:00:00Z') },
        ),
      );

    /** A checkpoint as the bot takes it, read back from its file text under the trusted key. */
    async function checkpoint(): Promise<Checkpoint> {
      const taken = await takeAuditCheckpoint({ audit: trail(), clock }, signer, {
        kind: 'schedule',
        period: '2026-12-05T00:00:00.000Z',
      });
      return readCheckpoint(taken.json, trusted);
    }
    const findings = async (c: Checkpoint) =>
      (await checkpointFindings(c, await trail().liveTrail(c))).map((f) => `${f.subject}: ${f.problem}`);

    test('a checkpoint holds every head as audit_head has it, and the numbers in use with their gaps', async () => {
      const a = await declare('Snapshot A');
      // A number in use no more: numbers are given without gaps, so only an incident erased with its
      // trail (before the checkpoint) leaves one.
      const gone = await declare('Snapshot erased');
      for (const table of ['incident', 'audit_entry', 'audit_head']) {
        await tamper(`DELETE FROM ${table} WHERE ${table === 'incident' ? 'id' : 'incident_id'} = $1`, gone.id);
      }
      const b = await declare('Snapshot B');
      await addActionItem(b.id, 'Guardrail');
      const c = await checkpoint();
      const { rows: heads } = await env
        .db()
        .pool.query<{ incident_id: string; seq: number; hash: string }>(
          'SELECT incident_id::text, seq, hash FROM audit_head',
        );
      assert.equal(c.heads.length, heads.length);
      for (const row of heads) {
        const head = c.heads.find((x) => x.incidentId === row.incident_id);
        assert.deepEqual([head?.seq, head?.hash], [row.seq, row.hash]);
      }
      assert.equal(c.heads.find((x) => x.incidentId === a.id)?.number, a.number);
      assert.equal(c.incidents.highest, b.number);
      assert.ok(
        c.incidents.missing.some(([from, to]) => from === gone.number && to === gone.number),
        JSON.stringify(c.incidents),
      );
      assert.ok(c.actionItems.highest >= 1);
      assert.deepEqual(await findings(c), []);
    });

    test('normal growth after the checkpoint (new entries, incidents and action items) extends it', async () => {
      const old = await declare('Growing');
      const c = await checkpoint();
      await note(old.id, 'more happened');
      const fresh = await declare('Declared after');
      await addActionItem(fresh.id, 'Follow-up');
      await addActionItem(old.id, 'Another');
      assert.deepEqual(await findings(c), []);
    });

    test('an older incident erased with its entries and head (triggers off) passes the chain check, not the checkpoint', async () => {
      const victim = await declare('To be erased');
      await addActionItem(victim.id, 'Erased with it');
      const bystander = await declare('Left alone');
      const c = await checkpoint();
      await note(bystander.id, 'after the checkpoint');
      for (const table of ['timeline_entry', 'action_item', 'incident_role'])
        await tamper(`DELETE FROM ${table} WHERE incident_id = $1`, victim.id);
      await tamper('DELETE FROM incident WHERE id = $1', victim.id);
      await tamper('DELETE FROM audit_entry WHERE incident_id = $1', victim.id);
      await tamper('DELETE FROM audit_head WHERE incident_id = $1', victim.id);
      // What verification without a checkpoint sees: nothing of the victim.
      const plain = await trail().verify();
      assert.ok(!plain.problems.some((p) => p.incidentId === victim.id), JSON.stringify(plain.problems));
      const found = await findings(c);
      assert.ok(
        found.some((f) => f.startsWith(`INC-${victim.number}: erased since the checkpoint of ${c.createdAt}`)),
        found.join('\n'),
      );
      assert.ok(
        found.some((f) => /^ACT-\d+: erased since the checkpoint/.test(f)),
        found.join('\n'),
      );
      assert.ok(!found.some((f) => f.startsWith(`INC-${bystander.number}:`)), found.join('\n'));
    });

    test('a chain rewritten with every hash recomputed passes the chain check, not the checkpoint', async () => {
      const victim = await declare('Title before');
      await note(victim.id, 'who did what');
      const c = await checkpoint();
      await note(victim.id, 'after the checkpoint');
      await rewriteChain(env.db().pool, victim.id, async (client) => {
        await client.query("UPDATE incident SET title = 'Title after' WHERE id = $1", [victim.id]);
        await client.query(
          "UPDATE audit_entry SET after = jsonb_set(after, '{title}', '\"Title after\"') WHERE incident_id = $1 AND action = 'incident.insert'",
          [victim.id],
        );
      });
      assert.deepEqual(
        (await trail().verify(victim.id)).problems,
        [],
        'the owner recomputed every hash: the chain alone verifies',
      );
      const found = await findings(c);
      assert.deepEqual(found.filter((f) => f.startsWith(`INC-${victim.number}:`)).length, 1, found.join('\n'));
      assert.match(
        found.find((f) => f.startsWith(`INC-${victim.number}:`))!,
        /rewritten since the checkpoint of .*: entry \d+ is not the one checkpointed/,
      );
      // Cutting the chain back to before the checkpoint (a restored backup) is found too.
      const other = await declare('Restored from backup');
      await note(other.id, 'later');
      const c2 = await checkpoint();
      await rewriteChain(env.db().pool, other.id, async (client) => {
        await client.query("DELETE FROM timeline_entry WHERE incident_id = $1 AND text = 'later'", [other.id]);
        await client.query(
          'DELETE FROM audit_entry WHERE incident_id = $1 AND seq = (SELECT max(seq) FROM audit_entry WHERE incident_id = $1)',
          [other.id],
        );
      });
      assert.deepEqual((await trail().verify(other.id)).problems, []);
      assert.ok(
        (await findings(c2)).some(
          (f) => f.startsWith(`INC-${other.number}: rewritten since`) && /chain now ends at entry/.test(f),
        ),
      );
    });

    test('scheduled periods: of two replicas claiming at once one wins; a live claim, a written period are not taken again; a released or expired claim is', async () => {
      const periods = [new PgCheckpointPeriods(env.db().pool), new PgCheckpointPeriods(env.db().pool)];
      const p = at('2026-12-05T00:00:00Z');
      const claims = await Promise.all(periods.map((x) => x.claim(p, 60_000)));
      assert.deepEqual(claims.filter(Boolean).length, 1, JSON.stringify(claims));
      assert.equal(await periods[0]!.claim(p, 60_000), false, 'the claim is live');
      await periods[0]!.release(p);
      assert.equal(await periods[1]!.claim(p, 60_000), true, 'released: taken at once');
      await periods[1]!.markWritten(p);
      assert.equal(await periods[0]!.isWritten(p), true);
      await periods[0]!.release(p);
      assert.equal(await periods[0]!.claim(p, 60_000), false, 'written: never taken again');
      const q = at('2026-12-06T00:00:00Z');
      assert.equal(await periods[0]!.isWritten(q), false);
      assert.equal(await periods[0]!.claim(q, 1), true);
      await sleep(20);
      assert.equal(await periods[1]!.claim(q, 60_000), true, 'a claim whose replica died expires with its lease');
    });
  });
}
