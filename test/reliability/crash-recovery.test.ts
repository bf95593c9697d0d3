// kill -9 of the real bot process in the middle of declaring: the next start, on the same data,
// completes the incident: one channel (taken up, not made again), the summary posted and pinned once,
// announced once, the declarer told. On an on-disk PGlite DATA_DIR and, when TEST_DATABASE_URL is
// set, a scratch database on the PostgreSQL server. A short lease and retry interval
// (PROVISION_LEASE_SECONDS, PROVISION_RETRY_SECONDS) keep the wait to seconds.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createScratchDatabase } from '../../src/db/scratch.ts';
import { BROADCAST_CHANNEL } from '../support/bot.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';
import { startChildBot } from './child-bot.ts';

interface Storage {
  name: string;
  setup(): Promise<{ env: Record<string, string>; teardown(): Promise<void> }>;
}

const storages: Storage[] = [
  {
    name: 'PGlite on disk',
    async setup() {
      const dir = mkdtempSync(join(tmpdir(), 'incident-bot-crash-'));
      return { env: { DATA_DIR: dir }, teardown: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
];
const server = process.env.TEST_DATABASE_URL;
if (server) {
  storages.push({
    name: 'PostgreSQL',
    async setup() {
      const db = await createScratchDatabase(server, 'incident_bot_crash');
      return { env: { DATABASE_URL: db.url }, teardown: () => db.drop() };
    },
  });
}

for (const storage of storages) {
  describe(`kill -9 while declaring (${storage.name})`, () => {
    let slack: SlackStandIn;
    let data: Awaited<ReturnType<Storage['setup']>>;
    before(async () => {
      slack = await startSlackStandIn({ users: [{ id: 'UALICE', name: 'alice', tz: 'Europe/London' }] });
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      data = await storage.setup();
    });
    after(async () => {
      await slack?.close();
      await data?.teardown();
    });

    test('the next start completes the incident once', { timeout: 240_000 }, async () => {
      const env = { ...data.env, PROVISION_LEASE_SECONDS: '5', PROVISION_RETRY_SECONDS: '1' };
      const first = await startChildBot(slack, env);
      // Slack never answers the pin: the process is killed while it waits.
      slack.failNext('pins.add', { delayMs: 10 * 60_000 });
      const res = await postSigned(first.url, slashCommandBody({ text: 'declare sev2 Killed mid-declare', responseUrl: slack.responseUrl('kill') }));
      assert.equal(res.status, 200);
      await slack.waitFor(() => slack.callsTo('pins.add').length === 1, 30_000);
      first.proc.kill('SIGKILL');
      assert.equal((await first.exited).signal, 'SIGKILL');

      const channel = slack.channelByName('inc-1-killed-mid-declare');
      assert.ok(channel, 'the channel was made before the kill');
      assert.equal(slack.messages.filter((m) => m.channel === channel.id).length, 1, 'and the summary posted');
      assert.equal(slack.pins.length, 0, 'not pinned');
      assert.equal(slack.messages.filter((m) => m.channel === BROADCAST_CHANNEL).length, 0, 'not announced');

      const second = await startChildBot(slack, env);
      try {
        const told = await slack.waitFor(
          () => slack.responses.filter((r) => r.id === 'kill').find((r) => /fully set up/.test(String(r.body.text))),
          60_000,
        );
        assert.match(String(told.body.text), new RegExp(`INC-1 is now fully set up in <#${channel.id}>`));
        assert.equal(slack.callsTo('conversations.create').length, 1, 'no second channel');
        assert.equal([...slack.channels.values()].filter((c) => c.name.startsWith('inc-1-')).length, 1);
        const summaries = slack.messages.filter((m) => m.channel === channel.id);
        assert.equal(summaries.length, 1, 'the summary is not posted again');
        assert.deepEqual(slack.pins.map((p) => [p.channel, p.ts]), [[channel.id, summaries[0]!.ts]], 'the summary pinned once');
        assert.equal(slack.messages.filter((m) => m.channel === BROADCAST_CHANNEL).length, 1, 'announced once');
        assert.ok(channel.members.has('UALICE'), 'the declarer is in the channel');
        assert.equal(slack.responses.filter((r) => r.id === 'kill' && /fully set up/.test(String(r.body.text))).length, 1, 'told once');
      } finally {
        second.proc.kill('SIGTERM');
        assert.equal((await second.exited).code, 0);
      }
    });
  });
}
