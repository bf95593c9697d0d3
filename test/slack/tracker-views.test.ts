// Where an action item lives, on every surface it is shown: the `/incident actions` listing (and
// its filter by tracker, carried by the Next button), the App Home tab, the owner's reminder, the
// posted review and its Markdown, and the guardrail report's table.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actionItemAsSeenBy } from '../../src/domain/access.ts';
import type { GuardrailReport } from '../../src/domain/guardrail-report.ts';
import { buildReview, reviewInputSchema, type PostIncidentReview } from '../../src/domain/review.ts';
import { reviewToMarkdown, trackerMarkdown } from '../../src/domain/review-markdown.ts';
import type { ActionItemTracker } from '../../src/domain/trackers.ts';
import { ACTION_ITEM_ACTIONS, ACTION_LIST_ACTIONS } from '../../src/slack/ids.ts';
import { actionListPageSchema, parseJsonOrNull } from '../../src/slack/payloads.ts';
import { actionListMessage, appHomeView } from '../../src/slack/views/action-items.ts';
import { actionReminderMessage } from '../../src/slack/views/action-reminder.ts';
import { trackerText } from '../../src/slack/views/format.ts';
import { guardrailReportMessage } from '../../src/slack/views/guardrail-report.ts';
import { reviewMessage } from '../../src/slack/views/review-message.ts';
import { anActionItem, anIncident } from '../support/fixtures.ts';

type Json = Record<string, any>;
const TODAY = '2026-11-25';

const JIRA: ActionItemTracker = {
  tracker: 'jira',
  target: 'OPS',
  state: 'linked',
  key: 'OPS-12',
  url: 'https://acme.atlassian.net/browse/OPS-12',
};
const GITHUB: ActionItemTracker = {
  tracker: 'github',
  target: 'acme/ops',
  state: 'linked',
  key: 'acme/ops#7',
  url: 'https://github.com/acme/ops/issues/7',
};
const PENDING_GITHUB: ActionItemTracker = {
  tracker: 'github',
  target: 'acme/ops',
  state: 'pending',
  key: null,
  url: null,
};
const PENDING_JIRA: ActionItemTracker = { tracker: 'jira', target: 'OPS', state: 'pending', key: null, url: null };

const anItem = anActionItem;

/** Every mrkdwn and plain text in the blocks, in order. */
function texts(blocks: readonly Json[]): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Json;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') out.push(o.text);
      else Object.values(o).forEach(walk);
    }
  };
  walk(blocks);
  return out.join('\n');
}

describe('trackerText (mrkdwn)', () => {
  test('linked: the key as a link to the issue; being created: which tracker; none: nothing', () => {
    assert.equal(trackerText(JIRA), '<https://acme.atlassian.net/browse/OPS-12|OPS-12>');
    assert.equal(trackerText(GITHUB), '<https://github.com/acme/ops/issues/7|acme/ops#7>');
    assert.equal(trackerText(PENDING_GITHUB), 'GitHub issue being created');
    assert.equal(trackerText(PENDING_JIRA), 'Jira issue being created');
    assert.equal(trackerText(null), null);
    assert.equal(trackerText(undefined), null);
  });

  test('only an http(s) URL becomes a link; the key is escaped; no key says which tracker', () => {
    for (const url of ['javascript:alert(1)', 'ftp://acme/OPS-12', 'https://acme/a b', 'https://x|<!here>', '', null])
      assert.equal(trackerText({ ...JIRA, url }), 'OPS-12', String(url));
    assert.equal(
      trackerText({ ...JIRA, key: '<!channel> & <@U1>' }),
      '<https://acme.atlassian.net/browse/OPS-12|&lt;!channel&gt; &amp; &lt;@U1&gt;>',
    );
    assert.equal(trackerText({ ...GITHUB, key: null }), '<https://github.com/acme/ops/issues/7|GitHub issue>');
    assert.equal(trackerText({ ...GITHUB, key: '  ', url: null }), 'GitHub issue');
  });
});

