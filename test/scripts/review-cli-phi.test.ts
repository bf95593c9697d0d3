// `npm run review` prints the review for reading beyond the responders: PHI redacted, as in the
// posted review, while the stored record keeps it. A child process against an embedded database on disk.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../src/db/database.ts';
import { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import { PrismaReviewStore } from '../../src/db/prisma-review-store.ts';
import { embeddedTemplate } from '../support/templates.ts';
import { childEnv } from '../support/node-args.ts';
import { declaring, aDeclaration } from '../support/fixtures.ts';

const NHS = '943 476 5919';
const EMAIL = 'jo.bloggs@example.org';
const PHONE = '07700 900123';

function review(dataDir: string, ...args: string[]) {
  return spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', 'scripts/review.ts', ...args], {
    env: { ...childEnv(), DATA_DIR: dataDir, TZ_DEFAULT: 'Europe/London' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test('npm run review redacts PHI in the Markdown and the JSON; the record keeps it', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-review-phi-'));
  try {
    const db = await openDatabase({ url: null, dataDir, embeddedTemplate: await embeddedTemplate() });
    const store = new PrismaIncidentStore(db.prisma);
    const { incident } = await store.createIfAbsent(
      declaring({
        declareKey: 'cli-phi',
        declaration: aDeclaration({
          title: `Letter for ${NHS} lost`,
          severity: 'SEV3',
          description: `Sent to ${EMAIL}`,
          affectedService: 'letters',
        }),
        declaredAt: new Date('2026-11-24T14:05:00Z'),
      }),
    );
    await store.addTimelineEntry(incident.id, {
      occurredAt: new Date('2026-11-24T14:10:00Z'),
      kind: 'note',
      actorId: 'UBOB',
      text: `Ring ${PHONE}`,
      data: {},
    });
    const reviews = new PrismaReviewStore(db.prisma);
    await reviews.saveReviewInput(
      incident.id,
      { wentWell: `Found via ${EMAIL}` },
      { by: 'UBOB', at: new Date('2026-11-25T09:00:00Z') },
      null,
    );
    await db.close();

    for (const args of [[], ['--json']]) {
      const out = review(dataDir, String(incident.number), ...args);
      assert.equal(out.status, 0, out.stderr);
      for (const secret of [NHS, EMAIL, PHONE])
        assert.ok(!out.stdout.includes(secret), `${args.join(' ') || 'Markdown'}: no ${secret}`);
      assert.match(out.stdout, /Letter for \[redacted NHS number\] lost/);
      assert.match(out.stdout, /Ring \[redacted phone number\]/);
      assert.match(out.stdout, /Found via \[redacted email address\]/);
    }
    const json = JSON.parse(review(dataDir, String(incident.number), '--json').stdout);
    assert.equal(json.header.description, 'Sent to [redacted email address]');
    assert.equal(json.keyTimes.declared, '2026-11-24T14:05:00.000Z', 'times are kept as they are');

    const again = await openDatabase({ url: null, dataDir });
    try {
      const stored = await new PrismaIncidentStore(again.prisma).findById(incident.id);
      assert.equal(stored?.title, `Letter for ${NHS} lost`, 'the record keeps the title');
    } finally {
      await again.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
