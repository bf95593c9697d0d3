import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACTION_CATEGORIES,
  buildReview,
  CONTRIBUTING_FACTOR_LABELS,
  CONTRIBUTING_FACTORS,
  reviewInputErrors,
  reviewInputSchema,
  reviewSteps,
  REVIEW_STEP_ENTRIES,
  type ReviewInputDraft,
} from '../../src/domain/review.ts';
import { cell, reviewMarkdownChunks, reviewToMarkdown } from '../../src/domain/review-markdown.ts';
import { syntheticRecord } from '../../bench/review.ts';
import type { TimelineEntry } from '../../src/domain/timeline.ts';
import { anIncident } from '../support/fixtures.ts';

const at = (iso: string) => new Date(iso);
const TZ = 'Europe/London';

let seq = 0;
function entry(time: string, kind: string, text: string, extra: Partial<TimelineEntry> = {}): TimelineEntry {
  seq += 1;
  return {
    id: `e${String(seq).padStart(5, '0')}`,
    incidentId: '2f1c6a52-8d0e-4a57-9f0f-0a1b2c3d4e5f',
    occurredAt: at(`2026-11-24T${time}Z`),
    kind,
    actorId: 'UALICE',
    text,
    data: {},
    sourceTs: null,
    permalink: null,
    editedAt: null,
    deletedAt: null,
    ...extra,
  };
}

const status = (time: string, from: string, to: string, text: string, data: Record<string, unknown> = {}) =>
  entry(time, 'status_changed', text, { data: { from, to, ...data } });

/** A realistic record, given slightly out of order (as it might be assembled). */
function record() {
  const incident = anIncident({
    severity: 'SEV1',
    status: 'CLOSED',
    clinicalImpact: true,
    roles: { COMMANDER: 'UBOB', SCRIBE: 'UCAROL' },
    affectedService: 'ehr',
  });
  const entries: TimelineEntry[] = [
    entry('14:05:00', 'declared', 'Declared as SEV2: EHR login failing', { data: { severity: 'SEV2', via: 'slash' } }),
    entry('14:05:05', 'channel_created', 'Channel created', { actorId: null }),
    entry('14:07:00', 'role_assigned', 'Commander: UBOB', { data: { role: 'COMMANDER', userId: 'UBOB' } }),
    status('14:10:00', 'DECLARED', 'INVESTIGATING', 'Investigating'),
    entry('14:20:00', 'severity_changed', 'Severity SEV2 → SEV1: wards affected', {
      actorId: 'UBOB',
      data: { from: 'SEV2', to: 'SEV1', reason: 'wards affected' },
    }),
    entry('14:25:00', 'pinned_message', 'Patient list | ward 7 attached', {
      actorId: 'UDAVE',
      sourceTs: '1764080700.000100',
      permalink: 'https://example.slack.com/archives/C42/p1764080700000100',
      deletedAt: at('2026-11-24T14:26:00Z'),
    }),
    entry('14:30:00', 'note', 'Auth service pods restarting'),
    status('14:45:00', 'INVESTIGATING', 'MONITORING', 'Monitoring'),
    status('15:05:00', 'MONITORING', 'RESOLVED', 'Resolved'),
    status('15:30:00', 'RESOLVED', 'INVESTIGATING', 'Reopened: errors back', { reopened: true }),
    // Out of order: recorded later than the resolve that follows it in time.
    status('16:05:00', 'INVESTIGATING', 'RESOLVED', 'Resolved again'),
    entry('15:35:00', 'note', 'Rolled back the config change', { editedAt: at('2026-11-24T15:40:00Z') }),
    status('17:05:00', 'RESOLVED', 'CLOSED', 'Closed'),
  ];
  return { incident, entries };
}

const fullInput: ReviewInputDraft = {
  impact: {
    usersAffected: '~300 clinicians',
    clinicalImpact: 'Two clinics used paper notes for 2h',
    dataImpact: 'None',
  },
  detection: { how: 'staff-report', note: 'Ward 7 called the service desk' },
  contributingFactors: [
    { factor: 'change-deploy', detail: 'Config change to auth timeouts' },
    { factor: 'observability-gap', detail: 'No alert on login failure rate' },
  ],
  otherFactors: 'Change made late on a Friday',
  wentWell: 'Quick rollback',
  wasHard: 'Finding who owned the auth config',
  actionItems: [
    {
      text: 'Alert on login failure rate > 5%',
      ownerId: 'UBOB',
      due: '2026-12-01',
      category: 'observability',
      priority: 'high',
    },
    { text: 'Add a | pipe-y review gate for auth config', category: 'guardrail' },
    {
      text: 'Name an owner for auth config',
      ownerId: 'UCAROL',
      due: '2026-12-15',
      category: 'ownership',
      priority: 'low',
    },
  ],
};

