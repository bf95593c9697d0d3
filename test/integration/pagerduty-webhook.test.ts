// POST /pagerduty/webhook on the running app: PagerDuty v3 signatures, auto-declare of high-urgency
// incidents on mapped services (once per PagerDuty incident), acknowledge/resolve on the timeline.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { before, beforeEach, describe, test } from 'node:test';
import { verifyPagerDutySignature } from '../../src/pagerduty/webhook.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';

const SECRET = 'pd-webhook-secret-123';
const MAPPED = 'PSVC001';

function event(
  type: string,
  o: { id: string; eventId?: string; urgency?: 'high' | 'low'; service?: string; agent?: string; incidentKey?: string },
) {
  return {
    event: {
      id: o.eventId ?? `01${type}${o.id}`,
      event_type: type,
      resource_type: 'incident',
      occurred_at: '2026-11-25T03:00:00.000Z',
      agent: o.agent ? { id: 'PAGENT', type: 'user_reference', summary: o.agent } : null,
      client: null,
      data: {
        id: o.id,
        type: 'incident',
        self: `https://api.pagerduty.com/incidents/${o.id}`,
        html_url: `https://acme.pagerduty.com/incidents/${o.id}`,
        number: 42,
        status: type.split('.')[1],
        title: 'EHR API error rate above 5%',
        urgency: o.urgency ?? 'high',
        incident_key: o.incidentKey ?? `alert-${o.id}`,
        service: { id: o.service ?? MAPPED, type: 'service_reference', summary: 'EHR API' },
      },
    },
  };
}

