// `npm run audit:verify -- --checkpoint <file>` in a child process, on an embedded database on disk
// and on the PostgreSQL server when TEST_DATABASE_URL is set: a checkpoint the trail extends (exit
// 0), files that cannot be trusted (exit 2, nothing compared), and an older incident erased with
// its entries and head behind the triggers' back, which the chain check alone calls intact (exit 1).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { actingAs } from '../../src/audit-context.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { PrismaAuditTrail } from '../../src/db/prisma-audit-trail.ts';
import { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import { PrismaReviewStore } from '../../src/db/prisma-review-store.ts';
import { generateSigningKey, parseSigningKey } from '../../src/domain/audit-checkpoint.ts';
import { writeCheckpointFile } from '../../src/jobs/checkpoint-folder.ts';
import { takeAuditCheckpoint } from '../../src/services/audit/take-audit-checkpoint.ts';
import { testDatabases } from '../support/databases.ts';
import { tamper } from '../support/tamper.ts';
import { childEnv } from '../support/node-args.ts';
import { declaring, aDeclaration } from '../support/fixtures.ts';

const key = generateSigningKey();
const otherKey = generateSigningKey();

for (const database of testDatabases()) {
  describe(`audit:verify --checkpoint (${database.name})`, () => {
    test('proves the trail extends a signed checkpoint; refuses a file it cannot trust; finds an erased older incident', async () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-checkpoint-'));
      const setup = await database.setup();
      const dataDir = path.join(tmp, 'data');
      const where = setup.url ? { DATABASE_URL: setup.url } : { DATA_DIR: dataDir };
      // The first opening of the data folder makes it from the migrated template; later ones find it.
      const open = () =>
        openDatabase({
          url: setup.url,
          dataDir: setup.url ? null : dataDir,
          ...(setup.embeddedTemplate ? { embeddedTemplate: setup.embeddedTemplate } : {}),
        });
      function verify(env: Record<string, string>, ...args: string[]) {
        return spawnSync(
          process.execPath,
          ['--disable-warning=ExperimentalWarning', 'scripts/audit-verify.ts', ...args],
          {
            env: { ...childEnv(), ...where, ...env },
            encoding: 'utf8',
            timeout: 60_000,
          },
        );
      }
      let db: Database | null = null;
      try {
        db = await open();
        const store = new PrismaIncidentStore(db.prisma);
        const incidents = [];
        for (const title of ['Pharmacy feed down', 'Lab results delayed', 'Bed board stale']) {
          const { incident } = await actingAs({ actor: 'UALICE', via: '/incident declare' }, () =>
            store.createIfAbsent(
              declaring({
                declareKey: `cli-cp-${title}`,
                declaration: aDeclaration({ title }),
                declaredAt: new Date('2026-12-01T09:00:00Z'),
              }),
            ),
          );
          incidents.push(incident);
        }
        const [victim, , last] = incidents;
        await actingAs({ actor: 'UALICE', via: 'form review' }, () =>
          new PrismaReviewStore(db!.prisma).addActionItem(
            victim!.id,
            { text: 'Guardrail', ownerId: 'UALICE', due: '2026-12-31', category: 'guardrail', priority: 'high' },
            { by: 'UALICE', at: new Date('2026-12-01T10:00:00Z') },
          ),
        );
        const taken = await takeAuditCheckpoint(
          { audit: new PrismaAuditTrail(db.prisma), clock: { now: () => new Date('2026-12-05T00:00:00Z') } },
          parseSigningKey(key.seed),
          { kind: 'schedule', period: '2026-12-05T00:00:00.000Z' },
        );
        const file = await writeCheckpointFile(path.join(tmp, 'checkpoints'), taken.filename, taken.json);
        assert.equal(fs.statSync(file).mode & 0o777, 0o444, 'read-only');
        // The trail grows after the checkpoint.
        await actingAs({ actor: 'UBOB', via: '/incident note' }, () =>
          store.addTimelineEntry(last!.id, {
            occurredAt: new Date('2026-12-05T10:00:00Z'),
            kind: 'note',
            actorId: 'UBOB',
            text: 'later',
          }),
        );
        if (!setup.url) {
          await db.close();
          db = null;
        }

        const trusted = { AUDIT_VERIFY_KEY: key.publicKey };
        const ok = verify(trusted, '--checkpoint', file);
        assert.equal(ok.status, 0, ok.stderr + ok.stdout);
        assert.match(ok.stdout, /Audit trail intact/);
        assert.match(
          ok.stdout,
          /Audit trail extends the checkpoint of 2026-12-05T00:00:00.000Z \(signed by SHA256:\S+; 3 incident chains, up to INC-\d+ and ACT-\d+\): nothing checkpointed was erased or rewritten\./,
        );
        // The public half of the signing key is trusted too; a PEM or a flag works as well as base64.
        for (const [env, args] of [
          [{ AUDIT_SIGNING_KEY: key.seed }, []],
          [{}, ['--verify-key', key.publicKey]],
          [{ AUDIT_VERIFY_KEY: otherKey.publicKey }, [`--verify-key=${key.publicKey}`]],
        ] as [Record<string, string>, string[]][]) {
          const r = verify(env, '--checkpoint', file, ...args);
          assert.equal(r.status, 0, JSON.stringify(env) + r.stderr + r.stdout);
        }

        // Files that cannot be trusted: exit 2, one clear line, nothing compared.
        const edited = path.join(tmp, 'edited.json');
        const json = JSON.parse(taken.json);
        json.heads[0].hash = 'f'.repeat(64);
        fs.writeFileSync(edited, JSON.stringify(json));
        const notJson = path.join(tmp, 'not.json');
        fs.writeFileSync(notJson, 'hello');
        const refused: [Record<string, string>, string[], RegExp][] = [
          [{}, ['--checkpoint', file], /No trusted key to check the checkpoint with: set AUDIT_VERIFY_KEY/],
          [
            { AUDIT_VERIFY_KEY: otherKey.publicKey },
            ['--checkpoint', file],
            /was signed with key SHA256:\S+, not the trusted key/,
          ],
          [
            trusted,
            ['--checkpoint', edited],
            /signature that does not verify under the trusted key .*: it was altered after signing, or forged/,
          ],
          [trusted, ['--checkpoint', notJson], /is not JSON/],
          [trusted, ['--checkpoint', path.join(tmp, 'missing.json')], /cannot be read: ENOENT/],
          [{ AUDIT_VERIFY_KEY: 'not-a-key' }, ['--checkpoint', file], /AUDIT_VERIFY_KEY must be an Ed25519 public key/],
          [trusted, ['--checkpoint', file, '--verify-key', 'nope'], /--verify-key must be an Ed25519 public key/],
          [trusted, ['--checkpiont', file], /usage: npm run audit:verify/],
        ];
        for (const [env, args, message] of refused) {
          const r = verify(env, ...args);
          assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}${r.stdout}`);
          assert.match(r.stderr, message, args.join(' '));
          assert.doesNotMatch(r.stdout, /Audit trail/, 'nothing was compared');
        }

        // Someone with database access erases the oldest incident, its entries and its head.
        db ??= await open();
        for (const table of ['timeline_entry', 'action_item', 'incident_role'])
          await tamper(db.pool, `DELETE FROM ${table} WHERE incident_id = $1`, [victim!.id]);
        for (const sql of [
          'DELETE FROM incident WHERE id = $1',
          'DELETE FROM audit_entry WHERE incident_id = $1',
          'DELETE FROM audit_head WHERE incident_id = $1',
        ]) {
          await tamper(db.pool, sql, [victim!.id]);
        }
        // Numbers are given without gaps, so an erased number is found by the plain check: an owner who
        // knows that also moves where gapless numbering began past it (numbers before it may have gaps).
        await tamper(
          db.pool,
          "UPDATE number_counter SET numbered_from = numbered_from + 1 WHERE name IN ('incident', 'action_item')",
        );
        if (!setup.url) {
          await db.close();
          db = null;
        }
        const plain = verify(trusted);
        assert.equal(plain.status, 0, 'the chains that are left are intact: the chain check alone cannot see it');
        const bad = verify(trusted, '--checkpoint', file);
        assert.equal(bad.status, 1, bad.stderr + bad.stdout);
        assert.match(bad.stdout, /Audit trail does NOT extend the checkpoint of 2026-12-05T00:00:00.000Z/);
        assert.match(
          bad.stdout,
          new RegExp(
            `INC-${victim!.number}: erased since the checkpoint of 2026-12-05T00:00:00.000Z: the incident, its \\d+ audit entries and its head are gone`,
          ),
        );
        assert.match(bad.stdout, /ACT-\d+: erased since the checkpoint of 2026-12-05T00:00:00.000Z/);
        assert.doesNotMatch(bad.stdout, new RegExp(`INC-${last!.number}:`));
        // One incident alone still works beside a checkpoint.
        const one = verify(trusted, String(last!.number));
        assert.equal(one.status, 0, one.stdout + one.stderr);
        assert.match(one.stdout, /Audit trail intact: 1 incident,/);
      } finally {
        await db?.close();
        await setup.teardown();
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
  });
}
