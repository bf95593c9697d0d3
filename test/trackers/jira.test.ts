// JiraCloud (src/trackers/jira.ts) against a small stateful stand-in for Jira Cloud's REST API: what
// it does with what Jira answers (a screen without Priority, workflows and their transitions, people
// who hide their email, pages of search results, refusals, silence). The requests themselves are
// checked against Jira's spec in test/contract/jira.test.ts.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { TrackerIssueDraft } from '../../src/domain/trackers.ts';
import { silentLogger } from '../../src/logger.ts';
import { TrackerIssueGone, TrackerUnavailable } from '../../src/ports/issue-tracker.ts';
import { JIRA_STANDIN_TOKEN, JiraStandIn, STATUSES } from '../support/jira-standin.ts';
import { adfDescription, adfText, JiraCloud, JiraRefused, jiraFromConfig, jiraLabel } from '../../src/trackers/jira.ts';

const TOKEN = JIRA_STANDIN_TOKEN;

const draft = (over: Partial<TrackerIssueDraft> = {}): TrackerIssueDraft => ({
  title: 'ACT-3: Page the database team on replica lag',
  body: 'Page the database team on replica lag\n\nFrom the post-incident review of **INC-9**: Slow orders\n\nIncident: https://acme.slack.com/archives/C9\n<!-- incident-bot:action-item:aaa -->',
  labels: ['incident-action', 'priority:medium', 'category:detection'],
  due: '2027-01-10',
  priority: 'medium',
  assignee: null,
  marker: 'incident-bot:action-item:aaa',
  ...over,
});

