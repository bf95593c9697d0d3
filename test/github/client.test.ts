// The pure parts of the GitHub App client: which reviews are approvals, which callback URLs it will
// post to, and the private key as environments carry it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deploymentCallbackOf, latestApprovals, pemFromEnv } from '../../src/github/client.ts';

const r = (login: string | null, state: string, at = '2026-12-05T10:00:00Z') => ({
  user: login ? { login } : null,
  state,
  submitted_at: at,
});

describe('latestApprovals', () => {
  test("each reviewer's latest deciding review counts; a later comment does not undo an approval", () => {
    const approvals = latestApprovals([
      r('ann', 'APPROVED'),
      r('ann', 'COMMENTED'),
      r('bob', 'APPROVED'),
      r('bob', 'CHANGES_REQUESTED'),
      r('cat', 'CHANGES_REQUESTED'),
      r('cat', 'APPROVED', '2026-12-05T11:00:00Z'),
      r('dan', 'APPROVED'),
      r('dan', 'DISMISSED'),
      r(null, 'APPROVED'),
      r('eve', 'PENDING'),
    ]);
    assert.deepEqual(approvals, [
      { login: 'ann', at: new Date('2026-12-05T10:00:00Z') },
      { login: 'cat', at: new Date('2026-12-05T11:00:00Z') },
    ]);
  });
});

describe('deploymentCallbackOf', () => {
  const path = '/repos/acme/ehr-api/actions/runs/42/deployment_protection_rule';
  test("GitHub's endpoint on GITHUB_API_URL (and under a GitHub Enterprise Server's /api/v3)", () => {
    assert.deepEqual(deploymentCallbackOf(`https://api.github.com${path}`, 'https://api.github.com'), {
      owner: 'acme',
      repo: 'ehr-api',
      runId: 42,
    });
    assert.deepEqual(deploymentCallbackOf(`https://ghe.example.org/api/v3${path}`, 'https://ghe.example.org/api/v3/'), {
      owner: 'acme',
      repo: 'ehr-api',
      runId: 42,
    });
  });
  test('anything else is refused', () => {
    for (const url of [
      `https://api.github.com.evil.example${path}`,
      `http://api.github.com${path}`,
      `https://api.github.com:8443${path}`,
      `https://x@api.github.com${path}`,
      `https://api.github.com${path}?a=1`,
      `https://api.github.com${path}#x`,
      `https://api.github.com${path}/`,
      `https://api.github.com/repos/acme/ehr-api/actions/runs/0/deployment_protection_rule`,
      `https://api.github.com/repos/acme/ehr-api/actions/runs/1e3/deployment_protection_rule`,
      `https://api.github.com/repos/acme/ehr-api/actions/runs/42/pending_deployments`,
      `https://api.github.com/repos/acme/ehr%2Fapi/actions/runs/42/deployment_protection_rule`,
      `https://ghe.example.org${path}`,
      'javascript:alert(1)',
      '',
    ]) {
      const api = url.startsWith('https://ghe') ? 'https://ghe.example.org/api/v3' : 'https://api.github.com';
      assert.equal(deploymentCallbackOf(url, api), null, url);
    }
  });
});

test('pemFromEnv: a key on one line with \\n escapes becomes lines', () => {
  assert.equal(pemFromEnv('-----BEGIN X-----\\nabc\\n-----END X-----\\n'), '-----BEGIN X-----\nabc\n-----END X-----\n');
  assert.equal(pemFromEnv('-----BEGIN X-----\nabc\n'), '-----BEGIN X-----\nabc\n');
});
