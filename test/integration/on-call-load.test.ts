// `/incident load` end to end: signed requests to the running app, the real PagerDuty adapter
// (pdjs) against the PagerDuty fake, the Slack stand-in, and the history cached in the database
// (embedded PGlite and, when TEST_DATABASE_URL is set, PostgreSQL).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BROADCAST_CHANNEL, useTestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { startPagerDutyFake, type PagerDutyFake } from '../support/pagerduty-fake.ts';
import { postEvent } from '../support/slack-requests.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** The start of today (UTC) minus `days`, plus `hours`: fixed wall times for night and day pages. */
const at = (days: number, hours: number) => {
  const midnight = new Date();
  midnight.setUTCHours(0, 0, 0, 0);
  return new Date(midnight.getTime() - days * DAY + hours * HOUR).toISOString();
};

for (const database of testDatabases()) {
  describe(`/incident load (${database.name})`, () => {
    let pd: PagerDutyFake;
    let offsetMs = 0;
    before(async () => {
      pd = await startPagerDutyFake({
        state: {
          users: [
            { id: 'PALICE', name: 'Alice Example', email: 'alice@example.org', timeZone: 'Europe/London' },
            { id: 'PBOB', name: 'Bob Example', email: 'bob@example.org', timeZone: 'America/New_York' },
          ],
          escalationPolicies: [{ id: 'PEP1', name: 'Platform' }],
          teams: [{ id: 'PTEAM1', name: 'Platform team' }],
          schedules: [{ id: 'PSCH1', name: 'Platform primary', teamIds: ['PTEAM1'] }],
          oncalls: [
            // Alice on call for the last 10 days, Bob the 10 days before.
            {
              userId: 'PALICE',
              escalationPolicyId: 'PEP1',
              level: 1,
              scheduleId: 'PSCH1',
              start: at(10, 0),
              end: at(0, 0),
            },
            {
              userId: 'PBOB',
              escalationPolicyId: 'PEP1',
              level: 1,
              scheduleId: 'PSCH1',
              start: at(20, 0),
              end: at(10, 0),
            },
          ],
          logEntries: [
            // 23:30 UTC: night in London (Alice), 18:30 in New York (Bob: out of hours, not night).
            {
              id: 'LE1',
              type: 'assign_log_entry',
              createdAt: at(3, 23.5),
              incidentId: 'PI1',
              serviceId: 'PS1',
              assigneeIds: ['PALICE'],
            },
            {
              id: 'LE2',
              type: 'escalate_log_entry',
              createdAt: at(12, 23.5),
              incidentId: 'PI2',
              serviceId: 'PS1',
              assigneeIds: ['PBOB'],
            },
            {
              id: 'LE3',
              type: 'assign_log_entry',
              createdAt: at(4, 11),
              incidentId: 'PI3',
              serviceId: 'PS1',
              assigneeIds: ['PALICE'],
            },
            { id: 'LE4', type: 'notify_log_entry', createdAt: at(4, 11), incidentId: 'PI3', serviceId: 'PS1' },
          ],
        },
      });
    });
    after(() => pd?.close());
    const env = useTestBot(database, {
      users: [
        { id: 'UALICE', name: 'alice', email: 'alice@example.org' },
        { id: 'UBOB', name: 'bob', email: 'bob@example.org' },
        { id: 'ULEAD', name: 'lead', email: 'lead@example.org' },
      ],
      clock: { now: () => new Date(Date.now() + offsetMs) },
      get env() {
        return {
          PAGERDUTY_TOKEN: pd.token,
          PAGERDUTY_API_URL: pd.url,
          TZ_DEFAULT: 'Europe/London',
          ONCALL_LEADS: 'ULEAD',
        };
      },
    });

    let seq = 0;
    async function load(text: string, user = 'ULEAD') {
      const id = `load${++seq}`;
      const res = await env.app.command(text, { responseUrl: env.slack.responseUrl(id), userId: user });
      assert.equal(res.status, 200);
      await env.app.bot.idle();
      const reply = env.slack.responses.filter((r) => r.id === id);
      return {
        ack: res.json() as { text?: string } | undefined,
        reply,
        json: JSON.stringify(reply.map((r) => r.body)),
      };
    }
    const fetches = () => pd.requestsTo('/oncalls').length + pd.requestsTo('/log_entries').length;

    test('reports per responder from PagerDuty: hours, pages, out of hours and nights in each one’s own zone; charts and CSV by DM', async () => {
      env.slack.reset();
      env.slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      const { json, reply } = await load('load');
      assert.equal(reply.length, 1, json);
      assert.match(json, /On-call load: everyone on call, last 30 days/);
      assert.match(json, /Alice Example/);
      assert.match(json, /Bob Example/);
      assert.match(json, /\*Pages\*\\n3/, 'three pages: the notify entry is not one');
      assert.match(json, /Charts and the CSV are in your direct messages/);

      const files = env.slack.files.filter((f) => f.completed);
      assert.deepEqual(files.map((f) => f.filename.replace(/-\d{4}-\d{2}-\d{2}/, '')).sort(), [
        'on-call-load-everyone-on-call.csv',
        'on-call-load-everyone-on-call.png',
        'pages-heatmap-everyone-on-call.png',
      ]);
      const dm = env.slack.channels.get(files[0]!.channels[0]!)!;
      assert.ok(dm.is_im && dm.members.has('ULEAD'), 'shared only with the lead, in a DM');
      for (const png of files.filter((f) => f.filename.endsWith('.png'))) {
        assert.deepEqual([...png.content.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'a PNG');
      }
      const csv = files
        .find((f) => f.filename.endsWith('.csv'))!
        .content.toString('utf8')
        .split('\r\n');
      const header = csv[0]!.split(',');
      const row = (name: string) =>
        Object.fromEntries(
          csv
            .find((l) => l.startsWith(name))!
            .split(',')
            .map((v, i) => [header[i], v]),
        );
      const alice = row('Alice Example');
      const bob = row('Bob Example');
      const col = (r: Record<string, string>, re: RegExp) => r[header.find((h) => re.test(h))!];
      assert.equal(col(alice, /^pages$/i), '2');
      assert.equal(col(alice, /^night pages$/i), '1', '23:30 in London');
      assert.equal(col(bob, /^night pages$/i), '0', '18:30 in New York');
      assert.equal(col(bob, /^out-of-hours pages$/i), '1');
      assert.equal(col(alice, /^on-call hours$/i), '240');
    });

    test('someone who is not a lead sees their own row and the totals, and gets no files', async () => {
      const filesBefore = env.slack.files.length;
      const { json } = await load('load', 'UBOB');
      assert.match(json, /Bob Example/);
      assert.doesNotMatch(json, /Alice Example/);
      assert.match(json, /\*Pages\*\\n3/, 'the team totals');
      assert.match(json, /Your own row and the team’s totals/);
      assert.equal(env.slack.files.length, filesBefore, 'no charts or CSV');
    });

    test('a repeated report fetches nothing; PagerDuty down shows the cached figures and their age', async () => {
      const before = fetches();
      const again = await load('load');
      assert.match(again.json, /Alice Example/);
      assert.equal(fetches(), before, 'nothing fetched again');

      offsetMs = HOUR; // the current week's copy is stale now
      pd.failNext('/oncalls', { status: 401 });
      const down = await load('load');
      assert.match(down.json, /PagerDuty did not answer.*showing cached figures.*as of/);
      assert.match(down.json, /Alice Example/, 'the cached figures');
      offsetMs = 0;
    });

    test('by schedule or team name; an unknown name and a bad period are explained', async () => {
      const schedule = await load('load platform primary 14d');
      assert.match(schedule.json, /On-call load: Platform primary, last 14 days/);
      assert.match(schedule.json, /Alice Example/);
      const team = await load('load Platform team');
      assert.match(team.json, /On-call load: Platform team/);
      const unknown = await load('load Nope');
      assert.match(unknown.json, /no schedule or team called “Nope”/);
      const bad = await load('load 999d');
      assert.match(bad.ack?.text ?? '', /730|days/);
    });

    test('incidents worked and roles come from our own records, matched by email', async () => {
      const { slack, app } = env;
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['UALICE'] });
      await app.command('declare sev3 Queue backlog', {
        responseUrl: slack.responseUrl('d'),
        userId: 'UALICE',
        channelId: 'CGENERAL',
      });
      await app.bot.idle();
      const incident = (await app.bot.deps.store.listActive()).at(-1)!;
      await app.command('role commander <@UALICE|alice>', {
        responseUrl: slack.responseUrl('r'),
        userId: 'UALICE',
        channelId: incident.channelId!,
      });
      await app.bot.idle();
      slack.files.length = 0;
      await load('load');
      const csv = slack.files.find((f) => f.filename.endsWith('.csv'))!.content.toString('utf8');
      assert.match(csv.split('\r\n').find((l) => l.startsWith('Alice Example'))!, /commander:1/);
    });

    test('leads see the load in their App Home tab, from the cache', async () => {
      const { slack, app } = env;
      const before = fetches();
      await postEvent(app.url, {
        type: 'app_home_opened',
        user: 'ULEAD',
        channel: 'D0LEAD',
        tab: 'home',
        event_ts: '1.1',
      });
      const home = await slack.waitFor(() => slack.views.find((v) => v.user === 'ULEAD' && v.view.type === 'home'));
      assert.match(JSON.stringify(home.view), /On-call load, last 30 days/);
      assert.equal(fetches(), before, 'opening the tab never waits on PagerDuty');
      await postEvent(app.url, {
        type: 'app_home_opened',
        user: 'UBOB',
        channel: 'D0BOB',
        tab: 'home',
        event_ts: '1.2',
      });
      const bobs = await slack.waitFor(() => slack.views.find((v) => v.user === 'UBOB' && v.view.type === 'home'));
      assert.doesNotMatch(JSON.stringify(bobs.view), /On-call load/, 'not a lead');
    });
  });
}

describe('/incident load without PagerDuty', () => {
  const env = useTestBot(testDatabases()[0]!, { users: [{ id: 'UALICE', name: 'alice' }] });
  test('says PagerDuty is not connected', async () => {
    await env.app.command('load', { responseUrl: env.slack.responseUrl('nopd') });
    await env.app.bot.idle();
    assert.match(
      String(env.slack.responses.find((r) => r.id === 'nopd')?.body.text),
      /PagerDuty is not connected.*PAGERDUTY_TOKEN/,
    );
  });
});