function errorsOf(draft: unknown): string[] {
  const r = reviewInputSchema.safeParse(draft);
  assert.equal(r.success, false, 'expected the input to be rejected');
  return reviewInputErrors(r.error!);
}

describe('reviewInputSchema', () => {
  test('accepts a full input and applies the default priority', () => {
    const r = reviewInputSchema.safeParse(fullInput);
    assert.ok(r.success, JSON.stringify(r.error?.issues));
    assert.equal(r.data.actionItems?.[1]?.priority, 'medium');
    assert.equal(r.data.actionItems?.[0]?.priority, 'high');
  });

  test('accepts an empty input (everything still to be completed)', () => {
    assert.ok(reviewInputSchema.safeParse({}).success);
  });

  test('the taxonomies are as the issue lists them, with labels', () => {
    assert.deepEqual(
      [...CONTRIBUTING_FACTORS],
      [
        'missing-guardrail',
        'observability-gap',
        'unclear-ownership',
        'change-deploy',
        'capacity',
        'dependency',
        'runbook-gap',
        'process',
      ],
    );
    assert.deepEqual([...ACTION_CATEGORIES], ['guardrail', 'observability', 'ownership', 'runbook', 'process']);
    for (const f of CONTRIBUTING_FACTORS) assert.ok(CONTRIBUTING_FACTOR_LABELS[f].length > 0);
  });

  test('rejects an unknown contributing factor, naming the choices', () => {
    const errs = errorsOf({ contributingFactors: [{ factor: 'gremlins', detail: '' }] });
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /^contributingFactors\.0\.factor: Choose a contributing factor from: missing-guardrail, /);
  });

  test('rejects a due date that does not exist, and one in the wrong shape', () => {
    assert.deepEqual(errorsOf({ actionItems: [{ text: 'x', category: 'process', due: '2026-02-30' }] }), [
      'actionItems.0.due: The due date is not a real calendar date from 1970 to 9998 (check the day and month).',
    ]);
    assert.deepEqual(errorsOf({ actionItems: [{ text: 'x', category: 'process', due: '1/12/2026' }] }), [
      'actionItems.0.due: The due date must look like YYYY-MM-DD, e.g. 2026-12-01.',
    ]);
    assert.ok(
      reviewInputSchema.safeParse({ actionItems: [{ text: 'x', category: 'process', due: '2028-02-29' }] }).success,
    );
  });

  test('rejects empty (or blank) action text and text over 500 characters', () => {
    assert.deepEqual(errorsOf({ actionItems: [{ text: '   ', category: 'process' }] }), [
      'actionItems.0.text: Describe the action item (it cannot be empty).',
    ]);
    assert.deepEqual(errorsOf({ actionItems: [{ text: 'x'.repeat(501), category: 'process' }] }), [
      'actionItems.0.text: An action item can be at most 500 characters.',
    ]);
  });

  test('rejects an unknown category, a bad owner and a bad priority', () => {
    assert.deepEqual(
      errorsOf({ actionItems: [{ text: 'x', category: 'vibes', ownerId: '@bob', priority: 'urgent' }] }),
      [
        'actionItems.0.ownerId: The owner must be a Slack user ID such as U0123ABCD (not a @name).',
        'actionItems.0.category: Choose an action category: guardrail, observability, ownership, runbook, process.',
        'actionItems.0.priority: Choose a priority: high, medium, low.',
      ],
    );
  });

  test('rejects impact without clinical or data impact, and unknown detection', () => {
    assert.deepEqual(errorsOf({ impact: { clinicalImpact: '', dataImpact: 'None' }, detection: { how: 'psychic' } }), [
      'impact.clinicalImpact: Describe the clinical or patient impact (write “None” if there was none).',
      'detection.how: Choose how the incident was detected: alert, customer-report, staff-report, monitoring-dashboard, other.',
    ]);
  });
});

