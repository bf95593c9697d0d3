// `npm run review -- <number>` in a child process, against an embedded database on disk.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../src/db/database.ts';
import { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';

function review(dataDir: string, ...args: string[]) {
  return spawnSync(process.execPath, ['--experimental-wasm-modules', '--no-warnings', '--import', 'tsx', 'scripts/review.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, TZ_DEFAULT: 'Europe/London' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test('prints the review of a stored incident as Markdown or JSON, the same each time', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-review-'));
  try {
    const db = await openDatabase({ url: null, dataDir });
    const store = new PrismaIncidentStore(db.prisma);
    const { incident } = await store.createIfAbsent({
      declareKey: 'cli-test',
      declaration: { title: 'Lab results delayed', severity: 'SEV2', description: '', affectedService: 'lab', isPrivate: false, clinicalImpact: true, nearMiss: false },
      declaredBy: 'UALICE',
      originChannelId: null,
      responseUrl: null,
      declaredAt: new Date('2026-11-24T14:05:00Z'),
      via: 'command',
    });
    await store.applyChange(incident.id, { status: 'INVESTIGATING' }, { occurredAt: new Date('2026-11-24T14:09:00Z'), kind: 'status_changed', actorId: 'UBOB', text: 'Status Declared → Investigating', data: { from: 'DECLARED', to: 'INVESTIGATING' } });
    await db.close();

    const md = review(dataDir, String(incident.number));
    assert.equal(md.status, 0, md.stderr);
    assert.match(md.stdout, new RegExp(`INC-${incident.number}`));
    assert.match(md.stdout, /Lab results delayed/);
    assert.match(md.stdout, /Status Declared → Investigating/);
    assert.match(md.stdout, /To be completed/, 'the parts only people know are asked for');
    assert.equal(review(dataDir, String(incident.number)).stdout, md.stdout, 'regenerated: the same');

    const json = review(dataDir, String(incident.number), '--json');
    assert.equal(json.status, 0, json.stderr);
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.header.title, 'Lab results delayed');
    assert.equal(parsed.durations.toAcknowledge.ms, 4 * 60_000);

    const missing = review(dataDir, '999');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /No incident INC-999/);
    assert.match(review(dataDir, 'abc').stderr, /usage: npm run review -- <incident number>/);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
