// The Jira Cloud adapter (src/trackers/jira.ts) against the Jira Cloud platform REST API's own
// description (salto-io/jira-swaggers, excerpt in test/fixtures/specs/jira/, with the enhanced JQL
// search added by patchJiraSpec) served by Prism: every call it makes must be one the spec allows.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { TrackerIssueDraft } from '../../src/domain/trackers.ts';
import { JiraCloud } from '../../src/trackers/jira.ts';
import { startPrism, type PrismHandle, type PrismLogEntry } from '../support/prism.ts';
import { JIRA_EXAMPLE_MARKER, patchedJiraSpec } from '../support/specs.ts';

const draft: TrackerIssueDraft = {
  title: 'ACT-7: Add an alert on the replica lag',
  body: [
    'Add an alert on the replica lag',
    '',
    'From the post-incident review of **INC-42**: Orders slow',
    '',
    'Incident: https://slack.example/archives/C1',
    'Due: 2026-12-24',
    '<!-- incident-bot:action-item:1 -->',
  ].join('\n'),
  labels: ['incident-action', 'priority:high', 'category:detection'],
  due: '2026-12-24',
  priority: 'high',
  assignee: { id: '5b10ac8d82e05b22cc7d4ef5', name: 'Anna', email: 'anna@example.com' },
  marker: 'incident-bot:action-item:1',
};

