// The wellbeing message after a night with pages, end to end: the real PagerDuty adapter (pdjs)
// against the PagerDuty fake, the history cached in the database (embedded PGlite and, when
// TEST_DATABASE_URL is set, PostgreSQL), and the lead's direct message through the Slack stand-in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TZDate } from '@date-fns/tz';
import { useTestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { startPagerDutyFake, type PagerDutyFake } from '../support/pagerduty-fake.ts';

const LONDON = 'Europe/London';
/** A London wall time (month 1-12) as an instant. */
const london = (mo: number, d: number, h: number, mi = 0) =>
  new Date(new TZDate(2027, mo - 1, d, h, mi, LONDON).getTime());

for (const database of testDatabases()) {
  describe(`wellbeing messages (${database.name})`, () => {
    let pd: PagerDutyFake;
    let now = london(2, 3, 6, 50);
    before(async () => {
      pd = await startPagerDutyFake({
        state: {
          users: [{ id: 'PALICE', name: 'Alice Example', email: 'alice@example.org', timeZone: LONDON }],
          escalationPolicies: [{ id: 'PEP1', name: 'Platform' }],
          teams: [{ id: 'PTEAM1', name: 'Platform team' }],
          schedules: [{ id: 'PSCH1', name: 'Platform primary', teamIds: ['PTEAM1'] }],
          oncalls: [
            {
              userId: 'PALICE',
              escalationPolicyId: 'PEP1',
              level: 1,
              scheduleId: 'PSCH1',
              start: london(1, 20, 9).toISOString(),
              end: london(2, 10, 9).toISOString(),
            },
          ],
          logEntries: [
            // Tuesday's night: 23:40 and 03:15 on Wednesday, London time.
            {
              id: 'LE1',
              type: 'assign_log_entry',
              createdAt: london(2, 2, 23, 40).toISOString(),
              incidentId: 'PI1',
              serviceId: 'PS1',
              assigneeIds: ['PALICE'],
            },
            {
              id: 'LE2',
              type: 'escalate_log_entry',
              createdAt: london(2, 3, 3, 15).toISOString(),
              incidentId: 'PI2',
              serviceId: 'PS1',
              assigneeIds: ['PALICE'],
            },
          ],
        },
      });
    });
    after(() => pd?.close());
    const env = useTestBot(database, {
      users: [
        { id: 'UALICE', name: 'alice', email: 'alice@example.org' },
        { id: 'ULEAD', name: 'lead', email: 'lead@example.org' },
      ],
      clock: { now: () => now },
      get env() {
        return {
          PAGERDUTY_TOKEN: pd.token,
          PAGERDUTY_API_URL: pd.url,
          TZ_DEFAULT: LONDON,
          ONCALL_LEADS: 'ULEAD',
          // Alice is on call all four weeks: 100 % is not more than 100 %, so no weekly message here.
          ONCALL_MAX_ON_CALL_PERCENT: '100',
        };
      },
    });

    const dmsTo = (user: string) =>
      env.slack.messages
        .filter((m) => env.slack.channels.get(m.channel)?.is_im && env.slack.channels.get(m.channel)!.members.has(user))
        .map((m) => m.text ?? '');

    test('a night page: nothing before 07:00, then one direct message to the lead that morning', async () => {
      await env.app.bot.wellbeingNow();
      assert.deepEqual(dmsTo('ULEAD'), [], '06:50: the night is not over');
      assert.ok(pd.requestsTo('/log_entries').length > 0, 'PagerDuty was asked');

      now = london(2, 3, 7, 20);
      await env.app.bot.wellbeingNow();
      const dms = dmsTo('ULEAD');
      assert.equal(dms.length, 1, dms.join('\n'));
      assert.match(dms[0]!, /Alice Example\* \(<@UALICE>\) was paged 2 times in the night of Tue 2 Feb/);
      assert.match(dms[0]!, /22:00–07:00 Europe\/London\): 23:40, 03:15\./);
      assert.match(dms[0]!, /cover for them today, or time off/);
      assert.deepEqual(dmsTo('UALICE'), [], 'only the leads are told');

      now = london(2, 3, 9, 0);
      await env.app.bot.wellbeingNow();
      assert.equal(dmsTo('ULEAD').length, 1, 'once');
    });
  });
}
