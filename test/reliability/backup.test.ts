// Backing up the embedded database as docs/operations.md says: while the bot runs, PostgreSQL's own
// clients reach it on the Unix socket in the data folder (host=<data folder>, user postgres,
// database postgres), which is what pg_dump uses; stopped, the folder copied with its modes kept
// (cp -a) is a complete backup that a bot starts on. The pg_dump itself runs when the machine's
// pg_dump is at least as new as the embedded PostgreSQL (pg_dump refuses a newer server).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BROADCAST_CHANNEL } from '../support/bot.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';
import { startChildBot, type ChildBot } from './child-bot.ts';

const has = (tool: string) => spawnSync(tool, ['--version'], { encoding: 'utf8' }).status === 0;
const major = (tool: string) => Number(/(\d+)(?:\.\d+)?/.exec(spawnSync(tool, ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? 0);

/** `psql` on the embedded database's socket, as docs/operations.md gives it: the rows' text. */
function psql(dataDir: string, query: string): string {
  const run = spawnSync('psql', [`host=${dataDir} user=postgres dbname=postgres`, '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', query], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim();
}

async function stop(bot: ChildBot) {
  bot.proc.kill('SIGTERM');
  assert.equal((await bot.exited).code, 0, bot.stderr().slice(-1000));
}

describe('backing up the embedded database', { skip: !has('psql') && 'needs psql (PostgreSQL client)' }, () => {
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

  test('while the bot runs: its socket in the data folder serves PostgreSQL clients (the pg_dump connection)', { timeout: 180_000 }, async () => {
    bot = await startChildBot(slack, { DATA_DIR: data });
    assert.equal(bot.logs.find((l) => l.msg === 'database ready')?.dataDir, data, 'the data folder logged as an absolute path');
    assert.ok(bot.logs.some((l) => /new, empty embedded database/.test(String(l.msg))), 'a new database is said to be new');
    await postSigned(bot.url, slashCommandBody({ text: 'declare sev3 Backed up', responseUrl: slack.responseUrl('b') }));
    await slack.waitFor(() => slack.messages.find((m) => m.channel === BROADCAST_CHANNEL && /Backed up/.test(JSON.stringify(m))), 60_000);
    assert.equal(psql(data, 'SELECT number, title FROM incident'), '1|Backed up');
  });

  test('while the bot runs: pg_dump over that socket (when the local pg_dump is as new as the embedded PostgreSQL)', { timeout: 180_000 }, async (t) => {
    const server = Math.floor(Number(psql(data, 'SHOW server_version_num')) / 10_000);
    if (!has('pg_dump') || major('pg_dump') < server) {
      t.skip(`pg_dump ${major('pg_dump') || 'missing'} cannot dump PostgreSQL ${server}: install the PostgreSQL ${server} client`);
      return;
    }
    const dump = path.join(dir, 'incident-bot.dump');
    const run = spawnSync('pg_dump', [`--host=${data}`, '--username=postgres', '--dbname=postgres', '--format=custom', `--file=${dump}`], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    const list = spawnSync('pg_restore', ['--list', dump], { encoding: 'utf8' });
    assert.match(list.stdout, /TABLE DATA public incident /);
  });

  test('stopped: the folder copied with cp -a is a backup a bot starts on, with every record', { timeout: 180_000 }, async () => {
    await stop(bot!);
    const copy = path.join(dir, 'restored');
    const cp = spawnSync('cp', ['-a', data, copy], { encoding: 'utf8' });
    assert.equal(cp.status, 0, cp.stderr);
    assert.equal(fs.statSync(copy).mode & 0o777, 0o700, 'still private');
    bot = await startChildBot(slack, { DATA_DIR: copy });
    assert.ok(!bot.logs.some((l) => /new, empty embedded database/.test(String(l.msg))), 'not a new database');
    assert.equal(psql(copy, 'SELECT number, title FROM incident'), '1|Backed up');
    const res = await postSigned(bot.url, slashCommandBody({ text: 'declare sev3 After the restore', responseUrl: slack.responseUrl('r') }));
    assert.equal(res.status, 200);
    await slack.waitFor(() => slack.channelByName('inc-2-after-the-restore'), 60_000);
    await stop(bot);
  });
});
