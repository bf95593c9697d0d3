// Graceful shutdown of the real bot process: SIGTERM while an incident is being declared stops new
// requests, lets the declaration finish (a second signal does not cut it short) and exits 0; a
// drain that hangs ends with exit code 1 after SHUTDOWN_TIMEOUT_SECONDS.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { BROADCAST_CHANNEL } from '../support/bot.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';
import { seedDataDir } from '../support/templates.ts';
import { startChildBot } from './child-bot.ts';

describe('graceful shutdown (bot process)', () => {
  let slack: SlackStandIn;
  const dirs: string[] = [];
  // A data folder holding a migrated database (a copy of the run's template): the bot's first start
  // on an empty folder is tested elsewhere (test/reliability/data-dir.test.ts).
  const dataDir = async () => {
    const d = mkdtempSync(join(tmpdir(), 'incident-bot-shutdown-'));
    dirs.push(d);
    await seedDataDir(d);
    return d;
  };
  before(async () => {
    slack = await startSlackStandIn({ users: [{ id: 'UALICE', name: 'alice', tz: 'Europe/London' }] });
  });
  beforeEach(() => {
    slack.reset();
    slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
  });
  after(async () => {
    await slack?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('SIGTERM during a declare: no new requests, the declare finishes (pinned, announced, declarer told), exit 0', {
    timeout: 120_000,
  }, async () => {
    const child = await startChildBot(slack, { DATA_DIR: await dataDir() });
    // Pinning the summary takes Slack 1.5 s: the signal comes while the declare is at that step.
    slack.failNext('pins.add', { delayMs: 1500 });
    const res = await postSigned(
      child.url,
      slashCommandBody({ text: 'declare sev2 Shutdown mid-declare', responseUrl: slack.responseUrl('term') }),
    );
    assert.equal(res.status, 200);
    await slack.waitFor(() => slack.callsTo('pins.add').length === 1, 30_000);
    assert.equal(slack.pins.length, 0, 'still pinning');
    child.proc.kill('SIGTERM');
    await child.waitForLog(/^stopping/, 10_000);
    child.proc.kill('SIGTERM'); // impatient: a second signal
    await assert.rejects(fetch(`${child.url}/healthz`), 'no new requests once stopping');

    const { code, signal } = await child.exited;
    assert.equal(signal, null);
    assert.equal(code, 0, `exit code 0; stderr: ${child.stderr().slice(-1000)}`);
    // The process is gone: whatever Slack holds now was done before it exited.
    const incidentChannel = slack.channelByName('inc-1-shutdown-mid-declare');
    assert.ok(incidentChannel, 'channel made');
    assert.equal(slack.pins.length, 1, 'summary pinned');
    assert.equal(slack.pins[0]!.channel, incidentChannel.id);
    assert.equal(slack.messages.filter((m) => m.channel === BROADCAST_CHANNEL).length, 1, 'announced');
    const told = slack.responses.filter((r) => r.id === 'term').map((r) => String(r.body.text));
    assert.ok(
      told.some((t) => /Declared INC-1\b/.test(t)),
      `declarer told: ${told.join(' | ')}`,
    );
    const msgs = child.logs.map((l) => l.msg);
    assert.ok(
      msgs.includes('already stopping: still finishing in-flight work'),
      'the second signal was seen and ignored',
    );
    assert.ok(msgs.indexOf('stopped') > msgs.findIndex((m) => /^stopping/.test(String(m))));
  });

  test('a drain that hangs ends the process with code 1 after SHUTDOWN_TIMEOUT_SECONDS', {
    timeout: 120_000,
  }, async () => {
    const child = await startChildBot(slack, { DATA_DIR: await dataDir(), SHUTDOWN_TIMEOUT_SECONDS: '2' });
    slack.failNext('pins.add', { delayMs: 10 * 60_000 }); // Slack never answers
    await postSigned(
      child.url,
      slashCommandBody({ text: 'declare sev3 Hanging drain', responseUrl: slack.responseUrl('hang') }),
    );
    await slack.waitFor(() => slack.callsTo('pins.add').length === 1, 30_000);
    const signalledAt = Date.now();
    child.proc.kill('SIGTERM');
    const { code } = await child.exited;
    assert.equal(code, 1);
    assert.ok(Date.now() - signalledAt >= 2000, 'it waited for the drain first');
    assert.ok(child.logs.some((l) => /did not finish in time/.test(String(l.msg))));
  });
});
