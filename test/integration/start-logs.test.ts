// What the bot says about itself at start: where its data is (the embedded database's folder as an
// absolute path, however DATA_DIR was written, and a warning when the folder held no database, as
// when the bot is started from another folder than usual), and who it is in Slack (auth.test: bot
// user and workspace, one line; a failure is a warning and the bot runs on), and which database
// migrations this start applied (all of them on a new database, none on a later start).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { logSlackIdentity, startBot } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { readMigrations } from '../../src/db/migrate.ts';
import type { Logger } from '../../src/logger.ts';
import { BROADCAST_CHANNEL } from '../support/bot.ts';
import { SIGNING_SECRET } from '../support/slack-requests.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';

function recordingLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) =>
    void lines.push({ level, obj: obj as Record<string, unknown>, msg: String(msg) });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

describe('start-up log lines', () => {
  let slack: SlackStandIn;
  let dir: string;
  before(async () => {
    slack = await startSlackStandIn();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-startlog-'));
  });
  after(async () => {
    await slack?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Starts and stops the bot on DATA_DIR `dataDir`; returns its log lines. */
  async function startOnce(dataDir: string) {
    const { logger, lines } = recordingLogger();
    const config = loadConfig({
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      INCIDENT_BROADCAST_CHANNEL: BROADCAST_CHANNEL,
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'silent',
    });
    const bot = await startBot(config, {
      logger,
      // initdb and every migration, as on a machine where no template was made at install (the
      // template's own start: test/db/database.test.ts).
      embeddedTemplate: null,
      resumeEveryMs: 0,
      slackRetries: { retries: 0 },
      actionRemindersEveryMs: 0,
    });
    try {
      await slack.waitFor(() => lines.some((l) => /auth\.test/.test(l.msg)), 10_000);
    } finally {
      await bot.stop();
    }
    return lines;
  }

  test('the data folder as an absolute path, a new database flagged, the migrations applied, and the bot identity', {
    timeout: 120_000,
  }, async () => {
    const absolute = path.join(dir, 'data');
    const relative = path.relative(process.cwd(), absolute);
    assert.ok(!path.isAbsolute(relative));

    const first = await startOnce(relative);
    const ready = first.find((l) => l.msg === 'database ready');
    assert.deepEqual(
      ready?.obj,
      { database: `embedded PGlite in ${absolute}`, dataDir: absolute },
      'the absolute folder, not DATA_DIR as written',
    );
    const fresh = first.find((l) => l.level === 'warn' && /a new, empty embedded database was made/.test(l.msg));
    assert.deepEqual(fresh?.obj, { dataDir: absolute });
    assert.match(fresh!.msg, /set DATA_DIR to the absolute path of the existing data folder/);

    const migrations = readMigrations().migrationDirectories.map((d) => d.path);
    assert.ok(migrations.length > 1);
    const applied = first.filter((l) => /migration/.test(l.msg));
    assert.equal(applied.length, 1, 'one line about migrations');
    assert.equal(applied[0]!.level, 'info');
    assert.deepEqual(applied[0]!.obj, { migrations }, 'every committed migration, in order');
    assert.equal(applied[0]!.msg, `applied ${migrations.length} database migrations: ${migrations.join(', ')}`);

    const identity = first.filter((l) => /auth\.test/.test(l.msg));
    assert.equal(identity.length, 1, 'one line');
    assert.equal(identity[0]!.level, 'info');
    assert.deepEqual(identity[0]!.obj, {
      botUserId: slack.botUserId,
      botName: 'incident-bot',
      botId: slack.botId,
      teamId: slack.teamId,
      team: 'Example Workspace',
      url: 'https://example.slack.com/',
    });

    const second = await startOnce(absolute);
    assert.deepEqual(second.find((l) => l.msg === 'database ready')?.obj, {
      database: `embedded PGlite in ${absolute}`,
      dataDir: absolute,
    });
    assert.equal(second.filter((l) => /new, empty/.test(l.msg)).length, 0, 'the same folder again: no warning');
    assert.deepEqual(
      second.filter((l) => /migration/.test(l.msg)).map((l) => [l.level, l.msg, l.obj]),
      [['info', 'no pending database migrations', { migrations: [] }]],
    );
  });

  test('an identity Slack will not give is a warning, never a failure', async () => {
    const failing = recordingLogger();
    await logSlackIdentity(
      {
        auth: {
          test: () =>
            Promise.reject(
              Object.assign(new Error('An API error occurred: invalid_auth'), { code: 'slack_webapi_platform_error' }),
            ),
        },
      },
      failing.logger,
    );
    assert.deepEqual(
      failing.lines.map((l) => [l.level, l.msg]),
      [['warn', 'could not ask Slack who the bot is (auth.test): check SLACK_BOT_TOKEN and SLACK_API_URL']],
    );

    const odd = recordingLogger();
    await logSlackIdentity({ auth: { test: async () => ({ ok: true, user_id: 42 }) } }, odd.logger);
    assert.deepEqual(
      odd.lines.map((l) => [l.level, l.msg]),
      [['warn', 'Slack answered auth.test with something unexpected: the bot identity is unknown']],
    );
  });
});