describe('JiraCloud against a stand-in Jira', () => {
  const jiraSide = new JiraStandIn();
  let server: Server;
  let base: string;
  let jira: JiraCloud;
  const paths = () => jiraSide.requests.map((r) => `${r.method} ${r.path}`);

  before(async () => {
    server = createServer((req, res) => void jiraSide.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    jiraSide.issues = [];
    jiraSide.next = 10001;
    jiraSide.users = [];
    jiraSide.requests = [];
    jiraSide.failures = [];
    jiraSide.priorityOnScreen = true;
    jiraSide.assignable = new Set(['acc-anna', 'acc-bo']);
    jiraSide.delayMs = 0;
    jiraSide.workflow = { new: ['progress', 'done'], indeterminate: ['todo', 'done'], done: ['todo', 'progress'] };
    jira = new JiraCloud({
      baseUrl: `${base}/`,
      email: 'bot@example.com',
      apiToken: TOKEN,
      issueType: 'Task',
      timeoutMs: 300,
    });
  });

  test('create opens the issue with its fields; findByMarker finds it again from its description', async () => {
    const issue = await jira.create('OPS', draft({ assignee: { id: 'acc-anna', name: 'Anna', email: null } }));
    assert.deepEqual(issue, { id: '10001', key: 'OPS-1', url: `${base}/browse/OPS-1` });
    const fields = jiraSide.issues[0]!.fields;
    assert.deepEqual(fields.labels, ['incident-action', 'priority-medium', 'category-detection']);
    assert.deepEqual(fields.priority, { name: 'Medium' });
    assert.deepEqual(fields.assignee, { accountId: 'acc-anna' });
    assert.equal(fields.duedate, '2027-01-10');
    assert.equal(fields.summary, 'ACT-3: Page the database team on replica lag');
    const text = adfText(fields.description);
    assert.ok(!text.includes('<!--'), 'the HTML comment is not shown');
    assert.equal(text.split('\n').at(-1), 'incident-bot:action-item:aaa');
    assert.deepEqual(await jira.findByMarker('OPS', 'incident-bot:action-item:aaa', new Date()), issue);
    assert.equal(await jira.findByMarker('OPS', 'incident-bot:action-item:bbb', new Date()), null);
    assert.equal(await jira.findByMarker('WEB', 'incident-bot:action-item:aaa', new Date()), null);
  });

  test('findByMarker reads further pages, a bounded number of them', async () => {
    await jira.create('OPS', draft({ marker: 'incident-bot:action-item:first' }));
    for (let i = 0; i < 60; i++) await jira.create('OPS', draft({ marker: `incident-bot:action-item:n${i}` }));
    jiraSide.requests = [];
    const found = await jira.findByMarker('OPS', 'incident-bot:action-item:first', new Date(Date.now() - 60_000));
    assert.equal(found?.key, 'OPS-1');
    assert.deepEqual(paths(), ['POST /rest/api/3/search/jql', 'POST /rest/api/3/search/jql']);
    assert.equal((jiraSide.requests[1]!.body as { nextPageToken: string }).nextPageToken, '50');
    for (let i = 0; i < 200; i++) await jira.create('OPS', draft({ marker: `incident-bot:action-item:m${i}` }));
    jiraSide.requests = [];
    assert.equal(await jira.findByMarker('OPS', 'incident-bot:action-item:first', new Date()), null);
    assert.equal(jiraSide.requests.length, 4, 'at most four pages');
  });

  test('a create screen without Priority: refused once, then opened without it', async () => {
    jiraSide.priorityOnScreen = false;
    const issue = await jira.create('OPS', draft({ priority: 'high' }));
    assert.equal(issue.key, 'OPS-1');
    assert.deepEqual(paths(), ['POST /rest/api/3/issue', 'POST /rest/api/3/issue']);
    const [first, second] = jiraSide.requests.map((r) => (r.body as { fields: Record<string, unknown> }).fields);
    assert.deepEqual(first!.priority, { name: 'High' });
    assert.equal('priority' in second!, false);
    assert.deepEqual(second!.labels, first!.labels);
  });

  test('an assignee Jira will not assign: opened unassigned, and the log says so; with Priority refused too', async () => {
    const logged: string[] = [];
    const logging = new JiraCloud({
      baseUrl: base,
      email: 'bot@example.com',
      apiToken: TOKEN,
      issueType: 'Task',
      logger: { ...silentLogger, info: (_o: object, msg?: string) => void logged.push(msg ?? '') },
    });
    jiraSide.priorityOnScreen = false;
    const issue = await logging.create('OPS', draft({ assignee: { id: 'acc-gone', name: 'Gone', email: null } }));
    assert.equal(issue.key, 'OPS-1');
    assert.deepEqual(paths(), ['POST /rest/api/3/issue', 'POST /rest/api/3/issue', 'POST /rest/api/3/issue']);
    const stored = jiraSide.issues[0]!.fields;
    assert.equal('assignee' in stored || 'priority' in stored, false);
    assert.deepEqual(logged, [
      'Jira refused the priority of a new issue in OPS: opened without it',
      'Jira refused the assignee of a new issue in OPS: opened without it',
    ]);
  });

  test('another refusal of a create is not retried: TrackerUnavailable with what Jira said', async () => {
    jiraSide.failures.push({
      status: 400,
      body: { errorMessages: [], errors: { issuetype: 'Specify a valid issue type' } },
    });
    await assert.rejects(jira.create('OPS', draft()), (err: Error) => {
      assert.ok(err instanceof TrackerUnavailable);
      assert.match(err.message, /HTTP 400: issuetype: Specify a valid issue type/);
      return true;
    });
    assert.deepEqual(paths(), ['POST /rest/api/3/issue']);
  });

  test('close and reopen through the workflow: a Done transition; back to To Do first, else In Progress', async () => {
    const issue = await jira.create('OPS', draft());
    const stored = jiraSide.issues[0]!;
    await jira.update('OPS', issue, { state: 'closed' });
    assert.equal(stored.status.name, 'Done');
    assert.deepEqual(jiraSide.requests.at(-1)!.body as object, { transition: { id: 't-done' } });

    await jira.update('OPS', issue, { state: 'open' });
    assert.equal(stored.status.name, 'To Do', 'To Do is preferred');

    stored.status = STATUSES.done!;
    jiraSide.workflow.done = ['progress'];
    await jira.update('OPS', issue, { state: 'open' });
    assert.equal(stored.status.name, 'In Progress', 'In Progress when To Do cannot be reached');

    // Already where it should be: no transition.
    jiraSide.requests = [];
    await jira.update('OPS', issue, { state: 'open' });
    assert.deepEqual(paths(), [`GET /rest/api/3/issue/${issue.id}`]);
    stored.status = STATUSES.done!;
    jiraSide.requests = [];
    await jira.update('OPS', issue, { state: 'closed' });
    assert.deepEqual(paths(), [`GET /rest/api/3/issue/${issue.id}`]);
  });

  test('a workflow with no way to Done: TrackerUnavailable naming the transitions there are', async () => {
    const issue = await jira.create('OPS', draft());
    jiraSide.workflow.new = ['progress'];
    await assert.rejects(jira.update('OPS', issue, { state: 'closed' }), (err: Error) => {
      assert.ok(err instanceof TrackerUnavailable);
      assert.match(err.message, /OPS-1.*no transition.*Done status \(Move to In Progress\)/);
      return true;
    });
    assert.equal(jiraSide.issues[0]!.status.name, 'To Do');
  });

  test('a comment comes last, after the other changes, once', async () => {
    const issue = await jira.create('OPS', draft());
    jiraSide.requests = [];
    await jira.update('OPS', issue, {
      due: '2027-02-01',
      state: 'closed',
      comment: 'Snoozed until 2027-01-20.\nSecond line',
    });
    assert.deepEqual(paths(), [
      `PUT /rest/api/3/issue/${issue.id}`,
      `GET /rest/api/3/issue/${issue.id}`,
      `GET /rest/api/3/issue/${issue.id}/transitions`,
      `POST /rest/api/3/issue/${issue.id}/transitions`,
      `POST /rest/api/3/issue/${issue.id}/comment`,
    ]);
    assert.deepEqual(jiraSide.issues[0]!.comments.map(adfText), ['Snoozed until 2027-01-20.\nSecond line']);
    // A failing transition: no comment yet (the retry adds it).
    jiraSide.workflow.done = [];
    jiraSide.issues[0]!.status = STATUSES.done!;
    await assert.rejects(jira.update('OPS', issue, { state: 'open', comment: 'again' }), TrackerUnavailable);
    assert.equal(jiraSide.issues[0]!.comments.length, 1);
  });

  test('assignee and due date: set, then cleared', async () => {
    const issue = await jira.create('OPS', draft());
    await jira.update('OPS', issue, { assignee: { id: 'acc-bo', name: 'Bo', email: null }, due: '2027-02-01' });
    assert.deepEqual(jiraSide.issues[0]!.fields.assignee, { accountId: 'acc-bo' });
    assert.equal(jiraSide.issues[0]!.fields.duedate, '2027-02-01');
    await jira.update('OPS', issue, { assignee: null, due: null });
    assert.equal(jiraSide.issues[0]!.fields.assignee, null);
    assert.equal(jiraSide.issues[0]!.fields.duedate, null);
    jiraSide.requests = [];
    await jira.update('OPS', issue, {});
    assert.deepEqual(paths(), [], 'nothing to change, nothing asked');
  });

  test('userByEmail: the active person whose email Jira shows matches, any case; never one who hides it', async () => {
    jiraSide.users = [
      {
        accountId: 'acc-anna',
        displayName: 'Anna Lee',
        emailAddress: 'Anna.Lee@example.com',
        active: true,
        accountType: 'atlassian',
      },
      {
        accountId: 'acc-anna-old',
        displayName: 'Anna Lee (old)',
        emailAddress: 'anna.lee@example.com',
        active: false,
        accountType: 'atlassian',
      },
      { accountId: 'acc-bot', displayName: 'anna.lee@example.com bot', active: true, accountType: 'app' },
      {
        accountId: 'acc-hidden',
        displayName: 'Hidden Person',
        active: true,
        accountType: 'atlassian',
        realEmail: 'hidden@example.com',
      },
      {
        accountId: 'acc-twin1',
        displayName: 'Twin',
        active: true,
        accountType: 'atlassian',
        realEmail: 'twin@example.com',
      },
      {
        accountId: 'acc-twin2',
        displayName: 'Twin2',
        active: true,
        accountType: 'atlassian',
        realEmail: 'twin@example.com.au',
      },
    ];
    assert.deepEqual(await jira.userByEmail('OPS', 'anna.lee@EXAMPLE.com'), {
      id: 'acc-anna',
      name: 'Anna Lee',
      email: 'Anna.Lee@example.com',
    });
    // Behaviour changed on purpose: the only person found, hiding their email, is no longer taken
    // for its owner (the search matches names too).
    assert.equal(await jira.userByEmail('OPS', 'hidden@example.com'), null, 'a hidden email is not matched');
    assert.equal(await jira.userByEmail('OPS', 'twin@example.com'), null, 'two hidden people: neither is taken');
    assert.equal(await jira.userByEmail('OPS', 'nobody@example.com'), null);
    // Remembered for a while: asked again, Jira is not.
    const before = jiraSide.requests.length;
    assert.equal((await jira.userByEmail('OPS', 'Anna.Lee@example.com'))?.id, 'acc-anna');
    assert.equal(await jira.userByEmail('OPS', 'nobody@example.com'), null);
    assert.equal(jiraSide.requests.length, before);
  });

  test('userByEmail: a person named after someone else’s email (email hidden) is not them, nor remembered as them', async () => {
    jiraSide.users = [
      { accountId: 'acc-mallory', displayName: 'victim@corp.com', active: true, accountType: 'atlassian' },
    ];
    assert.equal(await jira.userByEmail('OPS', 'victim@corp.com'), null);
    assert.equal(await jira.userByEmail('OPS', 'VICTIM@corp.com'), null);
    // Nothing guessed was cached: Jira is asked, and shows no email.
    assert.equal(await jira.emailOf('OPS', { id: 'acc-mallory', name: 'victim@corp.com', email: null }), null);
    assert.deepEqual(paths(), ['GET /rest/api/3/user/search', 'GET /rest/api/3/user']);
    // The victim, showing their email, is found (asked afresh: a miss is remembered a while); the
    // look-alike name is not.
    jira = new JiraCloud({ baseUrl: base, email: 'bot@example.com', apiToken: TOKEN, issueType: 'Task' });
    jiraSide.users.push({
      accountId: 'acc-victim',
      displayName: 'Vic Tim',
      emailAddress: 'victim@corp.com',
      active: true,
      accountType: 'atlassian',
    });
    assert.deepEqual(await jira.userByEmail('OPS', 'Victim@Corp.com'), {
      id: 'acc-victim',
      name: 'Vic Tim',
      email: 'victim@corp.com',
    });
  });

  test('an issue deleted or gone (404, 410) is TrackerIssueGone; moved to another project too; other refusals stay JiraRefused', async () => {
    const issue = await jira.create('OPS', draft());
    const gone = { id: '99999', key: 'OPS-99', url: '' };
    const isGone = (status: number) => (err: Error) => {
      assert.ok(err instanceof TrackerIssueGone, `${err.name}: ${err.message}`);
      assert.ok(err instanceof TrackerUnavailable);
      assert.ok(err.cause instanceof JiraRefused && err.cause.status === status, String(err.cause));
      return true;
    };
    // Each call on an issue Jira no longer has: edit, assignee, status (GET issue), comment.
    await assert.rejects(jira.update('OPS', gone, { due: '2027-01-01' }), isGone(404));
    await assert.rejects(jira.update('OPS', gone, { assignee: null }), isGone(404));
    await assert.rejects(jira.update('OPS', gone, { state: 'closed' }), isGone(404));
    await assert.rejects(jira.update('OPS', gone, { comment: 'hello' }), isGone(404));
    // 410 on the transitions and their POST.
    jiraSide.failures.push({ status: 410, body: { errorMessages: ['Gone'] } });
    await assert.rejects(jira.update('OPS', issue, { state: 'closed' }), isGone(410));
    jiraSide.requests = [];
    jiraSide.failures.push(
      { status: 200, body: { fields: { status: { statusCategory: { key: 'new' } }, project: { key: 'OPS' } } } },
      { status: 200, body: { transitions: [{ id: 't-done', to: { statusCategory: { key: 'done' } } }] } },
      { status: 410, body: { errorMessages: ['Gone'] } },
    );
    await assert.rejects(jira.update('OPS', issue, { state: 'closed' }), isGone(410));
    assert.equal(paths().at(-1), `POST /rest/api/3/issue/${issue.id}/transitions`);
    // Other refusals on an issue: plain JiraRefused.
    jiraSide.failures.push({ status: 403, body: { errorMessages: ['Forbidden'] } });
    await assert.rejects(
      jira.update('OPS', issue, { due: '2027-01-01' }),
      (err: Error) => err instanceof JiraRefused && !(err instanceof TrackerIssueGone) && err.status === 403,
    );
    // 404 on create (no such project) is a refusal, not a gone issue.
    jiraSide.failures.push({ status: 404, body: { errorMessages: ['No project could be found with key NOPE.'] } });
    await assert.rejects(
      jira.create('NOPE', draft()),
      (err: Error) => err instanceof JiraRefused && !(err instanceof TrackerIssueGone) && err.status === 404,
    );
    // Moved to another project (same id, new key): gone from OPS, and not transitioned.
    jiraSide.issues[0]!.project = 'SEC';
    await assert.rejects(jira.update('OPS', issue, { state: 'closed' }), (err: Error) => {
      assert.ok(err instanceof TrackerIssueGone, err.message);
      assert.match(err.message, /moved from OPS to SEC/);
      return true;
    });
    assert.equal(jiraSide.issues[0]!.status.name, 'To Do');
    // The project asked in another case is the same project.
    jiraSide.issues[0]!.project = 'OPS';
    await jira.update('ops', issue, { state: 'closed' });
    assert.equal(jiraSide.issues[0]!.status.name, 'Done');
  });

  test('emailOf: the one given, else Jira’s (null when hidden or the account is gone)', async () => {
    jiraSide.users = [
      {
        accountId: 'acc-anna',
        displayName: 'Anna',
        emailAddress: 'anna@example.com',
        active: true,
        accountType: 'atlassian',
      },
      { accountId: 'acc-hidden', displayName: 'Hidden', active: true, accountType: 'atlassian' },
    ];
    assert.equal(await jira.emailOf('OPS', { id: 'acc-x', name: 'X', email: 'x@example.com' }), 'x@example.com');
    assert.deepEqual(paths(), []);
    assert.equal(await jira.emailOf('OPS', { id: 'acc-anna', name: 'Anna', email: null }), 'anna@example.com');
    assert.equal(await jira.emailOf('OPS', { id: 'acc-hidden', name: 'Hidden', email: null }), null);
    assert.equal(await jira.emailOf('OPS', { id: 'acc-gone', name: 'Gone', email: null }), null);
    assert.equal(await jira.emailOf('OPS', { id: 'acc-anna', name: 'Anna', email: null }), 'anna@example.com');
    assert.equal(jiraSide.requests.length, 3, 'each asked once');
  });

  test('selfAccountId (selfId): asked once; a failure is not remembered', async () => {
    jiraSide.failures.push({ status: 503, body: { errorMessages: ['Service unavailable'] } });
    await assert.rejects(jira.selfAccountId(), TrackerUnavailable);
    assert.equal(await jira.selfAccountId(), 'bot-account-1');
    assert.equal(await jira.selfId(), 'bot-account-1');
    assert.deepEqual(paths(), ['GET /rest/api/3/myself', 'GET /rest/api/3/myself']);
  });

  test('every failure is a TrackerUnavailable saying the status and Jira’s first message, never the token', async () => {
    const issue = { id: '10001', key: 'OPS-1', url: '' };
    // Jira echoing the credentials back must not put the token in a log.
    jiraSide.failures.push({
      status: 403,
      body: { errorMessages: [`Forbidden for bot@example.com:${TOKEN}\nsecond line`] },
    });
    await assert.rejects(jira.update('OPS', issue, { due: '2027-01-01' }), (err: Error) => {
      assert.ok(err instanceof TrackerUnavailable);
      assert.match(err.message, /^Jira: re-dating OPS-1: PUT \/rest\/api\/3\/issue\/10001: HTTP 403: Forbidden for/);
      assert.ok(!err.message.includes(TOKEN) && !err.message.includes('second line'), err.message);
      return true;
    });
    jiraSide.failures.push({ status: 502, body: 'not json' });
    await assert.rejects(jira.findByMarker('OPS', 'm', new Date()), /HTTP 502$/);
    await assert.rejects(jira.update('OPS', issue, { due: null }), /HTTP 404: Issue does not exist/);
    jiraSide.failures.push({ status: 200, body: { unexpected: true } });
    await assert.rejects(
      jira.create('OPS', draft()),
      (err: Error) => err instanceof TrackerUnavailable && /unexpected answer/.test(err.message),
    );

    const wrong = new JiraCloud({
      baseUrl: base,
      email: 'bot@example.com',
      apiToken: 'wrong-token-123',
      issueType: 'Task',
    });
    await assert.rejects(wrong.create('OPS', draft()), /HTTP 401: You are not authenticated/);

    jiraSide.delayMs = 1000;
    await assert.rejects(
      jira.create('OPS', draft()),
      (err: Error) => err instanceof TrackerUnavailable && /no answer within/.test(err.message),
    );
    jiraSide.delayMs = 0;

    // A port nothing listens on any more.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const nowhere = new JiraCloud({
      baseUrl: `http://127.0.0.1:${port}`,
      email: 'bot@example.com',
      apiToken: TOKEN,
      issueType: 'Task',
    });
    await assert.rejects(nowhere.userByEmail('OPS', 'a@example.com'), (err: Error) => {
      assert.ok(err instanceof TrackerUnavailable);
      assert.match(
        err.message,
        /^Jira: looking for a Jira user by email: GET \/rest\/api\/3\/user\/search: ECONNREFUSED/,
      );
      return true;
    });
  });
});

