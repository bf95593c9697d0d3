// The production logger (pino) writes to a captured stream: tokens, secrets and PHI never reach a line.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { WebAPIPlatformError } from '@slack/web-api/dist/errors.js';
import { createLogger, redactLogText, slackLibraryLogger } from '../src/logger.ts';
import { OnCallUnavailable } from '../src/ports/on-call-provider.ts';

/** A pino logger at `level` whose lines are collected (parsed) and also kept as raw text. */
function capture(level = 'debug') {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      raw.push(String(chunk));
      done();
    },
  });
  const logger = createLogger(level, stream);
  return {
    logger,
    raw,
    lines: () => raw.map((l) => JSON.parse(l) as Record<string, any>),
    text: () => raw.join(''),
  };
}

const BOT_TOKEN = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx';
const APP_TOKEN = 'xapp-1-A0123ABCDEF-1234567890123-0123456789abcdef0123456789abcdef';
const NHS = '943 476 5919'; // valid check digit
const EMAIL = 'jane.patient@example.nhs.uk';
const PHONE = '07700 900123';

describe('log redaction', () => {
  test('token fields and authorization headers are censored by name, at any depth pino knows', () => {
    const { logger, lines, text } = capture();
    logger.info(
      {
        token: 'plain-secret-1',
        config: { token: 'plain-secret-2', SLACK_SIGNING_SECRET: 'plain-secret-3' },
        headers: { authorization: 'Token token=plain-secret-4' },
        request: { headers: { Authorization: 'Bearer plain-secret-5' } },
        error: { config: { headers: { Authorization: 'Bearer plain-secret-6' } } },
        signingSecret: 'plain-secret-7',
      },
      'calling out',
    );
    const [line] = lines();
    assert.equal(line!.token, '[redacted]');
    assert.equal(line!.config.token, '[redacted]');
    assert.equal(line!.config.SLACK_SIGNING_SECRET, '[redacted]');
    assert.equal(line!.headers.authorization, '[redacted]');
    assert.equal(line!.request.headers.Authorization, '[redacted]');
    assert.equal(line!.error.config.headers.Authorization, '[redacted]');
    assert.equal(line!.signingSecret, '[redacted]');
    assert.doesNotMatch(text(), /plain-secret/);
    assert.equal(line!.msg, 'calling out');
  });

  test('Slack tokens, bearer and PagerDuty token values and URL passwords are removed from any string', () => {
    const { logger, lines, text } = capture();
    logger.warn(
      {
        detail: `sent with ${BOT_TOKEN}`,
        nested: { list: [`app token ${APP_TOKEN}`] },
        url: 'postgresql://bot:s3cr3t-pw@db.internal:5432/bot',
      },
      `Authorization: Bearer ${BOT_TOKEN} and Token token=pd-abc123XYZ failed`,
    );
    const [line] = lines();
    assert.equal(line!.detail, 'sent with [redacted token]');
    assert.deepEqual(line!.nested.list, ['app token [redacted token]']);
    assert.equal(line!.url, 'postgresql://bot:[redacted]@db.internal:5432/bot');
    assert.equal(line!.msg, 'Authorization: Bearer [redacted token] and Token token=[redacted] failed');
    logger.warn({}, 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig');
    assert.equal(lines()[1]!.msg, 'Authorization: Bearer [redacted]');
    for (const secret of [BOT_TOKEN, APP_TOKEN, 'xoxb-', 'xapp-1', 'pd-abc123XYZ', 's3cr3t-pw']) {
      assert.ok(!text().includes(secret), `${secret} is not logged`);
    }
  });

  test('PHI is redacted from messages, fields, arrays and numbers with the PHI detector', () => {
    const { logger, lines, text } = capture();
    logger.info(
      {
        title: `Patient ${NHS} cannot log in`,
        reporter: EMAIL,
        notes: [`call ${PHONE}`, 'postcode SW1A 1AA'],
        nhs: 9434765919,
        count: 3,
      },
      `escalated for ${EMAIL}`,
    );
    const [line] = lines();
    assert.equal(line!.title, 'Patient [redacted NHS number] cannot log in');
    assert.equal(line!.reporter, '[redacted email address]');
    assert.deepEqual(line!.notes, ['call [redacted phone number]', 'postcode [redacted postcode]']);
    assert.equal(line!.nhs, '[redacted NHS number]');
    assert.equal(line!.count, 3, 'other numbers are kept as numbers');
    assert.equal(line!.msg, 'escalated for [redacted email address]');
    for (const phi of [NHS, '9434765919', EMAIL, PHONE, 'SW1A 1AA'])
      assert.ok(!text().includes(phi), `${phi} is not logged`);
    assert.equal(typeof line!.time, 'number', 'pino fields are untouched');
    assert.equal(line!.level, 30);
  });

  test('an error is covered: its message, stack and cause, logged as err or on its own', () => {
    const { logger, lines, text } = capture();
    const cause = new Error(`lookup of ${EMAIL} failed`);
    const err = new OnCallUnavailable(`PagerDuty GET /users failed for ${EMAIL} with ${BOT_TOKEN}`, cause);
    logger.error({ err }, 'on-call lookup failed');
    logger.error(new Error(`Patient ${NHS} not found`));
    const [first, second] = lines();
    assert.equal(first!.msg, 'on-call lookup failed');
    assert.match(first!.err.message, /failed for \[redacted email address\] with \[redacted token\]/);
    assert.match(first!.err.stack, /\[redacted email address\]/);
    assert.equal(second!.msg, 'Patient [redacted NHS number] not found');
    assert.match(second!.err.stack, /Patient \[redacted NHS number\] not found/);
    assert.ok(!text().includes(EMAIL) && !text().includes(NHS) && !text().includes(BOT_TOKEN));
  });

  test('a Slack Web API error keeps its code and loses the token it was sent with', () => {
    const { logger, lines, text } = capture();
    const err = new WebAPIPlatformError({ ok: false, error: 'channel_not_found', response_metadata: {} } as never);
    (err as unknown as { request: unknown }).request = { headers: { authorization: `Bearer ${BOT_TOKEN}` } };
    logger.warn({ err, method: 'chat.postMessage' }, 'Slack refused');
    const [line] = lines();
    assert.equal(line!.err.data.error, 'channel_not_found');
    assert.equal(line!.method, 'chat.postMessage');
    assert.ok(!text().includes(BOT_TOKEN));
  });

  test('child loggers and every line stay valid JSON, newlines and quotes included', () => {
    const { logger, raw } = capture();
    const child = (logger as unknown as { child(b: object): typeof logger }).child({ incident: `INC-12 for ${EMAIL}` });
    child.info({ text: `line one\n${PHONE} "quoted" \\ ${EMAIL}` }, 'multi\nline');
    assert.equal(raw.length, 1);
    assert.ok(raw[0]!.endsWith('\n') && !raw[0]!.slice(0, -1).includes('\n'), 'one line');
    const line = JSON.parse(raw[0]!);
    assert.equal(line.incident, 'INC-12 for [redacted email address]');
    assert.equal(line.text, 'line one\n[redacted phone number] "quoted" \\ [redacted email address]');
    assert.equal(line.msg, 'multi\nline');
  });

  test('the level is respected and ordinary identifiers are left alone', () => {
    const { logger, lines } = capture('info');
    logger.debug({ x: 1 }, 'not written');
    logger.info(
      { incidentId: '0f8fad5b-d9cb-469f-a165-70867728950e', ts: '1764612345.000100', channel: 'C0123ABCD', number: 42 },
      'incident INC-42 declared in #inc-42-payments-api',
    );
    const all = lines();
    assert.equal(all.length, 1);
    assert.equal(all[0]!.incidentId, '0f8fad5b-d9cb-469f-a165-70867728950e');
    assert.equal(all[0]!.ts, '1764612345.000100');
    assert.equal(all[0]!.channel, 'C0123ABCD');
    assert.equal(all[0]!.msg, 'incident INC-42 declared in #inc-42-payments-api');
  });

  test("Bolt's own lines go through the same logger and its level", () => {
    const { logger, lines } = capture();
    const bolt = slackLibraryLogger(logger);
    bolt.setName('bolt-app');
    bolt.info('not at warn');
    bolt.warn('An incoming event was not acknowledged within 3 seconds', { token: BOT_TOKEN });
    bolt.error(new Error(`An API error occurred: for ${EMAIL}`));
    bolt.setLevel('debug');
    assert.equal(bolt.getLevel(), 'debug');
    bolt.debug(`http request url: https://slack.com/api/chat.postMessage?token=${BOT_TOKEN}`);
    const all = lines();
    assert.equal(all.length, 3);
    assert.equal(all[0]!.source, 'bolt-app');
    assert.equal(all[0]!.level, 40);
    assert.equal(all[0]!.msg, 'An incoming event was not acknowledged within 3 seconds {"token":"[redacted token]"}');
    assert.equal(all[1]!.level, 50);
    assert.equal(all[1]!.msg, 'An API error occurred: for [redacted email address]');
    assert.match(all[1]!.err.stack, /\[redacted email address\]/);
    assert.equal(all[2]!.msg, 'http request url: https://slack.com/api/chat.postMessage?token=[redacted token]');
  });

  test('redactLogText does credentials and PHI in one pass', () => {
    assert.equal(redactLogText(`${BOT_TOKEN} ${NHS}`), '[redacted token] [redacted NHS number]');
    assert.equal(redactLogText('nothing to hide'), 'nothing to hide');
  });
});
