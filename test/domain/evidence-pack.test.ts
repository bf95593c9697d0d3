// The evidence pack's files, pure: which files, what each holds, deterministic byte for byte, a
// withheld private incident present as its reference only, CSV cells defused, the manifest's
// hashes, and the period and its default (last quarter in the viewer's zone).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { EVIDENCE_DOWNLOADS_CHAIN } from '../../src/domain/audit-chain.ts';
import {
  checkpointFindings,
  generateSigningKey,
  parseSigningKey,
  signCheckpoint,
} from '../../src/domain/audit-checkpoint.ts';
import {
  buildEvidencePack,
  closedOnTime,
  lastQuarter,
  numberGaps,
  packFilename,
  periodOf,
  WITHHELD_TEXT,
  type EvidencePackInput,
  type PackIncident,
} from '../../src/domain/evidence-pack.ts';

const at = (s: string) => new Date(s);

function anIncident(o: Partial<PackIncident> = {}): PackIncident {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    number: 5,
    title: 'EHR login failing',
    severity: 'SEV2',
    status: 'CLOSED',
    affectedService: 'ehr-api',
    clinicalImpact: false,
    nearMiss: false,
    drill: false,
    dataBreach: false,
    isPrivate: false,
    declaredBy: 'UALICE',
    declaredAt: at('2026-08-03T09:00:00Z'),
    resolvedAt: at('2026-08-03T11:00:00Z'),
    closedAt: at('2026-08-10T11:00:00Z'),
    breachAwareAt: null,
    breachNotifiedAt: null,
    breachNotifiedBy: null,
    roles: [{ role: 'COMMANDER', userId: 'UKATE', assignedBy: 'UALICE', assignedAt: at('2026-08-03T09:05:00Z') }],
    ...o,
  };
}

function input(o: Partial<EvidencePackInput> = {}): EvidencePackInput {
  return {
    period: periodOf('2026-07-01', '2026-09-30', 'Europe/London'),
    generatedAt: at('2026-10-02T08:00:00Z'),
    generatedBy: { userId: 'UAUDIT', name: 'Ann Auditor' },
    register: [
      { withheld: false, incident: anIncident() },
      { withheld: true, number: 6 },
      {
        withheld: false,
        incident: anIncident({
          id: '22222222-2222-4222-8222-222222222222',
          number: 8,
          title: '=HYPERLINK("x")',
          isPrivate: true,
        }),
      },
    ],
    reviews: [
      {
        incidentNumber: 5,
        input: { summary: 'Expired certificate', impact: { clinicalImpact: 'None', dataImpact: 'None' } },
        updatedBy: 'UKATE',
        updatedAt: at('2026-08-05T10:00:00Z'),
      },
    ],
    approvals: [
      {
        incidentNumber: 5,
        record: 'freeze override approved',
        what: 'ehr-api',
        by: 'UKATE',
        at: at('2026-08-03T10:00:00Z'),
        detail: 'hotfix (not used)',
      },
    ],
    actionItems: [
      {
        number: 2,
        incidentNumber: 5,
        text: 'Alert on certificate expiry',
        ownerId: 'UOWEN',
        team: 'group:default/platform',
        due: '2026-08-20',
        priority: 'high',
        status: 'done',
        createdAt: at('2026-08-05T10:00:00Z'),
        completedAt: at('2026-08-19T16:00:00Z'),
        completedBy: 'UOWEN',
        trackerUrl: 'https://jira.example.org/browse/EHR-1',
      },
      {
        number: 3,
        incidentNumber: 5,
        text: 'Runbook for renewals',
        ownerId: null,
        team: null,
        due: '2026-09-01',
        priority: 'low',
        status: 'open',
        createdAt: at('2026-08-05T10:00:00Z'),
        completedAt: null,
        completedBy: null,
        trackerUrl: null,
      },
    ],
    verification: {
      incidents: new Map([
        [5, { entries: 12, intact: true, problems: [] }],
        [6, { entries: 4, intact: false, problems: ['incident title: expected "secret", found "x"'] }],
        [8, { entries: 3, intact: true, problems: [] }],
      ]),
      downloads: { entries: 0, intact: true, problems: [] },
    },
    checkpoints: { configured: false, files: [], notes: [] },
    ...o,
  };
}

