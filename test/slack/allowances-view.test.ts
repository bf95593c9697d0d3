import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KnownBlock } from '@slack/types';
import { type AllowanceReport, computeAllowances } from '../../src/domain/allowances.ts';
import type { OnCallPerson, OnCallStretch } from '../../src/domain/on-call-load.ts';
import { payPeriod } from '../../src/domain/pay-period.ts';
import { parsePayRules } from '../../src/domain/pay-rules.ts';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours.ts';
import type { OnCallAllowances } from '../../src/services/on-call/show-allowances.ts';
import {
  ALLOWANCE_ROWS_SHOWN,
  allowancesFilename,
  allowancesFiles,
  allowancesMessage,
} from '../../src/slack/views/allowances.ts';

const LONDON = 'Europe/London';
const RULES = `
currency: GBP
region: england-and-wales
defaults:
  standby: { per: shift, minimumHours: 12, weekday: 25, weekend: 40, publicHoliday: 60 }
  callout: { per: page, amount: 30 }
  timeOffInLieu: { hoursPerInterruptedNight: 2 }
teams:
  Platform:
    standby: { per: hour, weekday: 1.50, weekend: 2.50, publicHoliday: 3.00 }
`;
const NOW = new Date('2026-12-06T02:00:00Z');

function fixture(
  people: OnCallPerson[],
  over: Partial<OnCallAllowances> = {},
  month: { month: number; year: number } | null = null,
): OnCallAllowances {
  const period = payPeriod(month, NOW, LONDON);
  const stretches: OnCallStretch[] = people.map((p, i) => ({
    userId: p.id,
    scheduleId: 'S1',
    escalationPolicyId: null,
    level: 1,
    start: new Date(period.from.getTime() + (i % 20) * 3600_000),
    end: new Date(period.from.getTime() + (i % 20) * 3600_000 + 2 * 86400_000),
  }));
  const report: AllowanceReport = computeAllowances({
    from: period.from,
    to: period.to,
    teamTimeZone: LONDON,
    workingHours: DEFAULT_WORKING_HOURS,
    people,
    stretches,
    pages: [],
    incidentWork: [],
    rules: parsePayRules(RULES),
    scope: {},
  });
  return {
    scope: { kind: 'schedule', id: 'PSCH1', name: 'Platform primary' },
    period,
    report,
    everyone: true,
    rulesFrom: { kind: 'defaults', name: null },
    overridesIgnored: false,
    sync: { fetched: 1, failed: null, cached: true, asOf: null, missingDays: { current: 0, previous: 0 } },
    slackUsers: new Map(),
    teamTimeZone: LONDON,
    emails: new Map(people.map((p) => [p.id, p.email])),
    ...over,
  };
}

const person = (id: string, name: string): OnCallPerson => ({
  id,
  name,
  email: `${id.toLowerCase()}@example.org`,
  timeZone: LONDON,
});

/** Slack's limits: 50 blocks, a header's 150 characters, 3000 per text, 10 fields of 2000. */
function assertWithinSlackLimits(blocks: KnownBlock[]) {
  assert.ok(blocks.length <= 50, `${blocks.length} blocks`);
  for (const b of blocks) {
    if (b.type === 'header') assert.ok(b.text.text.length <= 150, 'header');
    if (b.type === 'section') {
      if (b.text) assert.ok(b.text.text.length <= 3000, `section ${b.text.text.length}`);
      if (b.fields) {
        assert.ok(b.fields.length <= 10);
        for (const f of b.fields) assert.ok(f.text.length <= 2000);
      }
    }
    if (b.type === 'context')
      for (const e of b.elements) if ('text' in e) assert.ok(e.text.length <= 3000, `context ${e.text.length}`);
  }
}

const texts = (blocks: KnownBlock[]) => JSON.stringify(blocks);