describe('buildReview', () => {
  test('header: ref, severity history with times, status, roles and flags', () => {
    const { incident, entries } = record();
    const r = buildReview(incident, entries, null, { timeZone: TZ });
    assert.equal(r.header.ref, 'INC-42');
    assert.equal(r.header.severity, 'SEV1');
    assert.deepEqual(r.header.severityHistory, [
      {
        at: '2026-11-24T14:05:00.000Z',
        atText: 'Tue 24 Nov 14:05 GMT',
        severity: 'SEV2',
        from: null,
        reason: null,
        actorId: 'UALICE',
      },
      {
        at: '2026-11-24T14:20:00.000Z',
        atText: 'Tue 24 Nov 14:20 GMT',
        severity: 'SEV1',
        from: 'SEV2',
        reason: 'wards affected',
        actorId: 'UBOB',
      },
    ]);
    assert.equal(r.header.status, 'CLOSED');
    assert.equal(r.header.statusLabel, 'Closed');
    assert.deepEqual(
      r.header.roles.filter((x) => x.userId),
      [
        { role: 'COMMANDER', label: 'Commander', userId: 'UBOB' },
        { role: 'SCRIBE', label: 'Scribe', userId: 'UCAROL' },
      ],
    );
    assert.equal(r.header.roles.length, 6, 'every role, the data protection officer too');
    assert.equal(r.header.clinicalImpact, true);
    assert.equal(r.header.isPrivate, false);
    assert.equal(r.header.nearMiss, false);
  });

  test('header: a personal data breach with its awareness, regulator deadline and notification (late or not)', () => {
    const { incident, entries } = record();
    assert.equal(buildReview(incident, entries, null, { timeZone: TZ }).header.dataBreach, null, 'not a breach');
    const breach = {
      ...incident,
      dataBreach: true,
      breachAwareAt: new Date('2026-11-24T13:50:00Z'),
      breachNotifiedAt: null,
      breachNotifiedBy: null,
    };
    const open = buildReview(breach, entries, null, { timeZone: TZ }).header.dataBreach!;
    assert.deepEqual(open, {
      awareAt: '2026-11-24T13:50:00.000Z',
      awareText: 'Tue 24 Nov 13:50 GMT',
      deadline: '2026-11-27T13:50:00.000Z',
      deadlineText: 'Fri 27 Nov 13:50 GMT',
      notifiedAt: null,
      notifiedText: null,
      notifiedBy: null,
      late: null,
    });
    const late = buildReview(
      { ...breach, breachNotifiedAt: new Date('2026-11-27T15:00:00Z'), breachNotifiedBy: 'UBOB' },
      entries,
      null,
      { timeZone: TZ },
    );
    assert.equal(late.header.dataBreach!.late, true);
    assert.match(
      reviewToMarkdown(late),
      /\| Personal data breach \| Yes: aware Tue 24 Nov 13:50 GMT; regulator deadline Fri 27 Nov 13:50 GMT; regulator notified Fri 27 Nov 15:00 GMT by UBOB \(after the deadline\) \|/,
    );
    const onTime = buildReview(
      { ...breach, breachNotifiedAt: new Date('2026-11-25T09:00:00Z'), breachNotifiedBy: 'UBOB' },
      entries,
      null,
      { timeZone: TZ },
    );
    assert.equal(onTime.header.dataBreach!.late, false);
    assert.match(
      reviewToMarkdown(buildReview(incident, entries, null, { timeZone: TZ })),
      /\| Personal data breach \| No \|/,
    );
  });

  test('key times and durations: first acknowledge and mitigate, the resolve after the reopen', () => {
    const { incident, entries } = record();
    const r = buildReview(incident, entries, null, { timeZone: TZ });
    assert.deepEqual(r.keyTimes, {
      declared: '2026-11-24T14:05:00.000Z',
      acknowledged: '2026-11-24T14:10:00.000Z',
      mitigated: '2026-11-24T14:45:00.000Z',
      resolved: '2026-11-24T16:05:00.000Z',
      closed: '2026-11-24T17:05:00.000Z',
    });
    assert.equal(r.keyTimesText.resolved, 'Tue 24 Nov 16:05 GMT');
    assert.deepEqual(r.durations, {
      toAcknowledge: { ms: 5 * 60_000, text: '5m' },
      toMitigate: { ms: 40 * 60_000, text: '40m' },
      toResolve: { ms: 2 * 3_600_000, text: '2h 00m' },
      toClose: { ms: 3 * 3_600_000, text: '3h 00m' },
    });
    assert.deepEqual(r.detection.timeToAcknowledge, { ms: 5 * 60_000, text: '5m' });
  });

  test('reopened and not resolved again: resolved and closed are null', () => {
    const { incident, entries } = record();
    const open = entries.filter((e) => !['16:05', '17:05'].some((t) => e.occurredAt.toISOString().includes(`T${t}`)));
    const r = buildReview({ ...incident, status: 'INVESTIGATING' }, open, null, { timeZone: TZ });
    assert.equal(r.keyTimes.resolved, null);
    assert.equal(r.keyTimes.closed, null);
    assert.deepEqual(r.durations.toResolve, { ms: null, text: '—' });
    assert.equal(r.keyTimes.mitigated, '2026-11-24T14:45:00.000Z');
  });

  test('the full timeline, oldest first, with deleted and edited entries marked', () => {
    const { incident, entries } = record();
    const r = buildReview(incident, entries, null, { timeZone: TZ });
    assert.equal(r.timeline.length, entries.length);
    const times = r.timeline.map((e) => e.at);
    assert.deepEqual(times, [...times].sort());
    assert.deepEqual(
      r.timeline.map((e) => e.kind),
      [
        'declared',
        'channel_created',
        'role_assigned',
        'status_changed',
        'severity_changed',
        'pinned_message',
        'note',
        'status_changed',
        'status_changed',
        'status_changed',
        'note',
        'status_changed',
        'status_changed',
      ],
    );
    const pinned = r.timeline.find((e) => e.kind === 'pinned_message')!;
    assert.deepEqual(pinned, {
      at: '2026-11-24T14:25:00.000Z',
      atText: 'Tue 24 Nov 14:25 GMT',
      kind: 'pinned_message',
      actorId: 'UDAVE',
      text: 'Patient list | ward 7 attached',
      permalink: 'https://example.slack.com/archives/C42/p1764080700000100',
      edited: false,
      deleted: true,
    });
    assert.equal(r.timeline.filter((e) => e.deleted).length, 1);
    assert.equal(r.timeline.find((e) => e.text === 'Rolled back the config change')?.edited, true);
    assert.equal(r.timeline[1]?.actorId, null);
  });

  test('times read in the given zone', () => {
    const { incident, entries } = record();
    const r = buildReview(incident, entries, null, { timeZone: 'America/New_York' });
    assert.equal(r.timeline[0]?.atText, 'Tue 24 Nov 09:05 EST');
    assert.equal(r.timeline[0]?.at, '2026-11-24T14:05:00.000Z');
  });

  test('without input: every person-supplied part is null and listed as missing', () => {
    const { incident, entries } = record();
    const r = buildReview(incident, entries, null, { timeZone: TZ });
    assert.equal(r.impact, null);
    assert.equal(r.detection.how, null);
    assert.equal(r.detection.note, null);
    assert.equal(r.contributingFactors, null);
    assert.equal(r.wentWell, null);
    assert.equal(r.wasHard, null);
    assert.equal(r.actionItems, null);
    assert.deepEqual(r.missing, ['impact', 'detection', 'contributingFactors', 'wentWell', 'wasHard', 'actionItems']);
  });

  test('with full input: nothing missing; partial input lists only what is absent or blank', () => {
    const { incident, entries } = record();
    const full = buildReview(incident, entries, reviewInputSchema.parse(fullInput), { timeZone: TZ });
    assert.deepEqual(full.missing, []);
    assert.deepEqual(full.impact, {
      usersAffected: '~300 clinicians',
      clinicalImpact: 'Two clinics used paper notes for 2h',
      dataImpact: 'None',
    });
    assert.equal(full.detection.howLabel, 'Staff report');
    assert.deepEqual(
      full.contributingFactors?.factors.map((f) => f.label),
      ['Change or deploy', 'Observability gap'],
    );
    assert.equal(full.actionItems?.length, 3);
    assert.deepEqual(full.actionItems?.[1], {
      text: 'Add a | pipe-y review gate for auth config',
      ownerId: null,
      due: null,
      category: 'guardrail',
      categoryLabel: 'Guardrail',
      priority: 'medium',
      ref: null,
      status: 'open',
    });

    const partial = buildReview(
      incident,
      entries,
      reviewInputSchema.parse({ wentWell: '  ', actionItems: [], otherFactors: 'Friday' }),
      { timeZone: TZ },
    );
    assert.deepEqual(partial.missing, ['impact', 'detection', 'wentWell', 'wasHard']);
    assert.deepEqual(partial.actionItems, []);
    assert.deepEqual(partial.contributingFactors, { factors: [], other: 'Friday' });
  });

  test('deterministic: two builds are deep-equal and survive a JSON round trip', () => {
    const { incident, entries } = record();
    const input = reviewInputSchema.parse(fullInput);
    const a = buildReview(incident, entries, input, { timeZone: TZ });
    const b = buildReview(record().incident, [...record().entries], reviewInputSchema.parse(fullInput), {
      timeZone: TZ,
    });
    assert.deepEqual(a, b);
    assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
    assert.equal(reviewToMarkdown(a), reviewToMarkdown(b));
  });

  test('a record without a declared entry falls back to the creation time and the first change', () => {
    const { incident, entries } = record();
    const r = buildReview(
      incident,
      entries.filter((e) => e.kind !== 'declared'),
      null,
      { timeZone: TZ },
    );
    assert.equal(r.keyTimes.declared, incident.createdAt.toISOString());
    assert.equal(r.header.severityHistory[0]?.severity, 'SEV2');
    assert.equal(r.header.severityHistory[0]?.actorId, 'UALICE');
  });
});

