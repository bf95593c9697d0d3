// `/incident oncall` through the running bot, with an on-call provider fake (the PagerDuty adapter
// itself is tested against a PagerDuty fake and Prism in test/pagerduty and test/contract).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { OnCallUnavailable, type OnCallAnswer, type OnCallProvider, type OnCallShift } from '../../src/ports/on-call-provider.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';
import { startPagerDutyFake, type PagerDutyFake } from '../support/pagerduty-fake.ts';

const shift = (o: Partial<OnCallShift>): OnCallShift => ({
  level: 1,
  userId: 'PUSER1',
  name: 'Alice Example',
  email: 'alice@example.org',
  scheduleName: 'Platform primary',
  escalationPolicyId: 'PEP1',
  escalationPolicyName: 'Platform',
  start: new Date('2026-11-25T00:00:00Z'),
  end: new Date('2026-11-26T00:00:00Z'),
  ...o,
});

class FakeOnCall implements OnCallProvider {
  answer: OnCallAnswer | null = null;
  fail = false;
  queries: (string | null)[] = [];
  async onCall(query: string | null) {
    this.queries.push(query);
    if (this.fail) throw new OnCallUnavailable('PagerDuty answered 503 three times');
    return this.answer;
  }
}

for (const database of testDatabases().slice(0, 1)) {
  describe(`/incident oncall (${database.name})`, () => {
    const onCall = new FakeOnCall();
    const env = useTestBot(database, {
      users: [
        { id: 'UALICE', name: 'alice', email: 'alice@example.org' },
        { id: 'UBOB', name: 'bob', email: 'bob@example.org' },
      ],
      onCall,
    });
    let slack: SlackStandIn;
    let app: TestBot;
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      onCall.answer = null;
      onCall.fail = false;
    });
    let seq = 0;
    async function ask(text: string) {
      const id = `o${++seq}`;
      const res = await app.command(text, { responseUrl: slack.responseUrl(id) });
      assert.equal(res.status, 200);
      await app.bot.idle();
      return slack.responses.filter((r) => r.id === id).map((r) => r.body);
    }

    test('shows who is on call now and next per level, as Slack members where the email matches', async () => {
      onCall.answer = {
        target: { kind: 'service', id: 'PSVC', name: 'EHR API' },
        now: [shift({}), shift({ level: 2, userId: 'PUSER9', name: 'Zed Outsider', email: 'zed@elsewhere.org' })],
        next: [shift({ userId: 'PUSER2', name: 'Bob Example', email: 'bob@example.org', start: new Date('2026-11-26T00:00:00Z') })],
      };
      const [reply] = await ask('oncall ehr api');
      assert.deepEqual(onCall.queries.at(-1), 'ehr api');
      assert.equal(reply?.response_type, 'ephemeral');
      const blocks = JSON.stringify(reply?.blocks);
      assert.match(blocks, /On call for EHR API \(service\)/);
      assert.match(blocks, /Level 1: <@UALICE> \(Platform primary\) until <!date\^/);
      assert.match(blocks, /Level 2: Zed Outsider _\(not found in Slack\)_/);
      assert.match(blocks, /\*Next\*\\n• Level 1: <@UBOB>/);
      assert.deepEqual(slack.callsTo('users.lookupByEmail').map((a) => a.email).sort(), ['alice@example.org', 'bob@example.org', 'zed@elsewhere.org']);
    });

    test('no match, PagerDuty down: a clear private answer', async () => {
      assert.match(String((await ask('oncall nothing-like-this'))[0]?.text), /No PagerDuty service or schedule is called `nothing-like-this`/);
      onCall.fail = true;
      assert.match(String((await ask('oncall'))[0]?.text), /PagerDuty did not answer \(PagerDuty answered 503 three times\)\. Try again/);
      assert.equal(onCall.queries.at(-1), null);
    });
  });
}

describe('/incident oncall without PagerDuty', () => {
  const env = useTestBot(testDatabases()[0]!, { users: [] });
  test('says PagerDuty is not connected', async () => {
    const { slack, app } = env;
    const res = await app.command('oncall', { responseUrl: slack.responseUrl('none') });
    assert.equal(res.status, 200);
    await app.bot.idle();
    assert.match(String(slack.responses.find((r) => r.id === 'none')?.body.text), /PagerDuty is not connected: .* PAGERDUTY_TOKEN/);
  });
});

describe('/incident oncall through the PagerDuty adapter (pdjs against a PagerDuty fake)', () => {
  let pd: PagerDutyFake;
  const hour = 3600_000;
  const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
  before(async () => {
    pd = await startPagerDutyFake({
      state: {
        users: [
          { id: 'PU1', name: 'Alice Example', email: 'alice@example.org' },
          { id: 'PU2', name: 'Bob Example', email: 'bob@example.org' },
        ],
        escalationPolicies: [{ id: 'PEP1', name: 'EHR escalation' }],
        services: [{ id: 'PSVC1', name: 'EHR API', escalationPolicyId: 'PEP1' }],
        schedules: [{ id: 'PSCH1', name: 'EHR primary' }],
        oncalls: [
          { userId: 'PU1', escalationPolicyId: 'PEP1', level: 1, scheduleId: 'PSCH1', start: iso(-hour), end: iso(5 * hour) },
          { userId: 'PU2', escalationPolicyId: 'PEP1', level: 1, scheduleId: 'PSCH1', start: iso(5 * hour), end: iso(29 * hour) },
        ],
      },
    });
  });
  after(() => pd?.close());
  const env = useTestBot(testDatabases()[0]!, {
    users: [
      { id: 'UALICE', name: 'alice', email: 'alice@example.org' },
      { id: 'UBOB', name: 'bob', email: 'bob@example.org' },
    ],
    get env() {
      return { PAGERDUTY_TOKEN: pd.token, PAGERDUTY_API_URL: pd.url };
    },
  });

  test('answers from PagerDuty, with the token and the service’s escalation policy', async () => {
    const { slack, app } = env;
    const res = await app.command('oncall EHR API', { responseUrl: slack.responseUrl('pd') });
    assert.equal(res.status, 200);
    await app.bot.idle();
    const blocks = JSON.stringify(slack.responses.find((r) => r.id === 'pd')?.body.blocks);
    assert.match(blocks, /On call for EHR API \(service\)/);
    assert.match(blocks, /Level 1: <@UALICE> \(EHR primary\)/);
    assert.match(blocks, /\*Next\*\\n• Level 1: <@UBOB>/);
    const oncalls = pd.requests.find((r) => r.path === '/oncalls');
    assert.deepEqual(oncalls?.query['escalation_policy_ids[]'], ['PEP1']);
    assert.equal(oncalls?.headers.authorization, `Token token=${pd.token}`);
  });

  test('PagerDuty failing answers privately and changes nothing', async () => {
    const { slack, app } = env;
    pd.failNext('/services', { status: 401, body: JSON.stringify({ error: { message: 'Unauthorized' } }) });
    await app.command('oncall EHR API', { responseUrl: slack.responseUrl('pdfail') });
    await app.bot.idle();
    assert.match(String(slack.responses.find((r) => r.id === 'pdfail')?.body.text), /PagerDuty did not answer/);
  });
});
