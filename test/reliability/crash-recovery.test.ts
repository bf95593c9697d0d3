// kill -9 of the real bot process in the middle of declaring: the next start, on the same data,
// completes the incident: one channel (taken up, not made again), the summary posted and pinned once,
// announced once, the declarer told. On an on-disk PGlite DATA_DIR and, when TEST_DATABASE_URL is
// set, a scratch database on the PostgreSQL server. A short lease and retry interval
// (PROVISION_LEASE_SECONDS, PROVISION_RETRY_SECONDS) keep the wait to seconds.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createScratchDatabase } from '../../src/db/scratch.ts';
import { BROADCAST_CHANNEL } from '../support/bot.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';
import { seedDataDir, serverTemplate } from '../support/templates.ts';
import { startChildBot } from './child-bot.ts';

interface Storage {
  name: string;
  setup(): Promise<{ env: Record<string, string>; teardown(): Promise<void> }>;
}

const storages: Storage[] = [
  {
    name: 'PGlite on disk',
    async setup() {
      // Holding a migrated database already (a copy of the run's template): the crash is the subject here.
      const dir = mkdtempSync(join(tmpdir(), 'incident-bot-crash-'));
      await seedDataDir(dir);
      return { env: { DATA_DIR: dir }, teardown: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
];
const server = process.env.TEST_DATABASE_URL;
if (server) {
  storages.push({
    name: 'PostgreSQL',
    async setup() {
      const db = await createScratchDatabase(server, 'incident_bot_crash', { template: await serverTemplate(server) });
      return { env: { DATABASE_URL: db.url }, teardown: () => db.drop() };
    },
  });
}

/**
 * Starts the bot on the same data again and waits until the declarer hears the incident is set up
 * (and the declarers of `also`, so that nothing is left to resume in the next test).
 */
async function restartAndWaitForSetUp(
  slack: SlackStandIn,
  env: Record<string, string>,
  responseId: string,
  also: string[] = [],
) {
  const bot = await startChildBot(slack, env);
  const setUp = (id: string) =>
    slack.responses.filter((r) => r.id === id).find((r) => /fully set up/.test(String(r.body.text)));
  try {
    await slack.waitFor(() => also.every(setUp), 60_000);
    return await slack.waitFor(() => setUp(responseId), 60_000);
  } finally {
    bot.proc.kill('SIGTERM');
    assert.equal(
      (await bot.exited).code,
      0,
      `the second process stopped cleanly; stderr: ${bot.stderr().slice(-1000)}`,
    );
  }
}

for (const [index, storage] of storages.entries()) {
  describe(`kill -9 while declaring (${storage.name})`, () => {
    let slack: SlackStandIn;
    let data: Awaited<ReturnType<Storage['setup']>>;
    before(async () => {
      slack = await startSlackStandIn({ users: [{ id: 'UALICE', name: 'alice', tz: 'Europe/London' }] });
      data = await storage.setup();
    });
    beforeEach(() => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
    });
    after(async () => {
      await slack?.close();
      await data?.teardown();
    });
    const env = () => ({ ...data.env, PROVISION_LEASE_SECONDS: '5', PROVISION_RETRY_SECONDS: '1' });

    test('killed while Slack pins the summary: the next start completes the incident once', {
      timeout: 240_000,
    }, async () => {
      const first = await startChildBot(slack, env());
      // Slack never answers the pin: the process is killed while it waits.
      slack.failNext('pins.add', { delayMs: 10 * 60_000 });
      const res = await postSigned(
        first.url,
        slashCommandBody({ text: 'declare sev2 Killed mid-declare', responseUrl: slack.responseUrl('kill') }),
      );
      assert.equal(res.status, 200);
      await slack.waitFor(() => slack.callsTo('pins.add').length === 1, 30_000);
      first.proc.kill('SIGKILL');
      assert.equal((await first.exited).signal, 'SIGKILL');

      const channel = slack.channelByName('inc-1-killed-mid-declare');
      assert.ok(channel, 'the channel was made before the kill');
      assert.equal(slack.messages.filter((m) => m.channel === channel.id).length, 1, 'and the summary posted');
      assert.equal(slack.pins.length, 0, 'not pinned');
      assert.equal(slack.messages.filter((m) => m.channel === BROADCAST_CHANNEL).length, 0, 'not announced');

      const told = await restartAndWaitForSetUp(slack, env(), 'kill');
      assert.match(String(told.body.text), new RegExp(`INC-1 is now fully set up in <#${channel.id}>`));
      assert.equal(slack.callsTo('conversations.create').length, 1, 'no second channel');
      assert.equal([...slack.channels.values()].filter((c) => c.name.startsWith('inc-1-')).length, 1);
      const summaries = slack.messages.filter((m) => m.channel === channel.id);
      assert.equal(summaries.length, 1, 'the summary is not posted again');
      assert.deepEqual(
        slack.pins.map((p) => [p.channel, p.ts]),
        [[channel.id, summaries[0]!.ts]],
        'the summary pinned once',
      );
      assert.equal(slack.messages.filter((m) => m.channel === BROADCAST_CHANNEL).length, 1, 'announced once');
      assert.ok(channel.members.has('UALICE'), 'the declarer is in the channel');
      assert.equal(
        slack.responses.filter((r) => r.id === 'kill' && /fully set up/.test(String(r.body.text))).length,
        1,
        'told once',
      );
    });

    test('killed after the ack, before the declaration was recorded: the next start declares it', {
      timeout: 240_000,
    }, async () => {
      // One run after acks at a time, held by a declare whose channel Slack never makes: the second
      // declare is acknowledged and waits its turn when the process dies.
      const first = await startChildBot(slack, { ...env(), WORK_CONCURRENCY: '1' });
      slack.failNext('conversations.create', { delayMs: 10 * 60_000 });
      await postSigned(
        first.url,
        slashCommandBody({ text: 'declare sev3 Holds the only slot', responseUrl: slack.responseUrl('slot') }),
      );
      await slack.waitFor(() => slack.callsTo('conversations.create').length === 1, 30_000);
      const res = await postSigned(
        first.url,
        slashCommandBody({ text: 'declare sev1 Acked then killed', responseUrl: slack.responseUrl('queued') }),
      );
      assert.match(
        res.json().text,
        /Declaring a SEV1 \(Critical\) incident: Acked then killed/,
        'Slack was told it is being declared',
      );
      first.proc.kill('SIGKILL');
      await first.exited;
      assert.equal(slack.callsTo('conversations.create').length, 1, 'nothing of the second was made');

      const told = await restartAndWaitForSetUp(slack, env(), 'queued', ['slot']);
      // Its number may skip a few: Postgres logs sequences ahead, and a crash loses what was not used.
      const [, number] =
        /^INC-(\d+) is now fully set up in <#C\w+>\. \(Declared by the bot's background retry: the request that asked for it was cut short, by a restart or a failure\.\)$/.exec(
          String(told.body.text),
        ) ?? [];
      assert.ok(number, String(told.body.text));
      const channel = slack.channelByName(`inc-${number}-acked-then-killed`);
      assert.ok(channel, 'its channel, once');
      assert.ok(channel.members.has('UALICE'), 'the declarer invited');
      assert.equal(slack.messages.filter((m) => m.channel === channel.id).length, 1, 'one summary');
      assert.equal(
        slack.messages.filter(
          (m) => m.channel === BROADCAST_CHANNEL && JSON.stringify(m.blocks ?? m.text).includes('Acked then killed'),
        ).length,
        1,
        'announced once',
      );
      assert.equal(slack.responses.filter((r) => r.id === 'queued').length, 1, 'told once');
    });

    // The storage does not matter here (the first test shows what a kill leaves on each): once is enough.
    const adoptionOn = storages.length - 1;
    test('killed after Slack made the channel but before its answer arrived: the channel is taken over, not made again', {
      timeout: 240_000,
      skip: index !== adoptionOn && 'run on one database only',
    }, async () => {
      const first = await startChildBot(slack, env());
      slack.failNext('conversations.create', { holdAnswerMs: 10 * 60_000 });
      await postSigned(
        first.url,
        slashCommandBody({ text: 'declare sev3 Lost answer', responseUrl: slack.responseUrl('lost') }),
      );
      const lost = () => [...slack.channels.values()].filter((c) => /^inc-\d+-lost-answer/.test(c.name));
      const channel = await slack.waitFor(() => lost()[0], 30_000);
      first.proc.kill('SIGKILL');
      await first.exited;
      assert.equal(slack.messages.filter((m) => m.channel === channel.id).length, 0, 'nothing posted in it yet');

      const told = await restartAndWaitForSetUp(slack, env(), 'lost');
      assert.match(
        String(told.body.text),
        new RegExp(`INC-\\d+ is now fully set up in <#${channel.id}>`),
        'the same channel',
      );
      assert.deepEqual(
        lost().map((c) => c.name),
        [channel.name],
        'no inc-<n>-lost-answer-2',
      );
      assert.equal(slack.messages.filter((m) => m.channel === channel.id).length, 1, 'one summary');
      assert.equal(slack.pins.length, 1, 'pinned once');
      assert.equal(slack.messages.filter((m) => m.channel === BROADCAST_CHANNEL).length, 1, 'announced once');
    });
  });
}