const sign = (body: string, secret = SECRET) => `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('PagerDuty webhook signatures', () => {
  test('v1 HMAC-SHA256 of the raw body; any of several signatures may match', () => {
    const body = Buffer.from('{"event":{}}');
    assert.equal(verifyPagerDutySignature(body, sign(body.toString()), SECRET), true);
    assert.equal(verifyPagerDutySignature(body, `v1=${'0'.repeat(64)},${sign(body.toString())}`, SECRET), true);
    assert.equal(verifyPagerDutySignature(body, sign(body.toString(), 'other-secret'), SECRET), false);
    assert.equal(
      verifyPagerDutySignature(Buffer.from('{"event":{} }'), sign(body.toString()), SECRET),
      false,
      'body changed',
    );
    assert.equal(verifyPagerDutySignature(body, undefined, SECRET), false);
    assert.equal(verifyPagerDutySignature(body, 'v0=abc', SECRET), false);
  });
});

for (const database of testDatabases()) {
  describe(`PagerDuty webhook (${database.name})`, () => {
    const env = useTestBot(database, {
      users: [{ id: 'UBOB', name: 'bob' }],
      env: { PAGERDUTY_WEBHOOK_SECRET: SECRET, PAGERDUTY_AUTO_DECLARE_SERVICES: `${MAPPED},PSVC999` },
    });
    let slack: SlackStandIn;
    let app: TestBot;
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
    });
    const incidents = () => app.bot.db.prisma.incident.count();
    async function post(payload: unknown, signature?: string) {
      const body = JSON.stringify(payload);
      const res = await fetch(`${app.url}/pagerduty/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature !== '' ? { 'x-pagerduty-signature': signature ?? sign(body) } : {}),
        },
        body,
      });
      await app.bot.idle();
      return res.status;
    }

    test('a bad or missing signature is refused with 401 and nothing is stored', async () => {
      const before = await incidents();
      assert.equal(await post(event('incident.triggered', { id: 'PBAD1' }), sign('something else')), 401);
      assert.equal(await post(event('incident.triggered', { id: 'PBAD1' }), ''), 401);
      assert.equal(await incidents(), before);
      assert.equal(slack.calls.filter((c) => c.method !== 'auth.test').length, 0);
    });

    test('a high-urgency trigger on a mapped service declares once, however often it is delivered', async () => {
      const payload = event('incident.triggered', { id: 'PTRIG1' });
      assert.equal(await post(payload), 202);
      assert.equal(await post(payload), 202, 'PagerDuty retry');
      const incident = (await app.bot.deps.store.findByPagerDutyIncident('PTRIG1'))!;
      assert.ok(incident?.provisionedAt, 'declared and set up');
      assert.equal(incident.title, 'EHR API error rate above 5%');
      assert.equal(incident.affectedService, 'EHR API');
      assert.equal(incident.declaredBy, 'pagerduty');
      assert.equal(slack.callsTo('conversations.create').length, 1, 'one channel');
      assert.equal(slack.callsTo('conversations.invite').length, 0, 'nobody to invite as declarer');
      const summary = JSON.stringify(slack.messages.find((m) => m.ts === incident.summaryTs)?.blocks);
      assert.ok(summary.includes('*Declared by*\\nPagerDuty'));
      assert.ok(summary.includes('take command with `/incident role commander @you`'));
      assert.deepEqual(
        (await app.bot.deps.store.pagerDutyLinks(incident.id)).map((l) => [l.pagerDutyIncidentId, l.origin]),
        [['PTRIG1', 'webhook']],
      );
      // The first responder takes command of an incident PagerDuty declared.
      slack.channels.get(incident.channelId!)!.members.add('UBOB');
      const res = await app.command('role commander <@UBOB|bob>', {
        responseUrl: slack.responseUrl('take'),
        userId: 'UBOB',
        channelId: incident.channelId!,
      });
      assert.equal(res.status, 200);
      await app.bot.idle();
      assert.equal((await app.bot.deps.store.findById(incident.id))!.roles.COMMANDER, 'UBOB');
    });

    test('low urgency, unmapped services and other events are ignored', async () => {
      const before = await incidents();
      assert.equal(await post(event('incident.triggered', { id: 'PLOW1', urgency: 'low' })), 202);
      assert.equal(await post(event('incident.triggered', { id: 'PUNMAPPED', service: 'POTHER1' })), 202);
      assert.equal(await post(event('incident.priority_updated', { id: 'PTRIG1' })), 202);
      assert.equal(await post({ event: { nonsense: true } }), 202);
      // The bot's own page of a mapped service must not declare a second incident.
      assert.equal(
        await post(event('incident.triggered', { id: 'PSELF1', incidentKey: 'incident-bot:abc:service:ehr api' })),
        202,
      );
      assert.equal(await incidents(), before);
      assert.equal(slack.calls.filter((c) => c.method !== 'auth.test').length, 0, 'no Slack calls');
      assert.equal(
        await app.bot.db.prisma.pagerDutyLink.count({
          where: { pagerDutyIncidentId: { in: ['PLOW1', 'PUNMAPPED', 'PSELF1'] } },
        }),
        0,
      );
    });

    test('acknowledge and resolve of a linked PagerDuty incident land on the timeline once', async () => {
      await post(event('incident.triggered', { id: 'PTRIG2' }));
      const incident = (await app.bot.deps.store.findByPagerDutyIncident('PTRIG2'))!;
      const ack = event('incident.acknowledged', { id: 'PTRIG2', agent: 'Alice Example' });
      assert.equal(await post(ack), 202);
      assert.equal(await post(ack), 202, 'retried delivery');
      assert.equal(await post(event('incident.resolved', { id: 'PTRIG2', agent: 'Alice Example' })), 202);
      const entries = (await app.bot.deps.store.timeline(incident.id)).filter((e) => e.kind === 'pagerduty');
      assert.deepEqual(
        entries.map((e) => e.text),
        ['PagerDuty incident 42 acknowledged by Alice Example', 'PagerDuty incident 42 resolved by Alice Example'],
      );
      assert.equal((await app.bot.deps.store.pagerDutyLinks(incident.id))[0]!.status, 'resolved');
      assert.equal(
        await post(event('incident.acknowledged', { id: 'PUNKNOWN' })),
        202,
        'an unlinked incident is ignored',
      );
    });

    /** The same signed body sent `times` times at once (a replay, or PagerDuty retrying a slow delivery). */
    async function postAtOnce(payload: unknown, times: number) {
      const body = JSON.stringify(payload);
      const statuses = await Promise.all(
        Array.from({ length: times }, () =>
          fetch(`${app.url}/pagerduty/webhook`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-pagerduty-signature': sign(body) },
            body,
          }).then((r) => r.status),
        ),
      );
      await app.bot.idle();
      return statuses;
    }

    test('the same signed event sent 2 or 3 times at once lands on the timeline once', async () => {
      await post(event('incident.triggered', { id: 'PRACE1' }));
      const incident = (await app.bot.deps.store.findByPagerDutyIncident('PRACE1'))!;
      assert.deepEqual(
        await postAtOnce(event('incident.acknowledged', { id: 'PRACE1', agent: 'Alice Example' }), 2),
        [202, 202],
      );
      assert.deepEqual(
        await postAtOnce(event('incident.resolved', { id: 'PRACE1', agent: 'Alice Example' }), 3),
        [202, 202, 202],
      );
      // And once more, after the others were handled.
      assert.deepEqual(
        await postAtOnce(event('incident.acknowledged', { id: 'PRACE1', agent: 'Alice Example' }), 3),
        [202, 202, 202],
      );
      const entries = (await app.bot.deps.store.timeline(incident.id)).filter((e) => e.kind === 'pagerduty');
      assert.deepEqual(
        entries.map((e) => e.text),
        ['PagerDuty incident 42 acknowledged by Alice Example', 'PagerDuty incident 42 resolved by Alice Example'],
      );
      assert.equal(
        (await app.bot.deps.store.pagerDutyLinks(incident.id))[0]!.status,
        'resolved',
        'a late acknowledge does not reopen it',
      );
      assert.deepEqual(
        (await app.bot.deps.audit.verify(incident.id)).problems,
        [],
        'the entries are in the audit trail',
      );
    });

    test('a trigger delivered 3 times at once declares one incident with one link', async () => {
      const before = await incidents();
      assert.deepEqual(await postAtOnce(event('incident.triggered', { id: 'PRACE2' }), 3), [202, 202, 202]);
      assert.equal(await incidents(), before + 1);
      const incident = (await app.bot.deps.store.findByPagerDutyIncident('PRACE2'))!;
      assert.ok(incident.provisionedAt);
      assert.equal(await app.bot.db.prisma.pagerDutyLink.count({ where: { pagerDutyIncidentId: 'PRACE2' } }), 1);
      assert.equal(slack.callsTo('conversations.create').length, 1, 'one channel');
    });

    test('an acknowledge that comes while the triggered incident is still being set up is not lost', async () => {
      slack.failNext('conversations.create', { holdAnswerMs: 1500 });
      const body = JSON.stringify(event('incident.triggered', { id: 'PRACE3' }));
      const triggered = fetch(`${app.url}/pagerduty/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-pagerduty-signature': sign(body) },
        body,
      });
      // Recorded, its channel still being made:
      let recorded = null;
      for (let i = 0; i < 100 && !recorded; i++) {
        recorded = await app.bot.db.prisma.incident.findUnique({ where: { declareKey: 'pagerduty:PRACE3' } });
        if (!recorded) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(recorded && !recorded.channelId, 'the incident is recorded and not yet set up');
      assert.equal(await post(event('incident.acknowledged', { id: 'PRACE3', agent: 'Alice Example' })), 202);
      assert.equal((await triggered).status, 202);
      await app.bot.idle();
      const entries = (await app.bot.deps.store.timeline(recorded.id)).filter((e) => e.kind === 'pagerduty');
      assert.deepEqual(
        entries.map((e) => e.text),
        ['PagerDuty incident 42 acknowledged by Alice Example'],
      );
    });
  });
}
