// `npm run audit:verify` in a child process, against an embedded database on disk: intact, then
// after an entry was altered behind the triggers' back.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { actingAs } from '../../src/audit-context.ts';
import { openDatabase } from '../../src/db/database.ts';
import { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import type { Incident } from '../../src/domain/incident.ts';
import { tamper } from '../support/tamper.ts';
import { embeddedTemplate } from '../support/templates.ts';
import { childEnv } from '../support/node-args.ts';
import { declaring, aDeclaration } from '../support/fixtures.ts';

function verify(dataDir: string, ...args: string[]) {
  return spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', 'scripts/audit-verify.ts', ...args], {
    env: { ...childEnv(), DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test('audit:verify says the trail is intact, then names the incident and entry that were altered (exit 1)', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-audit-'));
  try {
    let db = await openDatabase({ url: null, dataDir, embeddedTemplate: await embeddedTemplate() });
    const store = new PrismaIncidentStore(db.prisma);
    const numbers: number[] = [];
    for (const title of ['Pharmacy feed down', 'Lab results delayed']) {
      const { incident } = await actingAs({ actor: 'UALICE', via: '/incident declare' }, () =>
        store.createIfAbsent(
          declaring({
            declareKey: `cli-${title}`,
            declaration: aDeclaration({ title }),
            declaredAt: new Date('2026-12-01T09:00:00Z'),
          }),
        ),
      );
      await actingAs({ actor: 'UBOB', via: '/incident status' }, () =>
        store.applyChange(
          incident.id,
          { status: 'INVESTIGATING' },
          {
            occurredAt: new Date('2026-12-01T09:05:00Z'),
            kind: 'status_changed',
            actorId: 'UBOB',
            text: 'Investigating',
          },
        ),
      );
      numbers.push(incident.number);
    }
    await db.close();

    const ok = verify(dataDir);
    assert.equal(ok.status, 0, ok.stderr + ok.stdout);
    assert.match(ok.stdout, /Audit trail intact: 2 incidents, \d+ entries/);

    // Someone with database access rewrites who changed the status, switching the triggers off.
    db = await openDatabase({ url: null, dataDir });
    const rows = await tamper(
      db.pool,
      "UPDATE audit_entry SET actor = 'UMALLORY' WHERE via = '/incident status' AND incident_id = (SELECT id FROM incident WHERE number = $1)",
      [numbers[1]],
    );
    assert.equal(rows, 2, 'the incident update and its timeline entry');
    await db.close();

    const bad = verify(dataDir);
    assert.equal(bad.status, 1, bad.stderr + bad.stdout);
    assert.match(bad.stdout, /Audit trail NOT intact/);
    assert.match(bad.stdout, new RegExp(`INC-${numbers[1]}: entry \\d+ was altered`));
    assert.doesNotMatch(bad.stdout, new RegExp(`INC-${numbers[0]}:`));
    // One incident alone.
    const one = verify(dataDir, String(numbers[0]));
    assert.equal(one.status, 0, one.stdout);
    assert.match(one.stdout, /Audit trail intact: 1 incident,/);
    const nowhere = verify(path.join(dataDir, 'no-such-folder'));
    assert.equal(nowhere.status, 2);
    assert.match(nowhere.stderr, /No embedded database in .*no-such-folder/);
    assert.ok(!fs.existsSync(path.join(dataDir, 'no-such-folder')), 'nothing was created');
    const usage = verify(dataDir, 'abc');
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /usage: npm run audit:verify/);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('audit:verify compares the records with the trail and the numbers with the counter: each difference a line, exit 1', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-audit-'));
  try {
    let db = await openDatabase({ url: null, dataDir, embeddedTemplate: await embeddedTemplate() });
    const store = new PrismaIncidentStore(db.prisma);
    const incidents = [];
    for (const title of ['Pharmacy feed down', 'Lab results delayed', 'Bed board stale', 'Pager storm']) {
      const { incident } = await actingAs({ actor: 'UALICE', via: '/incident declare' }, () =>
        store.createIfAbsent(
          declaring({
            declareKey: `cli-${title}`,
            declaration: aDeclaration({ title }),
            declaredAt: new Date('2026-12-01T09:00:00Z'),
          }),
        ),
      );
      incidents.push(incident);
    }
    const [renamed, pruned, erased] = incidents as [Incident, Incident, Incident];
    const note = await store.addTimelineEntry(pruned.id, {
      occurredAt: new Date('2026-12-01T09:10:00Z'),
      kind: 'note',
      actorId: 'UBOB',
      text: 'Restarted the interface engine',
    });
    await db.close();
    const ok = verify(dataDir);
    assert.equal(ok.status, 0, ok.stderr + ok.stdout);
    assert.match(ok.stdout, /Audit trail intact: 4 incidents/);

    // With the triggers off: a title changed, a timeline row deleted, a whole incident erased with its trail.
    db = await openDatabase({ url: null, dataDir });
    await tamper(db.pool, "UPDATE incident SET title = 'Nothing happened' WHERE id = $1", [renamed.id]);
    await tamper(db.pool, 'DELETE FROM timeline_entry WHERE id = $1', [note.id]);
    for (const table of ['timeline_entry', 'audit_entry', 'audit_head'])
      await tamper(db.pool, `DELETE FROM ${table} WHERE incident_id = $1`, [erased.id]);
    await tamper(db.pool, 'DELETE FROM incident WHERE id = $1', [erased.id]);
    await db.close();

    const bad = verify(dataDir);
    assert.equal(bad.status, 1, bad.stderr + bad.stdout);
    const lines = bad.stdout.trim().split('\n');
    assert.match(lines[0]!, /^Audit trail NOT intact: 3 problems in 3 incidents/);
    assert.deepEqual(
      lines.slice(1).map((l) => l.trim().replace(/\{.*?(\}|…)(?=, found)/, '{…}')),
      [
        `INC-${renamed.number}: incident ${renamed.id} title: expected "Pharmacy feed down", found "Nothing happened"`,
        `INC-${pruned.number}: timeline_entry ${note.id}: expected {…}, found no row (deleted without an audit entry)`,
        `INC-${erased.number}: no incident and no audit trail has this number (numbers are given without gaps): erased with its trail`,
      ],
    );
    assert.match(lines[2]!, /expected \{.*"text": "Restarted the interface engine"/);
    // One incident alone: its records are compared too.
    const one = verify(dataDir, String(renamed.number));
    assert.equal(one.status, 1, one.stdout);
    assert.match(one.stdout, /title: expected "Pharmacy feed down", found "Nothing happened"/);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
