// The reliability settings: defaults as documented, and values that would be unsafe refused with
// one line naming the variable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

const base = {
  SLACK_BOT_TOKEN: 'xoxb-1',
  SLACK_SIGNING_SECRET: 'secret-12345',
  INCIDENT_BROADCAST_CHANNEL: 'C0123ABCD',
};

test('retry interval, lease and shutdown timeout default to 30 s, 120 s and 25 s', () => {
  const c = loadConfig(base);
  assert.equal(c.PROVISION_RETRY_SECONDS, 30);
  assert.equal(c.PROVISION_LEASE_SECONDS, 120);
  assert.equal(c.SHUTDOWN_TIMEOUT_SECONDS, 25);
  const set = loadConfig({
    ...base,
    PROVISION_RETRY_SECONDS: '5',
    PROVISION_LEASE_SECONDS: '60',
    SHUTDOWN_TIMEOUT_SECONDS: '10',
  });
  assert.deepEqual(
    [set.PROVISION_RETRY_SECONDS, set.PROVISION_LEASE_SECONDS, set.SHUTDOWN_TIMEOUT_SECONDS],
    [5, 60, 10],
  );
});

test('unsafe or malformed values are refused, naming the variable', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PROVISION_LEASE_SECONDS: '2' }, /PROVISION_LEASE_SECONDS must be at least 5 seconds/],
    [{ PROVISION_RETRY_SECONDS: '0' }, /PROVISION_RETRY_SECONDS must be at least 1 second/],
    [{ PROVISION_RETRY_SECONDS: 'soon' }, /PROVISION_RETRY_SECONDS must be a number of seconds/],
    [{ SHUTDOWN_TIMEOUT_SECONDS: '1.5' }, /SHUTDOWN_TIMEOUT_SECONDS/],
    [{ SHUTDOWN_TIMEOUT_SECONDS: '9000' }, /SHUTDOWN_TIMEOUT_SECONDS must be at most 600 seconds/],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => loadConfig({ ...base, ...env }),
      (err: unknown) => err instanceof ConfigError && message.test(err.message),
      JSON.stringify(env),
    );
  }
});
