import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CHANNEL_NAME_MAX, incidentChannelName, slugify } from '../../src/domain/channel-name.ts';
import { declarationSchema, declaredIncident, parseDeclaration, TITLE_MAX } from '../../src/domain/declaration.ts';
import { pendingSteps } from '../../src/domain/provisioning.ts';
import { parseSeverity } from '../../src/domain/severity.ts';
import { formatInZone, isValidTimeZone } from '../../src/domain/time.ts';

describe('declaration', () => {
  test('normalises whitespace and applies defaults', () => {
    const d = declarationSchema.parse({ title: '  Payments   API\n down ', severity: 'SEV2' });
    assert.deepEqual(d, {
      title: 'Payments API down',
      severity: 'SEV2',
      description: '',
      affectedService: null,
      isPrivate: false,
      clinicalImpact: false,
      nearMiss: false,
      drill: false,
    });
  });

  test('rejects empty, over-long titles and unknown severities with a reason', () => {
    const empty = declarationSchema.safeParse({ title: '   ', severity: 'SEV2' });
    assert.match(empty.error!.issues[0]!.message, /title is empty/);
    const long = declarationSchema.safeParse({ title: 'x'.repeat(1000), severity: 'SEV2' });
    assert.match(long.error!.issues[0]!.message, new RegExp(`at most ${TITLE_MAX}`));
    assert.ok(declarationSchema.safeParse({ title: 'x'.repeat(TITLE_MAX), severity: 'SEV2' }).success);
    const sev = declarationSchema.safeParse({ title: 'ok', severity: 'SEV5' });
    assert.match(sev.error!.issues[0]!.message, /SEV1, SEV2, SEV3 or SEV4/);
  });

  test('parseSeverity', () => {
    assert.equal(parseSeverity('sev1'), 'SEV1');
    assert.equal(parseSeverity(' Sev-2 '), 'SEV2');
    assert.equal(parseSeverity('0'), null);
    assert.equal(parseSeverity('sev12'), null);
    assert.equal(parseSeverity('high'), null);
  });
});

describe('channel names', () => {
  test('inc-<number>-<slug>: lowercase, a-z 0-9 and hyphens only', () => {
    assert.equal(incidentChannelName(12, 'Payments API returning 500s!'), 'inc-12-payments-api-returning-500s');
    assert.equal(incidentChannelName(7, 'Überweisung fällt aus — café'), 'inc-7-uberweisung-fallt-aus-cafe');
    assert.equal(incidentChannelName(3, '🔥🔥'), 'inc-3');
    assert.equal(slugify('--A__B  c--'), 'a-b-c');
  });

  test('at most 80 characters, also with a suffix, never ending in a hyphen', () => {
    const title = 'word '.repeat(60);
    for (const attempt of [1, 2, 17]) {
      const name = incidentChannelName(123456, title, attempt);
      assert.ok(name.length <= CHANNEL_NAME_MAX, `${name} is ${name.length} long`);
      assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      if (attempt > 1) assert.ok(name.endsWith(`-${attempt}`));
    }
  });
});

describe('provisioning steps', () => {
  const blank = {
    channelId: null,
    declaredBy: 'UALICE',
    declarerInvited: false,
    summaryTs: null,
    summaryPinned: false,
    announcementTs: null,
    isPrivate: false,
    status: 'DECLARED' as const,
    severity: 'SEV2' as const,
    freezeActive: false,
    freezeAnnounced: false,
    clinicalImpact: false,
    clinicalNotifiedAt: null,
    affectedService: null,
    onCallInvitedAt: null,
    nearMiss: false,
  };
  test('all steps in order for a new incident; private ones are never announced', () => {
    assert.deepEqual(pendingSteps(blank), [
      'create-channel',
      'invite-declarer',
      'post-summary',
      'pin-summary',
      'announce',
    ]);
    assert.deepEqual(pendingSteps({ ...blank, isPrivate: true }).includes('announce'), false);
  });
  test('a SEV1 announces a change freeze; clinical impact alerts clinical safety once', () => {
    const sev1 = pendingSteps({ ...blank, severity: 'SEV1', clinicalImpact: true });
    assert.deepEqual(sev1.slice(-2), ['start-freeze', 'alert-clinical-safety']);
    assert.ok(
      pendingSteps({ ...blank, severity: 'SEV1', isPrivate: true }).includes('start-freeze'),
      'private SEV1s freeze too',
    );
    assert.deepEqual(
      pendingSteps({
        ...blank,
        severity: 'SEV1',
        freezeActive: true,
        freezeAnnounced: true,
        clinicalImpact: true,
        clinicalNotifiedAt: new Date(),
      }).includes('start-freeze'),
      false,
    );
  });
  test('a freeze notice still owed is a step; a SEV1 no longer active decides no freeze', () => {
    const done = {
      ...blank,
      channelId: 'C1',
      declarerInvited: true,
      summaryTs: '1.2',
      summaryPinned: true,
      announcementTs: '1.3',
    };
    assert.deepEqual(
      pendingSteps({ ...done, severity: 'SEV1', freezeActive: true }),
      ['start-freeze'],
      'decided, not yet announced',
    );
    assert.deepEqual(
      pendingSteps({ ...done, severity: 'SEV2', freezeAnnounced: true }),
      ['start-freeze'],
      'announced, then downgraded: its lift is owed',
    );
    assert.deepEqual(
      pendingSteps({ ...done, severity: 'SEV1', status: 'RESOLVED' }),
      [],
      'resolved before its freeze was decided',
    );
    assert.deepEqual(pendingSteps({ ...done, severity: 'SEV2' }), []);
  });
  test('with an on-call system, the affected service’s on-call are invited, last', () => {
    assert.equal(
      pendingSteps({ ...blank, affectedService: 'ehr' }).includes('invite-on-call'),
      false,
      'no on-call system',
    );
    assert.equal(pendingSteps({ ...blank, affectedService: 'ehr' }, { onCall: true }).at(-1), 'invite-on-call');
    assert.equal(pendingSteps({ ...blank }, { onCall: true }).includes('invite-on-call'), false, 'no service');
  });
  test('a near miss pages nobody and announces no freeze, but gets its channel and announcement', () => {
    const nearMiss = { ...blank, nearMiss: true, severity: 'SEV1' as const, affectedService: 'ehr' };
    assert.deepEqual(pendingSteps(nearMiss, { onCall: true }), [
      'create-channel',
      'invite-declarer',
      'post-summary',
      'pin-summary',
      'announce',
    ]);
  });
  test('carries on where a failed run stopped', () => {
    assert.deepEqual(pendingSteps({ ...blank, channelId: 'C1', declarerInvited: true, summaryTs: '1.2' }), [
      'pin-summary',
      'announce',
    ]);
    assert.deepEqual(
      pendingSteps({
        ...blank,
        channelId: 'C1',
        declarerInvited: true,
        summaryTs: '1.2',
        summaryPinned: true,
        announcementTs: '1.3',
      }),
      [],
    );
  });
});

