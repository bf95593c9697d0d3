// Scaling out: two bot processes (replicas) on one PostgreSQL database, behind what would be a load
// balancer. A declaration Slack sends to one replica and retries to the other (or that reaches both
// at once) makes one incident, one channel and one announcement; a reminder due while both run is
// posted once; and a declaration half set up by a replica that is killed (kill -9) is finished by
// the other's background retry, without a restart. Needs a PostgreSQL server (TEST_DATABASE_URL):
// the embedded database is one process's. Short leases and retry intervals keep it to seconds.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createScratchDatabase, type ScratchDatabase } from '../../src/db/scratch.ts';
import { BROADCAST_CHANNEL } from '../support/bot.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';
import { startChildBot, type ChildBot } from './child-bot.ts';

const server = process.env.TEST_DATABASE_URL;
const RETRY = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };

describe('two replicas on one PostgreSQL database', {
  skip: !server && 'needs a PostgreSQL server: set TEST_DATABASE_URL',
}, () => {
  let slack: SlackStandIn;
  let db: ScratchDatabase;
  let sql: pg.Client;
  let a: ChildBot;
  let b: ChildBot;
  const env = () => ({ DATABASE_URL: db.url, PROVISION_LEASE_SECONDS: '5', PROVISION_RETRY_SECONDS: '1' });

  before(async () => {
    slack = await startSlackStandIn({ users: [{ id: 'UALICE', name: 'alice', tz: 'Europe/London' }] });
    slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
    db = await createScratchDatabase(server!, 'incident_bot_replicas');
    // One after the other: the first migrates the new database, the second finds it up to date.
    a = await startChildBot(slack, env());
    b = await startChildBot(slack, env());
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  after(async () => {
    for (const bot of [a, b]) {
      if (bot && bot.proc.exitCode === null && bot.proc.signalCode === null) {
        bot.proc.kill('SIGTERM');
        await bot.exited;
      }
    }
    await sql?.end();
    await slack?.close();
    await db?.drop();
  });

  const incidentsTitled = async (title: string) =>
    (
      await sql.query<{ number: number; provisioned: boolean }>(
        'SELECT number, provisioned_at IS NOT NULL AS provisioned FROM incident WHERE title = $1',
        [title],
      )
    ).rows;
  const announced = (title: string) =>
    slack.messages.filter((m) => m.channel === BROADCAST_CHANNEL && JSON.stringify(m).includes(title));
  const channelsNamed = (slug: string) =>
    [...slack.channels.values()].filter((c) => new RegExp(`^inc-\\d+-${slug}`).test(c.name));

  /** Waits until the incident titled `title` is fully set up and announced. */
  async function setUp(title: string) {
    const deadline = Date.now() + 60_000;
    while (!(await incidentsTitled(title)).some((i) => i.provisioned)) {
      if (Date.now() > deadline) assert.fail(`${title} was not set up within 60 s`);
      await sleep(100);
    }
    await slack.waitFor(() => announced(title).length > 0, 30_000);
  }
  /** Both replicas retry every second: two seconds more shows any second run. */
  const settle = () => sleep(2_000);

  test('a declaration retried to the other replica, or sent to both at once, is one incident, one channel, one announcement', {
    timeout: 120_000,
  }, async () => {
    // Slack retries to the same URL; the load balancer sends the retry to the other replica.
    const retried = slashCommandBody({
      text: 'declare sev2 Retried elsewhere',
      responseUrl: slack.responseUrl('retried'),
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const first = await postSigned(a.url, retried, { timestamp });
    const again = await postSigned(b.url, retried, { timestamp, headers: RETRY });
    assert.deepEqual([first.status, again.status], [200, 200]);
    assert.match(first.json().text, /Declaring a SEV2/);

    // Two copies at once, one to each (a retry racing the first, or a replayed request).
    const raced = slashCommandBody({ text: 'declare sev3 Raced both', responseUrl: slack.responseUrl('raced') });
    const at = Math.floor(Date.now() / 1000);
    const both = await Promise.all([
      postSigned(a.url, raced, { timestamp: at }),
      postSigned(b.url, raced, { timestamp: at }),
    ]);
    assert.deepEqual(
      both.map((r) => r.status),
      [200, 200],
    );

    await setUp('Retried elsewhere');
    await setUp('Raced both');
    await settle();
    const said = (bot: ChildBot, pattern: RegExp) => bot.logs.filter((l) => pattern.test(String(l.msg))).length;
    assert.equal(said(b, /^Slack retry of a delivery already handled/), 1, 'B recognised the retry of what A handled');
    assert.equal(
      said(a, /came again \(not as a Slack retry\)/) + said(b, /came again \(not as a Slack retry\)/),
      1,
      'one of the two copies was dropped',
    );
    for (const [title, slug] of [
      ['Retried elsewhere', 'retried-elsewhere'],
      ['Raced both', 'raced-both'],
    ] as const) {
      assert.equal((await incidentsTitled(title)).length, 1, `${title}: one incident`);
      assert.equal(channelsNamed(slug).length, 1, `${title}: one channel`);
      assert.equal(
        slack.callsTo('conversations.create').filter((c) => String(c.name).includes(slug)).length,
        1,
        `${title}: made once`,
      );
      assert.equal(announced(title).length, 1, `${title}: announced once`);
      const channel = channelsNamed(slug)[0]!;
      assert.equal(slack.messages.filter((m) => m.channel === channel.id).length, 1, `${title}: one summary`);
      assert.equal(slack.pins.filter((p) => p.channel === channel.id).length, 1, `${title}: pinned once`);
    }
  });

  test('a reminder due while both replicas run is posted once', { timeout: 120_000 }, async () => {
    await postSigned(
      a.url,
      slashCommandBody({ text: 'declare sev1 Reminded once', responseUrl: slack.responseUrl('remind') }),
    );
    await setUp('Reminded once');
    const { number } = (await incidentsTitled('Reminded once'))[0]!;
    const channel = channelsNamed('reminded-once')[0]!;
    // Make both the commander nudge (10 minutes) and the SEV1 update reminder (30) due now, then let
    // a change on each replica at once reschedule the checks (each schedules the same due time).
    await sql.query(
      `UPDATE incident SET created_at = now() - interval '40 minutes', last_update_at = now() - interval '31 minutes' WHERE number = $1`,
      [number],
    );
    const notes = await Promise.all(
      [a, b].map((bot, i) =>
        postSigned(
          bot.url,
          slashCommandBody({
            text: `note from replica ${i}`,
            channelId: channel.id,
            responseUrl: slack.responseUrl(`note${i}`),
          }),
        ),
      ),
    );
    assert.deepEqual(
      notes.map((r) => r.status),
      [200, 200],
    );

    const posted = (pattern: RegExp) =>
      slack.messages.filter((m) => m.channel === channel.id && pattern.test(m.text ?? ''));
    await slack.waitFor(
      () => posted(/no incident commander for/).length > 0 && posted(/No status update on/).length > 0,
      30_000,
    );
    // Both replicas poll the queue every two seconds: three seconds shows any second delivery.
    await sleep(3_000);
    assert.equal(posted(/no incident commander for/).length, 1, 'the commander nudge once');
    assert.equal(posted(/No status update on/).length, 1, 'the update reminder once');
    const replicas = [a, b].filter((bot) => bot.logs.some((l) => /could not post a reminder/.test(String(l.msg))));
    assert.deepEqual(replicas, [], 'no replica failed to post one');
  });

  test('killed mid-declaration, the other replica finishes it (no restart)', { timeout: 120_000 }, async () => {
    // Slack never answers replica A's pin: A is killed while it waits.
    slack.failNext('pins.add', { delayMs: 10 * 60_000 });
    const res = await postSigned(
      a.url,
      slashCommandBody({ text: 'declare sev2 Half done', responseUrl: slack.responseUrl('half') }),
    );
    assert.equal(res.status, 200);
    await slack.waitFor(
      () =>
        slack.callsTo('pins.add').length > 0 &&
        channelsNamed('half-done').length === 1 &&
        slack.pins.length < slack.callsTo('pins.add').length,
      30_000,
    );
    a.proc.kill('SIGKILL');
    assert.equal((await a.exited).signal, 'SIGKILL');
    const channel = channelsNamed('half-done')[0]!;
    assert.equal(slack.pins.filter((p) => p.channel === channel.id).length, 0, 'not pinned when A died');
    assert.equal(announced('Half done').length, 0, 'not announced when A died');

    // B's background retry takes the incident once A's lease (5 s) has run out.
    const told = await slack.waitFor(
      () => slack.responses.find((r) => r.id === 'half' && /fully set up/.test(String(r.body.text))),
      60_000,
    );
    assert.match(String(told.body.text), new RegExp(`is now fully set up in <#${channel.id}>`));
    await settle();
    assert.equal(b.proc.exitCode, null, 'B, the only replica left, did it');
    assert.equal(channelsNamed('half-done').length, 1, 'no second channel');
    const summaries = slack.messages.filter((m) => m.channel === channel.id);
    assert.equal(summaries.length, 1, 'the summary is not posted again');
    assert.deepEqual(
      slack.pins.filter((p) => p.channel === channel.id).map((p) => p.ts),
      [summaries[0]!.ts],
      'pinned once',
    );
    assert.equal(announced('Half done').length, 1, 'announced once');
    assert.ok(channel.members.has('UALICE'), 'the declarer is in the channel');
    assert.equal(
      slack.responses.filter((r) => r.id === 'half' && /fully set up/.test(String(r.body.text))).length,
      1,
      'told once',
    );
    assert.deepEqual(
      (await incidentsTitled('Half done')).map((i) => i.provisioned),
      [true],
    );
  });
});
