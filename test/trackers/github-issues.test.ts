// The GitHub Issues tracker (src/trackers/github-issues.ts) against a local stand-in for GitHub's API
// (test/support/github-standin.ts): the installation found and tokens narrowed, issues opened, found
// again after a lost answer, changed (state, assignee, the body's Due line), people matched through
// the organisation's SAML identities or verified emails then the catalog, every failure a
// TrackerUnavailable, and an issue deleted or transferred a TrackerIssueGone.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type CatalogSnapshot, EMPTY_CATALOG } from '../../src/domain/catalog.ts';
import { trackerIssueDraft, type TrackerIssueDraft } from '../../src/domain/trackers.ts';
import { GitHubAppClient } from '../../src/github/client.ts';
import type { Logger } from '../../src/logger.ts';
import { TrackerIssueGone, TrackerUnavailable } from '../../src/ports/issue-tracker.ts';
import {
  answeredRepositories,
  DIRECTORY_TTL_MS,
  dueInBody,
  GitHubIssues,
  gitHubIssuesFromConfig,
  hasMarker,
  repositoryOf,
  withDue,
} from '../../src/trackers/github-issues.ts';
import { type GitHubStandin, startGitHubStandin } from '../support/github-standin.ts';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

function draft(id: string, o: { due?: string | null; assignee?: string | null } = {}): TrackerIssueDraft {
  return trackerIssueDraft(
    {
      id,
      number: 12,
      text: 'Add a canary check to the EHR sync job',
      due: o.due === undefined ? '2026-12-20' : o.due,
      priority: 'high',
      category: 'guardrail',
      incidentNumber: 42,
      incidentTitle: 'EHR sync stalled',
      incidentPrivate: false,
      team: 'platform',
    },
    {
      incidentLink: 'https://slack.example/archives/C1',
      service: 'ehr-sync',
      assignee: o.assignee ? { id: o.assignee, name: o.assignee, email: null } : null,
      ownerName: null,
    },
  );
}

const logs: { level: string; msg?: string; obj: object }[] = [];
const logger: Logger = {
  debug: (obj, msg) => logs.push({ level: 'debug', obj, msg }),
  info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
  warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
  error: (obj, msg) => logs.push({ level: 'error', obj, msg }),
};