describe('Jira issue text', () => {
  test('labels lose their spaces and colons', () => {
    assert.equal(jiraLabel('priority:high'), 'priority-high');
    assert.equal(jiraLabel(' category: follow up '), 'category-follow-up');
    assert.equal(jiraLabel('incident-action'), 'incident-action');
  });

  test('the description: a paragraph a line, bold and links kept, the marker last and plain', () => {
    const doc = adfDescription(
      'Do it\n\nFrom **INC-4**: title\nIncident: https://x.example/a?b=1\n<!-- m:1 -->',
      'm:1',
    );
    assert.deepEqual(doc, {
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'Do it' }] },
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'From ' },
            { type: 'text', text: 'INC-4', marks: [{ type: 'strong' }] },
            { type: 'text', text: ': title' },
          ],
        },
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Incident: ' },
            {
              type: 'text',
              text: 'https://x.example/a?b=1',
              marks: [{ type: 'link', attrs: { href: 'https://x.example/a?b=1' } }],
            },
          ],
        },
        { type: 'paragraph', content: [{ type: 'text', text: 'm:1' }] },
      ],
    });
  });

  test('jiraFromConfig: Jira when all three settings are there', () => {
    const config = {
      JIRA_BASE_URL: 'https://acme.atlassian.net',
      JIRA_EMAIL: 'bot@acme.com',
      JIRA_API_TOKEN: TOKEN,
      JIRA_ISSUE_TYPE: 'Task',
    };
    const jira = jiraFromConfig(config);
    assert.ok(jira instanceof JiraCloud);
    assert.equal(jira.browseUrl('OPS-1'), 'https://acme.atlassian.net/browse/OPS-1');
    assert.equal(jiraFromConfig({ ...config, JIRA_API_TOKEN: undefined }), null);
  });
});
