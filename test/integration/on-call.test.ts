// `/incident oncall` through the running bot, with an on-call provider fake (the PagerDuty adapter
// itself is tested against a PagerDuty fake and Prism in test/pagerduty and test/contract).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  OnCallUnavailable,
  type OnCallAnswer,
  type OnCallProvider,
  type OnCallShift,
  type PageTarget,
  type PagedIncident,
} from '../../src/ports/on-call-provider.ts';
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
  pages: { target: PageTarget; input: { title: string; details: string; fromEmail: string; dedupKey: string } }[] = [];
  resolved: { id: string; fromEmail: string }[] = [];
  async onCall(query: string | null) {
    this.queries.push(query);
    if (this.fail) throw new OnCallUnavailable('PagerDuty answered 503 three times');
    return this.answer;
  }
  async page(
    target: PageTarget,
    input: { title: string; details: string; fromEmail: string; dedupKey: string },
  ): Promise<PagedIncident | null> {
    if (this.fail) throw new OnCallUnavailable('PagerDuty answered 503 three times');
    this.pages.push({ target, input });
    if (target.kind === 'service' && target.query !== 'EHR API') return null;
    const n = this.pages.length;
    return {
      id: `PINC${n}`,
      number: 100 + n,
      title: input.title,
      htmlUrl: `https://acme.pagerduty.com/incidents/PINC${n}`,
      status: 'triggered',
    };
  }
  async resolvePaged(id: string, fromEmail: string) {
    this.resolved.push({ id, fromEmail });
  }
}

