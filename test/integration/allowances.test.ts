// `/incident allowances` end to end: signed requests to the running app, the real PagerDuty adapter
// against the PagerDuty fake, the Slack stand-in, the history cached in the database (embedded
// PGlite and, when TEST_DATABASE_URL is set, PostgreSQL) and a pay rules file read at start.
//
// The bot's clock stands at the first instant of December 2026 in London (GMT: UTC), so the last
// full month is November 2026 and `/incident load 30d` covers exactly the same 30 days.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ALLOWANCES_CSV_HEADER } from '../../src/domain/allowances-csv.ts';
import { PAY_RULES_NOT_SET } from '../../src/services/on-call/show-allowances.ts';
import { useTestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { startPagerDutyFake, type PagerDutyFake } from '../support/pagerduty-fake.ts';

const NOW = new Date('2026-12-01T00:00:00Z');

const RULES = `
currency: GBP
region: england-and-wales
companyHolidays: [2026-11-13]
defaults:
  standby: { per: shift, minimumHours: 12, weekday: 25.00, weekend: 40.00, publicHoliday: 60.00 }
  callout: { per: page, amount: 30.00 }
  timeOffInLieu: { hoursPerInterruptedNight: 2 }
schedules:
  Platform primary:
    callout: { per: incident, amount: 50.00, minimumMinutes: 15 }
`;

/** One CSV line's fields (no field here holds a comma or quote). */
const fields = (line: string) => line.split(',');

/** The records of a CSV as objects by its header. */
function records(csv: string): Record<string, string>[] {
  assert.ok(csv.endsWith('\r\n'));
  const lines = csv.slice(0, -2).split('\r\n');
  const header = fields(lines[0]!);
  return lines.slice(1).map((l) => Object.fromEntries(fields(l).map((v, i) => [header[i]!, v])));
}

for (const database of testDatabases()) {
  describe(`/incident allowances (${database.name})`, () => {
    let pd: PagerDutyFake;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'pay-rules-'));
      writeFileSync(join(dir, 'pay.yaml'), RULES);
      pd = await startPagerDutyFake({
        state: {
          users: [
            { id: 'PALICE', name: 'Alice Example', email: 'alice@example.org', timeZone: 'Europe/London' },
            { id: 'PBOB', name: 'Bob Example', email: 'bob@example.org', timeZone: 'America/New_York' },
            // Not in Slack: paid, but nobody's own row.
            { id: 'PCAROL', name: 'Carol Example', email: 'carol@example.org', timeZone: 'Europe/London' },
          ],
          escalationPolicies: [{ id: 'PEP1', name: 'Platform' }],
          teams: [{ id: 'PTEAM1', name: 'Platform team' }],
          schedules: [{ id: 'PSCH1', name: 'Platform primary', teamIds: ['PTEAM1'] }],
          oncalls: [
            // London: Monday 2 November 09:00 to Monday 9th 09:00. Shifts (at least 12 h on a local
            // day): Monday to Friday (5 weekday), Saturday and Sunday (2 weekend), not the last
            // Monday's 9 h. 120 weekday hours, 48 weekend.
            {
              userId: 'PALICE',
              escalationPolicyId: 'PEP1',
              level: 1,
              scheduleId: 'PSCH1',
              start: '2026-11-02T09:00:00Z',
              end: '2026-11-09T09:00:00Z',
            },
            // New York (EST, UTC-5): Monday 9 November 04:00 to Monday 16th 04:00 local. Monday (20 h),
            // Tuesday to Thursday: 4 weekday shifts; Friday 13th is a company holiday (1); Saturday,
            // Sunday (2); Monday 16th's 4 h no shift. Hours: weekday 20 + 72 + 4 = 96, holiday 24, weekend 48.
            {
              userId: 'PBOB',
              escalationPolicyId: 'PEP1',
              level: 1,
              scheduleId: 'PSCH1',
              start: '2026-11-09T09:00:00Z',
              end: '2026-11-16T09:00:00Z',
            },
            // Across month end: only Monday 30 November's 15 h are November's (1 weekday shift).
            {
              userId: 'PCAROL',
              escalationPolicyId: 'PEP1',
              level: 1,
              scheduleId: 'PSCH1',
              start: '2026-11-30T09:00:00Z',
              end: '2026-12-07T09:00:00Z',
            },
          ],
          logEntries: [
            // Alice, Tuesday 23:30 London: out of hours and at night (a callout, a night interrupted).
            {
              id: 'LE1',
              type: 'assign_log_entry',
              createdAt: '2026-11-03T23:30:00Z',
              incidentId: 'PI1',
              serviceId: 'PS1',
              assigneeIds: ['PALICE'],
            },
            // Alice, Wednesday 11:00: in working hours, paid nothing.
            {
              id: 'LE2',
              type: 'assign_log_entry',
              createdAt: '2026-11-04T11:00:00Z',
              incidentId: 'PI2',
              serviceId: 'PS1',
              assigneeIds: ['PALICE'],
            },
            // Bob, Tuesday 18:30 New York: out of hours, not at night.
            {
              id: 'LE3',
              type: 'escalate_log_entry',
              createdAt: '2026-11-10T23:30:00Z',
              incidentId: 'PI3',
              serviceId: 'PS1',
              assigneeIds: ['PBOB'],
            },
            // Bob, Thursday 03:00 New York: out of hours and at night.
            {
              id: 'LE4',
              type: 'assign_log_entry',
              createdAt: '2026-11-12T08:00:00Z',
              incidentId: 'PI4',
              serviceId: 'PS1',
              assigneeIds: ['PBOB'],
            },
          ],
        },
      });
    });
    after(() => {
      pd?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });
    const env = useTestBot(database, {
      users: [
        { id: 'UALICE', name: 'alice', email: 'alice@example.org' },
        { id: 'UBOB', name: 'bob', email: 'bob@example.org' },
        { id: 'UDAVE', name: 'dave', email: 'dave@example.org' },
        { id: 'ULEAD', name: 'lead', email: 'lead@example.org' },
      ],
      clock: { now: () => new Date(NOW) },
      get env() {
        return {
          PAGERDUTY_TOKEN: pd.token,
          PAGERDUTY_API_URL: pd.url,
          TZ_DEFAULT: 'Europe/London',
          ONCALL_LEADS: 'ULEAD',
          ONCALL_PAY_RULES: join(dir, 'pay.yaml'),
        };
      },
    });

    let seq = 0;
    async function ask(text: string, user = 'ULEAD') {
      const id = `allowances${++seq}`;
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
    const csvFiles = () => env.slack.files.filter((f) => f.completed && f.filename.endsWith('.csv'));

    test('a lead gets every row and the payroll CSV by direct message, amounts as computed by hand', async () => {
      env.slack.reset();
      const { json, reply } = await ask('allowances');
      assert.equal(reply.length, 1, json);
      assert.match(json, /On-call allowances: everyone on call, November 2026/);
      assert.doesNotMatch(json, /so far/);
      for (const name of ['Alice Example', 'Bob Example', 'Carol Example']) assert.match(json, new RegExp(name));
      assert.match(json, /\*Amount\*\\nGBP 560\.00/, '235 + 300 + 25');
      assert.match(
        json,
        /rules per team or schedule; name one to use them/,
        'the schedule’s rules are not applied to everyone',
      );
      assert.match(json, /payroll CSV is in your direct messages/);

      const files = csvFiles();
      assert.equal(files.length, 1);
      const file = files[0]!;
      assert.equal(file.filename, 'on-call-allowances-2026-11-everyone-on-call.csv');
      const dm = env.slack.channels.get(file.channels[0]!)!;
      assert.ok(dm.is_im && dm.members.has('ULEAD'), 'shared only with the lead, in a DM');

      const csv = file.content.toString('utf8');
      assert.equal(csv.split('\r\n')[0], ALLOWANCES_CSV_HEADER.join(','));
      const rows = records(csv);
      assert.deepEqual(
        rows.map((r) => r.Name),
        ['Alice Example', 'Bob Example', 'Carol Example', 'TOTAL'],
      );
      const [alice, bob, carol, total] = rows as [
        Record<string, string>,
        Record<string, string>,
        Record<string, string>,
        Record<string, string>,
      ];
      assert.deepEqual(
        { ...alice },
        {
          Name: 'Alice Example',
          'PagerDuty id': 'PALICE',
          Email: 'alice@example.org',
          'Time zone': 'Europe/London',
          'Period start': '2026-11-01',
          'Period end': '2026-11-30',
          'Rules applied': 'defaults',
          'Standby hours weekday': '120',
          'Standby hours weekend': '48',
          'Standby hours public holiday': '0',
          'Shifts weekday': '5',
          'Shifts weekend': '2',
          'Shifts public holiday': '0',
          Pages: '2',
          'Out-of-hours pages': '1',
          'Incidents worked': '0',
          Callouts: '1',
          'Nights interrupted': '1',
          'Time off in lieu hours': '2',
          Amount: '235.00', // 5 × 25 + 2 × 40 + 1 × 30
          Currency: 'GBP',
        },
      );
      assert.equal(bob['Time zone'], 'America/New_York');
      assert.equal(bob['Standby hours weekday'], '96');
      assert.equal(bob['Standby hours weekend'], '48');
      assert.equal(bob['Standby hours public holiday'], '24', 'the company holiday, on his own calendar');
      assert.equal(bob['Shifts weekday'], '4');
      assert.equal(bob['Shifts public holiday'], '1');
      assert.equal(bob['Out-of-hours pages'], '2');
      assert.equal(bob['Nights interrupted'], '1', '18:30 in New York is no night; 03:00 is');
      assert.equal(bob.Amount, '300.00', '4 × 25 + 2 × 40 + 60 + 2 × 30');
      assert.equal(carol['Standby hours weekday'], '15', 'only November’s part of a week across month end');
      assert.equal(carol.Amount, '25.00');
      assert.equal(total.Amount, '560.00');
      assert.equal(total.Callouts, '3');
      assert.equal(total['Time off in lieu hours'], '4');
    });

    test('someone who is not a lead sees only their own row and gets no file', async () => {
      const before = csvFiles().length;
      const { json } = await ask('allowances november', 'UBOB');
      assert.match(json, /Bob Example/);
      assert.doesNotMatch(json, /Alice Example|Carol Example/);
      assert.match(json, /\*Your amount\*\\nGBP 300\.00/);
      assert.match(json, /Only your own row/);
      assert.equal(csvFiles().length, before, 'no CSV');

      const dave = await ask('allowances 2026-11', 'UDAVE');
      assert.match(dave.json, /You have no allowances for everyone on call in November 2026/);
      assert.match(dave.json, /matched by email/);
      assert.doesNotMatch(dave.json, /Alice Example|Bob Example|Carol Example|Amount/);
      assert.equal(csvFiles().length, before);
    });

    test('a schedule gets its own rules: the file’s callout per incident, named in the reply and the CSV', async () => {
      env.slack.files.length = 0;
      const { json } = await ask('allowances november 2026 platform primary');
      assert.match(json, /On-call allowances: Platform primary, November 2026/);
      assert.match(json, /the schedule’s rules \(Platform primary\)/);
      assert.match(json, /GBP 50\.00 per incident worked at least 15 min/);
      assert.doesNotMatch(json, /name one to use them/);
      const [file] = csvFiles();
      assert.equal(file?.filename, 'on-call-allowances-2026-11-platform-primary.csv');
      const rows = records(file!.content.toString('utf8'));
      const alice = rows.find((r) => r.Name === 'Alice Example')!;
      assert.equal(alice['Rules applied'], 'schedule Platform primary');
      assert.equal(alice.Callouts, '0', 'no incidents worked in our records');
      assert.equal(alice.Amount, '205.00', 'standby only: 5 × 25 + 2 × 40');
    });

    test('the figures reconcile with /incident load over the same 30 days', async () => {
      env.slack.files.length = 0;
      await ask('allowances');
      const allowances = records(csvFiles()[0]!.content.toString('utf8'));
      env.slack.files.length = 0;
      const load = await ask('load 30d');
      assert.match(load.json, /On-call load: everyone on call, last 30 days/);
      const loadCsv = env.slack.files.find((f) => f.completed && f.filename.endsWith('.csv'))!;
      const loadRows = records(loadCsv.content.toString('utf8'));
      const people = allowances.filter((r) => r.Name !== 'TOTAL');
      assert.equal(people.length, 3);
      for (const a of people) {
        const l = loadRows.find((r) => r.Responder === a.Name);
        assert.ok(l, `${a.Name} in the load report`);
        const onCall =
          Number(a['Standby hours weekday']) +
          Number(a['Standby hours weekend']) +
          Number(a['Standby hours public holiday']);
        assert.equal(onCall, Number(l['On-call hours']), `${a.Name}: on-call hours`);
        assert.equal(a.Pages, l.Pages, `${a.Name}: pages`);
        assert.equal(a['Out-of-hours pages'], l['Out-of-hours pages'], `${a.Name}: out-of-hours pages`);
        assert.equal(a['Nights interrupted'], l['Nights interrupted'], `${a.Name}: nights interrupted`);
      }
      assert.equal(
        Number(loadRows.find((r) => r.Responder === 'TOTAL')!['On-call hours']),
        120 + 48 + 96 + 48 + 24 + 15,
      );
    });

    test('a month not begun, an unknown schedule, and PagerDuty down with nothing cached are explained', async () => {
      const future = await ask('allowances 2027-01');
      assert.match(future.json, /January 2027 has not begun yet/);
      const unknown = await ask('allowances november Nope');
      assert.match(
        unknown.json,
        /PagerDuty has no schedule or team called “Nope”\. Try `\/incident allowances` for everyone on call\./,
      );
      pd.failNext('/oncalls', { status: 401 });
      const down = await ask('allowances october platform team');
      assert.match(down.json, /PagerDuty did not answer.*nothing is cached for Platform team in October 2026/);
      assert.doesNotMatch(down.json, /GBP/);
    });
  });
}

