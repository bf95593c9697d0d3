// Audit checkpoints from the running bot (signed requests, Slack stand-in, PGlite and, when set,
// PostgreSQL): closing an incident writes a signed checkpoint file to AUDIT_CHECKPOINT_DIR and posts
// a message with the file to AUDIT_CHANNEL; a destination that fails does not break the close and
// is retried until it works; the schedule takes one checkpoint per period, also with two replicas.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, beforeEach, describe, test } from 'node:test';
import { generateSigningKey, parseVerifyKey, readCheckpoint } from '../../src/domain/audit-checkpoint.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { Logger } from '../../src/logger.ts';
import { startTestBot, BROADCAST_CHANNEL, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';

const AUDIT_CHANNEL = 'CAUDIT0001';
const USERS = ['UALICE', 'UBOB'];
const key = generateSigningKey();
const trusted = parseVerifyKey(key.publicKey);
const timing = { tickEveryMs: 0, retryDelaySeconds: 1, retryBackoff: false, pollingIntervalSeconds: 0.5 };

async function until<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const filesIn = (dir: string) =>
  fs.existsSync(dir) && fs.statSync(dir).isDirectory() ? fs.readdirSync(dir).sort() : [];

for (const database of testDatabases()) {
  describe(`audit checkpoints from the bot (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    let tmp: string;
    let dir: string;
    let teardownDb: () => Promise<void>;
    let dbUrl: string | null;
    const errors: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn() {}, error: (_obj, msg) => void errors.push(String(msg)) };
    let seq = 0;
    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs) };

    before(async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-checkpoints-'));
      dir = path.join(tmp, 'checkpoints');
      slack = await startSlackStandIn({
        users: USERS.map((id) => ({ id, name: id.slice(1).toLowerCase(), tz: 'Europe/London' })),
      });
      const db = await database.setup();
      teardownDb = db.teardown;
      dbUrl = db.url;
      app = await startTestBot({
        slackApiUrl: slack.url,
        token: slack.token,
        databaseUrl: db.url,
        logger,
        clock,
        env: { AUDIT_SIGNING_KEY: key.seed, AUDIT_CHECKPOINT_DIR: dir, AUDIT_CHANNEL },
        auditCheckpoints: timing,
      });
    });
    after(async () => {
      await app?.stop();
      await slack?.close();
      await teardownDb?.();
      fs.rmSync(tmp, { recursive: true, force: true });
    });
    beforeEach(() => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: USERS });
      // Sharing a file needs the bot in the channel, as in Slack.
      slack.addChannel({ id: AUDIT_CHANNEL, name: 'incident-audit', is_private: true, members: [slack.botUserId] });
      errors.length = 0;
    });

    async function run(text: string, user: string, channelId: string) {
      const id = `r${++seq}`;
      const res = await app.command(text, { responseUrl: slack.responseUrl(id), userId: user, channelId });
      assert.equal(res.status, 200);
      await app.bot.idle();
      return slack.responses.filter((r) => r.id === id).map((r) => String(r.body.text));
    }
    async function declareAndClose(title: string): Promise<Incident> {
      const told = await run(`declare sev3 ${title}`, 'UALICE', 'CGENERAL');
      const incident = (await app.bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(told.join(' '))?.[1])))!;
      assert.ok(incident?.channelId, told.join(' '));
      await run('resolve', 'UALICE', incident.channelId);
      await run('close', 'UALICE', incident.channelId);
      const closed = (await app.bot.deps.store.findById(incident.id))!;
      assert.equal(closed.status, 'CLOSED', 'the close itself went through');
      return closed;
    }
    const closedFile = (i: Incident) => new RegExp(`^audit-checkpoint-\\d{8}T\\d{6}Z-inc-${i.number}-closed\\.json$`);

    test('closing an incident writes a signed, read-only checkpoint file and posts it with a message to the audit channel', async () => {
      const incident = await declareAndClose('Checkpoint on close');
      const name = await until('the checkpoint file', () => filesIn(dir).find((f) => closedFile(incident).test(f)));
      const file = path.join(dir, name);
      assert.equal(fs.statSync(file).mode & 0o777, 0o444, 'read-only');
      const text = fs.readFileSync(file, 'utf8');
      const checkpoint = readCheckpoint(text, trusted);
      assert.deepEqual(checkpoint.trigger, { kind: 'incident-closed', incident: incident.number });
      const head = checkpoint.heads.find((h) => h.incidentId === incident.id);
      const { rows } = await app.bot.db.pool.query('SELECT seq, hash FROM audit_head WHERE incident_id = $1', [
        incident.id,
      ]);
      assert.deepEqual(
        [head?.seq, head?.hash],
        [rows[0].seq, rows[0].hash],
        "the closed incident's head, close included",
      );
      assert.ok(checkpoint.incidents.highest >= incident.number);

      const shared = await until('the checkpoint in the audit channel', () =>
        slack.files.find((f) => f.completed && f.filename === name),
      );
      assert.deepEqual(shared.channels, [AUDIT_CHANNEL]);
      assert.equal(shared.content.toString('utf8'), text, 'the same signed file');
      assert.match(
        shared.initialComment ?? '',
        new RegExp(
          `Audit checkpoint of ${checkpoint.createdAt.replace(/\./g, '\\.')} \\(INC-${incident.number} closed\\).*Signed by key ${trusted.fingerprint.replace(/[+/]/g, '\\$&')}`,
        ),
      );
      assert.deepEqual(errors, []);
    });

    test('a destination that fails does not break the close: the failure is logged and retried until it is written', async () => {
      // The folder cannot be created (a file is in its way) and Slack fails its next two uploads.
      fs.rmSync(dir, { recursive: true, force: true });
      fs.writeFileSync(dir, 'in the way');
      slack.failNext('files.getUploadURLExternal', { error: 'internal_error', times: 2 });
      const incident = await declareAndClose('Checkpoint retried');
      await until('a logged failure', () =>
        errors.some((e) => /audit checkpoint could not be written: retried later/.test(e)),
      );
      await until('the Slack upload, retried', () =>
        slack.files.find((f) => f.completed && closedFile(incident).test(f.filename)),
      );
      assert.ok(slack.callsTo('files.getUploadURLExternal').length >= 3, 'two failures, then the retry that worked');
      assert.deepEqual(filesIn(dir), [], 'nothing written yet');
      fs.rmSync(dir);
      const name = await until('the checkpoint file, retried', () =>
        filesIn(dir).find((f) => closedFile(incident).test(f)),
      );
      readCheckpoint(fs.readFileSync(path.join(dir, name), 'utf8'), trusted);
      const shared = slack.files.filter((f) => f.completed && closedFile(incident).test(f.filename));
      assert.equal(shared.length, 1, 'the channel got it once: only the failed destination was retried');
      assert.equal(
        shared[0]!.content.toString('utf8'),
        fs.readFileSync(path.join(dir, name), 'utf8'),
        'the same checkpoint in both places',
      );

      // The queue itself failing when the close asks: the close stands, and the failure is logged.
      const queue = app.bot.deps.auditCheckpoints;
      app.bot.deps.auditCheckpoints = { request: () => Promise.reject(new Error('queue unavailable')) };
      try {
        await declareAndClose('Queue down');
        assert.ok(
          errors.some((e) => /could not queue the audit checkpoint of a closed incident/.test(e)),
          errors.join('; '),
        );
      } finally {
        app.bot.deps.auditCheckpoints = queue;
      }
    });

    test('the schedule takes one checkpoint per period, however often it ticks, and the next period its own', async () => {
      offsetMs = 0;
      const before = filesIn(dir).filter((f) => f.endsWith('-schedule.json'));
      await Promise.all([app.bot.auditCheckpointTickNow(), app.bot.auditCheckpointTickNow()]);
      await until(
        'the scheduled checkpoint',
        () => filesIn(dir).filter((f) => f.endsWith('-schedule.json')).length === before.length + 1,
      );
      await app.bot.auditCheckpointTickNow();
      await sleep(2_000); // a second one would have had time to be written
      const scheduled = filesIn(dir).filter((f) => f.endsWith('-schedule.json') && !before.includes(f));
      assert.equal(scheduled.length, 1, scheduled.join(', '));
      const c = readCheckpoint(fs.readFileSync(path.join(dir, scheduled[0]!), 'utf8'), trusted);
      assert.equal(c.trigger.kind, 'schedule');
      const period = new Date(Math.floor(clock.now().getTime() / 86_400_000) * 86_400_000).toISOString();
      assert.deepEqual(c.trigger, { kind: 'schedule', period }, 'daily: the period starts at midnight UTC');
      await until('posted too', () => slack.files.some((f) => f.completed && f.filename === scheduled[0]));
      // A day later, the next period.
      offsetMs = 86_400_000;
      await app.bot.auditCheckpointTickNow();
      await until(
        "the next period's checkpoint",
        () => filesIn(dir).filter((f) => f.endsWith('-schedule.json') && !before.includes(f)).length === 2,
      );
      const next = filesIn(dir).find((f) => f.endsWith('-schedule.json') && !before.includes(f) && f !== scheduled[0])!;
      // Posted too, before the next test counts what is posted.
      await until("the next period's checkpoint posted too", () =>
        slack.files.some((f) => f.completed && f.filename === next),
      );
      offsetMs = 0;
    });

    test('jobs written into the queue by hand (the database is what checkpoints guard against) write nothing unsigned, and nowhere else', async () => {
      const other = generateSigningKey();
      const { signCheckpoint, checkpointJson, parseSigningKey } = await import('../../src/domain/audit-checkpoint.ts');
      const foreign = checkpointJson(
        signCheckpoint(
          { heads: [], incidents: { highest: 0, missing: [] }, actionItems: { highest: 0, missing: [] } },
          {
            createdAt: new Date(),
            trigger: { kind: 'incident-closed', incident: 1 },
            signer: parseSigningKey(other.seed),
          },
        ),
      );
      const beforeNames = filesIn(dir);
      const uploads = slack.callsTo('files.getUploadURLExternal').length;
      const rogue: [string, unknown][] = [
        ['audit-checkpoint-deliver', { destination: 'folder', json: foreign }],
        ['audit-checkpoint-deliver', { destination: 'channel', json: foreign }],
        [
          'audit-checkpoint-deliver',
          { destination: 'folder', json: '{"format":"incident-bot-audit-checkpoint","version":1}' },
        ],
        [
          'audit-checkpoint-deliver',
          { destination: 'folder', filename: '../../escaped.json', json: 'not a checkpoint', message: 'hi' },
        ],
        ['audit-checkpoint-deliver', { destination: '/tmp', json: foreign }],
        ['audit-checkpoint-take', { trigger: { kind: 'incident-closed', incident: -1 } }],
        ['audit-checkpoint-take', null],
      ];
      const ids: string[] = [];
      for (const [name, data] of rogue) {
        const { rows } = await app.bot.db.pool.query(
          'INSERT INTO pgboss.job (name, data) VALUES ($1, $2) RETURNING id::text',
          [name, JSON.stringify(data)],
        );
        ids.push(rows[0].id);
      }
      const handled = async () =>
        (
          await app.bot.db.pool.query<{ state: string; retry_count: number }>(
            'SELECT state, retry_count FROM pgboss.job WHERE id = ANY($1::uuid[])',
            [ids],
          )
        ).rows;
      await until('every rogue job handled', async () => (await handled()).every((j) => j.state === 'completed'));
      assert.deepEqual(filesIn(dir), beforeNames, 'nothing written in the folder');
      assert.ok(
        !fs.existsSync(path.join(tmp, '..', 'escaped.json')) && !fs.existsSync(path.join(tmp, 'escaped.json')),
        'nor outside it',
      );
      assert.equal(slack.callsTo('files.getUploadURLExternal').length, uploads, 'nothing posted');
      assert.equal(errors.filter((e) => /dropped/.test(e)).length, rogue.length, errors.join('; '));
      assert.deepEqual(
        (await handled()).map((j) => j.retry_count),
        rogue.map(() => 0),
        'dropped, not retried',
      );
    });

    test('two replicas on one database take one scheduled checkpoint per period between them', {
      skip: database.name === 'pglite' && "PGlite is one process's database: replicas need the server",
    }, async () => {
      const second = await startTestBot({
        slackApiUrl: slack.url,
        token: slack.token,
        databaseUrl: dbUrl,
        logger,
        clock,
        env: { AUDIT_SIGNING_KEY: key.seed, AUDIT_CHECKPOINT_DIR: dir, AUDIT_CHANNEL },
        auditCheckpoints: timing,
      });
      try {
        // A day no checkpoint was taken for yet, ticked by both replicas at once (and twice by one).
        offsetMs = 5 * 86_400_000;
        const beforeNames = new Set(filesIn(dir));
        await Promise.all([
          second.bot.auditCheckpointTickNow(),
          second.bot.auditCheckpointTickNow(),
          app.bot.auditCheckpointTickNow(),
        ]);
        await until('the checkpoints', () => filesIn(dir).filter((f) => !beforeNames.has(f)).length >= 1);
        await sleep(3_000);
        const fresh = filesIn(dir).filter((f) => !beforeNames.has(f));
        const periods = fresh.map(
          (f) =>
            (readCheckpoint(fs.readFileSync(path.join(dir, f), 'utf8'), trusted).trigger as { period: string }).period,
        );
        assert.equal(periods.length, 1, `one checkpoint for the period: ${fresh.join(', ')}`);
      } finally {
        offsetMs = 0;
        await second.stop();
      }
    });
  });
}
