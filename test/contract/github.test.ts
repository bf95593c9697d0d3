// The GitHub App client (src/github/client.ts) against GitHub's own OpenAPI description
// (@octokit/openapi, excerpt in test/fixtures/specs/github/) served by Prism: every call it makes,
// the installation token @octokit/auth-app asks for included, must be one the description allows.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { GitHubAppClient } from '../../src/github/client.ts';
import { CodeHostUnavailable } from '../../src/ports/code-host.ts';
import { startPrism, type PrismHandle } from '../support/prism.ts';
import { patchedGitHubSpec } from '../support/specs.ts';

/**
 * GitHub answers `Content-Type: application/json; charset=utf-8` whatever vendor media type was
 * asked for; Prism answers with the type asked for (see patchGitHubSpec), which Octokit would not
 * read as JSON. This puts GitHub's header back on Prism's answers; the requests are untouched.
 */
const asGitHubAnswers: typeof fetch = async (url, init) => {
  const res = await fetch(url, init);
  const type = res.headers.get('content-type') ?? '';
  if (!/^application\/vnd\.github\.[a-z0-9.-]+\+json/.test(type)) return res;
  const headers = new Headers(res.headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
};

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

describe('GitHub App client against GitHub’s OpenAPI description (Prism)', () => {
  let prism: PrismHandle;
  let client: GitHubAppClient;
  before(async () => {
    prism = await startPrism(await patchedGitHubSpec());
    // The key as an environment variable often holds it: on one line, with \n escapes.
    client = new GitHubAppClient({
      appId: '123456',
      privateKey: PEM.replace(/\n/g, '\\n'),
      apiUrl: prism.url,
      fetch: asGitHubAnswers,
    });
  });
  after(() => prism.close());

  test('approvals: an installation token for the repository, then the pull request’s reviews', async () => {
    const approvals = await client.approvals({ repository: 'acme/ehr-api', number: 42, installationId: 7 });
    assert.deepEqual(prism.violations('request'), []);
    assert.deepEqual(prism.requests(), [
      'POST /app/installations/7/access_tokens',
      'GET /repos/acme/ehr-api/pulls/42/reviews',
    ]);
    // GitHub's example review approves.
    assert.ok(approvals.length >= 1);
    assert.ok(approvals.every((a) => typeof a.login === 'string' && a.login.length > 0));
    const token = prism.log.find((l) => l.msg === 'Request received' && l.input?.url.path.endsWith('/access_tokens'));
    assert.deepEqual(token?.input?.body, { repositories: ['ehr-api'], permissions: { pull_requests: 'read' } });
    assert.match(String(token?.input?.headers?.authorization), /^bearer ey/i, 'the app JWT');
  });

  test('reviewDeployment: the protection rule answered through its callback URL on GITHUB_API_URL', async () => {
    const before = prism.requests().length;
    await client.reviewDeployment({
      callbackUrl: `${prism.url}/repos/acme/ehr-api/actions/runs/987654/deployment_protection_rule`,
      installationId: 7,
      environment: 'production',
      state: 'rejected',
      comment: 'Change freeze: INC-12 is a SEV1',
    });
    assert.deepEqual(prism.violations('request'), []);
    const made = prism.requests().slice(before);
    assert.equal(made.at(-1), 'POST /repos/acme/ehr-api/actions/runs/987654/deployment_protection_rule');
    const call = prism.log.filter((l) => l.msg === 'Request received').at(-1);
    assert.deepEqual(call?.input?.body, {
      environment_name: 'production',
      state: 'rejected',
      comment: 'Change freeze: INC-12 is a SEV1',
    });
  });

  test('a callback URL anywhere else is refused without a request', async () => {
    const before = prism.requests().length;
    for (const callbackUrl of [
      'https://evil.example/repos/acme/ehr-api/actions/runs/1/deployment_protection_rule',
      `${prism.url}/repos/acme/ehr-api/actions/runs/1/deployment_protection_rule?x=1`,
      `${prism.url}/repos/acme/ehr-api/actions/runs/1/approve`,
      `${prism.url}/repos/acme/../../app/installations/1/access_tokens`,
      `${prism.url.replace('http://', 'http://user:pw@')}/repos/acme/ehr-api/actions/runs/1/deployment_protection_rule`,
      'not a url',
    ]) {
      await assert.rejects(
        client.reviewDeployment({
          callbackUrl,
          installationId: 7,
          environment: 'production',
          state: 'approved',
          comment: 'ok',
        }),
        CodeHostUnavailable,
        callbackUrl,
      );
    }
    assert.equal(prism.requests().length, before);
  });

  test('without an installation, or when GitHub cannot be reached: CodeHostUnavailable', async () => {
    await assert.rejects(
      client.approvals({ repository: 'acme/ehr-api', number: 1, installationId: null }),
      CodeHostUnavailable,
    );
    const down = new GitHubAppClient({ appId: 1, privateKey: PEM, apiUrl: 'http://127.0.0.1:9' });
    await assert.rejects(
      down.approvals({ repository: 'acme/ehr-api', number: 1, installationId: 3 }),
      CodeHostUnavailable,
    );
  });
});
