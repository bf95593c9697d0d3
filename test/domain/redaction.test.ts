import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  outboundActionItem,
  outboundIncident,
  redactDeep,
  redactionWarning,
  redactString,
} from '../../src/domain/redaction.ts';
import {
  outboundNotice,
  outboundReview,
  outboundReviewInSlices,
  redactForExport,
} from '../../src/services/outbound-text.ts';
import { buildReview } from '../../src/domain/review.ts';
import { syntheticRecord } from '../../bench/review.ts';
import { anIncident as incident } from '../support/fixtures.ts';

const NHS = '943 476 5919';

describe('redactDeep', () => {
  test('every string at any depth, with the path and kind of each finding and never the text', () => {
    const input = {
      title: `Patient ${NHS}`,
      nested: { list: ['ok', 'mail jo@example.org', { note: 'ring 07700 900123' }] },
      count: 3,
      when: new Date('2026-12-01T10:00:00Z'),
    };
    const { value, findings } = redactDeep(input);
    assert.deepEqual(value, {
      title: 'Patient [redacted NHS number]',
      nested: { list: ['ok', 'mail [redacted email address]', { note: 'ring [redacted phone number]' }] },
      count: 3,
      when: input.when,
    });
    assert.deepEqual(findings, [
      { path: 'title', kind: 'nhs-number' },
      { path: 'nested.list[1]', kind: 'email' },
      { path: 'nested.list[2].note', kind: 'uk-phone' },
    ]);
    assert.ok(!JSON.stringify(findings).includes('5919'), 'findings carry no PHI');
    assert.equal(input.title, `Patient ${NHS}`, 'the input is not changed');
    assert.ok(value.when instanceof Date, 'a Date stays a Date');
  });

  test('parts with nothing to redact are the same objects; identifiers, times and enum values are left alone', () => {
    const clean = { a: { b: ['x'] }, c: { d: `nhs ${NHS}` } };
    const { value } = redactDeep(clean);
    assert.equal(value.a, clean.a);
    assert.notEqual(value.c, clean.c);
    const ids = {
      channelId: '9434765919',
      ts: '9434765919',
      hash: '9434765919',
      prevHash: '9434765919',
      rowKey: '9434765919',
      text: '9434765919',
    };
    assert.deepEqual(redactDeep(ids).value, { ...ids, text: '[redacted NHS number]' });
    assert.deepEqual(redactDeep(ids, { skipKey: () => false }).findings.length, 6);
  });

  test('a wrong check digit is left as written', () => {
    assert.deepEqual(redactDeep({ t: 'order 943 476 5918' }).findings, []);
  });
});

describe('outbound helpers', () => {
  test('an incident: title, description, service and channel name redacted; nothing else changes', () => {
    const i = {
      ...incident(),
      title: `Bloods for ${NHS}`,
      description: 'call 07700 900123',
      affectedService: 'Lab',
      channelName: 'inc-1-x',
    };
    const { value, findings } = outboundIncident(i);
    assert.equal(value.title, 'Bloods for [redacted NHS number]');
    assert.equal(value.description, 'call [redacted phone number]');
    assert.equal(value.affectedService, 'Lab');
    assert.deepEqual(
      findings.map((f) => f.path),
      ['title', 'description'],
    );
    assert.deepEqual({ ...value, title: i.title, description: i.description }, i);
    const plain = { ...incident(), title: 'Clean' };
    assert.equal(outboundIncident(plain).value, plain, 'nothing found: the same object');
  });

  test('an action item: its text and incident title', () => {
    const { value } = outboundActionItem({ text: `Tell ${NHS}`, incidentTitle: 'mail jo@example.org', number: 1 });
    assert.deepEqual(value, {
      text: 'Tell [redacted NHS number]',
      incidentTitle: 'mail [redacted email address]',
      number: 1,
    });
  });

  test('a notice: everything redacted, and what its author typed told apart from the record', () => {
    const i = { ...incident(), title: `Bloods for ${NHS}` };
    const out = outboundNotice({ kind: 'status-update', incident: i, by: 'UBOB', message: 'ring 07700 900123' });
    assert.equal(out.notice.message, 'ring [redacted phone number]');
    assert.equal(out.notice.incident.title, 'Bloods for [redacted NHS number]');
    assert.deepEqual(out.typed, [{ path: 'message', kind: 'uk-phone' }]);
    assert.equal(out.findings.length, 2);
  });

  test('exports: an object or a Markdown string', () => {
    assert.equal(redactForExport(`# INC-1\n\nPatient ${NHS}`).value, '# INC-1\n\nPatient [redacted NHS number]');
    assert.deepEqual(redactForExport({ md: `x ${NHS}` }).findings, [{ path: 'md', kind: 'nhs-number' }]);
    assert.equal(redactString('nothing here').findings.length, 0);
  });

  test('a review object', () => {
    const review = {
      header: { title: `For ${NHS}` },
      timeline: [{ at: '2026-12-01T10:00:00.000Z', text: 'DOB: 12/03/1984' }],
    };
    const { value } = outboundReview(review as never);
    assert.deepEqual(value, {
      header: { title: 'For [redacted NHS number]' },
      timeline: [{ at: '2026-12-01T10:00:00.000Z', text: 'DOB: [redacted date of birth]' }],
    });
  });

  test('a review redacted in slices of its timeline: the same review, findings and key order as at once', async () => {
    const { incident: i, entries, input } = syntheticRecord(40);
    const withPhi = entries.map((e, n) =>
      n % 9 === 4 ? { ...e, text: `${e.text} for ${NHS}, mail jo@example.org` } : n === 7 ? { ...e, actorId: null } : e,
    );
    const review = buildReview({ ...i, title: `Bloods for ${NHS}` }, withPhi, input, { timeZone: 'Europe/London' });
    const whole = outboundReview(review);
    let pauses = 0;
    const sliced = await outboundReviewInSlices(review, async () => pauses++, 3);
    assert.equal(pauses, Math.ceil(40 / 3) - 1, 'a pause between slices');
    assert.equal(JSON.stringify(sliced.value), JSON.stringify(whole.value));
    assert.deepEqual(sliced.findings, whole.findings);
    assert.ok(whole.findings.some((f) => f.path === 'timeline[13].text'));
    assert.ok(!JSON.stringify(sliced.value).includes(NHS));

    const clean = buildReview(i, entries, input, { timeZone: 'Europe/London' });
    const same = await outboundReviewInSlices(clean, async () => {}, 3);
    assert.equal(JSON.stringify(same.value), JSON.stringify(outboundReview(clean).value));
    assert.deepEqual(same.findings, outboundReview(clean).findings);
  });

  test('the warning says where and what kinds, never the text; nothing found, no warning', () => {
    const w = redactionWarning(
      [{ kind: 'nhs-number' }, { kind: 'email' }, { kind: 'email' }],
      'Your update was shared in <#C1>.',
    );
    assert.equal(
      w,
      ':shield: Your update was shared in <#C1>. I removed an NHS number and 2 email addresses before posting this outside the incident channel. The incident channel and its record keep what was written.',
    );
    assert.equal(redactionWarning([], 'x'), null);
  });
});