describe('the tracker on the listings, the Home tab and the reminder', () => {
  test('/incident actions: each item says where it lives; one in Slack only says nothing of a tracker', () => {
    const linked = anItem({ number: 12, tracker: JIRA });
    const pending = anItem({ number: 13, tracker: PENDING_GITHUB });
    const slack = anItem({ number: 14 });
    const text = texts(actionListMessage([linked, pending, slack], { filter: 'team', today: TODAY, total: 3 }).blocks);
    assert.ok(
      text.includes(
        '*ACT-12* Alert on failed orders\n<@UBOB> · <https://acme.atlassian.net/browse/OPS-12|OPS-12> · due 2026-12-01',
      ),
    );
    assert.ok(text.includes('*ACT-13* Alert on failed orders\n<@UBOB> · GitHub issue being created · due 2026-12-01'));
    assert.ok(text.includes('*ACT-14* Alert on failed orders\n<@UBOB> · due 2026-12-01'));
    assert.equal(text.match(/issue being created/g)?.length, 1);
  });

  test("a private incident's item someone outside it sees: its tracker named, no key or link (the issue holds the text)", () => {
    const hidden = actionItemAsSeenBy(
      anItem({ number: 15, tracker: JIRA, incidentPrivate: true, ownerId: 'UBOB', createdBy: 'UBOB' }),
      'UOTHER',
    );
    const text = texts(actionListMessage([hidden], { filter: 'team', today: TODAY, total: 1 }).blocks);
    assert.ok(text.includes('<@UBOB> · Jira issue · due 2026-12-01'), text);
    assert.doesNotMatch(text, /OPS-12|atlassian/);
  });

  test('a done item keeps its link and gets a Reopen button', () => {
    const done = anItem({ status: 'done', completedAt: new Date('2026-11-24T09:00:00Z'), tracker: GITHUB });
    const blocks = actionListMessage([done], { filter: 'all', today: TODAY, total: 1 }).blocks as Json[];
    assert.ok(texts(blocks).includes('<https://github.com/acme/ops/issues/7|acme/ops#7> · :white_check_mark: done'));
    const controls = blocks.filter((b) => b.type === 'actions');
    assert.equal(controls.length, 1);
    assert.equal(controls[0]!.block_id, `${ACTION_ITEM_ACTIONS.blockPrefix}${done.id}`);
    assert.deepEqual(
      controls[0]!.elements.map((e: Json) => [e.action_id, e.value]),
      [[ACTION_ITEM_ACTIONS.reopen, done.id]],
    );
  });

  test('the App Home tab shows the tracker of my items and of the overdue ones', () => {
    const view = appHomeView({
      mine: [anItem({ tracker: JIRA })],
      teamOverdue: [anItem({ due: '2026-11-01', ownerId: 'UCAROL', tracker: PENDING_JIRA })],
      today: TODAY,
      mineTotal: 1,
      overdueTotal: 1,
    }) as Json;
    const text = texts(view.blocks);
    assert.ok(text.includes('<@UBOB> · <https://acme.atlassian.net/browse/OPS-12|OPS-12> · due 2026-12-01'));
    assert.ok(text.includes('<@UCAROL> · Jira issue being created · due 2026-11-01'));
  });

  test('the owner’s reminder names the issue', () => {
    const msg = actionReminderMessage(anItem({ number: 9, due: TODAY, tracker: JIRA }), 'due', TODAY);
    assert.ok(
      texts(msg.blocks).includes(
        'Your action item *ACT-9* is due today: Alert on failed orders (<https://acme.atlassian.net/browse/OPS-12|OPS-12>)',
      ),
    );
    const plain = actionReminderMessage(anItem({ number: 10, due: TODAY }), 'due', TODAY);
    assert.ok(texts(plain.blocks).includes('is due today: Alert on failed orders\n'), 'nothing after the text');
  });
});

describe('the listing filtered by where items live', () => {
  test('the title says where; the Next button carries it and is read back', () => {
    const items = Array.from({ length: 20 }, () => anItem({ tracker: JIRA }));
    const last = items.at(-1)!;
    const msg = actionListMessage(items, {
      filter: 'all',
      tracker: 'jira',
      today: TODAY,
      total: 30,
      next: { status: last.status, due: last.due, priority: last.priority, number: last.number },
    });
    const blocks = msg.blocks as Json[];
    assert.equal(blocks[0]!.text.text, 'All action items in Jira (30)');
    assert.equal(msg.text, 'All action items in Jira: 30');
    const next = blocks.find((b) => b.block_id === ACTION_LIST_ACTIONS.blockId)!.elements[0];
    const page = actionListPageSchema.parse(parseJsonOrNull(next.value));
    assert.equal(page.f, 'all');
    assert.equal(page.t, 'jira');
    assert.equal(page.s, 20);
    assert.equal(actionListPageSchema.safeParse({ ...page, t: 'trello' }).success, false, 'an unknown place');
  });

  test('each place has its title; an empty listing says so for that place', () => {
    const titles = {
      github: 'Your open action items in GitHub',
      jira: 'Your open action items in Jira',
      slack: 'Your open action items only in Slack',
      pending: 'Your open action items with a tracker issue being created',
    } as const;
    for (const [tracker, title] of Object.entries(titles) as [keyof typeof titles, string][]) {
      const msg = actionListMessage([anItem()], { filter: 'mine', tracker, today: TODAY, total: 1 });
      assert.equal((msg.blocks as Json[])[0]!.text.text, `${title} (1)`);
    }
    const empty = actionListMessage([], { filter: 'team', tracker: 'pending', today: TODAY, total: 0 });
    assert.ok(texts(empty.blocks).includes('The team has no open action items with a tracker issue being created.'));
    const none = actionListMessage([], { filter: 'overdue', tracker: 'github', today: TODAY, total: 0 });
    assert.ok(texts(none.blocks).includes('There are no overdue action items in GitHub.'));
    assert.ok(texts(none.blocks).includes('`in:github`, `in:jira`, `in:slack` or `pending`'), 'how to filter');
  });
});