describe('time', () => {
  test('formats a UTC instant in a reader zone, across daylight saving', () => {
    const winter = new Date('2026-11-24T14:05:00Z');
    assert.equal(formatInZone(winter, 'Europe/London'), 'Tue 24 Nov 14:05 GMT');
    assert.equal(formatInZone(winter, 'America/New_York'), 'Tue 24 Nov 09:05 EST');
    const summer = new Date('2026-07-14T14:05:00Z');
    assert.equal(formatInZone(summer, 'Europe/London'), 'Tue 14 Jul 15:05 BST');
  });
  test('validates zones', () => {
    assert.equal(isValidTimeZone('Europe/London'), true);
    assert.equal(isValidTimeZone('Mars/Olympus'), false);
  });
});

describe('what declaring records (declaredIncident)', () => {
  const at = new Date('2026-12-01T10:00:00Z');
  const aware = new Date('2026-11-30T08:00:00Z');
  const base = parseDeclaration({ title: 'Lab results late', severity: 'SEV2' });
  const record = (declaration: typeof base) =>
    declaredIncident({
      declaration,
      declaredBy: 'UALICE',
      declaredAt: at,
      via: 'command',
      originChannelId: 'CGEN',
      responseUrl: null,
    });
  const rows: [
    what: string,
    declaration: typeof base,
    status: string,
    resolvedAt: Date | null,
    breachAwareAt: Date | null,
    kinds: string[],
    text: string,
  ][] = [
    ['an incident', base, 'DECLARED', null, null, ['declared'], 'Declared as SEV2: Lab results late'],
    [
      'a near miss: resolved as it is recorded',
      { ...base, nearMiss: true },
      'RESOLVED',
      at,
      null,
      ['declared', 'status_changed'],
      'Recorded a near miss: Lab results late',
    ],
    [
      'a breach: the clock runs from the declare time',
      { ...base, dataBreach: true },
      'DECLARED',
      null,
      at,
      ['declared', 'data_breach'],
      'Declared as SEV2: Lab results late',
    ],
    [
      'a breach with its awareness time',
      { ...base, dataBreach: true, breachAwareAt: aware },
      'DECLARED',
      null,
      aware,
      ['declared', 'data_breach'],
      'Declared as SEV2: Lab results late',
    ],
  ];
  for (const [what, declaration, status, resolvedAt, breachAwareAt, kinds, text] of rows) {
    test(what, () => {
      const { incident, timeline } = record(declaration);
      assert.equal(incident.status, status, what);
      assert.deepEqual(incident.resolvedAt, resolvedAt, what);
      assert.deepEqual(incident.breachAwareAt, breachAwareAt, what);
      assert.equal(incident.dataBreach, breachAwareAt !== null, what);
      assert.deepEqual(incident.createdAt, at, what);
      assert.deepEqual(incident.lastUpdateAt, at, what);
      assert.deepEqual(
        timeline.map((e) => e.kind),
        kinds,
        what,
      );
      assert.equal(timeline[0]!.text, text, what);
      if (breachAwareAt) assert.deepEqual(timeline[1]!.occurredAt, breachAwareAt, what);
    });
  }
});