describe('allowances view', () => {
  test('a lead: header, the rules applied, totals, the table, the CSV by DM', () => {
    const a = fixture([person('PA', 'Alice Example'), person('PB', 'Bob Example')]);
    const msg = allowancesMessage(a, { files: true, userId: 'ULEAD' });
    const h = msg.blocks[0]!;
    assert.equal(h.type, 'header');
    assert.equal(h.type === 'header' && h.text.text, 'On-call allowances: Platform primary, November 2026');
    const json = texts(msg.blocks);
    assert.match(json, /Rules applied:\* the defaults: standby per shift/);
    assert.match(json, /GBP 30\.00 per out-of-hours page/);
    assert.match(json, /\*Amount\*\\nGBP /);
    assert.match(json, /Alice Example/);
    assert.match(json, /Bob Example/);
    assert.match(json, /payroll CSV is in your direct messages/);
    assert.doesNotMatch(json, /so far/);
    assertWithinSlackLimits(msg.blocks);
  });

  test('200 people with long names: within Slack’s limits, 15 rows, the rest in the CSV', () => {
    const people = Array.from({ length: 200 }, (_, i) =>
      person(`P${String(i).padStart(3, '0')}`, `${'&<>'.repeat(40)} ${'Verylongname'.repeat(20)} ${i}`),
    );
    const a = fixture(people, { scope: { kind: 'team', id: 'T', name: `Team ${'x'.repeat(300)}` } });
    const msg = allowancesMessage(a, { files: true, userId: 'ULEAD' });
    assertWithinSlackLimits(msg.blocks);
    const table = msg.blocks.find((b) => b.type === 'section' && b.text?.text.startsWith('```'));
    assert.ok(table && table.type === 'section');
    const lines = table.text!.text.split('\n');
    assert.ok(lines.length - 3 <= ALLOWANCE_ROWS_SHOWN, 'at most 15 rows');
    assert.ok(lines.at(-1) === '```', 'the code block is closed');
    const shown = lines.length - 3;
    assert.match(texts(msg.blocks), new RegExp(`And ${200 - shown} more: see the CSV`));
    assert.doesNotMatch(texts(msg.blocks), /<>/, 'names escaped');
    assert.ok(msg.text.length <= 3000);
  });

  test('a non-lead with no row: told why, no totals or table', () => {
    const a = fixture([], { everyone: false });
    const unmatched = texts(allowancesMessage(a, { files: null, userId: 'UBOB' }).blocks);
    assert.match(unmatched, /not matched to you in Slack \(they are matched by email/);
    const matched = texts(
      allowancesMessage({ ...a, slackUsers: new Map([['PBOB', 'UBOB']]) }, { files: null, userId: 'UBOB' }).blocks,
    );
    assert.match(matched, /You were not on call in Platform primary in November 2026/);
    assert.doesNotMatch(matched, /Amount/);
  });

  test('a non-lead with a row: their own, and a line that everyone’s are for the leads', () => {
    const a = fixture([person('PBOB', 'Bob Example')], { everyone: false });
    const json = texts(allowancesMessage(a, { files: null, userId: 'UBOB' }).blocks);
    assert.match(json, /Your amount/);
    assert.match(json, /Only your own row/);
    assert.doesNotMatch(json, /direct messages/);
  });

  test('the month under way says so; cached figures say why; overrides ignored and a failed CSV are warned', () => {
    const a = fixture(
      [person('PA', 'Alice')],
      {
        overridesIgnored: true,
        sync: {
          fetched: 0,
          failed: 'PagerDuty did not answer',
          cached: true,
          asOf: new Date('2026-12-05T10:00:00Z'),
          missingDays: { current: 0, previous: 0 },
        },
      },
      { month: 12, year: 2026 },
    );
    const msg = allowancesMessage(a, { files: false, userId: 'ULEAD' });
    const h = msg.blocks[0]!;
    assert.equal(h.type === 'header' && h.text.text, 'On-call allowances: Platform primary, December 2026 so far');
    const json = texts(msg.blocks);
    assert.match(json, /December 2026 is under way/);
    assert.match(json, /PagerDuty did not answer: showing cached figures/);
    assert.match(json, /rules per team or schedule; name one to use them/);
    assert.match(json, /CSV could not be sent/);
  });

  test('names pass the PHI guard in the message and the file', () => {
    const a = fixture([person('PA', 'Pat 943 476 5919')]);
    assert.doesNotMatch(texts(allowancesMessage(a, { files: true, userId: 'ULEAD' }).blocks), /943 476 5919/);
    const [file] = allowancesFiles(a);
    assert.doesNotMatch(String(file!.content), /943 476 5919/);
    assert.match(String(file!.content), /Pat \[redacted NHS number\]/);
  });

  test('the file name passes the PHI guard too: a scope named with an NHS number does not put it in the name', () => {
    const a = fixture([person('PA', 'Pat')]);
    const scope = { kind: 'team' as const, id: 'T', name: 'Ward 7 NHS 943 476 5919' };
    const name = allowancesFilename({ ...a, scope });
    assert.doesNotMatch(name, /943|476|5919/);
    assert.equal(name, 'on-call-allowances-2026-11-ward-7-nhs-redacted-nhs-number.csv');
    assert.doesNotMatch(allowancesFiles({ ...a, scope })[0]!.filename, /5919/);
  });

  test('the file name: the month and a safe slug of the scope', () => {
    const a = fixture([]);
    assert.equal(allowancesFilename(a), 'on-call-allowances-2026-11-platform-primary.csv');
    assert.equal(
      allowancesFilename({ ...a, scope: { kind: 'team', id: 'T', name: '../../etc/passwd Ünïcode ☃' } }),
      'on-call-allowances-2026-11-etc-passwd-unicode.csv',
    );
    assert.equal(
      allowancesFilename({ ...a, scope: { kind: 'team', id: 'T', name: '☃☃' } }),
      'on-call-allowances-2026-11-all.csv',
    );
  });
});
