// The GitHub App client (src/github/client.ts) against GitHub's own OpenAPI description
// (@octokit/openapi, excerpt in test/fixtures/specs/github/) served by Prism: every call it makes,
// the installation token @octokit/auth-app asks for included, must be one the description allows.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { useTestBot } from '../support/bot.ts';
import { pullRequestClosedPayload, signGitHub } from '../support/changes.ts';
import { testDatabases } from '../support/databases.ts';
import { GitHubAppClient } from '../../src/github/client.ts';
import { CodeHostUnavailable } from '../../src/ports/code-host.ts';
import { startPrism, type PrismHandle } from '../support/prism.ts';
import { patchedGitHubSpec } from '../support/specs.ts';

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

describe('a merged pull request through the running bot, its approvals asked of GitHub’s description (Prism)', () => {
  const SECRET = 'github-webhook-secret-contract';
  // Prism is started before the bot, which is configured with its URL.
  let prism: PrismHandle;
  before(async () => {
    prism = await startPrism(await patchedGitHubSpec());
  });
  after(() => prism.close());
  const [database] = testDatabases();
  const env = useTestBot(database!, {
    users: [],
    env: {
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_APP_ID: '123456',
      GITHUB_APP_PRIVATE_KEY: PEM,
      get GITHUB_API_URL() {
        return prism.url;
      },
    } as Record<string, string>,
  });

  test('the App configured from the environment reads the approvals, and every request is one GitHub allows', async () => {
    const body = JSON.stringify(pullRequestClosedPayload({ merged: true, number: 17 }));
    const res = await fetch(`${env.app.url}/github/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': crypto.randomUUID(),
        'x-hub-signature-256': signGitHub(body, SECRET),
      },
      body,
    });
    assert.equal(res.status, 202);
    await env.app.bot.idle();
    assert.deepEqual(prism.violations('request'), []);
    assert.deepEqual(prism.requests(), [
      'POST /app/installations/1/access_tokens',
      'GET /repos/Codertocat/Hello-World/pulls/17/reviews',
    ]);
    const [change] = await env.app.bot.db.prisma.changeEvent.findMany();
    // GitHub's example review: octocat approved.
    assert.deepEqual(change?.approvers, ['octocat']);
  });
});
