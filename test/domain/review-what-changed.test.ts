// The review's "What changed": the changes to the incident's service and its system in the 24 hours
// before it was declared, newest first, unknown services and missing approvers said, in the review's
// values, its Markdown and its Slack message.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { reviewToMarkdown } from '../../src/domain/review-markdown.ts';
import { buildReview, WHAT_CHANGED_MAX, whatChangedBefore } from '../../src/domain/review.ts';
import { reviewMessage, REVIEW_MESSAGE_LIMITS } from '../../src/slack/views/review-message.ts';
import { aChange } from '../support/change-events.ts';
import { anIncident } from '../support/fixtures.ts';

const declaredAt = new Date('2026-11-24T14:05:00Z');
const hoursBefore = (h: number) => new Date(declaredAt.getTime() - h * 3600_000);
const fmt = (d: Date) => d.toISOString();
const sectionText = (b: unknown) => (b as { text?: { text?: string } }).text?.text ?? '';
const incident = anIncident({ affectedService: 'ehr-api', createdAt: declaredAt });

describe('whatChangedBefore', () => {
  test('the 24 hours up to the declaration, both ends included, newest first', () => {
    const wc = whatChangedBefore(
      declaredAt,
      [
        aChange({ summary: 'too early', occurredAt: new Date(hoursBefore(24).getTime() - 1) }),
        aChange({ summary: 'first hour', occurredAt: hoursBefore(24) }),
        aChange({ summary: 'at the declaration', occurredAt: declaredAt }),
        aChange({ summary: 'after', occurredAt: new Date(declaredAt.getTime() + 1) }),
        aChange({ summary: 'an hour before', occurredAt: hoursBefore(1) }),
      ],
      fmt,
    );
    assert.deepEqual(
      wc.changes.map((c) => c.summary),
      ['at the declaration', 'an hour before', 'first hour'],
    );
    assert.equal(wc.sinceAt, '2026-11-23T14:05:00.000Z');
    assert.equal(wc.untilAt, '2026-11-24T14:05:00.000Z');
    assert.equal(wc.hours, 24);
    assert.equal(wc.more, 0);
  });

  test('an unknown service is shown by the name it came with, marked unknown; only http(s) links are kept', () => {
    const [unknown, known] = whatChangedBefore(
      declaredAt,
      [
        aChange({ service: 'billing-v2', serviceName: null, url: 'javascript:alert(1)', occurredAt: hoursBefore(1) }),
        aChange({ service: 'EHR API', serviceName: 'ehr-api', occurredAt: hoursBefore(2) }),
      ],
      fmt,
    ).changes;
    assert.equal(unknown!.service, 'billing-v2');
    assert.equal(unknown!.serviceKnown, false);
    assert.equal(unknown!.url, null);
    assert.equal(known!.service, 'ehr-api');
    assert.equal(known!.serviceKnown, true);
    assert.equal(known!.url, 'https://ci.example.org/runs/1');
  });

  test(`at most ${WHAT_CHANGED_MAX}, the rest counted`, () => {
    const many = Array.from({ length: WHAT_CHANGED_MAX + 7 }, (_, i) =>
      aChange({ summary: `change ${i}`, occurredAt: new Date(hoursBefore(10).getTime() + i * 60_000) }),
    );
    const wc = whatChangedBefore(declaredAt, many, fmt, 3);
    assert.equal(wc.changes.length, WHAT_CHANGED_MAX);
    assert.equal(wc.changes[0]!.summary, `change ${WHAT_CHANGED_MAX + 6}`);
    assert.equal(wc.more, 7 + 3);
  });
});