describe('a long review in steps and chunks', () => {
  test("reviewSteps pauses every REVIEW_STEP_ENTRIES entries and gives buildReview's review", () => {
    const { incident, entries, input } = syntheticRecord(2 * REVIEW_STEP_ENTRIES + 10);
    const steps = reviewSteps(incident, entries, input, { timeZone: TZ });
    let pauses = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) pauses++;
    assert.equal(pauses, 2);
    assert.deepEqual(step.value, buildReview(incident, entries, input, { timeZone: TZ }));
  });

  test('the Markdown in chunks: the timeline a bounded number of lines at a time, joined the same document', () => {
    const { incident, entries, input } = syntheticRecord(1000);
    for (const given of [input, null]) {
      const review = buildReview(incident, entries, given, { timeZone: TZ });
      const chunks = [...reviewMarkdownChunks(review, 100)];
      assert.equal(chunks.join(''), reviewToMarkdown(review));
      assert.ok(chunks.length >= 10, `${chunks.length} chunks`);
      for (const c of chunks.slice(1, -1))
        assert.ok(c.split('\n').filter(Boolean).length <= 100, 'at most 100 timeline lines a chunk');
      assert.ok(reviewToMarkdown(review).endsWith('\n') && !reviewToMarkdown(review).endsWith('\n\n'));
    }
    const empty = buildReview(incident, [], null, { timeZone: TZ });
    assert.equal([...reviewMarkdownChunks(empty, 1)].join(''), reviewToMarkdown(empty));
    assert.match(reviewToMarkdown(empty), /## Timeline\n\n_Nothing on the timeline\._\n/);
  });
});