for (const database of testDatabases().slice(0, 1)) {
  describe(`/incident oncall (${database.name})`, () => {
    const onCall = new FakeOnCall();
    let offsetMs = 0;
    const env = useTestBot(database, {
      users: [
        { id: 'UALICE', name: 'alice', email: 'alice@example.org' },
        { id: 'UBOB', name: 'bob', email: 'bob@example.org' },
      ],
      onCall,
      clock: { now: () => new Date(Date.now() + offsetMs) },
    });
    let slack: SlackStandIn;
    let app: TestBot;
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      onCall.answer = null;
      onCall.fail = false;
      offsetMs = 0;
    });
    const answerFor = (name: string): OnCallAnswer => ({
      target: { kind: 'service', id: 'PSVC', name },
      now: [shift({}), shift({ level: 2, userId: 'PUSER9', name: 'Zed Outsider', email: 'zed@elsewhere.org' })],
      next: [],
    });
    async function declare(text: string) {
      const id = `d${++seq}`;
      await app.command(`declare ${text}`, { responseUrl: slack.responseUrl(id) });
      await app.bot.idle();
      const told = slack.responses
        .filter((r) => r.id === id)
        .map((r) => String(r.body.text))
        .join(' ');
      return { incident: (await app.bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(told)![1])))!, told };
    }
    async function inChannel(channelId: string, text: string, userId = 'UALICE') {
      const id = `c${++seq}`;
      await app.command(text, { responseUrl: slack.responseUrl(id), channelId, userId });
      await app.bot.idle();
      return slack.responses
        .filter((r) => r.id === id)
        .map((r) => String(r.body.text))
        .join(' ');
    }
    const posted = (channel: string) => slack.messages.filter((m) => m.channel === channel).map((m) => m.text ?? '');

    test('declaring with an affected service invites who is on call for it, and records who and why', async () => {
      onCall.answer = answerFor('EHR API');
      const { incident } = await declare('sev2 Logins failing --service=ehr-api');
      assert.equal(onCall.queries.at(-1), 'ehr-api');
      assert.ok(slack.channels.get(incident.channelId!)!.members.has('UALICE'));
      assert.ok(incident.onCallInvitedAt && incident.provisionedAt);
      const entry = (await app.bot.deps.store.timeline(incident.id)).find((e) => e.kind === 'on_call_invited')!;
      assert.match(
        entry.text,
        /Invited the on-call for EHR API: UALICE \(level 1, Platform primary\); Zed Outsider \(level 2, Platform primary, not in Slack\)/,
      );
      assert.ok(
        posted(incident.channelId!).some((t) =>
          /Invited who is on call for EHR API: <@UALICE> \(level 1\), Zed Outsider \(level 2\)/.test(t),
        ),
      );
    });

    test('PagerDuty down never blocks declaring: the channel is told, and the retry invites them later', async () => {
      onCall.fail = true;
      const { incident, told } = await declare('sev2 Imaging down --service=ehr-api');
      assert.ok(incident.summaryPinned && incident.announcementTs, 'the incident opened');
      assert.match(
        told,
        /inviting the on-call responders failed \(PagerDuty did not answer: PagerDuty answered 503 three times\)/,
      );
      assert.equal(
        posted(incident.channelId!).filter((t) => /Could not look up who is on call for ehr-api/.test(t)).length,
        1,
      );
      offsetMs = 61_000;
      await app.bot.resumeNow();
      assert.equal(
        posted(incident.channelId!).filter((t) => /Could not look up who is on call/.test(t)).length,
        1,
        'told once',
      );
      onCall.fail = false;
      onCall.answer = answerFor('EHR API');
      offsetMs = 5 * 61_000;
      await app.bot.resumeNow();
      const done = (await app.bot.deps.store.findById(incident.id))!;
      assert.ok(done.onCallInvitedAt && done.provisionedAt);
      assert.ok(slack.channels.get(incident.channelId!)!.members.has('UALICE'));
    });

    test('a drill pages through PagerDuty as one: [DRILL] first in the title, EXERCISE first in the details', async () => {
      const { incident } = await declare('drill sev1 Failover exercise');
      assert.equal(incident.drill, true);
      assert.equal(await inChannel(incident.channelId!, 'page EHR API -- join the exercise'), '');
      const paged = onCall.pages.at(-1)!;
      assert.match(paged.input.title, /^\[DRILL\] INC-\d+ SEV1: Failover exercise$/);
      assert.match(
        paged.input.details,
        /^EXERCISE \(drill\): no real impact\.\njoin the exercise\nSlack: #drill-inc-\d+-failover-exercise$/,
      );
      const channelText = posted(incident.channelId!).join('\n');
      assert.match(
        channelText,
        /EXERCISE \(drill\): no real impact\.\*\n:rotating_light: <@UALICE> paged EHR API through PagerDuty/,
      );
    });

    test('/incident page pages a service or a person, links the PagerDuty incident, and resolving offers to resolve it', async () => {
      const { incident } = await declare('sev2 Paging drill');
      slack.channels.get(incident.channelId!)!.members.add('UBOB');
      assert.equal(await inChannel(incident.channelId!, 'page EHR API -- wards cannot log in'), '');
      const first = onCall.pages.at(-1)!;
      assert.deepEqual(first.target, { kind: 'service', query: 'EHR API' });
      assert.equal(first.input.fromEmail, 'alice@example.org', 'From: the person paging');
      assert.match(first.input.title, /^INC-\d+ SEV2: Paging drill$/);
      assert.match(first.input.details, /wards cannot log in/);
      assert.ok(
        posted(incident.channelId!).some((t) =>
          /<@UALICE> paged EHR API through PagerDuty: <https:\/\/acme.pagerduty.com\/incidents\/PINC\d+\|incident 10\d>/.test(
            t,
          ),
        ),
      );
      await inChannel(incident.channelId!, 'page <@UBOB|bob> please join');
      assert.deepEqual(onCall.pages.at(-1)!.target, { kind: 'user', email: 'bob@example.org' });
      assert.match(
        await inChannel(incident.channelId!, 'page Nonexistent Service'),
        /No PagerDuty service is called `Nonexistent Service`/,
      );
      const links = await app.bot.deps.store.pagerDutyLinks(incident.id);
      assert.deepEqual(
        links.map((l) => l.origin),
        ['page', 'page'],
      );
      assert.ok((await app.bot.deps.store.timeline(incident.id)).filter((e) => e.kind === 'paged').length === 2);

      await inChannel(incident.channelId!, 'resolve');
      const offer = slack.messages.find(
        (m) => m.channel === incident.channelId && JSON.stringify(m.blocks).includes('incident_resolve_pagerduty'),
      );
      assert.ok(offer, 'the resolved notice offers to resolve the PagerDuty incidents');
      assert.match(JSON.stringify(offer.blocks), /Resolve 2 linked PagerDuty incidents/);
      const refused = await app.clickAction({
        userId: 'UBOB',
        channelId: incident.channelId!,
        messageTs: offer.ts,
        responseUrl: slack.responseUrl('rbob'),
        blockId: 'incident_pagerduty_actions',
        actionId: 'incident_resolve_pagerduty',
      });
      assert.equal(refused.status, 200);
      await app.bot.idle();
      assert.match(String(slack.responses.find((r) => r.id === 'rbob')?.body.text), /Only the declarer/);
      await app.clickAction({
        userId: 'UALICE',
        channelId: incident.channelId!,
        messageTs: offer.ts,
        responseUrl: slack.responseUrl('ralice'),
        blockId: 'incident_pagerduty_actions',
        actionId: 'incident_resolve_pagerduty',
      });
      await app.bot.idle();
      assert.deepEqual(
        onCall.resolved.map((r) => r.fromEmail),
        ['alice@example.org', 'alice@example.org'],
      );
      assert.match(
        String(slack.responses.find((r) => r.id === 'ralice')?.body.text),
        /Resolved 2 linked PagerDuty incidents/,
      );
      assert.deepEqual(
        (await app.bot.deps.store.pagerDutyLinks(incident.id)).map((l) => l.status),
        ['resolved', 'resolved'],
      );
    });

    test('paging for a private incident sends PagerDuty nothing of it beyond number and severity', async () => {
      const { incident } = await declare('sev1 Patient records exposed --private');
      await inChannel(incident.channelId!, 'page EHR API -- call me');
      const sent = onCall.pages.at(-1)!.input;
      assert.equal(sent.title, `INC-${incident.number} SEV1: private incident`);
      assert.equal(sent.details, 'call me');
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
        next: [
          shift({
            userId: 'PUSER2',
            name: 'Bob Example',
            email: 'bob@example.org',
            start: new Date('2026-11-26T00:00:00Z'),
          }),
        ],
      };
      const [reply] = await ask('oncall ehr api');
      assert.deepEqual(onCall.queries.at(-1), 'ehr api');
      assert.equal(reply?.response_type, 'ephemeral');
      const blocks = JSON.stringify(reply?.blocks);
      assert.match(blocks, /On call for EHR API \(service\)/);
      assert.match(blocks, /Level 1: <@UALICE> \(Platform primary\) until <!date\^/);
      assert.match(blocks, /Level 2: Zed Outsider _\(not found in Slack\)_/);
      assert.match(blocks, /\*Next\*\\n• Level 1: <@UBOB>/);
      assert.deepEqual(
        slack
          .callsTo('users.lookupByEmail')
          .map((a) => a.email)
          .sort(),
        ['alice@example.org', 'bob@example.org', 'zed@elsewhere.org'],
      );
    });

    test('no match, PagerDuty down: a clear private answer', async () => {
      assert.match(
        String((await ask('oncall nothing-like-this'))[0]?.text),
        /No PagerDuty service or schedule is called `nothing-like-this`/,
      );
      onCall.fail = true;
      assert.match(
        String((await ask('oncall'))[0]?.text),
        /PagerDuty did not answer \(PagerDuty answered 503 three times\)\. Try again/,
      );
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
    assert.match(
      String(slack.responses.find((r) => r.id === 'none')?.body.text),
      /PagerDuty is not connected: .* PAGERDUTY_TOKEN/,
    );
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
          {
            userId: 'PU1',
            escalationPolicyId: 'PEP1',
            level: 1,
            scheduleId: 'PSCH1',
            start: iso(-hour),
            end: iso(5 * hour),
          },
          {
            userId: 'PU2',
            escalationPolicyId: 'PEP1',
            level: 1,
            scheduleId: 'PSCH1',
            start: iso(5 * hour),
            end: iso(29 * hour),
          },
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
