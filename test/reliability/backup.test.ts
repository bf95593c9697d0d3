// Backing up the embedded database as docs/operations.md says, with the real bot process: the data
// folder is logged as an absolute path (a new one flagged); `npm run db:dump` while the bot runs
// is refused and leaves the bot working (the embedded database is one session, not to be shared);
// and the folder copied with its modes kept (cp -a) while the bot is stopped is a backup a bot
// starts on with every record. (npm run db:dump itself: test/scripts/db-dump-cli.test.ts.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { BROADCAST_CHANNEL } from '../support/bot.ts';
import { TS_NODE_ARGS, childEnv } from '../support/node-args.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';
import { startChildBot, type ChildBot } from './child-bot.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function stop(bot: ChildBot) {
  bot.proc.kill('SIGTERM');
  assert.equal((await bot.exited).code, 0, bot.stderr().slice(-1000));
}

describe('backing up the embedded database', () => {
  let slack: SlackStandIn;
  let dir: string;
  let data: string;
  let bot: ChildBot | undefined;
  before(async () => {
    slack = await startSlackStandIn({ users: [{ id: 'UALICE', name: 'alice', tz: 'Europe/London' }] });
    slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-backup-'));
    data = path.join(dir, 'data');
  });
  after(async () => {
    if (bot && bot.proc.exitCode === null && bot.proc.signalCode === null) bot.proc.kill('SIGKILL');
    await slack?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function declare(title: string, slug: string) {
    const res = await postSigned(
      bot!.url,
      slashCommandBody({ text: `declare sev3 ${title}`, responseUrl: slack.responseUrl(slug) }),
    );
    assert.equal(res.status, 200);
    return slack.waitFor(() => [...slack.channels.values()].find((c) => c.name.endsWith(`-${slug}`)), 60_000);
  }

  test('while the bot runs: the absolute data folder is logged, and db:dump is refused without disturbing the bot', {
    timeout: 180_000,
  }, async () => {
    bot = await startChildBot(slack, { DATA_DIR: data });
    assert.equal(
      bot.logs.find((l) => l.msg === 'database ready')?.dataDir,
      data,
      'the data folder logged as an absolute path',
    );
    assert.ok(
      bot.logs.some((l) => /new, empty embedded database/.test(String(l.msg))),
      'a new database is said to be new',
    );
    assert.equal((await declare('Backed up', 'backed-up')).name, 'inc-1-backed-up');

    const refused = spawnSync(process.execPath, [...TS_NODE_ARGS, 'scripts/db-dump.ts'], {
      cwd: ROOT,
      env: { ...childEnv(), DATA_DIR: data },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /^The data folder .* is in use by another process \(pid \d+\): stop the bot first/);
    assert.equal(
      (await declare('Still working', 'still-working')).name,
      'inc-2-still-working',
      'the bot is undisturbed',
    );
  });

  test('stopped: the folder copied with cp -a is a backup a bot starts on, with every record', {
    timeout: 180_000,
  }, async () => {
    await stop(bot!);
    const copy = path.join(dir, 'restored');
    const cp = spawnSync('cp', ['-a', data, copy], { encoding: 'utf8' });
    assert.equal(cp.status, 0, cp.stderr);
    assert.equal(fs.statSync(copy).mode & 0o777, 0o700, 'still private');
    bot = await startChildBot(slack, { DATA_DIR: copy });
    assert.equal(bot.logs.find((l) => l.msg === 'database ready')?.dataDir, copy);
    assert.ok(!bot.logs.some((l) => /new, empty embedded database/.test(String(l.msg))), 'not a new database');
    assert.equal(
      (await declare('After the restore', 'after-the-restore')).name,
      'inc-3-after-the-restore',
      'numbering goes on from the backup',
    );
    await stop(bot);
  });
});