describe('the review with its changes', () => {
  const changes = [
    aChange({
      summary: 'Raise the pool | to 50',
      version: '2026.11.24-1',
      approvers: ['bob', 'carol'],
      occurredAt: hoursBefore(1),
    }),
    aChange({
      kind: 'merge',
      service: 'acme/billing',
      serviceName: null,
      system: null,
      version: null,
      environment: null,
      summary: 'Hotfix the invoice job',
      approvers: [],
      author: null,
      flagged: true,
      occurredAt: hoursBefore(3),
    }),
  ];

  test('buildReview lists them; none given: an empty list', () => {
    const r = buildReview(incident, [], null, { timeZone: 'Europe/London', changes });
    assert.equal(r.whatChanged.changes.length, 2);
    assert.equal(r.whatChanged.changes[0]!.atText, 'Tue 24 Nov 13:05 GMT');
    assert.deepEqual(buildReview(incident, [], null, { timeZone: 'UTC' }).whatChanged.changes, []);
  });

  test('Markdown: a "What changed" table with the unknown service, the flag and "no approver recorded"', () => {
    const md = reviewToMarkdown(buildReview(incident, [], null, { timeZone: 'Europe/London', changes }));
    assert.match(md, /## What changed \(24 hours before it was declared\)/);
    assert.match(md, /\| Time \| Service \| Change \| By \| Approved by \| Link \|/);
    assert.ok(
      md.includes(
        '| Tue 24 Nov 13:05 GMT | ehr-api | deploy 2026.11.24-1 to production: Raise the pool \\| to 50 | alice | bob, carol | [link](https://ci.example.org/runs/1) |',
      ),
      md,
    );
    assert.ok(
      md.includes(
        '| Tue 24 Nov 11:05 GMT | acme/billing _(unknown service)_ | **Flagged: during a change freeze.** merge: Hotfix the invoice job | — | _no approver recorded_ |',
      ),
    );
    assert.ok(md.indexOf('## What changed') < md.indexOf('## Detection'));
    const none = reviewToMarkdown(buildReview(incident, [], null, { timeZone: 'UTC' }));
    assert.match(none, /_No change to ehr-api or its system was recorded\._/);
    const noService = reviewToMarkdown(
      buildReview({ ...incident, affectedService: null }, [], null, { timeZone: 'UTC' }),
    );
    assert.match(noService, /_No affected service was given, so no changes are listed\._/);
  });

  test('Slack: one section, the unknown service and missing approver said, within its limits', () => {
    const msg = reviewMessage(buildReview(incident, [], null, { timeZone: 'Europe/London', changes }));
    const texts = msg.blocks.map(sectionText);
    const section = texts.find((t) => t.startsWith('*What changed*'));
    assert.ok(section, 'a What changed section');
    assert.match(
      section,
      /\*ehr-api\* · deploy 2026\.11\.24-1 to production: Raise the pool \| to 50 — by alice · approved by bob, carol · <https:\/\/ci\.example\.org\/runs\/1\|link>/,
    );
    assert.match(
      section,
      /:no_entry: \*during a change freeze\* · Tue 24 Nov 11:05 GMT · \*acme\/billing\* _\(unknown service\)_ · merge: Hotfix the invoice job — _no approver recorded_/,
    );
  });

  test('Slack: many long changes stay in one section of at most 3,000 characters, the rest counted', () => {
    const long = Array.from({ length: 60 }, (_, i) =>
      aChange({
        summary: `<!channel> ${'x'.repeat(990)}`,
        service: 's'.repeat(200),
        serviceName: null,
        version: 'v'.repeat(200),
        environment: 'e'.repeat(100),
        author: 'a'.repeat(200),
        approvers: Array.from({ length: 20 }, () => 'b'.repeat(200)),
        url: `https://ci.example.org/${'u'.repeat(1900)}`,
        occurredAt: new Date(hoursBefore(5).getTime() + i * 1000),
      }),
    );
    const r = buildReview(incident, [], null, { timeZone: 'UTC', changes: long, moreChanges: 4 });
    const msg = reviewMessage(r);
    const section = msg.blocks.map(sectionText).find((t) => t.startsWith('*What changed*'))!;
    assert.ok(section.length <= REVIEW_MESSAGE_LIMITS.sectionChars, `${section.length} characters`);
    assert.ok(!section.includes('<!channel>'), 'escaped');
    assert.match(section, /_… and 56 more changes in the attached Markdown file_/);
    assert.ok(msg.blocks.length <= 50);
  });
  test('change people from pipelines are text in the message and the Markdown: never a mention, markup or HTML', () => {
    const spoof = [
      aChange({
        author: '<@U0CEO123>',
        approvers: ['U0CEO123', '<!channel>', '<b>boss</b>'],
        occurredAt: hoursBefore(1),
      }),
    ];
    const r = buildReview(incident, [], null, { timeZone: 'UTC', changes: spoof });
    const msg = JSON.stringify(reviewMessage(r).blocks);
    assert.match(msg, /by &lt;@U0CEO123&gt; · approved by U0CEO123, &lt;!channel&gt;, &lt;b&gt;boss&lt;\/b&gt;/);
    assert.doesNotMatch(msg, /<@U0CEO123>|<!channel>|<b>/);
    const md = reviewToMarkdown(r);
    assert.ok(md.includes('| &lt;@U0CEO123&gt; | U0CEO123, &lt;!channel&gt;, &lt;b&gt;boss&lt;/b&gt; |'), md);
  });
});