for (const database of testDatabases()) {
  describe(`/incident allowances across month end (${database.name})`, () => {
    let pd: PagerDutyFake;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'pay-rules-'));
      writeFileSync(
        join(dir, 'pay.yaml'),
        `
currency: GBP
region: england-and-wales
defaults:
  standby: { per: shift, minimumHours: 8, weekday: 25.00, weekend: 40.00, publicHoliday: 60.00 }
  callout: { per: page, amount: 30.00 }
  timeOffInLieu: { hoursPerInterruptedNight: 2 }
`,
      );
      pd = await startPagerDutyFake({
        state: {
          users: [
            { id: 'PDANA', name: 'Dana Example', email: 'dana@example.org', timeZone: 'Europe/London' },
            { id: 'PTARO', name: 'Taro Example', email: 'taro@example.org', timeZone: 'Asia/Tokyo' },
          ],
          escalationPolicies: [{ id: 'PEP1', name: 'Platform' }],
          teams: [
            { id: 'PTEAM1', name: 'Platform team' },
            { id: 'PTEAM2', name: 'March Madness' },
          ],
          schedules: [{ id: 'PSCH1', name: 'Platform primary', teamIds: ['PTEAM1'] }],
          oncalls: [
            {
              userId: 'PDANA',
              escalationPolicyId: 'PEP1',
              level: 1,
              scheduleId: 'PSCH1',
              start: '2026-10-30T09:00:00Z',
              end: '2026-11-02T09:00:00Z',
            },
            // Tokyo: Saturday 31 October 00:00 to Tuesday 3 November 00:00 local. Sunday 1 November
            // (Tokyo) is 9 hours of London's October and 15 of its November: one shift, November's.
            {
              userId: 'PTARO',
              escalationPolicyId: 'PEP1',
              level: 2,
              scheduleId: 'PSCH1',
              start: '2026-10-30T15:00:00Z',
              end: '2026-11-02T15:00:00Z',
            },
          ],
          logEntries: [
            // Dana, one night across month end: 23:30 on Saturday 31 October, 01:00 on Sunday 1 November.
            {
              id: 'LE1',
              type: 'assign_log_entry',
              createdAt: '2026-10-31T23:30:00Z',
              incidentId: 'PI1',
              serviceId: 'PS1',
              assigneeIds: ['PDANA'],
            },
            {
              id: 'LE2',
              type: 'assign_log_entry',
              createdAt: '2026-11-01T01:00:00Z',
              incidentId: 'PI2',
              serviceId: 'PS1',
              assigneeIds: ['PDANA'],
            },
          ],
        },
      });
    });
    after(() => {
      pd?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });
    const env = useTestBot(database, {
      users: [
        { id: 'UDANA', name: 'dana', email: 'dana@example.org' },
        { id: 'UTARO', name: 'taro', email: 'taro@example.org' },
        { id: 'ULEAD', name: 'lead', email: 'lead@example.org' },
      ],
      clock: { now: () => new Date(NOW) },
      get env() {
        return {
          PAGERDUTY_TOKEN: pd.token,
          PAGERDUTY_API_URL: pd.url,
          TZ_DEFAULT: 'Europe/London',
          ONCALL_LEADS: 'ULEAD',
          ONCALL_PAY_RULES: join(dir, 'pay.yaml'),
        };
      },
    });

    let seq = 0;
    async function csvOf(text: string, suffix: string) {
      env.slack.files.length = 0;
      const id = `edge${++seq}`;
      const res = await env.app.command(text, { responseUrl: env.slack.responseUrl(id), userId: 'ULEAD' });
      assert.equal(res.status, 200);
      await env.app.bot.idle();
      const file = env.slack.files.find((f) => f.completed && f.filename.endsWith(suffix));
      assert.ok(file, `${text}: a CSV`);
      return records(file.content.toString('utf8'));
    }
    const row = (rows: Record<string, string>[], name: string) => rows.find((r) => r.Name === name)!;

    test('a team named like a month: `march madness` is the team March Madness when there is no `madness`', async () => {
      const id = `edge${++seq}`;
      await env.app.command('allowances march madness', { responseUrl: env.slack.responseUrl(id), userId: 'ULEAD' });
      await env.app.bot.idle();
      const json = JSON.stringify(env.slack.responses.filter((r) => r.id === id).map((r) => r.body));
      assert.match(json, /On-call allowances: March Madness, November 2026/, json);
      assert.doesNotMatch(json, /no schedule or team called/);
      // A month's name and a scope that exists stay a month and a scope.
      const id2 = `edge${++seq}`;
      await env.app.command('allowances march platform team', {
        responseUrl: env.slack.responseUrl(id2),
        userId: 'ULEAD',
      });
      await env.app.bot.idle();
      const json2 = JSON.stringify(env.slack.responses.filter((r) => r.id === id2).map((r) => r.body));
      assert.match(json2, /On-call allowances: Platform team, March 2026/, json2);
      // Neither reading names anything: the scope after the month is said to be unknown.
      const id3 = `edge${++seq}`;
      await env.app.command('allowances may nope', { responseUrl: env.slack.responseUrl(id3), userId: 'ULEAD' });
      await env.app.bot.idle();
      const json3 = JSON.stringify(env.slack.responses.filter((r) => r.id === id3).map((r) => r.body));
      assert.match(json3, /PagerDuty has no schedule or team called “nope”/);
    });

    test('a night across month end is one night off, and each Tokyo shift is paid in the month it begins', async () => {
      const october = await csvOf('allowances october', '.csv');
      const november = await csvOf('allowances november', '.csv');
      const [dOct, dNov] = [row(october, 'Dana Example'), row(november, 'Dana Example')];
      assert.equal(dOct['Nights interrupted'], '1');
      assert.equal(dOct['Time off in lieu hours'], '2');
      assert.equal(dNov['Nights interrupted'], '0', 'the night began in October');
      assert.equal(dNov['Time off in lieu hours'], '0');
      assert.equal(dNov.Pages, '1', 'the 01:00 page is still November’s page');
      const [tOct, tNov] = [row(october, 'Taro Example'), row(november, 'Taro Example')];
      const shifts = (r: Record<string, string>) =>
        ['Shifts weekday', 'Shifts weekend', 'Shifts public holiday'].map((k) => Number(r[k]));
      // Tokyo's Saturday 31 October and Sunday 1 November begin at 15:00 on London's 30th and 31st.
      assert.deepEqual(shifts(tOct), [0, 2, 0], 'Saturday 31 October and Sunday 1 November (Tokyo)');
      assert.deepEqual(shifts(tNov), [1, 0, 0], 'Monday 2 November (Tokyo)');

      // The load report over November counts the night as the allowances do.
      const load = await csvOf('load 30d', '.csv');
      const l = load.find((r) => r.Responder === 'Dana Example')!;
      assert.equal(l['Nights interrupted'], dNov['Nights interrupted']);
      assert.equal(l.Pages, dNov.Pages);
    });
  });
}

describe('/incident allowances without a pay rules file', () => {
  const env = useTestBot(testDatabases()[0]!, { users: [{ id: 'UALICE', name: 'alice' }] });
  test('says allowances are not set up, and where to read how', async () => {
    await env.app.command('allowances', { responseUrl: env.slack.responseUrl('norules') });
    await env.app.bot.idle();
    const json = JSON.stringify(env.slack.responses.filter((r) => r.id === 'norules').map((r) => r.body));
    assert.ok(json.includes(PAY_RULES_NOT_SET), json);
  });
});