describe('the tracker in the posted review and its Markdown', () => {
  function reviewWith(trackers: (ActionItemTracker | null)[]): PostIncidentReview {
    const input = reviewInputSchema.parse({
      actionItems: trackers.map((_, i) => ({
        text: `Fix ${i}`,
        category: 'process',
        ref: `ACT-${i + 1}`,
        status: i === 0 ? 'done' : 'open',
      })),
    });
    const r = buildReview(anIncident(), [], input, { timeZone: 'Europe/London' });
    return { ...r, actionItems: r.actionItems!.map((a, i) => ({ ...a, tracker: trackers[i] ?? null })) };
  }

  test('the review message: the key linked, or the tracker whose issue is being created', () => {
    const text = texts(reviewMessage(reviewWith([JIRA, PENDING_GITHUB, null])).blocks);
    assert.ok(
      text.includes(
        '• :white_check_mark: *ACT-1* Fix 0 — _no owner_ · no due date · Process · Medium priority · <https://acme.atlassian.net/browse/OPS-12|OPS-12>',
      ),
    );
    assert.ok(
      text.includes(
        '• *ACT-2* Fix 1 — _no owner_ · no due date · Process · Medium priority · GitHub issue being created',
      ),
    );
    assert.match(text, /• \*ACT-3\* Fix 2 — _no owner_ · no due date · Process · Medium priority$/m);
  });

  test('the Markdown: the key as a Markdown link after the state; the table keeps its columns', () => {
    const md = reviewToMarkdown(reviewWith([JIRA, PENDING_GITHUB, null, { ...GITHUB, url: 'javascript:alert(1)' }]));
    const rows = md.split('\n').filter((l) => l.startsWith('| ACT-'));
    assert.deepEqual(rows, [
      '| ACT-1 | Fix 0 | _Unassigned_ | — | Process | medium | Done · [OPS-12](https://acme.atlassian.net/browse/OPS-12) |',
      '| ACT-2 | Fix 1 | _Unassigned_ | — | Process | medium | Open · GitHub issue being created |',
      '| ACT-3 | Fix 2 | _Unassigned_ | — | Process | medium | Open |',
      '| ACT-4 | Fix 3 | _Unassigned_ | — | Process | medium | Open · acme/ops#7 |',
    ]);
    for (const row of rows) assert.equal(row.replace(/\\\|/g, '').split('|').length - 2, 7);
  });

  test('trackerMarkdown escapes the key (no markup, no broken table) and links only http(s)', () => {
    assert.equal(
      trackerMarkdown({ ...JIRA, key: 'OPS-1 | [x](javascript:y) <b>' }),
      '[OPS-1 \\| \\[x\\](javascript:y) &lt;b&gt;](https://acme.atlassian.net/browse/OPS-12)',
    );
    assert.equal(trackerMarkdown({ ...JIRA, url: 'https://acme/x)(y' }), 'OPS-12');
    assert.equal(trackerMarkdown(PENDING_JIRA), 'Jira issue being created');
    assert.equal(trackerMarkdown(null), null);
  });
});

describe('the guardrail report: where action items live', () => {
  const report = (byTracker?: GuardrailReport['byTracker']): GuardrailReport => ({
    periodDays: 90,
    from: new Date('2026-08-27T12:00:00Z'),
    to: new Date('2026-11-25T12:00:00Z'),
    incidents: 3,
    nearMisses: 0,
    reviewed: 1,
    factors: [],
    recurringServices: [],
    actionsByCategory: [],
    openActions: 9,
    doneActions: 6,
    medianOpenAgeDays: 10,
    overdueOpen: 0,
    ...(byTracker ? { byTracker } : {}),
  });

  test('a table of open, done and the median days open per place', () => {
    const text = texts(
      guardrailReportMessage(
        report([
          { where: 'github', label: 'GitHub', open: 4, done: 2, medianDaysOpen: 12 },
          { where: 'jira', label: 'Jira', open: 0, done: 0, medianDaysOpen: null },
          { where: 'slack', label: 'Slack only', open: 5, done: 4, medianDaysOpen: 103 },
        ]),
      ).blocks,
    );
    assert.ok(text.includes('*Where action items live* (created in the period)'));
    assert.ok(
      text.includes(
        '```\nWhere       Open  Done  Days open\nGitHub         4     2         12\nJira           0     0          —\nSlack only     5     4        103\n```',
      ),
      text,
    );
  });

  test('not counted: no table', () => {
    assert.ok(!texts(guardrailReportMessage(report()).blocks).includes('Where action items live'));
  });
});