describe('GitHubIssues against a stand-in for GitHub', () => {
  let gh: GitHubStandin;
  let catalog: CatalogSnapshot;
  let now: number;
  let tracker: GitHubIssues;
  before(async () => {
    gh = await startGitHubStandin();
  });
  after(() => gh.close());
  beforeEach(() => {
    gh.requests.length = 0;
    gh.issues.length = 0;
    gh.failures.clear();
    gh.installed.clear();
    gh.installed.add('acme/ops');
    gh.saml = [];
    gh.members = [];
    gh.graphqlForbidden = false;
    gh.graphqlPage = 100;
    logs.length = 0;
    catalog = EMPTY_CATALOG;
    now = Date.parse('2026-12-05T10:00:00Z');
    tracker = new GitHubIssues({
      app: new GitHubAppClient({ appId: '123', privateKey: PEM, apiUrl: gh.url }),
      catalog: () => catalog,
      logger,
      now: () => now,
    });
  });

  test('create: the installation asked as the App, a token for the one repository and issues, then the issue', async () => {
    const d = draft('item-1', { assignee: 'octocat' });
    const issue = await tracker.create('acme/ops', d);
    assert.deepEqual(issue, { id: '1', key: 'acme/ops#1', url: 'https://github.example/acme/ops/issues/1' });
    assert.deepEqual(gh.calls(), [
      'GET /repos/acme/ops/installation',
      'POST /app/installations/7/access_tokens',
      'POST /repos/acme/ops/issues',
    ]);
    assert.match(String(gh.requests[0]!.authorization), /^bearer ey/, 'the App JWT');
    assert.deepEqual(gh.requests[1]!.body, {
      repositories: ['ops'],
      permissions: { issues: 'write', metadata: 'read' },
    });
    assert.match(String(gh.requests[2]!.authorization), /^token ghs_7_/);
    assert.deepEqual(gh.requests[2]!.body, {
      title: d.title,
      body: d.body,
      labels: ['incident-action', 'priority:high', 'category:guardrail'],
      assignees: ['octocat'],
    });
    assert.match(d.body, /^Due: 2026-12-20$/m);
    // The installation is remembered; auth-app keeps the token.
    await tracker.create('acme/ops', draft('item-2'));
    assert.deepEqual(gh.calls().slice(3), ['POST /repos/acme/ops/issues']);
    assert.equal((gh.requests[3]!.body as { assignees?: unknown }).assignees, undefined, 'nobody to assign');
  });

  test('create: an assignee GitHub refuses (422) opens the issue unassigned, and says so in the log', async () => {
    const issue = await tracker.create('acme/ops', draft('item-1', { assignee: 'nobody-here' }));
    assert.equal(issue.key, 'acme/ops#1');
    assert.equal(gh.issues.length, 1);
    assert.deepEqual(gh.issues[0]!.assignees, []);
    assert.ok(logs.some((l) => l.level === 'warn' && /refused the assignee/.test(l.msg ?? '')));
  });

  test('findByMarker: after a create whose answer was lost, the issue is found again (and only that one)', async () => {
    await tracker.create('acme/ops', draft('item-10'));
    gh.loseNextCreate = true;
    const since = new Date(Date.now() - 60_000);
    await assert.rejects(tracker.create('acme/ops', draft('item-1')), (err: Error) => {
      assert.ok(err instanceof TrackerUnavailable);
      assert.match(err.message, /^GitHub: opening an issue in acme\/ops failed \(no answer/);
      return true;
    });
    assert.equal(gh.issues.length, 2, 'GitHub made it all the same');
    gh.requests.length = 0;
    const found = await tracker.findByMarker('acme/ops', 'incident-bot:action-item:item-1', since);
    assert.deepEqual(found, { id: '2', key: 'acme/ops#2', url: 'https://github.example/acme/ops/issues/2' });
    assert.deepEqual(gh.calls(), ['GET /app', 'GET /repos/acme/ops/issues']);
    assert.deepEqual(gh.requests[1]!.query, {
      labels: 'incident-action',
      state: 'all',
      since: since.toISOString(),
      creator: 'incident-bot[bot]',
      sort: 'created',
      direction: 'desc',
      per_page: '100',
      page: '1',
    });
    // item-1 is a prefix of item-10's marker: not taken for it.
    assert.equal((await tracker.findByMarker('acme/ops', 'incident-bot:action-item:item-1', since))?.id, '2');
    assert.equal((await tracker.findByMarker('acme/ops', 'incident-bot:action-item:item-10', since))?.id, '1');
    assert.equal(await tracker.findByMarker('acme/ops', 'incident-bot:action-item:item-2', since), null);
  });

  test('findByMarker reads a few pages at most', async () => {
    for (let i = 0; i < 350; i++)
      gh.issues.push({
        number: i + 1,
        repo: 'acme/ops',
        title: 't',
        body: `<!-- incident-bot:action-item:old-${i} -->`,
        labels: ['incident-action'],
        assignees: [],
        state: 'open',
        state_reason: null,
        user: 'incident-bot[bot]',
        comments: [],
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      });
    assert.equal(await tracker.findByMarker('acme/ops', 'incident-bot:action-item:old-0', new Date(0)), null);
    assert.deepEqual(
      gh.requests.filter((r) => r.path === '/repos/acme/ops/issues').map((r) => r.query.page),
      ['1', '2', '3'],
    );
    assert.equal((await tracker.findByMarker('acme/ops', 'incident-bot:action-item:old-100', new Date(0)))?.id, '101');
  });

  test('update: closed and reopened with their reasons, assigned and unassigned, re-dated in the body', async () => {
    const issue = await tracker.create('acme/ops', draft('item-1'));
    gh.requests.length = 0;
    await tracker.update('acme/ops', issue, { state: 'closed' });
    assert.deepEqual(gh.requests.at(-1)!.body, { state: 'closed', state_reason: 'completed' });
    assert.equal(gh.issues[0]!.state, 'closed');
    await tracker.update('acme/ops', issue, {
      state: 'open',
      assignee: { id: 'octocat', name: 'octocat', email: null },
    });
    assert.deepEqual(gh.requests.at(-1)!.body, { state: 'open', state_reason: 'reopened', assignees: ['octocat'] });
    await tracker.update('acme/ops', issue, { assignee: null });
    assert.deepEqual(gh.requests.at(-1)!.body, { assignees: [] });
    assert.deepEqual(gh.issues[0]!.assignees, []);
    gh.requests.length = 0;
    await tracker.update('acme/ops', issue, { due: '2027-01-15' });
    assert.deepEqual(gh.calls(), ['GET /repos/acme/ops/issues/1', 'PATCH /repos/acme/ops/issues/1']);
    const body = gh.issues[0]!.body!;
    assert.match(body, /^Due: 2027-01-15$/m);
    assert.doesNotMatch(body, /2026-12-20/);
    assert.equal(body.replace('Due: 2027-01-15', 'Due: 2026-12-20'), draft('item-1').body, 'the rest kept');
    await tracker.update('acme/ops', issue, { due: null });
    assert.match(gh.issues[0]!.body!, /^Due: none$/m);
    // Nothing to change: no request at all; the same due again: read, not written.
    gh.requests.length = 0;
    await tracker.update('acme/ops', issue, {});
    await tracker.update('acme/ops', issue, { due: null });
    assert.deepEqual(gh.calls(), ['GET /repos/acme/ops/issues/1']);
  });

  test('update: a comment is added after the changes, alone when there are none', async () => {
    const issue = await tracker.create('acme/ops', draft('item-1'));
    gh.requests.length = 0;
    await tracker.update('acme/ops', issue, {
      comment: 'Reminders about ACT-12 are snoozed in Slack until 2026-12-24.',
    });
    await tracker.update('acme/ops', issue, { state: 'closed', comment: 'Done in Slack.' });
    await tracker.update('acme/ops', issue, { comment: '   ' });
    assert.deepEqual(gh.calls(), [
      'POST /repos/acme/ops/issues/1/comments',
      'PATCH /repos/acme/ops/issues/1',
      'POST /repos/acme/ops/issues/1/comments',
    ]);
    assert.deepEqual(gh.issues[0]!.comments, [
      'Reminders about ACT-12 are snoozed in Slack until 2026-12-24.',
      'Done in Slack.',
    ]);
    assert.deepEqual(gh.requests[0]!.body, { body: 'Reminders about ACT-12 are snoozed in Slack until 2026-12-24.' });
  });

  test('user mapping: the organisation’s SAML identities, then verified emails, then the catalog', async () => {
    catalog = {
      ...EMPTY_CATALOG,
      users: [
        { ref: 'user:default/ann', name: 'ann', email: 'Ann@Acme.example', githubLogin: 'ann-gh' },
        { ref: 'user:default/bob', name: 'bob', email: 'bob@acme.example', githubLogin: null },
        { ref: 'user:default/fay', name: 'fay', email: 'fay@acme.example', githubLogin: 'fay-gh' },
      ],
    };
    gh.saml = [
      { nameId: 'bob@acme.example', login: 'bob-gh' },
      { nameId: 'not-an-email', login: 'weird' },
      { nameId: 'cat@acme.example', login: 'cat-gh' },
      { nameId: 'ann@acme.example', login: 'ann-org' },
    ];
    gh.graphqlPage = 2;
    gh.members = [{ login: 'dan-gh', emails: ['dan@acme.example'] }];
    // The directory is asked first, and wins over the catalog when both know the email.
    assert.deepEqual(await tracker.userByEmail('acme/ops', 'Ann@Acme.example'), {
      id: 'ann-org',
      name: 'ann-org',
      email: 'Ann@Acme.example',
    });
    assert.deepEqual(gh.calls(), [
      'GET /repos/acme/ops/installation',
      'POST /app/installations/7/access_tokens',
      'POST /graphql',
      'POST /graphql',
      'POST /graphql',
    ]);
    assert.deepEqual(gh.requests[1]!.body, { repositories: ['ops'], permissions: { members: 'read' } });
    assert.deepEqual((gh.requests[3]!.body as { variables: unknown }).variables, { org: 'acme', after: '2' });
    assert.deepEqual(await tracker.userByEmail('acme/ops', 'BOB@acme.example'), {
      id: 'bob-gh',
      name: 'bob-gh',
      email: 'BOB@acme.example',
    });
    assert.equal((await tracker.userByEmail('acme/ops', 'cat@acme.example'))?.id, 'cat-gh', 'the second page');
    assert.equal((await tracker.userByEmail('acme/ops', 'dan@acme.example'))?.id, 'dan-gh', 'a verified email');
    // No match in the directory: the catalog's User.
    assert.deepEqual(await tracker.userByEmail('acme/ops', 'fay@acme.example'), {
      id: 'fay-gh',
      name: 'fay-gh',
      email: 'fay@acme.example',
    });
    assert.equal(await tracker.userByEmail('acme/ops', 'eve@acme.example'), null);
    assert.equal(gh.calls().length, 5, 'the directory is kept');
    // emailOf: what the user carries, the directory, the catalog.
    assert.equal(await tracker.emailOf('acme/ops', { id: 'x', name: 'x', email: 'x@acme.example' }), 'x@acme.example');
    assert.equal(
      await tracker.emailOf('acme/ops', { id: 'ANN-org', name: 'ann-org', email: null }),
      'ann@acme.example',
    );
    assert.equal(await tracker.emailOf('acme/ops', { id: 'cat-gh', name: 'cat-gh', email: null }), 'cat@acme.example');
    assert.equal(await tracker.emailOf('acme/ops', { id: 'ANN-gh', name: 'ann-gh', email: null }), 'Ann@Acme.example');
    assert.equal(await tracker.emailOf('acme/ops', { id: 'weird', name: 'weird', email: null }), null);
    // An hour on, it is read again.
    now += DIRECTORY_TTL_MS;
    gh.saml = [{ nameId: 'eve@acme.example', login: 'eve-gh' }];
    assert.equal((await tracker.userByEmail('acme/ops', 'eve@acme.example'))?.id, 'eve-gh');
  });

  test('user mapping: lookups at the same time share one read of the directory', async () => {
    gh.saml = [
      { nameId: 'bob@acme.example', login: 'bob-gh' },
      { nameId: 'cat@acme.example', login: 'cat-gh' },
    ];
    const [bob, cat, none] = await Promise.all([
      tracker.userByEmail('acme/ops', 'bob@acme.example'),
      tracker.userByEmail('acme/ops', 'cat@acme.example'),
      tracker.userByEmail('acme/ops', 'nobody@acme.example'),
    ]);
    assert.deepEqual([bob?.id, cat?.id, none], ['bob-gh', 'cat-gh', null]);
    assert.equal(gh.calls().filter((c) => c === 'POST /graphql').length, 2, 'SAML once, members once');
  });

  test('user mapping: GraphQL refused (no Members permission, no SAML) falls back quietly to the catalog', async () => {
    catalog = {
      ...EMPTY_CATALOG,
      users: [{ ref: 'user:default/ann', name: 'ann', email: 'ann@acme.example', githubLogin: 'ann-gh' }],
    };
    gh.graphqlForbidden = true;
    assert.equal(await tracker.userByEmail('acme/ops', 'bob@acme.example'), null);
    assert.equal((await tracker.userByEmail('acme/ops', 'ann@acme.example'))?.id, 'ann-gh');
    assert.ok(logs.some((l) => l.level === 'info' && /SAML identities could not be read/.test(l.msg ?? '')));
    assert.ok(logs.every((l) => l.level !== 'error'));
    // No token at all (the App lacks Members: read): the same (a new client: auth-app keeps the last token).
    gh.failures.set('POST /app/installations', 422);
    const noMembers = new GitHubIssues({
      app: new GitHubAppClient({ appId: '123', privateKey: PEM, apiUrl: gh.url }),
      catalog: () => catalog,
      logger,
    });
    assert.equal(await noMembers.userByEmail('acme/ops', 'bob@acme.example'), null);
    assert.equal((await noMembers.userByEmail('acme/ops', 'ann@acme.example'))?.id, 'ann-gh');
    assert.ok(logs.some((l) => /no token to read the organisation/.test(l.msg ?? '')));
    // No SAML, members readable: verified emails still answer.
    gh.failures.clear();
    gh.graphqlForbidden = false;
    gh.saml = null;
    gh.members = [{ login: 'bob-gh', emails: ['bob@acme.example'] }];
    now += DIRECTORY_TTL_MS;
    assert.equal((await tracker.userByEmail('acme/ops', 'bob@acme.example'))?.id, 'bob-gh');
  });

  test('selfLogin: the App’s slug as its bot, asked once; null (logged) when GitHub cannot say', async () => {
    assert.equal(await tracker.selfLogin(), 'incident-bot[bot]');
    assert.equal(await tracker.selfLogin(), 'incident-bot[bot]');
    assert.deepEqual(gh.calls(), ['GET /app']);
    assert.match(String(gh.requests[0]!.authorization), /^bearer ey/);
    const other = new GitHubIssues({
      app: new GitHubAppClient({ appId: '123', privateKey: PEM, apiUrl: gh.url }),
      catalog: () => EMPTY_CATALOG,
      logger,
    });
    gh.failures.set('GET /app', 401);
    assert.equal(await other.selfLogin(), null);
    assert.ok(logs.some((l) => l.level === 'warn' && (l.obj as { reason?: string }).reason === 'HTTP 401'));
  });

  test('an issue gone: 404 or 410 on the issue, or transferred to another repository, is TrackerIssueGone', async () => {
    const gone = async (p: Promise<unknown>, message: RegExp) =>
      assert.rejects(p, (err: Error) => {
        assert.ok(err instanceof TrackerIssueGone, String(err));
        assert.ok(err instanceof TrackerUnavailable, 'still a TrackerUnavailable for callers that only know that');
        assert.match(err.message, message);
        return true;
      });
    const deleted = { id: '9', key: 'acme/ops#9', url: 'https://github.example/acme/ops/issues/9' };
    // Deleted (GitHub answers 404 to the App): the PATCH, the GET of the body, the comment.
    await gone(tracker.update('acme/ops', deleted, { state: 'closed' }), /^GitHub: acme\/ops#9 is gone \(HTTP 404\)$/);
    await gone(tracker.update('acme/ops', deleted, { due: '2027-01-01' }), /is gone \(HTTP 404\)/);
    await gone(tracker.update('acme/ops', deleted, { comment: 'hello' }), /is gone \(HTTP 404\)/);
    // 410 Gone, on each call.
    const issue = await tracker.create('acme/ops', draft('item-1'));
    for (const [failing, update] of [
      ['PATCH /repos/acme/ops/issues/1', { state: 'closed' }],
      ['GET /repos/acme/ops/issues/1', { due: '2027-01-01' }],
      ['POST /repos/acme/ops/issues/1/comments', { comment: 'hello' }],
    ] as const) {
      gh.failures.clear();
      gh.failures.set(failing, 410);
      await gone(tracker.update('acme/ops', issue, update), /^GitHub: acme\/ops#1 is gone \(HTTP 410\)$/);
    }
    gh.failures.clear();
    // Transferred: GitHub sends the old address on (301) to the issue in its new repository.
    gh.installed.add('acme/elsewhere');
    const moved = await tracker.create('acme/elsewhere', draft('item-2'));
    gh.issues[0]!.movedTo = { repo: 'acme/elsewhere', number: Number(moved.id) };
    const calls = gh.requests.length;
    for (const update of [{ state: 'closed' as const }, { due: '2027-01-01' }])
      await gone(
        tracker.update('acme/ops', issue, update),
        /^GitHub: acme\/ops#1 is gone \(it is now in acme\/elsewhere\)$/,
      );
    // A comment's POST is not sent on (it would become a GET): the 301 itself says it moved, nothing posted.
    await gone(
      tracker.update('acme/ops', issue, { comment: 'hello' }),
      /^GitHub: acme\/ops#1 is gone \(HTTP 301: moved elsewhere\)$/,
    );
    assert.deepEqual(
      gh.calls().slice(calls),
      [
        'PATCH /repos/acme/ops/issues/1',
        'PATCH /repos/acme/elsewhere/issues/2',
        'GET /repos/acme/ops/issues/1',
        'GET /repos/acme/elsewhere/issues/2',
        'POST /repos/acme/ops/issues/1/comments',
      ],
      'GET and PATCH sent on by the 301 (the answer tells), the comment not',
    );
    assert.deepEqual(gh.issues[1]!.comments, []);
    // The repository's installation missing (the App), or a create refused: not the issue gone.
    const other = { id: '1', key: 'acme/nowhere#1', url: 'https://github.example/acme/nowhere/issues/1' };
    const unavailable = async (p: Promise<unknown>) =>
      assert.rejects(p, (err: Error) => {
        assert.ok(err instanceof TrackerUnavailable, String(err));
        assert.ok(!(err instanceof TrackerIssueGone), String(err));
        return true;
      });
    await unavailable(tracker.update('acme/nowhere', other, { state: 'closed' }));
    gh.failures.set('POST /repos/acme/ops/issues', 404);
    await unavailable(tracker.create('acme/ops', draft('item-3')));
    gh.failures.set('POST /repos/acme/ops/issues', 410);
    await unavailable(tracker.create('acme/ops', draft('item-3')));
  });

  test('answeredRepositories: the repositories an answer names, whatever its host', () => {
    assert.deepEqual(
      answeredRepositories({
        repository_url: 'https://api.github.com/repos/Acme/Ops',
        html_url: 'https://github.com/acme/ops/issues/3',
      }),
      ['acme/ops', 'acme/ops'],
    );
    assert.deepEqual(
      answeredRepositories({
        html_url: 'https://ghe.example/acme/ops/issues/3#issuecomment-1',
        issue_url: 'https://ghe.example/api/v3/repos/acme/other/issues/3',
      }),
      ['acme/other', 'acme/ops'],
    );
    assert.deepEqual(answeredRepositories({ html_url: 'not a url' }), []);
    assert.deepEqual(answeredRepositories(null), []);
    assert.deepEqual(answeredRepositories([{ id: 1 }]), []);
  });

  test('failures are TrackerUnavailable with what failed and why, never a raw Octokit error', async () => {
    const issue = { id: '1', key: 'acme/ops#1', url: 'https://github.example/acme/ops/issues/1' };
    const fails = async (p: Promise<unknown>, message: RegExp) =>
      assert.rejects(p, (err: Error) => {
        assert.ok(err instanceof TrackerUnavailable, String(err));
        assert.match(err.message, message);
        return true;
      });
    await fails(
      tracker.create('acme/elsewhere', draft('i')),
      /^the GitHub App is not installed on acme\/elsewhere \(HTTP 404\)$/,
    );
    gh.failures.set('POST /app/installations', 403);
    await fails(tracker.create('acme/ops', draft('i')), /^GitHub refused the App a token for acme\/ops \(HTTP 403\)$/);
    gh.failures.clear();
    gh.failures.set('PATCH /repos/acme/ops/issues/1', 500);
    await fails(
      tracker.update('acme/ops', issue, { state: 'closed' }),
      /^GitHub: updating acme\/ops#1 failed \(HTTP 500\)$/,
    );
    await assert.rejects(tracker.update('acme/ops', issue, { state: 'closed' }), (err: Error) => {
      assert.ok(!(err instanceof TrackerIssueGone), 'a 500 is not the issue gone');
      return true;
    });
    // The issue itself not found: gone (a TrackerUnavailable too), see 'an issue gone' below.
    await fails(tracker.update('acme/ops', issue, { due: '2027-01-01' }), /^GitHub: acme\/ops#1 is gone \(HTTP 404\)$/);
    gh.failures.set('GET /repos/acme/ops/issues', 502);
    await fails(
      tracker.findByMarker('acme/ops', 'm', new Date()),
      /^GitHub: looking for an issue in acme\/ops failed \(HTTP 502\)$/,
    );
    // Nothing is asked for a target or an issue that is not GitHub's.
    gh.requests.length = 0;
    await fails(tracker.create('acme/ops/x', draft('i')), /not a GitHub repository/);
    await fails(tracker.create('../ops', draft('i')), /not a GitHub repository/);
    await fails(
      tracker.update('acme/ops', { ...issue, id: '1/../2' }, { state: 'closed' }),
      /not a GitHub issue number/,
    );
    await fails(tracker.userByEmail('acme', 'a@b.c'), /not a GitHub repository/);
    assert.deepEqual(gh.calls(), []);
    const down = new GitHubIssues({
      app: new GitHubAppClient({ appId: '123', privateKey: PEM, apiUrl: 'http://127.0.0.1:9' }),
      catalog: () => EMPTY_CATALOG,
      logger,
    });
    await fails(down.create('acme/ops', draft('i')), /^GitHub refused the App a token for acme\/ops \(no answer/);
  });
});

describe('the body’s Due line, markers, targets', () => {
  test('dueInBody: the date, null for none or no line, undefined for what is not a date', () => {
    assert.equal(dueInBody('x\nDue: 2026-12-20\nPriority: high'), '2026-12-20');
    assert.equal(dueInBody('x\r\nDue:  2026-12-20  \r\n'), '2026-12-20');
    assert.equal(dueInBody('Due: none'), null);
    assert.equal(dueInBody('Due:'), null);
    assert.equal(dueInBody('no line'), null);
    assert.equal(dueInBody(null), null);
    assert.equal(dueInBody('Due: next week'), undefined);
    assert.equal(dueInBody('Due: 2026-02-30'), undefined);
    // The bot's one rule for a day (src/domain/time.ts): years 1970 to 9998, as a due date typed in Slack.
    assert.equal(dueInBody('Due: 9999-12-31'), undefined);
    assert.equal(dueInBody('Due: 0001-01-01'), undefined);
    assert.equal(dueInBody('Overdue: 2026-01-01'), null, 'only a line that starts Due:');
  });
  test('dueInBody and withDue: a body of 65k spaces (a ReDoS attempt) is read at once, right', () => {
    const spaces = ' '.repeat(65_000);
    assert.equal(dueInBody(`Due:${spaces}x`), undefined);
    assert.equal(dueInBody(`Due:${spaces}2026-12-20${spaces}\r\n`), '2026-12-20');
    assert.equal(dueInBody(`Due:${spaces}\t${spaces}`), null);
    assert.equal(dueInBody(`x\n${spaces}Due: 2026-12-20`), null, 'only a line that starts Due:');
    assert.equal(dueInBody(`${'Due:\n'.repeat(16_000)}Due: 2026-12-20`), null, 'the first Due line');
    assert.equal(withDue(`Due:${spaces}x\nb`, '2027-01-01'), 'Due: 2027-01-01\nb');
    assert.equal(withDue(`a${spaces}b`, null), `a${spaces}b\n\nDue: none`);
    assert.equal(withDue(`a${spaces}\n${spaces}`, null), `a\n\nDue: none`);
  });
  test('withDue: the line rewritten, or added before the marker, or at the end', () => {
    assert.equal(withDue('a\nDue: 2026-12-20\nb', '2027-01-01'), 'a\nDue: 2027-01-01\nb');
    assert.equal(withDue('a\nDue: 2026-12-20\nb', null), 'a\nDue: none\nb');
    assert.equal(
      withDue('a\n<!-- incident-bot:action-item:x -->', '2027-01-01'),
      'a\nDue: 2027-01-01\n<!-- incident-bot:action-item:x -->',
    );
    assert.equal(withDue('a\n', '2027-01-01'), 'a\n\nDue: 2027-01-01');
    assert.equal(withDue('a\r\nDue: 2026-12-20 \r\nb', '2027-01-01'), 'a\r\nDue: 2027-01-01\r\nb', 'CRLF kept');
    assert.equal(withDue(null, null), 'Due: none');
  });
  test('hasMarker: the marker itself, not a longer one it begins', () => {
    assert.ok(hasMarker('x <!-- incident-bot:action-item:ab -->', 'incident-bot:action-item:ab'));
    assert.ok(!hasMarker('x <!-- incident-bot:action-item:abc -->', 'incident-bot:action-item:ab'));
    assert.ok(hasMarker('incident-bot:action-item:abc incident-bot:action-item:ab', 'incident-bot:action-item:ab'));
    assert.ok(!hasMarker(null, 'm'));
  });
  test('repositoryOf: owner/repo only', () => {
    assert.deepEqual(repositoryOf('acme/ops'), { owner: 'acme', repo: 'ops' });
    for (const t of ['acme', 'acme/ops/x', '../ops', 'acme/..', 'acme/o ps', 'ac%2Fme/ops', '/ops'])
      assert.equal(repositoryOf(t), null, t);
  });
  test('gitHubIssuesFromConfig: only with the App configured', () => {
    const base = { GITHUB_API_URL: 'https://api.github.com' };
    assert.equal(
      gitHubIssuesFromConfig(base, () => EMPTY_CATALOG, logger),
      null,
    );
    assert.equal(
      gitHubIssuesFromConfig({ ...base, GITHUB_APP_ID: '1' }, () => EMPTY_CATALOG, logger),
      null,
    );
    const t = gitHubIssuesFromConfig(
      { ...base, GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: PEM },
      () => EMPTY_CATALOG,
      logger,
    );
    assert.ok(t instanceof GitHubIssues);
    assert.equal(t.kind, 'github');
  });
});