describe('JiraCloud against the Jira Cloud platform REST API (Prism)', () => {
  let prism: PrismHandle;
  let jira: JiraCloud;
  let seen = 0;
  before(async () => {
    const spec = await patchedJiraSpec();
    // The spec's example transitions lead to status categories `in-flight` and `completed`, keys
    // Jira does not have (its categories are new, indeterminate and done): here they are Jira's.
    const transitions = (spec.paths as Record<string, any>)['/rest/api/3/issue/{issueIdOrKey}/transitions'].get
      .responses['200'].content['application/json'].example as {
      transitions: { to: { statusCategory: { key: string } } }[];
    };
    const real: Record<string, string> = { 'in-flight': 'indeterminate', completed: 'done' };
    for (const t of transitions.transitions) t.to.statusCategory.key = real[t.to.statusCategory.key]!;
    prism = await startPrism(spec);
    jira = new JiraCloud({
      baseUrl: prism.url,
      email: 'bot@example.com',
      apiToken: 'jira-api-token-1234',
      issueType: 'Task',
    });
  });
  after(() => prism.close());
  beforeEach(() => {
    seen = prism.requests().length;
  });
  const made = () => prism.requests().slice(seen);
  const calls = (): PrismLogEntry[] => prism.log.filter((l) => l.msg === 'Request received' && l.input).slice(seen);

  test('create: POST /issue with the fields, basic auth; the browse URL of the key Jira answers', async () => {
    const issue = await jira.create('OPS', draft);
    assert.deepEqual(prism.violations('request'), []);
    assert.deepEqual(made(), ['POST /rest/api/3/issue']);
    // The spec's example answer.
    assert.deepEqual(issue, { id: '10000', key: 'ED-24', url: `${prism.url}/browse/ED-24` });
    const call = calls()[0]!;
    assert.equal(
      call.input!.headers!.authorization,
      `Basic ${Buffer.from('bot@example.com:jira-api-token-1234').toString('base64')}`,
    );
    const fields = (call.input!.body as { fields: Record<string, unknown> }).fields;
    assert.deepEqual(fields.project, { key: 'OPS' });
    assert.deepEqual(fields.issuetype, { name: 'Task' });
    assert.deepEqual(fields.labels, ['incident-action', 'priority-high', 'category-detection']);
    assert.deepEqual(fields.priority, { name: 'High' });
    assert.equal(fields.duedate, '2026-12-24');
    assert.deepEqual(fields.assignee, { accountId: '5b10ac8d82e05b22cc7d4ef5' });
    const description = fields.description as { type: string; content: { content: { text: string }[] }[] };
    assert.equal(description.type, 'doc');
    assert.equal(description.content.at(-1)!.content[0]!.text, 'incident-bot:action-item:1');
  });

  test('findByMarker: POST /search/jql, bounded by project, label and date; the issue whose description has the marker', async () => {
    const found = await jira.findByMarker('OPS', JIRA_EXAMPLE_MARKER, new Date('2026-12-05T10:00:00Z'));
    assert.deepEqual(prism.violations('request'), []);
    assert.deepEqual(made(), ['POST /rest/api/3/search/jql']);
    assert.deepEqual(found, { id: '10068', key: 'OPS-12', url: `${prism.url}/browse/OPS-12` });
    const body = calls()[0]!.input!.body as { jql: string; fields: string[]; maxResults: number };
    assert.equal(
      body.jql,
      'project = "OPS" AND labels = "incident-action" AND created >= "2026-12-04 10:00" ORDER BY created DESC',
    );
    assert.deepEqual(body.fields, ['summary', 'description']);
    assert.ok(body.maxResults > 0 && body.maxResults <= 100);

    seen = prism.requests().length;
    assert.equal(await jira.findByMarker('OPS', 'incident-bot:action-item:other', new Date()), null);
    assert.deepEqual(prism.violations('request'), []);
  });

  test('update: the due date, the assignee (and nobody), then the status through a transition', async () => {
    // The spec's example issue is in project EX: the adapter checks an issue is still in the project
    // asked before a transition (one moved elsewhere is gone), so this asks for EX.
    await jira.update(
      'EX',
      { id: '10068', key: 'OPS-12', url: '' },
      {
        due: '2027-01-15',
        assignee: { id: '5b10ac8d82e05b22cc7d4ef5', name: 'Anna', email: null },
        state: 'closed',
      },
    );
    assert.deepEqual(prism.violations('request'), []);
    // The spec's example issue is In Progress; its first transition to a Done status is picked.
    assert.deepEqual(made(), [
      'PUT /rest/api/3/issue/10068',
      'PUT /rest/api/3/issue/10068/assignee',
      'GET /rest/api/3/issue/10068',
      'GET /rest/api/3/issue/10068/transitions',
      'POST /rest/api/3/issue/10068/transitions',
    ]);
    const bodies = calls().map((c) => c.input!.body);
    assert.deepEqual(bodies[0], { fields: { duedate: '2027-01-15' } });
    assert.deepEqual(bodies[1], { accountId: '5b10ac8d82e05b22cc7d4ef5' });
    assert.deepEqual(bodies[4], { transition: { id: '711' } });

    seen = prism.requests().length;
    await jira.update('OPS', { id: '10068', key: 'OPS-12', url: '' }, { assignee: null, due: null });
    assert.deepEqual(prism.violations('request'), []);
    assert.deepEqual(made(), ['PUT /rest/api/3/issue/10068', 'PUT /rest/api/3/issue/10068/assignee']);
    assert.deepEqual(
      calls().map((c) => c.input!.body),
      [{ fields: { duedate: null } }, { accountId: null }],
    );
  });

  test('update with a comment: POST /comment with an ADF body', async () => {
    await jira.update(
      'OPS',
      { id: '10068', key: 'OPS-12', url: '' },
      {
        comment: 'Reminders about ACT-7 are snoozed in Slack until 2027-01-20.',
      },
    );
    assert.deepEqual(prism.violations('request'), []);
    assert.deepEqual(made(), ['POST /rest/api/3/issue/10068/comment']);
    assert.deepEqual(calls()[0]!.input!.body, {
      body: {
        type: 'doc',
        version: 1,
        content: [
          {
            type: 'paragraph',
            content: [{ type: 'text', text: 'Reminders about ACT-7 are snoozed in Slack until 2027-01-20.' }],
          },
        ],
      },
    });
  });

  test('userByEmail and emailOf: GET /user/search and GET /user', async () => {
    const found = await jira.userByEmail('OPS', 'nobody@example.com');
    assert.deepEqual(prism.violations('request'), []);
    assert.deepEqual(made(), ['GET /rest/api/3/user/search']);
    assert.equal(calls()[0]!.input!.url.query!.query, 'nobody@example.com');
    // The example's two people are deactivated accounts (and show no email): no one is taken.
    assert.equal(found, null);

    seen = prism.requests().length;
    const email = await jira.emailOf('OPS', { id: '5b10a2844c20165700ede21g', name: 'Mia', email: null });
    assert.deepEqual(prism.violations('request'), []);
    assert.deepEqual(made(), ['GET /rest/api/3/user']);
    assert.equal(calls()[0]!.input!.url.query!.accountId, '5b10a2844c20165700ede21g');
    assert.equal(email, 'mia@example.com');
  });

  test('selfAccountId: GET /myself, once', async () => {
    assert.equal(await jira.selfAccountId(), '5b10a2844c20165700ede21g');
    assert.equal(await jira.selfAccountId(), '5b10a2844c20165700ede21g');
    assert.deepEqual(prism.violations('request'), []);
    assert.deepEqual(made(), ['GET /rest/api/3/myself']);
  });
});
