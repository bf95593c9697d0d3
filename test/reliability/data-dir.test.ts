// The real bot process on an embedded database in a data folder: the folder is private, the
// database is reached over a Unix socket in it (the bot's only TCP listener is its HTTP port),
// a second bot on the same folder is refused with one line, and after a kill -9 the next start
// is not blocked by the lock left behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { LOCK_FILE } from '../../src/db/data-dir-lock.ts';
import { SOCKET_NAME } from '../../src/db/embedded.ts';
import { BROADCAST_CHANNEL } from '../support/bot.ts';
import { listeningTcpPorts } from '../support/listening.ts';
import { postSigned, SIGNING_SECRET, slashCommandBody } from '../support/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';
import { startChildBot } from './child-bot.ts';
import { childEnv } from '../support/node-args.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Paths under `dir` that others could reach (folders not 0700, files with group/other bits). */
function notPrivate(dir: string): string[] {
  return [dir, ...fs.readdirSync(dir, { recursive: true }).map((p) => path.join(dir, String(p)))].flatMap((p) => {
    const st = fs.lstatSync(p);
    const mode = st.mode & 0o7777;
    if (st.isSymbolicLink()) return [];
    return (st.isDirectory() ? mode !== 0o700 : (mode & 0o077) !== 0) ? [`${p} ${mode.toString(8)}`] : [];
  });
}

describe('the bot on a data folder (bot process)', () => {
  let slack: SlackStandIn;
  let dir: string;
  before(async () => {
    slack = await startSlackStandIn({ users: [{ id: 'UALICE', name: 'alice', tz: 'Europe/London' }] });
    slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-datadir-'));
  });
  after(async () => {
    await slack?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('private folder, Unix socket only, a second bot refused; a kill -9 does not block the next start', {
    timeout: 240_000,
  }, async () => {
    const data = path.join(dir, 'data');
    const first = await startChildBot(slack, { DATA_DIR: data });
    let killed = false;
    try {
      const port = Number(new URL(first.url).port);
      const ports = listeningTcpPorts(first.proc.pid!);
      if (ports) assert.deepEqual(ports, [port], 'the HTTP port is the only TCP listener (no database port)');
      const socket = fs.statSync(path.join(data, SOCKET_NAME));
      assert.ok(socket.isSocket());
      assert.equal(socket.mode & 0o777, 0o600);

      // The bot works over it (migrations, Prisma, the reminder queue all went through at start).
      const res = await postSigned(
        first.url,
        slashCommandBody({ text: 'declare sev3 Over the socket', responseUrl: slack.responseUrl('sock') }),
      );
      assert.equal(res.status, 200);
      await slack.waitFor(
        () => slack.messages.find((m) => m.channel === BROADCAST_CHANNEL && /Over the socket/.test(JSON.stringify(m))),
        60_000,
      );
      assert.ok(slack.channelByName('inc-1-over-the-socket'), 'incident channel made');
      assert.deepEqual(notPrivate(data), []);

      // A second bot on the same folder.
      const second = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', 'src/main.ts'], {
        cwd: ROOT,
        env: {
          ...childEnv(),
          SLACK_BOT_TOKEN: slack.token,
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_API_URL: slack.url,
          INCIDENT_BROADCAST_CHANNEL: BROADCAST_CHANNEL,
          PORT: '0',
          DATA_DIR: data,
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(second.status, 1, second.stderr);
      assert.equal(
        second.stderr,
        `The data folder ${data} is in use by another process (pid ${first.proc.pid}): stop the bot first, or use DATABASE_URL.\n`,
      );
      assert.equal(second.stdout, '', 'it did not start (nothing logged)');

      first.proc.kill('SIGKILL');
      await first.exited;
      killed = true;
      assert.ok(fs.existsSync(path.join(data, LOCK_FILE)), 'the killed bot left its lock');
      const third = await startChildBot(slack, { DATA_DIR: data });
      third.proc.kill('SIGTERM');
      assert.equal((await third.exited).code, 0, third.stderr());
      assert.ok(!fs.existsSync(path.join(data, LOCK_FILE)), 'a clean stop gives the folder up');
      assert.ok(!fs.existsSync(path.join(data, SOCKET_NAME)), 'and its socket');
    } finally {
      if (!killed) first.proc.kill('SIGKILL');
    }
  });
});
