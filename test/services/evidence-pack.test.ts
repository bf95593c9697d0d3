// The evidence pack of a period on the real stores (PGlite, and the PostgreSQL server when
// TEST_DATABASE_URL is set): the files of a seeded period, PHI redacted, a private incident withheld
// from a non-member and included for a member, the download recorded in the audit trail (on the
// downloads' own chain, verified, append-only) and tampering with it found by verify().
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { actingAs } from '../../src/audit-context.ts';
import { EVIDENCE_DOWNLOADS_CHAIN } from '../../src/domain/audit-chain.ts';
import { periodOf, sha256Hex } from '../../src/domain/evidence-pack.ts';
import { CheckpointFolder } from '../../src/jobs/checkpoint-folder.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { exportEvidencePack } from '../../src/services/audit/export-evidence-pack.ts';
import { addActionItem } from '../../src/services/review/add-action-item.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { TestClock, testDeps } from '../support/deps.ts';
import { aCommandedIncident } from '../support/fixtures.ts';
import { tamper as tamperWith } from '../support/tamper.ts';

const ALICE = 'UALICE';
const KATE = 'UKATE';
const AUDITOR = 'UAUDIT';
const NHS = '943 476 5919';
const period = periodOf('2026-07-01', '2026-09-30', 'Europe/London');
const inPeriod = new Date('2026-08-03T09:00:00Z');
const now = new Date('2026-10-02T08:00:00Z');

const files = (zip: Uint8Array) =>
  Object.fromEntries(Object.entries(unzipSync(zip)).map(([name, bytes]) => [name, strFromU8(bytes)]));