describe('Markdown table cells', () => {
  test('a title that is HTML stays text where a viewer renders HTML in Markdown (evidence packs, review files)', () => {
    assert.equal(cell('<img src=//attacker.example/p.gif> down'), '&lt;img src=//attacker.example/p.gif> down');
    assert.equal(cell('rate > 5% | p99 & more'), 'rate > 5% \\| p99 & more');
    assert.equal(cell('one\ntwo'), 'one<br>two');
    assert.equal(cell('  '), '—');
  });
});

describe('reviewToMarkdown', () => {
  test('a complete document: every section, tables, the timeline as a list', () => {
    const { incident, entries } = record();
    const md = reviewToMarkdown(buildReview(incident, entries, reviewInputSchema.parse(fullInput), { timeZone: TZ }));
    for (const heading of [
      '# INC-42: EHR login failing — Post-incident review',
      '## Summary',
      '### Severity history',
      '## Impact',
      '## Key times (Europe/London)',
      '## Detection',
      '## Contributing factors',
      '## What went well',
      '## What was hard',
      '## Action items',
      '## Timeline',
    ])
      assert.ok(md.includes(`\n${heading}\n`) || md.startsWith(`${heading}\n`), `missing ${heading}`);
    assert.ok(md.includes('| Resolved | Tue 24 Nov 16:05 GMT | 2026-11-24T16:05:00.000Z |'));
    assert.ok(md.includes('| Time to resolve | 2h 00m |'));
    assert.ok(md.includes('- **Tue 24 Nov 14:20 GMT** — SEV2 → SEV1 by UBOB: wards affected'));
    assert.ok(md.includes('| Commander | UBOB |'));
    assert.ok(md.includes('| Comms | _Unassigned_ |'));
    assert.ok(!md.includes('To be completed'));

    const actionRows = md.split('\n').filter((l) => /^\| \d+ \| /.test(l));
    assert.equal(actionRows.length, 3);
    assert.equal(
      actionRows[0],
      '| 1 | Alert on login failure rate > 5% | UBOB | 2026-12-01 | Observability | high | Open |',
    );
    assert.equal(
      actionRows[1],
      '| 2 | Add a \\| pipe-y review gate for auth config | _Unassigned_ | — | Guardrail | medium | Open |',
    );
    // Every table row has the header's column count once escaped pipes are discounted.
    for (const row of actionRows) assert.equal(row.replace(/\\\|/g, '').split('|').length - 2, 7);
    // Stored items show their reference and state instead of a row number.
    const stored = reviewToMarkdown(
      buildReview(
        incident,
        entries,
        reviewInputSchema.parse({
          actionItems: [{ text: 'Rotate keys', category: 'process', ref: 'ACT-7', status: 'done' }],
        }),
        { timeZone: TZ },
      ),
    );
    assert.ok(stored.includes('| ACT-7 | Rotate keys | _Unassigned_ | — | Process | medium | Done |'));

    const timeline = md.slice(md.indexOf('## Timeline'));
    assert.equal(timeline.split('\n').filter((l) => l.startsWith('- **')).length, entries.length);
    assert.ok(
      timeline.includes(
        '~~Patient list | ward 7 attached~~ _(deleted)_ ([message](https://example.slack.com/archives/C42/p1764080700000100))',
      ),
    );
    assert.ok(timeline.includes('Rolled back the config change _(edited)_'));
  });

  test('missing parts say "To be completed"; pipes and line breaks in cells are escaped', () => {
    const { incident, entries } = record();
    const md = reviewToMarkdown(buildReview(incident, entries, null, { timeZone: TZ }));
    const section = (name: string) => {
      const start = md.indexOf(`## ${name}\n`);
      return md.slice(start, md.indexOf('\n## ', start + 1));
    };
    for (const s of ['Impact', 'Contributing factors', 'What went well', 'What was hard', 'Action items']) {
      assert.ok(section(s).includes('_To be completed_'), `${s} should be to be completed`);
    }
    assert.ok(section('Detection').includes('- **How**: _To be completed_'));
    assert.ok(
      md.includes('_Still to be completed: impact, detection, contributingFactors, wentWell, wasHard, actionItems._'),
    );

    const input = reviewInputSchema.parse({ impact: { clinicalImpact: 'a | b\nc', dataImpact: 'None' } });
    const md2 = reviewToMarkdown(buildReview(incident, entries, input, { timeZone: TZ }));
    assert.ok(md2.includes('| Clinical / patient impact | a \\| b<br>c |'));
    assert.ok(md2.includes('| Users affected | _To be completed_ |'));
  });

  test('a 5,000-entry timeline builds and renders 5,000 timeline rows', () => {
    const incident = anIncident();
    const start = at('2026-11-24T14:05:00Z').getTime();
    const kinds = ['note', 'status_update', 'pinned_message', 'paged', 'clinical_impact'];
    const many: TimelineEntry[] = Array.from({ length: 5000 }, (_, i) => ({
      id: `m${i}`,
      incidentId: incident.id,
      occurredAt: new Date(start + i * 17_000),
      kind: i === 0 ? 'declared' : kinds[i % kinds.length]!,
      actorId: `U${i % 40}AAA`,
      text: `Entry ${i} | with a pipe`,
      data: i === 0 ? { severity: 'SEV2' } : {},
      sourceTs: null,
      permalink: null,
      editedAt: null,
      deletedAt: i % 500 === 0 ? new Date(start + i * 17_000 + 1000) : null,
    }));
    const review = buildReview(incident, many.reverse(), null, { timeZone: TZ });
    assert.equal(review.timeline.length, 5000);
    assert.equal(review.timeline[0]?.kind, 'declared');
    const md = reviewToMarkdown(review);
    const rows = md
      .slice(md.indexOf('## Timeline'))
      .split('\n')
      .filter((l) => l.startsWith('- **'));
    assert.equal(rows.length, 5000);
  });
});
