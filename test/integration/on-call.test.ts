// `/incident oncall` through the running bot, with an on-call provider fake (the PagerDuty adapter
// itself is tested against a PagerDuty fake and Prism in test/pagerduty and test/contract).
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import { OnCallUnavailable, type OnCallAnswer, type OnCallProvider, type OnCallShift } from '../../src/ports/on-call-provider.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';

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