for (const database of testDatabases()) {
  describe(`evidence pack of a period (${database.name})`, () => {
    const env = useTestStore(database);
    const tamper = (sql: string, ...params: unknown[]) => tamperWith(env.db().pool, sql, params);
    let seeded: {
      deps: ServiceDeps;
      open: { id: string; number: number };
      hidden: { id: string; number: number; channelId: string };
    } | null = null;

    /** Once per database: a public incident with PHI in its title and review, a private one, and one outside the period. */
    async function seed() {
      if (seeded) return seeded;
      const clock = new TestClock(inPeriod);
      const deps = testDeps({ db: env.db(), clock });
      await aCommandedIncident(deps.store, {
        declaration: { title: 'Before the period' },
        declaredBy: ALICE,
        commander: KATE,
        at: new Date('2026-06-30T22:59:00Z'), // 23:59 on 30 June in London
      });
      const open = await aCommandedIncident(deps.store, {
        declaration: { title: `Letters for patient ${NHS} misfiled`, affectedService: 'letters' },
        declaredBy: ALICE,
        commander: KATE,
        at: inPeriod,
      });
      const hidden = await aCommandedIncident(deps.store, {
        declaration: { title: 'Secret staff matter', isPrivate: true },
        declaredBy: ALICE,
        commander: KATE,
        at: new Date('2026-08-04T09:00:00Z'),
      });
      await deps.reviews.saveReviewInput(
        open.id,
        { impact: { clinicalImpact: `Patient ${NHS} received the wrong letter`, dataImpact: 'One letter' } },
        { by: KATE, at: inPeriod },
      );
      await deps.reviews.saveReviewInput(
        hidden.id,
        { impact: { clinicalImpact: 'None', dataImpact: 'Staff record seen' } },
        { by: KATE, at: inPeriod },
      );
      for (const i of [open, hidden])
        await addActionItem(deps, {
          channelId: i.channelId,
          userId: KATE,
          request: { text: `Fix ${i.title}`, ownerId: KATE, due: '2026-08-20', category: null, priority: 'high' },
        });
      clock.set(now);
      seeded = { deps, open, hidden };
      return seeded;
    }

    /** A download a second after the one before (the page lists them newest first). */
    const download = (deps: ServiceDeps, privateChannels: ReadonlySet<string> = new Set()) => {
      (deps.clock as TestClock).advance(1000);
      return actingAs({ actor: AUDITOR, via: 'web /evidence' }, () =>
        exportEvidencePack(deps, {
          reader: { userId: AUDITOR, privateChannels: async () => privateChannels },
          name: 'Ann Auditor',
          period,
        }),
      );
    };

    test('the files of the period, PHI redacted, a private incident withheld from a non-member', async () => {
      const { deps, open, hidden } = await seed();
      const pack = await download(deps);
      assert.equal(pack.filename, 'evidence-2026-07-01-to-2026-09-30.zip');
      assert.equal(pack.sha256, sha256Hex(pack.zip));
      const f = files(pack.zip);
      assert.deepEqual(Object.keys(f).sort(), [
        'README.md',
        'action-items.csv',
        'action-items.json',
        'audit-verification.json',
        'audit-verification.md',
        'manifest.json',
        'register.csv',
        'register.json',
        'register.md',
        `reviews/INC-${open.number}.json`,
        `reviews/INC-${open.number}.md`,
        'roles-and-approvals.csv',
      ]);
      assert.equal(pack.incidents, 2, 'the incident declared before the period is not in it');
      assert.equal(pack.withheld, 1);

      // PHI: nowhere in any file; redacted where it was.
      for (const [name, text] of Object.entries(f)) assert.ok(!text.includes(NHS), `${name} has no NHS number`);
      assert.match(f['register.csv']!, /Letters for patient \[redacted NHS number\] misfiled/);
      assert.match(f[`reviews/INC-${open.number}.md`]!, /Patient \[redacted NHS number\] received the wrong letter/);
      assert.ok(pack.redactions >= 3);

      // The private incident: its reference in the register, and nothing else of it.
      assert.match(f['register.csv']!, new RegExp(`\\r\\nINC-${hidden.number},private: details withheld,`));
      for (const [name, text] of Object.entries(f)) {
        assert.ok(!text.includes('Secret staff matter'), `${name} has no withheld title`);
        assert.ok(!text.includes('Staff record seen'), `${name} has no withheld review`);
        assert.ok(!text.includes(hidden.id), `${name} has no withheld id`);
      }
      const items = JSON.parse(f['action-items.json']!);
      assert.deepEqual(
        items.items.map((i: { incident: string }) => i.incident),
        [`INC-${open.number}`],
      );
      assert.match(f['roles-and-approvals.csv']!, new RegExp(`INC-${open.number},role holder,Commander,${ALICE},`));
      assert.doesNotMatch(f['roles-and-approvals.csv']!, new RegExp(`INC-${hidden.number},`));

      const verification = JSON.parse(f['audit-verification.json']!);
      assert.equal(verification.intact, true, JSON.stringify(verification));
      assert.deepEqual(verification.incidents[1], { ref: `INC-${hidden.number}`, withheld: true, intact: true });
      const manifest = JSON.parse(f['manifest.json']!);
      for (const m of manifest.files) assert.equal(m.sha256, sha256Hex(f[m.path]!), m.path);
    });

    test('a member of the private incident’s channel gets it in full', async () => {
      const { deps, hidden } = await seed();
      const pack = await download(deps, new Set([hidden.channelId]));
      const f = files(pack.zip);
      assert.equal(pack.withheld, 0);
      assert.match(f['register.csv']!, new RegExp(`INC-${hidden.number},Secret staff matter,`));
      assert.match(f[`reviews/INC-${hidden.number}.md`]!, /Staff record seen/);
      assert.match(f['action-items.csv']!, /Fix Secret staff matter/);
    });

    test('each download is in the audit trail, on its own chain, verified; updates and deletes are refused', async () => {
      const { deps } = await seed();
      const before = await deps.audit.evidenceDownloads(50);
      const pack = await download(deps);
      const after = await deps.audit.evidenceDownloads(50);
      assert.equal(after.length, before.length + 1);
      const d = after[0]!;
      assert.equal(d.id, pack.download.id);
      assert.equal(d.downloadedBy, AUDITOR);
      assert.equal(d.zipSha256, pack.sha256);
      assert.equal(d.period.fromDate, '2026-07-01');
      assert.equal(d.period.since.toISOString(), period.since.toISOString());
      assert.equal(d.incidents, 2);
      assert.deepEqual(
        d.files.map((x) => x.path),
        pack.files.map((x) => x.path),
      );

      const trail = await deps.audit.read(EVIDENCE_DOWNLOADS_CHAIN);
      assert.deepEqual(trail.problems, []);
      const last = trail.entries.at(-1)!;
      assert.equal(last.action, 'evidence_download.insert');
      assert.equal(last.actor, AUDITOR);
      assert.equal(last.via, 'web /evidence');
      assert.equal(last.rowKey, d.id);
      const all = await deps.audit.verify();
      assert.deepEqual(all.problems, [], 'the downloads chain is checked and is not an erased incident');
      assert.deepEqual((await deps.audit.verify(EVIDENCE_DOWNLOADS_CHAIN)).problems, []);
      const snapshot = await deps.audit.snapshot();
      assert.ok(snapshot.heads.some((h) => h.incidentId === EVIDENCE_DOWNLOADS_CHAIN && h.number === null));

      const prisma = env.db().prisma;
      await assert.rejects(
        prisma.evidenceDownload.update({ where: { id: d.id }, data: { downloadedBy: 'UMALLORY' } }),
        /append-only/,
      );
      await assert.rejects(prisma.evidenceDownload.delete({ where: { id: d.id } }), /append-only/);
      await assert.rejects(prisma.$executeRaw`TRUNCATE evidence_download`, /append-only/);
    });

    test('a download changed or erased behind the trail is found by verify()', async () => {
      const { deps } = await seed();
      const pack = await download(deps);
      const id = pack.download.id;
      assert.equal(await tamper("UPDATE evidence_download SET downloaded_by = 'UMALLORY' WHERE id = $1", id), 1);
      const changed = await deps.audit.verify();
      assert.deepEqual(
        changed.problems.map((p) => `${p.subject}: ${p.problem}`),
        [`evidence downloads: evidence_download ${id} downloaded_by: expected "${AUDITOR}", found "UMALLORY"`],
      );
      // Erased with its audit entry (and the head wound back): the chain's head no longer matches,
      // or the entry is missing; either way it is reported.
      await tamper('DELETE FROM evidence_download WHERE id = $1', id);
      await tamper(
        "DELETE FROM audit_entry WHERE incident_id = $1 AND row_key = $2 AND action = 'evidence_download.insert'",
        EVIDENCE_DOWNLOADS_CHAIN,
        id,
      );
      const erased = await deps.audit.verify(EVIDENCE_DOWNLOADS_CHAIN);
      assert.ok(erased.problems.length > 0);
      assert.ok(erased.problems.every((p) => p.subject === 'evidence downloads'));
      assert.match(erased.problems.map((p) => p.problem).join('; '), /missing|head/);
    });

    test('the checkpoints of the period from the folder go in as written', async () => {
      const { deps: base } = await seed();
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'evidence-checkpoints-'));
      try {
        const inside = 'audit-checkpoint-20260901T000000Z-schedule.json';
        const text = '{"format": "incident-bot-audit-checkpoint"}\n';
        await fs.writeFile(path.join(dir, inside), text);
        await fs.writeFile(path.join(dir, 'audit-checkpoint-20261001T000000Z-schedule.json'), '{}\n');
        const deps = { ...base, checkpointArchive: new CheckpointFolder(dir) };
        const f = files((await download(deps)).zip);
        assert.equal(f[`checkpoints/${inside}`], text);
        assert.equal(Object.keys(f).filter((n) => n.startsWith('checkpoints/')).length, 1, 'only the period’s');

        const gone = { ...base, checkpointArchive: new CheckpointFolder(path.join(dir, 'nowhere')) };
        const g = files((await download(gone)).zip);
        assert.match(g['audit-verification.md']!, /could not be read/);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });

    test('an incident changed behind the trail: NOT intact in the pack, its difference redacted; readMany agrees with read', async () => {
      const { deps, open, hidden } = await seed();
      assert.equal(await tamper("UPDATE incident SET severity = 'SEV4' WHERE id = $1", open.id), 1);
      const many = await deps.audit.readMany([open.id, hidden.id, EVIDENCE_DOWNLOADS_CHAIN]);
      for (const id of [open.id, hidden.id, EVIDENCE_DOWNLOADS_CHAIN])
        assert.deepEqual(many.get(id), await deps.audit.read(id), id);
      assert.deepEqual(many.get(open.id)!.problems, [`incident ${open.id} severity: expected "SEV2", found "SEV4"`]);

      const f = files((await download(deps)).zip);
      const verification = JSON.parse(f['audit-verification.json']!);
      assert.equal(verification.intact, false);
      const mine = verification.incidents.find((i: { ref: string }) => i.ref === `INC-${open.number}`);
      assert.equal(mine.intact, false);
      assert.match(mine.problems[0], /severity: expected "SEV2", found "SEV4"/);
      assert.match(f['README.md']!, new RegExp(`\\*\\*Audit trail: NOT intact\\*\\*: INC-${open.number}`));
      await tamper("UPDATE incident SET title = 'x' WHERE id = $1", open.id);
      const g = files((await download(deps)).zip);
      assert.ok(!g['audit-verification.json']!.includes(NHS), 'a difference quoting PHI is redacted');
      assert.match(g['audit-verification.md']!, /\[redacted NHS number\]/);
    });
  });
}
