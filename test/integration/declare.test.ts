// End to end: signed Slack requests to the running app, its WebClient talking to the stateful Slack
// stand-in, on embedded PGlite and (when TEST_DATABASE_URL is set) a real PostgreSQL server.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import { DECLARE_MODAL } from '../../src/slack/ids.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { declareModalValues, postSigned, slashCommandBody, triggerId } from '../support/slack-requests.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';
import { declaring, aDeclaration } from '../support/fixtures.ts';

for (const database of testDatabases()) {
  describe(`declaring an incident (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    /** The bot's clock runs `offsetMs` ahead of real time: tests move it past grace periods. */
    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs) };
    const incidents = () => app.bot.db.prisma.incident.count();
    const unprovisioned = () => app.bot.db.prisma.incident.count({ where: { provisionedAt: null } });

    const env = useTestBot(database, {
      users: [
        { id: 'UALICE', name: 'alice', tz: 'Europe/London' },
        { id: 'UBOB', name: 'bob', tz: 'America/New_York' },
      ],
      clock,
    });
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      offsetMs = 0;
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents', members: [] });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['UALICE', 'UBOB'] });
    });

    const lastResponse = (id: string) => slack.responses.filter((r) => r.id === id).at(-1)?.body;

    test('the fast path makes the channel, invites, pins the summary and announces', async () => {
      const res = await app.command('declare sev2 Payments API returning 500s', {
        responseUrl: slack.responseUrl('fast'),
      });
      assert.equal(res.status, 200);
      assert.equal(res.json().response_type, 'ephemeral');
      assert.match(res.json().text, /Declaring a SEV2 \(High\) incident: Payments API returning 500s/);
      await app.bot.idle();

      const incident = (await app.bot.deps.store.findByNumber(
        Number(/INC-(\d+)/.exec(String(lastResponse('fast')?.text))?.[1]),
      ))!;
      assert.ok(incident, 'the incident is recorded');
      assert.equal(incident.severity, 'SEV2');
      assert.equal(incident.status, 'DECLARED');
      assert.ok(incident.provisionedAt);
      assert.match(incident.id, /^[0-9a-f-]{36}$/);

      const channel = slack.channelByName(`inc-${incident.number}-payments-api-returning-500s`);
      assert.ok(channel, 'channel inc-<n>-<slug> exists');
      assert.equal(channel.id, incident.channelId);
      assert.equal(channel.is_private, false);
      assert.ok(channel.members.has('UALICE'), 'declarer invited');

      const summary = slack.messages.find((m) => m.channel === channel.id && m.ts === incident.summaryTs);
      assert.ok(summary, 'summary posted in the channel');
      const summaryJson = JSON.stringify(summary.blocks);
      for (const part of [
        `INC-${incident.number}: Payments API returning 500s`,
        'SEV2 (High)',
        'Declared',
        'Commander',
        'Clinical safety officer',
        '<@UALICE>',
        '<!date^',
      ]) {
        assert.ok(summaryJson.includes(part), `summary shows ${part}`);
      }
      assert.deepEqual(
        slack.pins.map((p) => [p.channel, p.ts]),
        [[channel.id, incident.summaryTs]],
      );

      const announcement = slack.messages.find((m) => m.channel === BROADCAST_CHANNEL);
      assert.ok(announcement, 'announced in the broadcast channel');
      assert.match(JSON.stringify(announcement.blocks), new RegExp(`<#${channel.id}>`));

      assert.match(
        String(lastResponse('fast')?.text),
        new RegExp(`Declared INC-${incident.number} \\(SEV2\\) in <#${channel.id}>`),
      );
      const timeline = await app.bot.deps.store.timeline(incident.id);
      assert.deepEqual(
        timeline.map((e) => e.kind),
        ['declared', 'channel_created'],
      );
      assert.equal(timeline[0]!.actorId, 'UALICE');
    });

    test('the modal declares the same way; a private incident gets a private channel and no announcement', async () => {
      const trigger = triggerId();
      const open = await app.command('', {
        responseUrl: slack.responseUrl('modal'),
        triggerId: trigger,
        channelId: 'CGENERAL',
      });
      assert.equal(open.status, 200);
      await app.bot.idle();
      const opened = slack.views.at(-1);
      assert.ok(opened, 'views.open was called');
      assert.equal(opened.trigger_id, trigger);
      assert.equal(opened.view.callback_id, DECLARE_MODAL.callbackId);
      const blockIds = (opened.view.blocks as { block_id: string }[]).map((b) => b.block_id);
      assert.deepEqual(blockIds, Object.values(DECLARE_MODAL.blocks));

      const submit = await app.submitView({
        viewId: opened.id,
        callbackId: DECLARE_MODAL.callbackId,
        privateMetadata: String(opened.view.private_metadata),
        values: declareModalValues({
          title: 'Lab results delayed',
          severity: 'SEV1',
          description: 'Results take 40 minutes to reach wards.',
          service: 'lab-results',
          flags: ['private', 'clinical'],
        }),
      });
      assert.equal(submit.status, 200);
      assert.equal(submit.body, '', 'an empty ack closes the modal');
      await app.bot.idle();

      const text = String(lastResponse('modal')?.text);
      assert.match(text, /Declared INC-\d+ \(SEV1\).*It is private/);
      const incident = (await app.bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(text)![1])))!;
      assert.deepEqual(
        [incident.title, incident.description, incident.affectedService, incident.isPrivate, incident.clinicalImpact],
        ['Lab results delayed', 'Results take 40 minutes to reach wards.', 'lab-results', true, true],
      );
      const channel = slack.channels.get(incident.channelId!)!;
      assert.equal(channel.is_private, true);
      assert.ok(channel.members.has('UALICE'));
      const broadcast = slack.messages.filter((m) => m.channel === BROADCAST_CHANNEL);
      assert.ok(!JSON.stringify(broadcast).includes('Lab results delayed'), 'private incidents are not announced');
      assert.deepEqual(
        broadcast.map((m) => /Change freeze\*: a SEV1 incident is in progress/.test(m.text ?? '')),
        [true],
        'only the detail-free SEV1 freeze',
      );
      assert.equal(incident.announcementTs, null);
      assert.ok(incident.provisionedAt);
    });

    test('bad modal input is shown in the form and nothing is created', async () => {
      const before = slack.callsTo('conversations.create').length;
      const count = await incidents();
      const res = await app.submitView({
        viewId: 'VBAD1',
        callbackId: DECLARE_MODAL.callbackId,
        values: declareModalValues({ title: 'x'.repeat(1000), severity: null }),
      });
      assert.equal(res.status, 200);
      const body = res.json();
      assert.equal(body.response_action, 'errors');
      assert.match(body.errors[DECLARE_MODAL.blocks.title], /too long/);
      assert.match(body.errors[DECLARE_MODAL.blocks.severity], /Pick a severity/);
      await app.bot.idle();
      assert.equal(slack.callsTo('conversations.create').length, before);
      assert.equal(await incidents(), count, 'no incident recorded');
    });

    test('bad fast-path input gets an ephemeral explanation and creates nothing', async () => {
      const count = await incidents();
      const cases: [string, RegExp][] = [
        ['declare sev2', /title is empty/],
        [`declare sev2 ${'x'.repeat(1000)}`, /title is too long/],
        ['declare sev7 Broken thing', /`sev7` is not a severity/],
        ['explode', /I don't know `\/incident explode`/],
      ];
      for (const [text, expected] of cases) {
        const res = await app.command(text, { responseUrl: slack.responseUrl('bad') });
        assert.equal(res.status, 200);
        assert.equal(res.json().response_type, 'ephemeral');
        assert.match(res.json().text, expected);
      }
      await app.bot.idle();
      assert.equal(slack.callsTo('conversations.create').length, 0);
      assert.equal(slack.responses.length, 0, 'no follow-up message either');
      assert.equal(await incidents(), count, 'no incident recorded');
    });

    test('/incident help lists every subcommand', async () => {
      const res = await app.command('help', { responseUrl: slack.responseUrl('help') });
      const text = res.json().text as string;
      for (const usage of ['`/incident`', '/incident declare <sev1-4>', '/incident help'])
        assert.ok(text.includes(usage));
    });

    test('a repeated request (same trigger, Slack retry) and a double-submitted modal make one incident', async () => {
      const trigger = triggerId();
      const body = slashCommandBody({
        text: 'declare sev3 Pharmacy queue slow',
        responseUrl: slack.responseUrl('dup'),
        triggerId: trigger,
      });
      const [a, b] = await Promise.all([
        postSigned(app.url, body),
        postSigned(app.url, body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } }),
      ]);
      assert.equal(a.status, 200);
      assert.equal(b.status, 200);
      await app.bot.idle();
      const replay = await postSigned(app.url, body);
      assert.equal(replay.status, 200);
      assert.equal(replay.body, '', 'a plain copy of a delivery already handled is acknowledged and dropped');
      await app.bot.idle();
      // A copy the delivery log no longer knows (its record pruned, or the log unreachable) meets
      // the declaration's own idempotency: it says so and creates nothing.
      await app.bot.db.prisma.slackDelivery.delete({ where: { key: `command:${trigger}` } });
      await postSigned(app.url, body);
      await app.bot.idle();
      assert.equal(slack.callsTo('conversations.create').length, 1, 'one channel');
      assert.equal(slack.messages.filter((m) => m.channel === BROADCAST_CHANNEL).length, 1, 'one announcement');
      const texts = slack.responses.filter((r) => r.id === 'dup').map((r) => String(r.body.text));
      assert.equal(texts.filter((t) => /Declared INC-/.test(t)).length, 1);
      assert.ok(texts.some((t) => /already handled|earlier copy/.test(t)));

      const values = declareModalValues({ title: 'Double click', severity: 'SEV4' });
      const meta = JSON.stringify({ responseUrl: slack.responseUrl('dupmodal'), channelId: 'CGENERAL' });
      await Promise.all(
        [1, 2].map(() =>
          app.submitView({ viewId: 'VDOUBLE', callbackId: DECLARE_MODAL.callbackId, values, privateMetadata: meta }),
        ),
      );
      await app.bot.idle();
      assert.equal(slack.callsTo('conversations.create').length, 2, 'the double submit made one more channel, not two');
    });

    test('concurrent declares are all recorded and set up, each in its own channel', { timeout: 60_000 }, async () => {
      const N = 8;
      const results = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          app.command(`declare sev2 Concurrent ${i}`, { responseUrl: slack.responseUrl(`conc${i}`) }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        Array(N).fill(200),
      );
      await app.bot.idle();
      const texts = Array.from({ length: N }, (_, i) => String(lastResponse(`conc${i}`)?.text));
      for (const t of texts) assert.match(t, /Declared INC-\d+ \(SEV2\)/);
      assert.equal(new Set(texts.map((t) => /INC-(\d+)/.exec(t)![1])).size, N, 'distinct numbers');
      assert.equal(new Set(slack.callsTo('conversations.create').map((a) => a.name)).size, N);
      assert.equal(slack.pins.length, N);
      assert.equal(await unprovisioned(), 0);
    });

    test('a taken channel name gets a suffix instead of failing', async () => {
      assert.equal(await unprovisioned(), 0);
      // Take the names the next incident would use.
      const probe = await app.command('declare sev4 Name probe', { responseUrl: slack.responseUrl('probe') });
      assert.equal(probe.status, 200);
      await app.bot.idle();
      const n = Number(/INC-(\d+)/.exec(String(lastResponse('probe')?.text))![1]) + 1;
      slack.addChannel({ name: `inc-${n}-clash` });
      slack.addChannel({ name: `inc-${n}-clash-2` });
      await app.command('declare sev4 Clash', { responseUrl: slack.responseUrl('clash') });
      await app.bot.idle();
      const incident = (await app.bot.deps.store.findByNumber(n))!;
      assert.equal(incident.channelName, `inc-${n}-clash-3`);
      assert.ok(incident.provisionedAt);
    });

    test('Slack failing half way keeps the incident, reports it, and a retry finishes without duplicates', async () => {
      slack.failNext('pins.add', { error: 'internal_error' });
      await app.command('declare sev2 Imaging viewer down', { responseUrl: slack.responseUrl('half') });
      await app.bot.idle();
      const text = String(lastResponse('half')?.text);
      assert.match(
        text,
        /INC-\d+ is recorded in <#C\w+>, but pinning the summary failed \(Slack said `internal_error`\)/,
      );
      const n = Number(/INC-(\d+)/.exec(text)![1]);
      let incident = (await app.bot.deps.store.findByNumber(n))!;
      assert.equal(incident.provisionedAt, null);
      assert.equal(incident.provisionAttempts, 1);
      assert.ok(incident.summaryTs);
      assert.equal(slack.pins.length, 0);

      await app.bot.resumeNow();
      assert.equal(
        (await app.bot.deps.store.findByNumber(n))!.provisionedAt,
        null,
        'a fresh incident is left to its own request for a minute',
      );
      offsetMs = 61_000;
      await app.bot.resumeNow();
      incident = (await app.bot.deps.store.findByNumber(n))!;
      assert.ok(incident.provisionedAt, 'the retry completed it');
      assert.equal(incident.provisionError, null);
      assert.equal(slack.callsTo('conversations.create').length, 1, 'no second channel');
      assert.equal(
        slack.messages.filter((m) => m.channel === incident.channelId && m.user === slack.botUserId).length,
        1,
        'one summary',
      );
      assert.equal(slack.pins.length, 1);
      assert.equal(slack.messages.filter((m) => m.channel === BROADCAST_CHANNEL).length, 1);
      assert.match(
        String(lastResponse('half')?.text),
        new RegExp(`INC-${n} is now fully set up in <#${incident.channelId}>`),
      );
    });

    test('text is taken as typed: Slack escaping of &, < and > is undone once', async () => {
      await app.command('declare sev3 EHR & PACS <slow>', { responseUrl: slack.responseUrl('amp') });
      await app.bot.idle();
      const n = Number(/INC-(\d+)/.exec(String(lastResponse('amp')?.text))![1]);
      const incident = (await app.bot.deps.store.findByNumber(n))!;
      assert.equal(incident.title, 'EHR & PACS <slow>');
      assert.equal(incident.channelName, `inc-${n}-ehr-pacs-slow`);
      const announcement = slack.messages.find((m) => m.channel === BROADCAST_CHANNEL)!;
      assert.ok(JSON.stringify(announcement.blocks).includes('EHR &amp; PACS &lt;slow&gt;'), 'escaped once for mrkdwn');
    });

    test('Slack is answered within 3 s even when Slack itself is slow', { timeout: 30_000 }, async () => {
      slack.failNext('conversations.create', { delayMs: 4000 });
      const t0 = Date.now();
      const res = await app.command('declare sev2 Slow Slack', { responseUrl: slack.responseUrl('slow') });
      const ackMs = Date.now() - t0;
      assert.equal(res.status, 200);
      assert.ok(ackMs < 3000, `acknowledged after ${ackMs} ms`);
      await app.bot.idle();
      assert.match(String(lastResponse('slow')?.text), /Declared INC-\d+/);
    });

    test('a channel the bot made in an earlier, cut-short run is taken over, not duplicated', async () => {
      await app.command('declare sev4 Probe for number', { responseUrl: slack.responseUrl('probe2') });
      await app.bot.idle();
      const n = Number(/INC-(\d+)/.exec(String(lastResponse('probe2')?.text))![1]) + 1;
      const orphan = slack.addChannel({
        name: `inc-${n}-orphaned-channel`,
        creator: slack.botUserId,
        members: [slack.botUserId],
      });
      slack.addChannel({ name: `inc-${n}-orphaned-channel-2`, members: ['UBOB'] });
      await app.command('declare sev4 Orphaned channel', { responseUrl: slack.responseUrl('orphan') });
      await app.bot.idle();
      const incident = (await app.bot.deps.store.findByNumber(n))!;
      assert.equal(incident.channelId, orphan.id);
      assert.ok(incident.provisionedAt);
      const timeline = await app.bot.deps.store.timeline(incident.id);
      assert.match(timeline.find((e) => e.kind === 'channel_created')!.text, /taken over/);
    });

    test('a declarer who cannot be invited does not hold up the summary and announcement', async () => {
      slack.failNext('conversations.invite', { error: 'user_is_restricted' });
      await app.command('declare sev3 Guest declares', { responseUrl: slack.responseUrl('guest') });
      await app.bot.idle();
      const text = String(lastResponse('guest')?.text);
      assert.match(text, /Declared INC-\d+ .*could not invite you to the channel \(Slack said `user_is_restricted`\)/);
      const incident = (await app.bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(text)![1])))!;
      assert.ok(incident.provisionedAt && incident.summaryPinned && incident.announcementTs);
      assert.ok((await app.bot.deps.store.timeline(incident.id)).some((e) => e.kind === 'invite_failed'));
    });

    test('when the response URL no longer works the declarer gets a direct message', async () => {
      await app.command('declare sev4 Expired response url', { responseUrl: 'http://127.0.0.1:9/expired' });
      await app.bot.idle();
      const dm = slack.messages.find((m) => m.channel.startsWith('D') && /Declared INC-\d+/.test(m.text ?? ''));
      assert.ok(dm, 'a DM to the declarer');
      assert.ok(slack.channels.get(dm.channel)?.members.has('UALICE'));
    });

    test('an incident a crash left unprovisioned is finished by the background retry, and the declarer told', async () => {
      const { incident } = await app.bot.deps.store.createIfAbsent(
        declaring({
          declareKey: 'crash-test',
          declaration: aDeclaration({ title: 'Left by a crash' }),
          originChannelId: 'CGENERAL',
          responseUrl: slack.responseUrl('crash'),
          declaredAt: clock.now(),
        }),
      );
      offsetMs = 61_000;
      await app.bot.resumeNow();
      const done = (await app.bot.deps.store.findById(incident.id))!;
      assert.ok(done.provisionedAt && done.summaryPinned && done.announcementTs);
      assert.match(String(lastResponse('crash')?.text), new RegExp(`INC-${incident.number} is now fully set up`));
    });

    test('after the last retry fails the declarer is told it gave up', async () => {
      slack.failNext('conversations.create', { error: 'restricted_action', times: 100 });
      await app.command('declare sev2 Never gets a channel', { responseUrl: slack.responseUrl('giveup') });
      await app.bot.idle();
      const n = Number(/INC-(\d+)/.exec(String(lastResponse('giveup')?.text))![1]);
      for (let i = 1; i <= 12; i++) {
        offsetMs = i * 61_000 * 3; // past the grace period and any lease
        await app.bot.resumeNow();
      }
      const incident = (await app.bot.deps.store.findByNumber(n))!;
      assert.equal(incident.provisionAttempts, 10, 'retries stop at the limit');
      assert.equal(incident.provisionedAt, null);
      assert.match(
        String(lastResponse('giveup')?.text),
        new RegExp(
          `gave up setting up INC-${n} after 10 attempts: creating the incident channel keeps failing \\(Slack said \`restricted_action\`\\)`,
        ),
      );
    });

    test('unsigned or wrongly signed requests are refused and change nothing', async () => {
      const body = slashCommandBody({ text: 'declare sev1 Forged', responseUrl: slack.responseUrl('forged') });
      const bad = await postSigned(app.url, body, { secret: 'not-the-secret' });
      assert.equal(bad.status, 401);
      const stale = await postSigned(app.url, body, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
      assert.equal(stale.status, 401);
      await app.bot.idle();
      assert.equal(slack.calls.filter((c) => c.method !== 'auth.test').length, 0);
    });

    test('GET /healthz answers 200 when the database is reachable', async () => {
      const res = await fetch(`${app.url}/healthz`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok' });
    });
  });
}
