// The insights, on-call load and backlog pages through the real bot (a session made directly):
// each renders a chart image and its table, bad parameters are a 400 page, a private incident's
// service and texts are not shown to someone outside it, and a non-lead sees only their own row.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { IncidentStatus } from '../../src/domain/incident.ts';
import type { OnCallHistory } from '../../src/ports/on-call-history.ts';
import { testDatabases } from '../support/databases.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';
import { getPage, sessionCookie, useWebBot } from '../support/web.ts';

const users = [
  { id: 'UALICE', name: 'alice', real_name: 'Alice Zoë', tz: 'Europe/London' },
  { id: 'ULEAD', name: 'lead', real_name: 'Lee Lead', tz: 'Europe/London' },
];
const [embedded] = testDatabases();
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** The src of each chart image on a page. */
const chartsOf = (text: string) => [...text.matchAll(/<img class="chart" src="data:image\/svg\+xml;base64,([^"]+)"/g)];

describe('the insights page', () => {
  const env = useWebBot(embedded!, { users, env: { ONCALL_LEADS: 'ULEAD' } });

  before(async () => {
    const deps = env.app.bot.deps;
    const base = Date.now() - 10 * DAY;
    for (const [k, over] of [
      [0, { affectedService: 'Open Pharmacy', severity: 'SEV1' as const }],
      [1, { affectedService: 'Secret Ward Nine', isPrivate: true, title: 'Hidden trouble' }],
      [2, { nearMiss: true }],
    ] as const) {
      const declaredAt = new Date(base + k * HOUR);
      const { incident } = await deps.store.createIfAbsent(
        declaring({ declaration: aDeclaration({ title: `Incident ${k}`, ...over }), declaredBy: 'UALICE', declaredAt }),
      );
      // The private one's channel: the lead is in it, Alice is not.
      if ('isPrivate' in over) {
        await deps.store.recordProvisioning(incident.id, { channelId: 'CINSIGHT1' });
        env.slack.addChannel({ id: 'CINSIGHT1', name: 'inc-hidden', is_private: true, members: ['ULEAD', 'UBOT'] });
      }
      const move = (to: IncidentStatus, minutes: number) =>
        deps.store.applyChange(
          incident.id,
          {
            status: to,
            ...(to === 'RESOLVED' ? { resolvedAt: new Date(declaredAt.getTime() + minutes * 60_000) } : {}),
          },
          {
            occurredAt: new Date(declaredAt.getTime() + minutes * 60_000),
            kind: to === 'RESOLVED' ? 'resolved' : 'status_changed',
            actorId: 'UALICE',
            text: to,
            data: { to },
          },
        );
      await move('INVESTIGATING', 4);
      await move('RESOLVED', 95);
      await deps.reviews.saveReviewInput(
        incident.id,
        { contributingFactors: [{ factor: 'capacity', detail: '' }] },
        { by: 'UALICE', at: new Date(declaredAt.getTime() + DAY) },
      );
    }
  });

  test('renders the charts as images with their tables; the private service is not named', async () => {
    const cookie = await sessionCookie(env.app, { userId: 'UALICE', name: 'Alice Zoë' });
    const page = await getPage(env.base, '/web/insights', cookie);
    assert.equal(page.status, 200, page.text);
    const charts = chartsOf(page.text);
    assert.equal(charts.length, 3);
    const svg = Buffer.from(charts[0]![1]!, 'base64').toString('utf8');
    assert.match(svg, /^<svg/);
    assert.match(svg, /Incidents per week by severity/);
    assert.match(svg, /#D55E00/i, 'SEV1 in Okabe–Ito vermillion');
    assert.match(page.text, /<caption>Incidents per week by severity/);
    assert.match(page.text, /<caption>By severity<\/caption>/);
    assert.ok(page.text.includes('Open Pharmacy'));
    assert.ok(page.text.includes('<td class="num">1h 35m</td>'), 'time to resolve: declared to resolved');
    assert.ok(page.text.includes('<td class="num">4m</td>'), 'time to acknowledge');
    // The private SEV2 counts only for the members of its channel: not for Alice.
    assert.ok(page.text.includes('(1 of 1; 0 not yet due)'), 'the resolved SEV1–2 review she may see, on time');
    assert.match(page.text, /<div class="figure">1<\/div>incidents/);
    assert.ok(!/Secret Ward Nine|Hidden trouble/.test(page.text), 'the private incident is not named');
    assert.ok(/Capacity/i.test(page.text));
    assert.ok(!/ style=/.test(page.text.replace(/src="data:[^"]*"/g, '')), 'no inline style (the CSP forbids it)');
  });

  test('a private incident counts for the members of its channel, as the register lists it', async () => {
    const lead = await sessionCookie(env.app, { userId: 'ULEAD' });
    const page = await getPage(env.base, '/web/insights', lead);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('(2 of 2; 0 not yet due)'), 'both resolved SEV1–2 reviews on time');
    assert.match(page.text, /<div class="figure">2<\/div>incidents/);
    assert.ok(!/Secret Ward Nine|Hidden trouble/.test(page.text), 'its service and title still not named');
    assert.match(page.text, /counts in the figures only for the members of its channel/);
  });

  test('a period asked for is shown; bad parameters are a 400 page naming each', async () => {
    const cookie = await sessionCookie(env.app, { userId: 'UALICE' });
    const ok = await getPage(env.base, '/web/insights?from=2026-01-01&to=2026-02-01', cookie);
    assert.equal(ok.status, 200);
    assert.match(ok.text, /1 Jan 2026 to 1 Feb 2026/);
    for (const bad of [
      '/web/insights?from=2026-13-01',
      '/web/insights?from=yesterday',
      '/web/insights?from=2026-03-01&to=2026-02-01',
      '/web/insights?to=2026-02-01&to=2026-02-02',
      '/web/insights?colour=red',
      '/web/insights?from=2010-01-01&to=2026-01-01',
    ]) {
      const page = await getPage(env.base, bad, cookie);
      assert.equal(page.status, 400, bad);
      assert.match(page.text, /That request is not right/);
      assert.match(
        page.text,
        /<ul class="problems"><li>(&quot;(from|to)&quot; |Unknown parameter &quot;colour|The period can be at most)/,
        bad,
      );
    }
  });
});

/** PagerDuty's history as a stand-in: Alice and Bob on call in turns, paged now and then. */
function fakeHistory(): OnCallHistory {
  const people = [
    { id: 'PALICE', name: 'Alice Zoë', email: 'alice@example.org', timeZone: 'Europe/London' },
    { id: 'PBOB', name: 'Bob Builder', email: 'bob@example.org', timeZone: 'Europe/London' },
  ];
  return {
    findScope: async () => null,
    fetchWindow: async (_scope, since, until) => {
      const stretches = [];
      const pages = [];
      let k = 0;
      for (let t = since.getTime(); t < until.getTime(); t += 12 * HOUR, k++) {
        const userId = k % 2 ? 'PBOB' : 'PALICE';
        stretches.push({
          userId,
          scheduleId: 'S1',
          escalationPolicyId: null,
          level: 1,
          start: new Date(t),
          end: new Date(Math.min(t + 12 * HOUR, until.getTime())),
        });
        if (k % 3 === 0)
          pages.push({
            id: `L${k}`,
            incidentId: `Q${k}`,
            userId,
            at: new Date(t + 3 * HOUR),
            kind: 'assigned' as const,
            serviceId: null,
          });
      }
      return { people, stretches, pages };
    },
  };
}

describe('the on-call load page', () => {
  const env = useWebBot(embedded!, {
    users: [
      ...users.map((u) => ({ ...u, email: u.id === 'UALICE' ? 'alice@example.org' : undefined })),
      { id: 'UBOB', name: 'bob', real_name: 'Bob Builder', email: 'bob@example.org', tz: 'Europe/London' },
    ],
    env: { ONCALL_LEADS: 'ULEAD' },
    history: fakeHistory(),
  });

  test('a lead sees every responder, with the charts and their tables', async () => {
    const cookie = await sessionCookie(env.app, { userId: 'ULEAD' });
    const page = await getPage(env.base, '/web/on-call?period=2w', cookie);
    assert.equal(page.status, 200, page.text.slice(0, 2000));
    assert.equal(chartsOf(page.text).length, 2);
    assert.ok(page.text.includes('<th scope="row">Alice Zoë</th>'));
    assert.ok(page.text.includes('<th scope="row">Bob Builder</th>'));
    assert.ok(page.text.includes('<caption>Load per responder (most first)</caption>'));
    assert.ok(page.text.includes('last 14 days'));
  });

  test('anyone else sees their own row and the totals only', async () => {
    const cookie = await sessionCookie(env.app, { userId: 'UALICE' });
    const page = await getPage(env.base, '/web/on-call', cookie);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('<th scope="row">Alice Zoë</th>'));
    assert.ok(!page.text.includes('Bob Builder'), 'another responder is not named');
    const bar = Buffer.from(chartsOf(page.text)[0]![1]!, 'base64').toString('utf8');
    assert.ok(bar.includes('Alice') && !bar.includes('Bob'), 'nor drawn in the chart');
    assert.ok(page.text.includes('each person’s figures are for the on-call leads'));
  });

  test('a bad period is a 400 page', async () => {
    const cookie = await sessionCookie(env.app, { userId: 'UALICE' });
    for (const [bad, why] of [
      ['/web/on-call?period=soon', /&quot;period&quot; must be a number of days or weeks/],
      ['/web/on-call?period=0d', /&quot;period&quot; must be a number of days or weeks/],
      ['/web/on-call?team=x', /Unknown parameter &quot;team&quot;/],
      [`/web/on-call?scope=${'x'.repeat(201)}`, /&quot;scope&quot;/],
    ] as const) {
      const page = await getPage(env.base, bad, cookie);
      assert.equal(page.status, 400, bad);
      assert.match(page.text, why, bad);
    }
  });
});

describe('the on-call load page without PagerDuty', () => {
  const env = useWebBot(embedded!, { users });

  test('says plainly that PagerDuty is not connected', async () => {
    const cookie = await sessionCookie(env.app, { userId: 'UALICE' });
    const page = await getPage(env.base, '/web/on-call', cookie);
    assert.equal(page.status, 200);
    assert.match(page.text, /PagerDuty is not connected/);
    assert.equal(chartsOf(page.text).length, 0);
  });
});

describe('the backlog page', () => {
  const env = useWebBot(embedded!, { users: [...users, { id: 'UMEMBER', name: 'member', tz: 'Europe/London' }] });

  before(async () => {
    const deps = env.app.bot.deps;
    const today = new Date().toISOString().slice(0, 10);
    for (const [k, isPrivate] of [
      [0, false],
      [1, true],
    ] as const) {
      const { incident } = await deps.store.createIfAbsent(
        declaring({
          declaration: aDeclaration({ title: isPrivate ? 'Hidden ward trouble' : 'Public trouble', isPrivate }),
          declaredBy: 'ULEAD',
          declaredAt: new Date(Date.now() - (5 - k) * DAY),
        }),
      );
      await deps.store.recordProvisioning(incident.id, { channelId: `CBACKLOG${k}`, summaryTs: '1764000000.000100' });
      if (isPrivate)
        env.slack.addChannel({
          id: `CBACKLOG${k}`,
          name: 'inc-hidden',
          is_private: true,
          members: ['UMEMBER', 'UBOT'],
        });
      for (let j = 0; j < (isPrivate ? 2 : 28); j++) {
        await deps.reviews.addActionItem(
          incident.id,
          {
            text: isPrivate ? `Rotate the ward nine key ${j}` : `Add an alert ${j}`,
            ownerId: 'ULEAD',
            team: j % 2 ? 'group:default/platform' : 'group:default/clinical-apps',
            due: j % 3 ? null : today.replace(/\d\d$/, '01'),
            category: 'guardrail',
            priority: 'medium',
          },
          { by: 'ULEAD', at: new Date(Date.now() - DAY) },
        );
      }
    }
  });

  test('teams, categories and homes with a chart and a table; the items a page at a time', async () => {
    const cookie = await sessionCookie(env.app, { userId: 'UALICE' });
    const page = await getPage(env.base, '/web/backlog', cookie);
    assert.equal(page.status, 200, page.text.slice(0, 1500));
    assert.equal(chartsOf(page.text).length, 2);
    assert.ok(page.text.includes('<caption>Open action items per team (by the catalog'));
    assert.ok(
      page.text.includes('<th scope="row">platform</th><td class="num">15</td>'),
      'platform: 14 public and 1 private item',
    );
    assert.ok(page.text.includes('Add an alert 0'));
    const oldest = page.text.slice(page.text.indexOf('<h2>Oldest open</h2>'), page.text.indexOf('<h2>By category'));
    assert.deepEqual(
      [...oldest.matchAll(/<th scope="row">ACT-(\d+)<\/th>/g)].map((m) => m[1]),
      ['1', '2', '3', '4', '5'],
      'the five open items added first',
    );
    const next = /<a href="([^"]+)" rel="next">/.exec(page.text)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(next, 'a next page: 30 items, 25 a page');
    const second = await getPage(env.base, next, cookie);
    assert.equal(second.status, 200);
    const listing = (text: string) => text.slice(text.indexOf('<h2>The items</h2>'));
    const firstItems = [...listing(page.text).matchAll(/<th scope="row">ACT-(\d+)<\/th>/g)].map((m) => m[1]);
    const secondItems = [...listing(second.text).matchAll(/<th scope="row">ACT-(\d+)<\/th>/g)].map((m) => m[1]);
    assert.equal(firstItems.length, 25);
    assert.equal(secondItems.length, 5);
    assert.equal(new Set([...firstItems, ...secondItems]).size, 30);
  });

  test("a private incident's item texts are hidden from someone outside it", async () => {
    const cookie = await sessionCookie(env.app, { userId: 'UALICE' });
    const pages = [await getPage(env.base, '/web/backlog?show=all', cookie)];
    const next = /<a href="([^"]+)" rel="next">/.exec(pages[0]!.text)?.[1]?.replaceAll('&amp;', '&');
    if (next) pages.push(await getPage(env.base, next, cookie));
    const text = pages.map((p) => p.text).join('');
    assert.ok(!/Rotate the ward nine key|Hidden ward trouble/.test(text));
    assert.ok(text.includes('<span class="badge private">private</span>'), 'listed as private, by reference only');
    // Its owner sees them.
    const owner = await getPage(
      env.base,
      '/web/backlog?show=all&in=slack',
      await sessionCookie(env.app, { userId: 'ULEAD' }),
    );
    assert.ok(owner.text.includes('Rotate the ward nine key'));
  });

  test('bad parameters are a 400 page', async () => {
    const cookie = await sessionCookie(env.app, { userId: 'UALICE' });
    for (const [bad, name] of [
      ['/web/backlog?show=everything', 'show'],
      ['/web/backlog?in=gitlab', 'in'],
      ['/web/backlog?after=open~x~high~1', 'after'],
      ['/web/backlog?period=forever', 'period'],
    ] as const) {
      const page = await getPage(env.base, bad, cookie);
      assert.equal(page.status, 400, bad);
      assert.match(page.text, new RegExp(`<li>&quot;${name}&quot; `), bad);
    }
  });

  test('links: an incident the viewer may read, a team to its incidents; a hidden item names its tracker only; no Slack question per channel', async () => {
    // Every item's issue in GitHub.
    await env.app.bot.db.pool.query(
      `UPDATE tracker_link t SET state = 'linked', tracker = 'github', target = 'acme/wards',
         issue_id = a.number::text, issue_key = 'acme/wards#' || a.number,
         issue_url = 'https://github.com/acme/wards/issues/' || a.number
       FROM action_item a WHERE a.id = t.action_item_id`,
    );
    const all = async (userId: string) => {
      const cookie = await sessionCookie(env.app, { userId });
      const first = await getPage(env.base, '/web/backlog?show=all', cookie);
      assert.equal(first.status, 200);
      const next = /<a href="([^"]+)" rel="next">/.exec(first.text)?.[1]?.replaceAll('&amp;', '&');
      return first.text + (next ? (await getPage(env.base, next, cookie)).text : '');
    };
    const rows = (text: string) =>
      [...text.matchAll(/<tr>\s*<th scope="row">ACT-\d+<\/th>[\s\S]*?<\/tr>/g)].map((m) => m[0]);
    const privateRows = (text: string) => rows(text).filter((r) => r.includes('badge private'));
    const members = env.slack.callsTo('conversations.members').length;

    const alice = await all('UALICE');
    assert.equal(env.slack.callsTo('conversations.members').length, members, 'membership from her cached channels');
    assert.equal(privateRows(alice).length, 2);
    for (const row of privateRows(alice)) {
      assert.ok(row.includes('Tracked in GitHub'), row);
      assert.doesNotMatch(row, /acme\/wards|href="\/web\/incidents\/INC-/, 'no issue key or link, no incident link');
    }
    const publicRow = rows(alice).find((r) => !r.includes('badge private'))!;
    assert.match(publicRow, /<a href="\/web\/incidents\/INC-\d+">INC-\d+<\/a>/);
    assert.match(
      publicRow,
      /<a href="https:\/\/github\.com\/acme\/wards\/issues\/\d+" rel="noreferrer noopener">acme\/wards#\d+<\/a>/,
    );
    assert.match(alice, /<a href="\/web\/incidents\?owner=group%3Adefault%2Fplatform">platform<\/a>/);

    // Its owner reads the item, and its issue, but not the incident (not in its channel).
    const lead = await all('ULEAD');
    for (const row of privateRows(lead)) {
      assert.match(row, /Rotate the ward nine key/);
      assert.match(row, /acme\/wards#\d+/);
      assert.doesNotMatch(row, /href="\/web\/incidents\/INC-/);
    }
    // A member of its channel reads both.
    const member = await all('UMEMBER');
    for (const row of privateRows(member)) {
      assert.match(row, /Rotate the ward nine key/);
      assert.match(row, /<a href="\/web\/incidents\/INC-\d+">/);
    }
    assert.equal(env.slack.callsTo('conversations.members').length, members);
  });
});
