// The GitHub Issues tracker (src/trackers/github-issues.ts) against GitHub's own OpenAPI description
// (@octokit/openapi, excerpt in test/fixtures/specs/github/) served by Prism: every call it makes,
// the App's installation and installation tokens included, must be one the description allows.
// (The organisation directory is GraphQL, not in the REST description: test/trackers/github-issues.test.ts.)
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { EMPTY_CATALOG } from '../../src/domain/catalog.ts';
import { trackerIssueDraft } from '../../src/domain/trackers.ts';
import { GitHubAppClient } from '../../src/github/client.ts';
import { silentLogger } from '../../src/logger.ts';
import { TrackerIssueGone, TrackerUnavailable } from '../../src/ports/issue-tracker.ts';
import { GitHubIssues } from '../../src/trackers/github-issues.ts';
import { type PrismHandle, startPrism } from '../support/prism.ts';
import { patchedGitHubSpec } from '../support/specs.ts';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

const draft = trackerIssueDraft(
  {
    id: 'item-1',
    number: 12,
    text: 'Add a canary check to the EHR sync job',
    due: '2026-12-20',
    priority: 'high',
    category: 'guardrail',
    incidentNumber: 42,
    incidentTitle: 'EHR sync stalled',
    incidentPrivate: false,
    team: 'platform',
  },
  {
    incidentLink: null,
    service: 'ehr-sync',
    assignee: { id: 'octocat', name: 'octocat', email: null },
    ownerName: null,
  },
);

describe('GitHub Issues tracker against GitHub’s OpenAPI description (Prism)', () => {
  let prism: PrismHandle;
  let tracker: GitHubIssues;
  const received = () => prism.log.filter((l) => l.msg === 'Request received');
  before(async () => {
    prism = await startPrism(await patchedGitHubSpec());
    tracker = new GitHubIssues({
      app: new GitHubAppClient({ appId: '123456', privateKey: PEM, apiUrl: prism.url }),
      catalog: () => EMPTY_CATALOG,
      logger: silentLogger,
    });
  });
  after(() => prism.close());

  test('create: the installation asked as the App, a token for the repository and issues, the issue opened', async () => {
    const issue = await tracker.create('acme/ops', draft);
    assert.deepEqual(prism.violations('request'), []);
    assert.deepEqual(prism.requests(), [
      'GET /repos/acme/ops/installation',
      'POST /app/installations/1/access_tokens',
      'POST /repos/acme/ops/issues',
    ]);
    // GitHub's example issue.
    assert.deepEqual(issue, {
      id: '1347',
      key: 'acme/ops#1347',
      url: 'https://github.com/octocat/Hello-World/issues/1347',
    });
    const [installation, token, post] = received();
    assert.match(String(installation?.input?.headers?.authorization), /^bearer ey/i, 'the App JWT');
    assert.deepEqual(token?.input?.body, { repositories: ['ops'], permissions: { issues: 'write', metadata: 'read' } });
    assert.deepEqual(post?.input?.body, {
      title: draft.title,
      body: draft.body,
      labels: ['incident-action', 'priority:high', 'category:guardrail'],
      assignees: ['octocat'],
    });
    assert.match(String(post?.input?.headers?.authorization), /^token /);
  });

  test('findByMarker: the App’s bot, then its labelled issues since the create (GitHub’s example is not ours)', async () => {
    const start = prism.requests().length;
    const since = new Date('2026-12-05T10:00:00Z');
    assert.equal(await tracker.findByMarker('acme/ops', 'incident-bot:action-item:item-1', since), null);
    assert.deepEqual(prism.violations('request'), []);
    assert.deepEqual(prism.requests().slice(start), ['GET /app', 'GET /repos/acme/ops/issues']);
    const list = received().at(-1);
    assert.deepEqual(list?.input?.url.query, {
      labels: 'incident-action',
      state: 'all',
      since: '2026-12-05T10:00:00.000Z',
      // GitHub's example App is `octoapp`.
      creator: 'octoapp[bot]',
      sort: 'created',
      direction: 'desc',
      per_page: '100',
      page: '1',
    });
    assert.equal(await tracker.selfLogin(), 'octoapp[bot]');
  });

  // GitHub's example answers are octocat/Hello-World's issue: asked there, so the answer is the issue asked for.
  test('update: closed with its reason and unassigned; re-dated by reading the body and writing it back; a comment', async () => {
    const start = prism.requests().length;
    const issue = {
      id: '1347',
      key: 'octocat/Hello-World#1347',
      url: 'https://github.com/octocat/Hello-World/issues/1347',
    };
    await tracker.update('octocat/Hello-World', issue, { state: 'closed', assignee: null });
    await tracker.update('octocat/Hello-World', issue, {
      state: 'open',
      assignee: { id: 'octocat', name: 'octocat', email: null },
      due: '2027-01-15',
    });
    await tracker.update('octocat/Hello-World', issue, {
      comment: 'Reminders about ACT-12 are snoozed in Slack until 2026-12-24.',
    });
    assert.deepEqual(prism.violations('request'), []);
    assert.deepEqual(prism.requests().slice(start), [
      'GET /repos/octocat/Hello-World/installation',
      'POST /app/installations/1/access_tokens',
      'PATCH /repos/octocat/Hello-World/issues/1347',
      'GET /repos/octocat/Hello-World/issues/1347',
      'PATCH /repos/octocat/Hello-World/issues/1347',
      'POST /repos/octocat/Hello-World/issues/1347/comments',
    ]);
    assert.deepEqual(received().at(-1)?.input?.body, {
      body: 'Reminders about ACT-12 are snoozed in Slack until 2026-12-24.',
    });
    const patches = received()
      .filter((l) => l.input?.method === 'patch')
      .map((l) => l.input?.body);
    assert.deepEqual(patches[0], { state: 'closed', state_reason: 'completed', assignees: [] });
    // GitHub's example body has no Due line: it is added.
    assert.deepEqual(patches[1], {
      state: 'open',
      state_reason: 'reopened',
      assignees: ['octocat'],
      body: "I'm having a problem with this.\n\nDue: 2027-01-15",
    });
  });

  test('update: an answer about an issue in another repository than asked is the issue transferred (gone)', async () => {
    const issue = { id: '1347', key: 'acme/ops#1347', url: 'https://github.com/acme/ops/issues/1347' };
    for (const update of [{ state: 'closed' as const }, { due: '2027-01-15' }, { comment: 'hello' }])
      await assert.rejects(tracker.update('acme/ops', issue, update), (err: Error) => {
        assert.ok(err instanceof TrackerIssueGone, String(err));
        assert.match(err.message, /^GitHub: acme\/ops#1347 is gone \(it is now in octocat\/hello-world\)$/);
        return true;
      });
    assert.deepEqual(prism.violations('request'), []);
  });

  test('GitHub out of reach: a TrackerUnavailable, never an Octokit error', async () => {
    const down = new GitHubIssues({
      app: new GitHubAppClient({ appId: '123456', privateKey: PEM, apiUrl: 'http://127.0.0.1:9' }),
      catalog: () => EMPTY_CATALOG,
      logger: silentLogger,
    });
    await assert.rejects(down.create('acme/ops', draft), TrackerUnavailable);
  });
});