const fileOf = (files: { path: string; content: string }[], path: string) => {
  const f = files.find((x) => x.path === path);
  assert.ok(f, `${path} is in the pack`);
  return f.content;
};

describe('evidence pack files', () => {
  test('the files: README first, register, reviews, roles and approvals, action items, verification, manifest last', () => {
    const files = buildEvidencePack(input());
    assert.deepEqual(
      files.map((f) => f.path),
      [
        'README.md',
        'register.csv',
        'register.json',
        'register.md',
        'reviews/INC-5.md',
        'reviews/INC-5.json',
        'roles-and-approvals.csv',
        'action-items.csv',
        'action-items.json',
        'audit-verification.json',
        'audit-verification.md',
        'manifest.json',
      ],
    );
  });

  test('deterministic: the same input gives the same bytes', () => {
    assert.deepEqual(buildEvidencePack(input()), buildEvidencePack(input()));
  });

  test('a withheld private incident is its reference only: in the register, nowhere else, and its problems not shown', () => {
    const files = buildEvidencePack(input());
    const csv = fileOf(files, 'register.csv').split('\r\n');
    assert.equal(csv[2], `INC-6,${WITHHELD_TEXT},,,,yes,,,,,,,,,`);
    const json = JSON.parse(fileOf(files, 'register.json'));
    assert.deepEqual(json.incidents[1], { ref: 'INC-6', number: 6, withheld: true, note: WITHHELD_TEXT });
    assert.match(fileOf(files, 'register.md'), /\| INC-6 \| private: details withheld \|/);
    const verification = JSON.parse(fileOf(files, 'audit-verification.json'));
    assert.deepEqual(verification.incidents[1], { ref: 'INC-6', withheld: true, intact: false });
    for (const f of files) assert.doesNotMatch(f.content, /secret/, `${f.path} shows nothing of the withheld incident`);
    assert.equal(files.filter((f) => f.path.startsWith('reviews/INC-6')).length, 0);
    assert.equal(verification.intact, false, 'a broken chain is reported, withheld or not');
    assert.match(fileOf(files, 'README.md'), /\*\*Audit trail: NOT intact\*\*: INC-6/);
    assert.match(fileOf(files, 'README.md'), /1 private incident is in the register as its reference only/);
  });

  test('the numbering is shown complete, or with the numbers not in the register', () => {
    assert.match(
      fileOf(buildEvidencePack(input()), 'register.md'),
      /INC-5 to INC-8, 3 incidents; not in this register: INC-7/,
    );
    const whole = input({
      register: [
        { withheld: false, incident: anIncident() },
        { withheld: true, number: 6 },
      ],
    });
    assert.match(fileOf(buildEvidencePack(whole), 'README.md'), /INC-5 to INC-6, 2 incidents, numbered without gaps\./);
    assert.deepEqual(numberGaps([3, 4, 7, 9, 10]), [
      [5, 6],
      [8, 8],
    ]);
  });

  test('a drill is in the pack, marked in the register (CSV, JSON, Markdown) and listed in the README as an exercise', () => {
    const files = buildEvidencePack(
      input({
        register: [
          { withheld: false, incident: anIncident() },
          {
            withheld: false,
            incident: anIncident({
              id: '33333333-3333-4333-8333-333333333333',
              number: 6,
              title: 'Tabletop: EHR down',
              drill: true,
            }),
          },
        ],
      }),
    );
    const csv = fileOf(files, 'register.csv').split('\r\n');
    const header = csv[0]!.split(',');
    const col = header.indexOf('Exercise (drill)');
    assert.ok(col > 0, 'the register has an exercise column');
    assert.equal(csv[1]!.split(',')[col], 'no');
    assert.equal(csv[2]!.split(',')[col], 'yes');
    const json = JSON.parse(fileOf(files, 'register.json'));
    assert.deepEqual(
      json.incidents.map((i: { ref: string; drill: boolean }) => [i.ref, i.drill]),
      [
        ['INC-5', false],
        ['INC-6', true],
      ],
    );
    assert.match(fileOf(files, 'register.md'), /\| INC-6 \| \*\*Exercise:\*\* Tabletop: EHR down \|/);
    const readme = fileOf(files, 'README.md');
    assert.match(readme, /## Exercises \(drills\)\n\n1 exercise in this period/);
    assert.match(readme, /- INC-6: Tabletop: EHR down \(SEV2/);
    assert.doesNotMatch(readme, /- INC-5:/);
    assert.match(
      fileOf(buildEvidencePack(input()), 'README.md'),
      /No exercises \(drills\) were declared in this period\./,
    );
  });

  test('CSV cells a spreadsheet would run are defused, and quoted when they must be', () => {
    const csv = fileOf(buildEvidencePack(input()), 'register.csv');
    assert.match(csv, /\r\nINC-8,"'=HYPERLINK\(""x""\)",SEV2 \(High\),/);
  });

  test('roles and approvals: holders with who assigned them and when, then the recorded decisions', () => {
    const csv = fileOf(buildEvidencePack(input()), 'roles-and-approvals.csv').split('\r\n');
    assert.equal(csv[0], 'Incident,Record,What,By,At,Detail');
    assert.equal(csv[1], 'INC-5,role holder,Commander,UALICE,2026-08-03T09:05:00.000Z,UKATE');
    assert.equal(csv[2], 'INC-5,freeze override approved,ehr-api,UKATE,2026-08-03T10:00:00.000Z,hotfix (not used)');
  });

  test('action items: closed on time or not, overdue, tracker link', () => {
    const json = JSON.parse(fileOf(buildEvidencePack(input()), 'action-items.json'));
    assert.deepEqual(json.counts, { total: 2, done: 1, open: 1, lateOrOverdue: 1 });
    assert.equal(json.items[0].onTime, 'yes');
    assert.equal(json.items[0].trackerUrl, 'https://jira.example.org/browse/EHR-1');
    assert.equal(json.items[1].onTime, 'overdue');
    assert.equal(
      closedOnTime(
        { due: '2026-08-20', status: 'done', completedAt: at('2026-08-20T23:30:00Z') },
        '2026-10-01',
        'Europe/London',
      ),
      'no',
      'the 21st in London',
    );
    assert.equal(closedOnTime({ due: null, status: 'open', completedAt: null }, '2026-10-01', 'UTC'), 'open');
  });

  test('a review as Markdown and JSON', () => {
    const files = buildEvidencePack(input());
    const md = fileOf(files, 'reviews/INC-5.md');
    assert.match(md, /^# Review of INC-5 EHR login failing/);
    assert.match(md, /## summary\n\nExpired certificate/);
    assert.match(md, /## impact\n\n- clinicalImpact: None\n- dataImpact: None/);
    assert.deepEqual(JSON.parse(fileOf(files, 'reviews/INC-5.json')).input.summary, 'Expired certificate');
  });

  test('the manifest has the SHA-256 and size of every other file', () => {
    const files = buildEvidencePack(input());
    const manifest = JSON.parse(fileOf(files, 'manifest.json'));
    assert.equal(manifest.files.length, files.length - 1);
    for (const m of manifest.files) {
      const content = fileOf(files, m.path);
      assert.equal(m.sha256, createHash('sha256').update(content).digest('hex'));
      assert.equal(m.bytes, Buffer.byteLength(content));
    }
  });

  test('checkpoints of the period go in as written, and the verification says so', () => {
    const text = '{"format":"incident-bot-audit-checkpoint"}\n';
    const files = buildEvidencePack(
      input({
        checkpoints: {
          configured: true,
          files: [{ name: 'audit-checkpoint-20260901T000000Z-schedule.json', text }],
          notes: ['3 older checkpoints of the period are in the folder'],
        },
      }),
    );
    assert.equal(fileOf(files, 'checkpoints/audit-checkpoint-20260901T000000Z-schedule.json'), text);
    const md = fileOf(files, 'audit-verification.md');
    assert.match(md, /1 checkpoint file of the period, as signed, in checkpoints\//);
    assert.match(md, /- 3 older checkpoints/);
  });

  test('README: the period, who generated it and when, and the verification result', () => {
    const readme = fileOf(buildEvidencePack(input()), 'README.md');
    assert.match(readme, /^# Evidence pack: incidents declared 2026-07-01 to 2026-09-30 \(Europe\/London\)/);
    assert.match(readme, /for Ann Auditor \(UAUDIT\)/);
    assert.match(readme, /2026-10-02T08:00:00.000Z/);
    assert.match(readme, /from 2026-06-30T23:00:00.000Z \(inclusive\) to 2026-09-30T23:00:00.000Z \(exclusive\)/);
  });
});

describe('evidence pack period', () => {
  test('two dates in the viewer’s zone, both included', () => {
    const p = periodOf('2026-03-29', '2026-03-29', 'Europe/London'); // the clocks go forward that day
    assert.equal(p.since.toISOString(), '2026-03-29T00:00:00.000Z');
    assert.equal(p.until.toISOString(), '2026-03-29T23:00:00.000Z');
    assert.equal(packFilename(p), 'evidence-2026-03-29-to-2026-03-29.zip');
  });

  test('the default: the last full quarter in the viewer’s zone', () => {
    assert.deepEqual(lastQuarter(at('2026-12-05T12:00:00Z'), 'UTC'), { fromDate: '2026-07-01', toDate: '2026-09-30' });
    assert.deepEqual(lastQuarter(at('2026-02-10T12:00:00Z'), 'UTC'), { fromDate: '2025-10-01', toDate: '2025-12-31' });
    assert.deepEqual(
      lastQuarter(at('2026-03-31T23:30:00Z'), 'Europe/London'),
      {
        fromDate: '2026-01-01',
        toDate: '2026-03-31',
      },
      'already April in London',
    );
    assert.deepEqual(
      lastQuarter(at('2026-04-01T00:30:00Z'), 'America/New_York'),
      {
        fromDate: '2025-10-01',
        toDate: '2025-12-31',
      },
      'still March in New York',
    );
  });
});

describe('the evidence downloads chain in checkpoints', () => {
  test('named "evidence downloads", never an erased incident', () => {
    const signer = parseSigningKey(generateSigningKey().seed);
    const hash = 'a'.repeat(64);
    const c = signCheckpoint(
      {
        heads: [{ incidentId: EVIDENCE_DOWNLOADS_CHAIN, number: null, seq: 3, hash }],
        incidents: { highest: 0, missing: [] },
        actionItems: { highest: 0, missing: [] },
      },
      {
        createdAt: at('2026-09-01T00:00:00Z'),
        trigger: { kind: 'schedule', period: '2026-09-01T00:00:00.000Z' },
        signer,
      },
    );
    const live = (entries: { seq: number; hash: string; action: string }[]) => ({
      chains: new Map([[EVIDENCE_DOWNLOADS_CHAIN, { number: null, entries, problems: [] }]]),
      incidentNumbers: new Set<number>(),
      actionItemNumbers: new Set<number>(),
    });
    const entries = [1, 2, 3].map((seq) => ({
      seq,
      hash: seq === 3 ? hash : 'b'.repeat(64),
      action: 'evidence_download.insert',
    }));
    assert.deepEqual(
      checkpointFindings(c, live([...entries, { seq: 4, hash: 'c'.repeat(64), action: 'evidence_download.insert' }])),
      [],
    );
    assert.deepEqual(checkpointFindings(c, live([])), [
      {
        subject: 'evidence downloads',
        problem: `erased since the checkpoint of ${c.createdAt}: the downloads, their 3 audit entries and their head are gone`,
      },
    ]);
  });
});
