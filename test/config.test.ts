import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, configSchema, loadConfig } from '../src/config.ts';
import { generateSigningKey } from '../src/domain/audit-checkpoint.ts';

const GOOD = {
  SLACK_BOT_TOKEN: 'xoxb-123-456-abc',
  SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
  INCIDENT_BROADCAST_CHANNEL: 'C0INCIDENTS',
};

function problem(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.message.split('\n').length, 1, 'one line');
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  test('sensible defaults', () => {
    const c = loadConfig(GOOD);
    assert.equal(c.SLACK_API_URL, 'https://slack.com/api/');
    assert.equal(c.PAGERDUTY_API_URL, 'https://api.pagerduty.com');
    assert.equal(c.PORT, 3000);
    assert.equal(c.TZ_DEFAULT, 'UTC');
    assert.equal(c.DATA_DIR, './data');
    assert.equal(c.DATABASE_URL, undefined);
    assert.equal(c.SLACK_APP_TOKEN, undefined);
    assert.deepEqual(c.ONCALL_WORKING_HOURS, { days: [1, 2, 3, 4, 5], startMinute: 9 * 60, endMinute: 17 * 60 + 30 });
    assert.equal(c.ONCALL_TEAM_WORKING_HOURS.size, 0);
    assert.deepEqual(c.ONCALL_LEADS, []);
    assert.equal(c.WORK_CONCURRENCY, 4);
    assert.equal(c.METRICS_TOKEN, undefined, 'GET /metrics open unless a token is set');
  });

  test('on-call load settings: working hours per team, leads', () => {
    const c = loadConfig({
      ...GOOD,
      ONCALL_WORKING_HOURS: 'Mon-Sat 08:00-18:00',
      ONCALL_TEAM_WORKING_HOURS: 'Pharmacy=Mon-Sun 07:00-19:00',
      ONCALL_LEADS: 'U0LEAD, W0OTHER',
    });
    assert.deepEqual(c.ONCALL_WORKING_HOURS.days, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(c.ONCALL_TEAM_WORKING_HOURS.get('pharmacy')?.days, [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(c.ONCALL_LEADS, ['U0LEAD', 'W0OTHER']);
  });

  test('blank optional values count as unset', () => {
    const c = loadConfig({ ...GOOD, SLACK_APP_TOKEN: '', DATABASE_URL: '  ' });
    assert.equal(c.SLACK_APP_TOKEN, undefined);
    assert.equal(c.DATABASE_URL, undefined);
  });

  test('each missing or bad variable is named', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...GOOD, SLACK_BOT_TOKEN: '' }, /SLACK_BOT_TOKEN must be a bot token/],
      [
        { SLACK_SIGNING_SECRET: GOOD.SLACK_SIGNING_SECRET, INCIDENT_BROADCAST_CHANNEL: `C1${'X'.repeat(8)}` },
        /SLACK_BOT_TOKEN is required/,
      ],
      [{ ...GOOD, SLACK_BOT_TOKEN: 'xoxp-user-token' }, /SLACK_BOT_TOKEN must be a bot token starting with xoxb-/],
      [{ ...GOOD, SLACK_SIGNING_SECRET: 'x' }, /SLACK_SIGNING_SECRET is too short/],
      [{ ...GOOD, SLACK_APP_TOKEN: 'xoxb-wrong' }, /SLACK_APP_TOKEN must be an app-level token/],
      [{ ...GOOD, SLACK_API_URL: 'not a url' }, /SLACK_API_URL must be a URL/],
      [{ ...GOOD, INCIDENT_BROADCAST_CHANNEL: '#incidents' }, /INCIDENT_BROADCAST_CHANNEL must be a Slack channel ID/],
      [{ ...GOOD, DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgresql:\/\/ URL/],
      [
        { ...GOOD, DATABASE_URL: 'postgresql://bot@db/incidents', MIGRATION_DATABASE_URL: 'mysql://owner@db' },
        /MIGRATION_DATABASE_URL must be a postgresql:\/\/ URL/,
      ],
      [
        { ...GOOD, MIGRATION_DATABASE_URL: 'postgresql://owner@db/incidents' },
        /MIGRATION_DATABASE_URL needs DATABASE_URL too/,
      ],
      [{ ...GOOD, PORT: 'eighty' }, /PORT must be a port number/],
      [{ ...GOOD, PORT: '70000' }, /PORT must be a port number/],
      [{ ...GOOD, TZ_DEFAULT: 'Mars/Base' }, /TZ_DEFAULT must be an IANA time zone/],
      [{ ...GOOD, PAGERDUTY_API_URL: 'nope' }, /PAGERDUTY_API_URL must be a URL/],
      [{ ...GOOD, ONCALL_WORKING_HOURS: 'weekdays 9 to 5' }, /^Invalid configuration: ONCALL_WORKING_HOURS /],
      [{ ...GOOD, ONCALL_TEAM_WORKING_HOURS: 'Platform=Mon-Fri 17:00-09:00' }, /ONCALL_TEAM_WORKING_HOURS .*Platform/],
      [{ ...GOOD, ONCALL_LEADS: 'U0LEAD,@alice' }, /ONCALL_LEADS must list Slack member IDs/],
      [{ ...GOOD, WORK_CONCURRENCY: '0' }, /WORK_CONCURRENCY must be at least 1/],
      [{ ...GOOD, WORK_CONCURRENCY: '65' }, /WORK_CONCURRENCY must be at most 64/],
      [{ ...GOOD, WORK_CONCURRENCY: '2.5' }, /WORK_CONCURRENCY must be a whole number/],
      [{ ...GOOD, WORK_CONCURRENCY: 'lots' }, /WORK_CONCURRENCY must be a whole number/],
      [{ ...GOOD, METRICS_TOKEN: 'short' }, /METRICS_TOKEN is too short to be a bearer token/],
      [{ ...GOOD, METRICS_TOKEN: 'a token with spaces in it' }, /METRICS_TOKEN must be printable ASCII without spaces/],
    ];
    for (const [env, expected] of cases) assert.match(problem(env), expected);
    const all = problem({});
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'INCIDENT_BROADCAST_CHANNEL'])
      assert.ok(all.includes(name));
  });

  test('trackers: Jira needs its URL, email and token together; ACTION_TRACKER names a configured tracker', () => {
    const jira = {
      JIRA_BASE_URL: 'https://acme.atlassian.net/',
      JIRA_EMAIL: 'bot@acme.org',
      JIRA_API_TOKEN: 'ATATT3xFfGF0-token',
    };
    const on = loadConfig({ ...GOOD, ...jira, ACTION_TRACKER: 'jira:ops' });
    assert.deepEqual(
      [on.JIRA_BASE_URL, on.JIRA_ISSUE_TYPE, on.ACTION_TRACKER],
      ['https://acme.atlassian.net', 'Task', { tracker: 'jira', target: 'OPS' }],
    );
    assert.equal(loadConfig(GOOD).ACTION_TRACKER, undefined);
    assert.match(
      problem({ ...GOOD, JIRA_BASE_URL: jira.JIRA_BASE_URL }),
      /JIRA_EMAIL is required when any of JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN is set/,
    );
    assert.match(
      problem({ ...GOOD, ...jira, JIRA_BASE_URL: 'acme.atlassian.net' }),
      /JIRA_BASE_URL must be an http\(s\) URL/,
    );
    // Plain http would send the API token in clear: only to this machine.
    for (const url of ['http://acme.atlassian.net', 'http://10.0.0.5:8080', 'http://127.0.0.1.evil.example'])
      assert.match(
        problem({ ...GOOD, ...jira, JIRA_BASE_URL: url }),
        /JIRA_BASE_URL must be https \(http only for 127\.0\.0\.1, ::1 or localhost\)/,
        url,
      );
    for (const url of ['http://127.0.0.1:4010', 'http://[::1]:4010/', 'http://localhost:8080'])
      assert.equal(loadConfig({ ...GOOD, ...jira, JIRA_BASE_URL: url }).JIRA_BASE_URL, url.replace(/\/$/, ''), url);
    assert.match(
      problem({ ...GOOD, ACTION_TRACKER: 'jira:OPS' }),
      /ACTION_TRACKER names Jira, which is not configured/,
    );
    assert.match(
      problem({ ...GOOD, ACTION_TRACKER: 'github:acme/ops' }),
      /ACTION_TRACKER names GitHub, whose App is not configured/,
    );
    assert.match(
      problem({ ...GOOD, ...jira, ACTION_TRACKER: 'trello:board' }),
      /ACTION_TRACKER must be github:owner\/repo or jira:PROJECTKEY/,
    );
    assert.match(problem({ ...GOOD, JIRA_WEBHOOK_SECRET: 'short' }), /JIRA_WEBHOOK_SECRET is too short/);
  });

  test('the GitHub App: off by default; its ID and private key together, the key as PEM (one line with \\n escapes too)', () => {
    const off = loadConfig(GOOD);
    assert.equal(off.GITHUB_APP_ID, undefined);
    assert.equal(off.GITHUB_API_URL, 'https://api.github.com');
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();
    const on = loadConfig({
      ...GOOD,
      GITHUB_APP_ID: '123456',
      GITHUB_APP_PRIVATE_KEY: pem,
      GITHUB_API_URL: 'https://ghe.example.org/api/v3',
    });
    assert.deepEqual(
      [on.GITHUB_APP_ID, on.GITHUB_APP_PRIVATE_KEY, on.GITHUB_API_URL],
      ['123456', pem, 'https://ghe.example.org/api/v3'],
    );
    assert.match(
      problem({ ...GOOD, GITHUB_APP_ID: '123456' }),
      /GITHUB_APP_PRIVATE_KEY is required when the other of GITHUB_APP_ID/,
    );
    assert.match(problem({ ...GOOD, GITHUB_APP_PRIVATE_KEY: pem }), /GITHUB_APP_ID is required when the other/);
    assert.match(
      problem({ ...GOOD, GITHUB_APP_ID: 'my-app', GITHUB_APP_PRIVATE_KEY: pem }),
      /GITHUB_APP_ID must be the GitHub App ID \(a number\)/,
    );
    assert.match(
      problem({ ...GOOD, GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: 'ghp_notakey' }),
      /GITHUB_APP_PRIVATE_KEY must be the GitHub App's private key in PEM/,
    );
    const broken = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n';
    assert.match(
      problem({ ...GOOD, GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: broken }),
      /GITHUB_APP_PRIVATE_KEY must be/,
    );
    // On one line with \n escapes, as many secret stores keep it.
    assert.equal(
      loadConfig({ ...GOOD, GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: pem.replace(/\n/g, '\\n') })
        .GITHUB_APP_PRIVATE_KEY,
      pem,
    );
    assert.match(
      problem({ ...GOOD, GITHUB_API_URL: 'ftp://github.example' }),
      /GITHUB_API_URL must be an http or https URL/,
    );
    // The key never appears in the message.
    assert.doesNotMatch(problem({ ...GOOD, GITHUB_APP_PRIVATE_KEY: pem }), /MIIE/);
  });

  test('GITHUB_ALLOWED_OWNERS: any owner by default; a list of GitHub logins, comma-separated', () => {
    assert.deepEqual(loadConfig(GOOD).GITHUB_ALLOWED_OWNERS, []);
    assert.deepEqual(loadConfig({ ...GOOD, GITHUB_ALLOWED_OWNERS: ' acme, Acme-Health ,x' }).GITHUB_ALLOWED_OWNERS, [
      'acme',
      'Acme-Health',
      'x',
    ]);
    for (const bad of ['acme/ehr-api', '@acme', 'acme corp', '-acme', 'a'.repeat(40)])
      assert.throws(
        () => loadConfig({ ...GOOD, GITHUB_ALLOWED_OWNERS: `acme,${bad}` }),
        /GITHUB_ALLOWED_OWNERS must list GitHub owners/,
        bad,
      );
  });

  test('FREEZE_ENVIRONMENTS: production by default; a comma-separated list in any case; an empty or bad one refused', () => {
    assert.deepEqual(loadConfig(GOOD).FREEZE_ENVIRONMENTS, ['production']);
    assert.deepEqual(
      loadConfig({ ...GOOD, FREEZE_ENVIRONMENTS: '  ' }).FREEZE_ENVIRONMENTS,
      ['production'],
      'blank: the default',
    );
    assert.deepEqual(
      loadConfig({ ...GOOD, FREEZE_ENVIRONMENTS: ' Production, prod-EU ,,production' }).FREEZE_ENVIRONMENTS,
      ['production', 'prod-eu'],
    );
    assert.match(
      problem({ ...GOOD, FREEZE_ENVIRONMENTS: ' , ' }),
      /FREEZE_ENVIRONMENTS must name at least one environment/,
    );
    assert.match(
      problem({ ...GOOD, FREEZE_ENVIRONMENTS: 'prod uction' }),
      /FREEZE_ENVIRONMENTS must list environment names/,
    );
  });

  test('audit checkpoints: off by default; a key in base64 or PEM, a folder and/or a channel, every 24 hours', () => {
    const off = loadConfig(GOOD);
    assert.equal(off.AUDIT_SIGNING_KEY, undefined);
    assert.equal(off.AUDIT_CHECKPOINT_DIR, undefined);
    assert.equal(off.AUDIT_CHANNEL, undefined);
    assert.equal(off.AUDIT_CHECKPOINT_HOURS, 24);
    const key = generateSigningKey();
    const on = loadConfig({
      ...GOOD,
      AUDIT_SIGNING_KEY: key.seed,
      AUDIT_CHECKPOINT_DIR: '/var/lib/incident-audit',
      AUDIT_CHANNEL: 'G0AUDIT',
      AUDIT_CHECKPOINT_HOURS: '6',
    });
    assert.equal(on.AUDIT_SIGNING_KEY?.publicKey.base64, key.publicKey);
    assert.deepEqual(
      [on.AUDIT_CHECKPOINT_DIR, on.AUDIT_CHANNEL, on.AUDIT_CHECKPOINT_HOURS],
      ['/var/lib/incident-audit', 'G0AUDIT', 6],
    );
    const pem = loadConfig({
      ...GOOD,
      AUDIT_SIGNING_KEY: key.privatePem.replace(/\n/g, '\\n'),
      AUDIT_VERIFY_KEY: key.publicPem,
      AUDIT_CHANNEL: 'C0AUDIT',
    });
    assert.equal(pem.AUDIT_SIGNING_KEY?.publicKey.fingerprint, key.fingerprint);
    assert.equal(pem.AUDIT_VERIFY_KEY?.fingerprint, key.fingerprint);
    assert.equal(
      loadConfig({ ...GOOD, AUDIT_SIGNING_KEY: ' ', AUDIT_CHANNEL: '', AUDIT_CHECKPOINT_DIR: '' }).AUDIT_SIGNING_KEY,
      undefined,
      'blank is unset',
    );
  });

  test('bad audit checkpoint settings are named, and a key is never repeated in the message', () => {
    const key = generateSigningKey();
    const cases: [Record<string, string>, RegExp][] = [
      [
        { ...GOOD, AUDIT_CHECKPOINT_DIR: '/var/lib/incident-audit' },
        /AUDIT_SIGNING_KEY is required when AUDIT_CHANNEL or AUDIT_CHECKPOINT_DIR is set: checkpoints are signed \(npm run audit:keygen prints a key\)/,
      ],
      [{ ...GOOD, AUDIT_CHANNEL: 'C0AUDIT' }, /AUDIT_SIGNING_KEY is required when/],
      [{ ...GOOD, AUDIT_SIGNING_KEY: key.seed, AUDIT_CHANNEL: '#audit' }, /AUDIT_CHANNEL must be a Slack channel ID/],
      [
        { ...GOOD, AUDIT_SIGNING_KEY: key.seed, AUDIT_CHECKPOINT_HOURS: '0' },
        /AUDIT_CHECKPOINT_HOURS must be at least 1 hour/,
      ],
      [
        { ...GOOD, AUDIT_SIGNING_KEY: key.seed, AUDIT_CHECKPOINT_HOURS: '1.5' },
        /AUDIT_CHECKPOINT_HOURS must be a whole number of hours/,
      ],
      [
        { ...GOOD, AUDIT_SIGNING_KEY: key.seed, AUDIT_CHECKPOINT_HOURS: 'daily' },
        /AUDIT_CHECKPOINT_HOURS must be a whole number of hours/,
      ],
      [
        { ...GOOD, AUDIT_SIGNING_KEY: key.seed, AUDIT_CHECKPOINT_HOURS: '721' },
        /AUDIT_CHECKPOINT_HOURS must be at most 720 hours/,
      ],
      [{ ...GOOD, AUDIT_VERIFY_KEY: key.seed.slice(0, 30) }, /AUDIT_VERIFY_KEY must be an Ed25519 public key/],
      [{ ...GOOD, AUDIT_VERIFY_KEY: key.privatePem }, /AUDIT_VERIFY_KEY must be an Ed25519 public key/],
    ];
    for (const [env, expected] of cases) assert.match(problem(env), expected);
    for (const bad of [
      key.seed.slice(0, 40),
      `${key.seed.slice(0, 20)}!!${key.seed.slice(22)}`,
      key.publicPem,
      'hunter2-hunter2',
    ]) {
      const message = problem({ ...GOOD, AUDIT_SIGNING_KEY: bad, AUDIT_CHECKPOINT_DIR: '/x' });
      assert.match(
        message,
        /^Invalid configuration: AUDIT_SIGNING_KEY must be an Ed25519 private key: a base64 32-byte seed or a PKCS#8 PEM \(npm run audit:keygen prints one\)\. See/,
      );
      for (const part of bad.split(/\n/).filter((l) => l.length > 8))
        assert.ok(!message.includes(part), 'the key is not repeated');
    }
  });

  test('Socket Mode: SLACK_SIGNING_SECRET is not needed with SLACK_APP_TOKEN, and still required without it', () => {
    const { SLACK_SIGNING_SECRET: _secret, ...noSecret } = GOOD;
    const socket = loadConfig({ ...noSecret, SLACK_APP_TOKEN: 'xapp-1-A0001-123-abc' });
    assert.equal(socket.SLACK_SIGNING_SECRET, undefined);
    assert.equal(socket.SLACK_APP_TOKEN, 'xapp-1-A0001-123-abc');
    assert.equal(
      loadConfig({ ...noSecret, SLACK_SIGNING_SECRET: ' ', SLACK_APP_TOKEN: 'xapp-1-A0001-123-abc' })
        .SLACK_SIGNING_SECRET,
      undefined,
      'blank is unset',
    );
    assert.equal(
      loadConfig({ ...GOOD, SLACK_APP_TOKEN: 'xapp-1-A0001-123-abc' }).SLACK_SIGNING_SECRET,
      GOOD.SLACK_SIGNING_SECRET,
      'both may be set',
    );
    const required =
      /SLACK_SIGNING_SECRET is required \(Basic Information › Signing Secret\), unless SLACK_APP_TOKEN is set for Socket Mode/;
    assert.match(problem(noSecret), required);
    assert.match(problem({ ...noSecret, SLACK_SIGNING_SECRET: '' }), required);
    assert.match(problem({ ...noSecret, SLACK_APP_TOKEN: '' }), required, 'a blank app token is no app token');
    assert.match(
      problem({ ...noSecret, SLACK_APP_TOKEN: 'xoxb-not-an-app-token' }),
      /SLACK_APP_TOKEN must be an app-level token starting with xapp-/,
    );
    assert.match(
      problem({ ...noSecret, SLACK_APP_TOKEN: 'xapp-1', SLACK_SIGNING_SECRET: 'short' }),
      /SLACK_SIGNING_SECRET is too short/,
      'a secret given is still checked',
    );
    // Named beside the other problems, not only once they are fixed.
    const both = problem({ ...noSecret, PORT: 'eighty' });
    assert.match(both, /PORT must be a port number/);
    assert.match(both, required);
  });

  test('the service catalog: none by default; a path or a Backstage URL, refreshed every 300 s; not both', () => {
    const none = loadConfig(GOOD);
    assert.equal(none.CATALOG_PATH, undefined);
    assert.equal(none.BACKSTAGE_URL, undefined);
    assert.equal(none.CATALOG_REFRESH_SECONDS, 300);
    assert.equal(loadConfig({ ...GOOD, CATALOG_PATH: './catalog' }).CATALOG_PATH, './catalog');
    const backstage = loadConfig({
      ...GOOD,
      BACKSTAGE_URL: 'https://backstage.example.org',
      BACKSTAGE_TOKEN: 'static-token-123',
      CATALOG_REFRESH_SECONDS: '60',
    });
    assert.equal(backstage.BACKSTAGE_URL, 'https://backstage.example.org');
    assert.equal(backstage.CATALOG_REFRESH_SECONDS, 60);
    assert.match(
      problem({ ...GOOD, CATALOG_PATH: './catalog', BACKSTAGE_URL: 'https://backstage.example.org' }),
      /CATALOG_PATH and BACKSTAGE_URL are both set/,
    );
    assert.match(
      problem({ ...GOOD, BACKSTAGE_URL: 'ftp://backstage.example.org' }),
      /BACKSTAGE_URL must be an http\(s\) URL/,
    );
    assert.match(problem({ ...GOOD, BACKSTAGE_URL: 'not a url' }), /BACKSTAGE_URL must be an http\(s\) URL/);
    assert.match(
      problem({ ...GOOD, BACKSTAGE_TOKEN: 'static-token-123' }),
      /BACKSTAGE_TOKEN is set without BACKSTAGE_URL/,
    );
    assert.match(
      problem({ ...GOOD, CATALOG_REFRESH_SECONDS: '5' }),
      /CATALOG_REFRESH_SECONDS must be at least 10 seconds/,
    );
    const secret = problem({ ...GOOD, BACKSTAGE_URL: 'https://b.example.org', BACKSTAGE_TOKEN: 'has space in it' });
    assert.match(secret, /BACKSTAGE_TOKEN must be printable ASCII/);
    assert.doesNotMatch(secret, /has space in it/);
  });

  test("reminder cadences: today's by default; per severity, or off", () => {
    const defaults = loadConfig(GOOD);
    assert.deepEqual(defaults.REMINDER_UPDATE_MINUTES, { SEV1: 30, SEV2: 60, SEV3: 120, SEV4: 120 });
    assert.equal(defaults.REMINDER_COMMANDER_MINUTES, 10);
    const set = loadConfig({
      ...GOOD,
      REMINDER_UPDATE_MINUTES: 'SEV1=15,SEV2=45,SEV3=240,SEV4=off',
      REMINDER_COMMANDER_MINUTES: '5',
    });
    assert.deepEqual(set.REMINDER_UPDATE_MINUTES, { SEV1: 15, SEV2: 45, SEV3: 240, SEV4: null });
    assert.equal(set.REMINDER_COMMANDER_MINUTES, 5);
    assert.deepEqual(
      loadConfig({ ...GOOD, REMINDER_UPDATE_MINUTES: 'sev4=off' }).REMINDER_UPDATE_MINUTES,
      { SEV1: 30, SEV2: 60, SEV3: 120, SEV4: null },
      'the others keep their default',
    );
    assert.equal(loadConfig({ ...GOOD, REMINDER_COMMANDER_MINUTES: 'off' }).REMINDER_COMMANDER_MINUTES, null);
    const blank = loadConfig({ ...GOOD, REMINDER_UPDATE_MINUTES: ' ', REMINDER_COMMANDER_MINUTES: '' });
    assert.deepEqual(
      [blank.REMINDER_UPDATE_MINUTES, blank.REMINDER_COMMANDER_MINUTES],
      [defaults.REMINDER_UPDATE_MINUTES, 10],
      'blank is the default',
    );
  });

  test('a bad reminder cadence is one clear line naming the variable and the entry', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { ...GOOD, REMINDER_UPDATE_MINUTES: 'SEV1=0' },
        /^Invalid configuration: REMINDER_UPDATE_MINUTES `SEV1=0`: the minutes must be a whole number from 1 to 10080 \(a week\), or `off`\. See/,
      ],
      [{ ...GOOD, REMINDER_UPDATE_MINUTES: 'SEV2=1.5' }, /REMINDER_UPDATE_MINUTES `SEV2=1\.5`: the minutes must be/],
      [{ ...GOOD, REMINDER_UPDATE_MINUTES: 'SEV3=2h' }, /REMINDER_UPDATE_MINUTES `SEV3=2h`: the minutes must be/],
      [{ ...GOOD, REMINDER_UPDATE_MINUTES: 'SEV5=10' }, /REMINDER_UPDATE_MINUTES `SEV5=10`: `SEV5` is not a severity/],
      [{ ...GOOD, REMINDER_UPDATE_MINUTES: '30,60,120' }, /REMINDER_UPDATE_MINUTES `30` has no `=`/],
      [{ ...GOOD, REMINDER_UPDATE_MINUTES: 'SEV1=30,SEV1=20' }, /REMINDER_UPDATE_MINUTES gives SEV1 twice/],
      [
        { ...GOOD, REMINDER_COMMANDER_MINUTES: '0' },
        /^Invalid configuration: REMINDER_COMMANDER_MINUTES `0` is not a number of minutes: write a whole number from 1 to 10080 \(a week\), or `off`\. See/,
      ],
      [
        { ...GOOD, REMINDER_COMMANDER_MINUTES: 'never' },
        /REMINDER_COMMANDER_MINUTES `never` is not a number of minutes/,
      ],
      [
        { ...GOOD, REMINDER_COMMANDER_MINUTES: '20000' },
        /REMINDER_COMMANDER_MINUTES `20000` is not a number of minutes/,
      ],
    ];
    for (const [env, expected] of cases) assert.match(problem(env), expected);
  });

  test('the web view: off by default, all four settings or none, each value checked', () => {
    const web = {
      WEB_BASE_URL: 'https://incident-bot.example.org/',
      SLACK_CLIENT_ID: '1234567890.1234567890',
      SLACK_CLIENT_SECRET: 'a1b2c3d4e5f6a7b8c9d0',
      WEB_SESSION_SECRET: 'x'.repeat(48),
    };
    const off = loadConfig(GOOD);
    assert.equal(off.WEB_BASE_URL, undefined);
    assert.deepEqual(
      [off.WEB_SESSION_HOURS, off.WEB_SESSION_IDLE_MINUTES, off.SLACK_OIDC_ISSUER, off.SLACK_TEAM_ID],
      [12, 60, 'https://slack.com', undefined],
    );
    const on = loadConfig({ ...GOOD, ...web });
    assert.equal(on.WEB_BASE_URL, 'https://incident-bot.example.org', 'without the trailing slash');
    for (const name of Object.keys(web) as (keyof typeof web)[]) {
      const { [name]: _, ...rest } = web;
      assert.match(problem({ ...GOOD, ...rest }), new RegExp(`${name} is required when any of WEB_BASE_URL`), name);
    }
    const bad: [Record<string, string>, RegExp][] = [
      [{ WEB_BASE_URL: 'incident-bot.example.org' }, /WEB_BASE_URL must be an http\(s\) URL/],
      [{ WEB_BASE_URL: 'http://incident-bot.example.org' }, /WEB_BASE_URL must be https \(http only for/],
      [{ WEB_BASE_URL: 'https://x.example.org/?a=1' }, /WEB_BASE_URL must be the address alone/],
      [{ WEB_BASE_URL: 'https://user:pw@x.example.org' }, /WEB_BASE_URL must be the address alone/],
      [{ WEB_BASE_URL: 'https://x.example.org/bot' }, /WEB_BASE_URL must be the address alone \(no path/],
      [{ SLACK_CLIENT_ID: 'my-app' }, /SLACK_CLIENT_ID must be the app's Client ID/],
      [{ SLACK_CLIENT_SECRET: 'short' }, /SLACK_CLIENT_SECRET is too short/],
      [{ SLACK_CLIENT_SECRET: 'a secret with spaces 123' }, /SLACK_CLIENT_SECRET must be printable ASCII/],
      [{ WEB_SESSION_SECRET: 'x'.repeat(31) }, /WEB_SESSION_SECRET must be at least 32 characters/],
      [{ WEB_SESSION_HOURS: '0' }, /WEB_SESSION_HOURS must be at least 1 hour/],
      [{ WEB_SESSION_HOURS: '169' }, /WEB_SESSION_HOURS must be at most 168 hours/],
      [{ WEB_SESSION_HOURS: '1.5' }, /WEB_SESSION_HOURS must be a whole number of hours/],
      [{ SLACK_OIDC_ISSUER: 'http://slack.example.com' }, /SLACK_OIDC_ISSUER must be https/],
      [{ WEB_SESSION_IDLE_MINUTES: '4' }, /WEB_SESSION_IDLE_MINUTES must be at least 5 minutes/],
      [{ WEB_SESSION_IDLE_MINUTES: '1441' }, /WEB_SESSION_IDLE_MINUTES must be at most 1440 minutes/],
      [{ SLACK_TEAM_ID: 'acme' }, /SLACK_TEAM_ID must be a Slack workspace ID/],
    ];
    for (const [env, says] of bad) assert.match(problem({ ...GOOD, ...web, ...env }), says, JSON.stringify(env));
    assert.equal(
      loadConfig({ ...GOOD, ...web, WEB_BASE_URL: 'http://127.0.0.1:3000', SLACK_OIDC_ISSUER: 'http://localhost:9' })
        .WEB_BASE_URL,
      'http://127.0.0.1:3000',
      'plain http only to this machine',
    );
  });

  test("on-call allowances and wellbeing: no pay rules and the SRE book's thresholds by default; a bad rules file is one line naming the place", () => {
    const off = loadConfig(GOOD);
    assert.equal(off.ONCALL_PAY_RULES, undefined);
    assert.deepEqual(
      [off.ONCALL_WELLBEING, off.ONCALL_MAX_INCIDENTS_PER_SHIFT, off.ONCALL_MAX_ON_CALL_PERCENT],
      [true, 2, 25],
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'pay-rules-'));
    try {
      const file = (name: string, text: string) => {
        const p = path.join(dir, name);
        writeFileSync(p, text);
        return p;
      };
      const good = file(
        'good.yaml',
        'currency: GBP\nregion: scotland\ndefaults:\n  standby: { per: shift, weekday: 25, weekend: 40, publicHoliday: 60 }\n',
      );
      const rules = loadConfig({ ...GOOD, ONCALL_PAY_RULES: good }).ONCALL_PAY_RULES;
      assert.equal(rules?.currency, 'GBP');
      assert.equal(rules?.region.name, 'scotland');
      assert.deepEqual(rules?.defaults.standby, {
        per: 'shift',
        minimumHours: 12,
        rates: { weekday: 2500, weekend: 4000, publicHoliday: 6000 },
      });
      assert.equal(loadConfig({ ...GOOD, ONCALL_PAY_RULES: '  ' }).ONCALL_PAY_RULES, undefined, 'blank is unset');
      const bad: [Record<string, string>, RegExp][] = [
        [{ ONCALL_PAY_RULES: path.join(dir, 'nope.yaml') }, /ONCALL_PAY_RULES .*nope\.yaml does not exist/],
        [{ ONCALL_PAY_RULES: dir }, /ONCALL_PAY_RULES .* is not a file/],
        [
          {
            ONCALL_PAY_RULES: file(
              'decimals.yaml',
              'currency: GBP\nregion: england-and-wales\ndefaults:\n  callout: { per: page, amount: 1.505 }\n',
            ),
          },
          /^Invalid configuration: ONCALL_PAY_RULES in .*decimals\.yaml: defaults\.callout\.amount has more decimals than GBP has \(2\): write e\.g\. 1\.50\. See docs\/configuration\.md\.$/,
        ],
        [
          { ONCALL_PAY_RULES: file('yaml.yaml', 'currency: GBP\ncurrency: EUR\n') },
          /ONCALL_PAY_RULES in .*: the file is not valid YAML: .*line 2/,
        ],
        [{ ONCALL_WELLBEING: 'yes' }, /ONCALL_WELLBEING must be true or false/],
        [{ BREACH_REGIMES: 'uk-gdpr,gdpr' }, /BREACH_REGIMES `gdpr` is not a regime: use uk-gdpr, hipaa or dspt/],
        [{ ONCALL_MAX_INCIDENTS_PER_SHIFT: '0' }, /ONCALL_MAX_INCIDENTS_PER_SHIFT must be at least 1/],
        [
          { ONCALL_MAX_INCIDENTS_PER_SHIFT: '2.5' },
          /ONCALL_MAX_INCIDENTS_PER_SHIFT must be a whole number of incidents/,
        ],
        [{ ONCALL_MAX_ON_CALL_PERCENT: '101' }, /ONCALL_MAX_ON_CALL_PERCENT must be at most 100/],
      ];
      for (const [env, says] of bad) assert.match(problem({ ...GOOD, ...env }), says, JSON.stringify(env));
      const on = loadConfig({
        ...GOOD,
        ONCALL_WELLBEING: 'false',
        ONCALL_MAX_INCIDENTS_PER_SHIFT: '3',
        ONCALL_MAX_ON_CALL_PERCENT: '30',
      });
      assert.deepEqual(
        [on.ONCALL_WELLBEING, on.ONCALL_MAX_INCIDENTS_PER_SHIFT, on.ONCALL_MAX_ON_CALL_PERCENT],
        [false, 3, 30],
      );
      assert.deepEqual(off.BREACH_REGIMES, ['uk-gdpr'], 'UK GDPR alone by default');
      assert.deepEqual(loadConfig({ ...GOOD, BREACH_REGIMES: 'HIPAA, dspt' }).BREACH_REGIMES, ['hipaa', 'dspt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('MIGRATION_DATABASE_URL (the owner) goes with DATABASE_URL (the bot role)', () => {
    const c = loadConfig({
      ...GOOD,
      DATABASE_URL: 'postgresql://incident_bot@db/incidents',
      MIGRATION_DATABASE_URL: 'postgresql://incident_owner@db/incidents',
    });
    assert.equal(c.MIGRATION_DATABASE_URL, 'postgresql://incident_owner@db/incidents');
    assert.equal(loadConfig({ ...GOOD, MIGRATION_DATABASE_URL: ' ' }).MIGRATION_DATABASE_URL, undefined);
  });

  test('MIGRATE_ON_START: on by default (one replica), false leaves migrating to npm run db:migrate', () => {
    assert.equal(loadConfig(GOOD).MIGRATE_ON_START, true);
    assert.equal(loadConfig({ ...GOOD, MIGRATE_ON_START: ' ' }).MIGRATE_ON_START, true, 'blank is unset');
    for (const on of ['true', 'TRUE', ' True '])
      assert.equal(loadConfig({ ...GOOD, MIGRATE_ON_START: on }).MIGRATE_ON_START, true, on);
    for (const off of ['false', 'FALSE', ' False\n'])
      assert.equal(loadConfig({ ...GOOD, MIGRATE_ON_START: off }).MIGRATE_ON_START, false, off);
    // Anything else is refused rather than guessed: `0`, `no`, `off` would read as true to some and false to others.
    for (const bad of ['0', '1', 'no', 'yes', 'off', 'on', 'f', 'falsey', 'true false', '"false"']) {
      assert.match(
        problem({ ...GOOD, MIGRATE_ON_START: bad }),
        /^Invalid configuration: MIGRATE_ON_START must be true or false\. See/,
        bad,
      );
    }
  });

  test('a refusal points to docs/configuration.md, whose table has a row for every setting', () => {
    assert.match(
      problem({ ...GOOD, PORT: 'eighty' }),
      /^Invalid configuration: PORT must be a port number\. See docs\/configuration\.md\.$/,
    );
    const reference = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    const documented = new Set([...reference.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]));
    const missing = Object.keys(configSchema.shape).filter((key) => !documented.has(key));
    assert.deepEqual(missing, [], 'settings without a row in docs/configuration.md');
  });

  test('npm start without Slack settings prints one clear line and exits 1', () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    const run = spawnSync(process.execPath, ['src/main.ts'], { env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 1);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /^Invalid configuration: SLACK_BOT_TOKEN is required/);
    assert.equal(run.stdout, '');
  });

  test("Node's compile cache (code the bot runs) goes to a folder only its user can open, never a shared temporary one", () => {
    const home = mkdtempSync(path.join(tmpdir(), 'incident-bot-home-'));
    try {
      const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: home };
      const run = spawnSync(process.execPath, ['src/main.ts'], { env, encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 1, run.stderr);
      const cache = path.join(home, '.cache', 'incident-bot', 'node-compile-cache');
      assert.equal(statSync(cache).mode & 0o777, 0o700);
      assert.ok(readdirSync(cache).length > 0, 'the cache was written');
      assert.ok(!existsSync(path.join(home, 'node-compile-cache')), 'nothing in the temporary folder');
      // Turned off: no cache at all.
      rmSync(path.join(home, '.cache'), { recursive: true });
      const off = spawnSync(process.execPath, ['src/main.ts'], {
        env: { ...env, NODE_DISABLE_COMPILE_CACHE: '1' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(off.status, 1, off.stderr);
      assert.ok(!existsSync(path.join(home, '.cache')));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
