// `npm run review -- <number>` in a child process, against an embedded database on disk.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../src/db/database.ts';
import { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import { PrismaReviewStore } from '../../src/db/prisma-review-store.ts';
import { PrismaChangeLog } from '../../src/db/prisma-change-log.ts';
import { embeddedTemplate } from '../support/templates.ts';
import { childEnv } from '../support/node-args.ts';
import { declaring, aDeclaration } from '../support/fixtures.ts';

function review(dataDir: string, ...args: string[]) {
  return spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', 'scripts/review.ts', ...args], {
    env: { ...childEnv(), DATA_DIR: dataDir, TZ_DEFAULT: 'Europe/London' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test('prints the review of a stored incident as Markdown or JSON, the same each time', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-review-'));
  try {
    const db = await openDatabase({ url: null, dataDir, embeddedTemplate: await embeddedTemplate() });
    const store = new PrismaIncidentStore(db.prisma);
    const { incident } = await store.createIfAbsent(
      declaring({
        declareKey: 'cli-test',
        declaration: aDeclaration({ title: 'Lab results delayed', affectedService: 'lab', clinicalImpact: true }),
        declaredAt: new Date('2026-11-24T14:05:00Z'),
      }),
    );
    await store.applyChange(
      incident.id,
      { status: 'INVESTIGATING' },
      {
        occurredAt: new Date('2026-11-24T14:09:00Z'),
        kind: 'status_changed',
        actorId: 'UBOB',
        text: 'Status Declared → Investigating',
        data: { from: 'DECLARED', to: 'INVESTIGATING' },
      },
    );
    // What people added in the review form, and the backlog, survive a restart with the database.
    const reviews = new PrismaReviewStore(db.prisma);
    const by = { by: 'UBOB', at: new Date('2026-11-25T09:00:00Z') };
    await reviews.saveReviewInput(
      incident.id,
      { wentWell: 'Paper fallback worked', contributingFactors: [{ factor: 'capacity' }] },
      by,
      {
        text: 'Scale the lab queue workers',
        ownerId: 'UCAROL',
        due: '2026-12-15',
        category: 'guardrail',
        priority: 'high',
      },
    );
    const second = await reviews.addActionItem(
      incident.id,
      { text: 'Runbook for lab feed', ownerId: 'UBOB', due: '2026-12-31', category: 'runbook', priority: 'medium' },
      by,
    );
    await reviews.completeActionItem(second.id, { by: 'UBOB', at: new Date('2026-11-26T09:00:00Z') });
    await db.close();

    const md = review(dataDir, String(incident.number));
    assert.equal(md.status, 0, md.stderr);
    assert.match(md.stdout, new RegExp(`INC-${incident.number}`));
    assert.match(md.stdout, /Lab results delayed/);
    assert.match(md.stdout, /Status Declared → Investigating/);
    assert.match(md.stdout, /Paper fallback worked/);
    assert.match(md.stdout, /Capacity/);
    assert.match(
      md.stdout,
      /\| ACT-\d+ \| Scale the lab queue workers \| UCAROL \| 2026-12-15 \| Guardrail \| high \| Open \|/,
    );
    assert.match(md.stdout, /\| ACT-\d+ \| Runbook for lab feed \| UBOB \| 2026-12-31 \| Runbook \| medium \| Done \|/);
    assert.match(
      md.stdout,
      /To be completed/,
      'the parts only people know are asked for (impact, detection, what was hard)',
    );
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

test("with CATALOG_PATH, What changed lists the changes to the service's system, as the posted review does", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-review-catalog-'));
  try {
    const db = await openDatabase({ url: null, dataDir, embeddedTemplate: await embeddedTemplate() });
    const store = new PrismaIncidentStore(db.prisma);
    const declaredAt = new Date('2026-11-24T14:05:00Z');
    const { incident } = await store.createIfAbsent(
      declaring({ declareKey: 'cli-catalog', declaration: aDeclaration({ affectedService: 'lab-api' }), declaredAt }),
    );
    const changes = new PrismaChangeLog(db.prisma);
    const change = (key: string, service: string, system: string | null, hoursBefore: number) =>
      changes.record(
        {
          sourceKey: key,
          source: 'api',
          kind: 'deploy',
          service,
          serviceName: service,
          system,
          owner: null,
          environment: 'production',
          version: null,
          summary: `Deploy of ${service}`,
          author: 'alice',
          approvers: [],
          url: null,
          occurredAt: new Date(declaredAt.getTime() - hoursBefore * 3600_000),
        },
        declaredAt,
      );
    await change('api:a', 'lab-api', 'lab', 1);
    await change('api:b', 'lab-queue', 'lab', 2);
    await db.close();
    const catalogFile = path.join(dataDir, 'catalog-info.yaml');
    fs.writeFileSync(
      catalogFile,
      ['lab-api', 'lab-queue']
        .map(
          (name) =>
            `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: group:default/lab-team\n  system: lab\n`,
        )
        .join('---\n'),
    );
    const run = (env: Record<string, string>) =>
      spawnSync(
        process.execPath,
        ['--disable-warning=ExperimentalWarning', 'scripts/review.ts', String(incident.number)],
        {
          env: { ...childEnv(), DATA_DIR: dataDir, TZ_DEFAULT: 'UTC', ...env },
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
    const withCatalog = run({ CATALOG_PATH: catalogFile });
    assert.equal(withCatalog.status, 0, withCatalog.stderr);
    assert.match(withCatalog.stdout, /## What changed \(24 hours before it was declared\)/);
    assert.match(
      withCatalog.stdout,
      /\| lab-api \| deploy to production: Deploy of lab-api \| alice \| _no approver recorded_ \|/,
    );
    assert.match(withCatalog.stdout, /\| lab-queue \| deploy to production: Deploy of lab-queue \|/);
    const without = run({});
    assert.equal(without.status, 0, without.stderr);
    assert.match(without.stdout, /Deploy of lab-api/);
    assert.doesNotMatch(without.stdout, /Deploy of lab-queue/, 'without the catalog, only the service itself');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('--clinical-safety writes just the clinical safety section (hazards, ratings, the sign-off), PHI redacted; INC-42 is understood', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-review-clinical-'));
  try {
    const db = await openDatabase({ url: null, dataDir, embeddedTemplate: await embeddedTemplate() });
    const store = new PrismaIncidentStore(db.prisma);
    const at = new Date('2026-11-24T14:30:00Z');
    const { incident } = await store.createIfAbsent(
      declaring({
        declareKey: 'cli-clinical',
        declaration: aDeclaration({ title: 'Wrong doses shown', clinicalImpact: true }),
        declaredAt: new Date('2026-11-24T14:05:00Z'),
      }),
    );
    const entry = (text: string) => ({ occurredAt: at, kind: 'test_setup', actorId: 'UBOB', text });
    await store.applyChange(
      incident.id,
      { role: { role: 'CLINICAL_SAFETY', userId: 'UCAROL', assignedBy: 'UBOB' } },
      entry('cso'),
    );
    await store.applyChange(
      incident.id,
      {
        clinical: {
          hazard: {
            op: 'add',
            link: {
              hazardId: 'HAZ-012',
              title: 'Wrong dose shown for NHS number 943 476 5919',
              before: { likelihood: 'high', severity: 'major' },
              after: { likelihood: 'low', severity: 'major' },
              linkedBy: 'UCAROL',
              linkedAt: at,
              updatedBy: 'UCAROL',
              updatedAt: at,
            },
          },
        },
      },
      entry('hazard'),
    );
    await store.applyChange(
      incident.id,
      {
        clinical: {
          signoff: {
            by: 'UCAROL',
            note: 'Controls verified',
            hazards: (await store.clinicalRecord(incident.id)).hazards,
            reviewItem: {
              text: 'Review the hazard log',
              ownerId: 'UCAROL',
              due: null,
              category: 'process',
              priority: 'high',
            },
          },
        },
      },
      entry('signoff'),
    );
    const plain = await store.createIfAbsent(
      declaring({ declareKey: 'cli-not-clinical', declaration: aDeclaration({ title: 'Slow search' }) }),
    );
    await db.close();

    const md = review(dataDir, `INC-${incident.number}`, '--clinical-safety');
    assert.equal(md.status, 0, md.stderr);
    assert.equal(
      md.stdout,
      [
        `# INC-${incident.number}: Wrong doses shown — Clinical safety`,
        '',
        '## Clinical safety (DCB0129 / DCB0160)',
        '',
        '- **Clinical impact**: Yes',
        '- **Clinical safety officer**: UCAROL',
        '- **Sign-off**: signed off by UCAROL at Tue 24 Nov 14:30 GMT (2026-11-24T14:30:00.000Z) — Controls verified',
        '',
        '| Hazard | Title | Before (likelihood × severity) | Rating before | After (likelihood × severity) | Rating after |',
        '| --- | --- | --- | --- | --- | --- |',
        '| HAZ-012 | Wrong dose shown for NHS number [redacted NHS number] | High × Major | 4 | Low × Major | 3 |',
        '',
      ].join('\n'),
    );
    const json = review(dataDir, String(incident.number), '--clinical-safety', '--json');
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual(
      JSON.parse(json.stdout).hazards.map((h: { hazardId: string; before: { rating: number } }) => [
        h.hazardId,
        h.before.rating,
      ]),
      [['HAZ-012', 4]],
    );
    const none = review(dataDir, String(plain.incident.number), '--clinical-safety');
    assert.equal(none.status, 1);
    assert.match(none.stderr, /has no clinical impact and no hazard or sign-off recorded/);
    assert.match(
      review(dataDir, '1', '--clinical').stderr,
      /usage: npm run review -- <incident number> \[--json\] \[--clinical-safety\]/,
    );
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test("the breach section follows BREACH_REGIMES, as the posted review does (HIPAA's and the DSPT's obligations too); a bad value is one line", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-review-breach-'));
  try {
    const db = await openDatabase({ url: null, dataDir, embeddedTemplate: await embeddedTemplate() });
    const store = new PrismaIncidentStore(db.prisma);
    const awareAt = new Date('2026-11-24T14:05:00Z');
    const { incident } = await store.createIfAbsent(
      declaring({
        declareKey: 'cli-breach',
        declaration: aDeclaration({ title: 'Letters sent to the wrong addresses' }),
        declaredAt: awareAt,
      }),
    );
    await store.applyChange(
      incident.id,
      { dataBreach: true, breachAwareAt: awareAt },
      { occurredAt: awareAt, kind: 'data_breach', actorId: 'UBOB', text: 'breach' },
    );
    await db.close();
    const run = (regimes: string) =>
      spawnSync(
        process.execPath,
        ['--disable-warning=ExperimentalWarning', 'scripts/review.ts', String(incident.number), '--json'],
        {
          env: { ...childEnv(), DATA_DIR: dataDir, TZ_DEFAULT: 'Europe/London', BREACH_REGIMES: regimes },
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
    const all = run('uk-gdpr,hipaa,dspt');
    assert.equal(all.status, 0, all.stderr);
    const breach = JSON.parse(all.stdout).breach as { regimes: string[]; obligations: { regime: string }[] };
    assert.deepEqual(breach.regimes, ['UK GDPR', 'HIPAA', 'NHS DSPT']);
    assert.deepEqual([...new Set(breach.obligations.map((o) => o.regime))], ['UK GDPR', 'HIPAA', 'NHS DSPT']);
    const bad = run('gdpr');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr.trim(), /^Invalid configuration: BREACH_REGIMES .*not a regime/);
    assert.equal(bad.stdout, '');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
