// POST /jira/webhook alone, on a plain HTTP server: the signature over the exact bytes, the delivery
// id, what an issue_updated delivery's changelog means (closed, reopened, assigned, re-dated), our
// own changes coming back, and the handling waited for (500 on a failure, so that Jira retries).
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { TrackerEvent } from '../../src/domain/trackers.ts';
import { MAX_BODY } from '../../src/http/body.ts';
import { InFlight } from '../../src/inflight.ts';
import { jiraChanges, jiraOccurredAt, jiraWebhookRoute } from '../../src/jira/webhook-route.ts';
import { silentLogger } from '../../src/logger.ts';

const SECRET = 'jira-webhook-secret-1';
const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

type Item = {
  field: string;
  fieldId?: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
};

/** A `jira:issue_updated` delivery as Jira Cloud sends it (trimmed). */
function issueUpdated(o: {
  items: Item[];
  labels?: string[];
  category?: string;
  assignee?: { accountId: string; displayName: string; emailAddress?: string } | null;
  by?: string;
}) {
  return {
    timestamp: 1733400000000,
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_generic',
    user: {
      self: 'https://acme.atlassian.net/rest/api/2/user?accountId=acc-anna',
      accountId: o.by ?? 'acc-anna',
      displayName: 'Anna Lee',
      active: true,
      accountType: 'atlassian',
    },
    issue: {
      id: '10001',
      self: 'https://acme.atlassian.net/rest/api/2/issue/10001',
      key: 'OPS-7',
      fields: {
        summary: 'ACT-3: Page the database team',
        project: { id: '10000', key: 'OPS', name: 'Operations' },
        labels: o.labels ?? ['incident-action', 'priority-high'],
        status: {
          name: o.category === 'done' ? 'Done' : 'In Progress',
          statusCategory: { id: 3, key: o.category ?? 'indeterminate', name: 'x' },
        },
        assignee: o.assignee ?? null,
        duedate: null,
      },
    },
    changelog: { id: '10200', items: o.items },
  };
}

const statusItem = (statusName: string): Item => ({
  field: 'status',
  fieldId: 'status',
  from: '10000',
  fromString: 'In Progress',
  to: '10001',
  toString: statusName,
});

describe('jiraWebhookRoute', () => {
  const inflight = new InFlight();
  const applied: TrackerEvent[] = [];
  let behaviour: (e: TrackerEvent) => Promise<string> = async () => 'applied';
  let self: () => Promise<string | null> = async () => 'acc-bot';
  let server: Server;
  let url: string;

  before(async () => {
    const route = jiraWebhookRoute({
      secret: SECRET,
      apply: async (e) => {
        applied.push(e);
        return behaviour(e);
      },
      selfAccountId: () => self(),
      track: inflight.track,
      logger: silentLogger,
      waitMs: 200,
      baseUrl: 'https://acme.atlassian.net',
    });
    assert.equal(route.path, '/jira/webhook');
    assert.deepEqual(route.method, ['POST']);
    server = createServer(route.handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jira/webhook`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    applied.length = 0;
    behaviour = async () => 'applied';
    self = async () => 'acc-bot';
  });

  async function post(
    payload: unknown,
    o: { signature?: string | null; deliveryId?: string | null; raw?: string } = {},
  ) {
    const body = o.raw ?? JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const signature = o.signature === undefined ? sign(body) : o.signature;
    if (signature !== null) headers['x-hub-signature'] = signature;
    const deliveryId = o.deliveryId === undefined ? 'd6f1c2a0-1b2c-4d5e-8f90-123456789abc' : o.deliveryId;
    if (deliveryId !== null) headers['x-atlassian-webhook-identifier'] = deliveryId;
    const res = await fetch(url, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as { status?: string; error?: string } };
  }

  test('closed: the issue now in a Done status', async () => {
    const payload = issueUpdated({ items: [statusItem('Done')], category: 'done' });
    const res = await post(payload);
    assert.deepEqual(res, { status: 202, body: { status: 'accepted' } });
    assert.deepEqual(applied, [
      {
        occurredAt: new Date(1733400000000),
        bodyHash: createHash('sha256').update(JSON.stringify(payload)).digest('hex'),
        tracker: 'jira',
        target: 'OPS',
        issue: { id: '10001', key: 'OPS-7', url: 'https://acme.atlassian.net/browse/OPS-7' },
        deliveryId: 'd6f1c2a0-1b2c-4d5e-8f90-123456789abc',
        actor: { id: 'acc-anna', name: 'Anna Lee', email: null },
        fromSelf: false,
        changes: [{ kind: 'closed' }],
      },
    ]);
  });

  test('reopened: the status changed to one that is not Done', async () => {
    await post(issueUpdated({ items: [{ ...statusItem('To Do'), fromString: 'Done' }], category: 'new' }));
    assert.deepEqual(applied[0]!.changes, [{ kind: 'reopened' }]);
  });

  test('between two open statuses (To Do → In Progress): nothing; from a status not known to be open: reopened', async () => {
    const open = issueUpdated({ items: [{ ...statusItem('In Progress'), fromString: 'To Do' }] });
    assert.deepEqual(await post(open), { status: 202, body: { status: 'ignored' } });
    assert.equal(applied.length, 0);
    // The other changes of the delivery still count.
    const withDue = issueUpdated({
      items: [
        { ...statusItem('In Progress'), fromString: 'Selected for Development' },
        { field: 'duedate', from: null, fromString: null, to: '2027-03-01', toString: '1 Mar 2027' },
      ],
    });
    assert.deepEqual(jiraChanges(withDue as never), [{ kind: 'due', due: '2027-03-01' }]);
    // Unknown names (a custom workflow's), or none: reopened, which the service gates on the item's last state.
    for (const fromString of ['QA Verified', null])
      assert.deepEqual(jiraChanges(issueUpdated({ items: [{ ...statusItem('In Progress'), fromString }] }) as never), [
        { kind: 'reopened' },
      ]);
    // An open status to Done is closed, whatever it came from.
    assert.deepEqual(
      jiraChanges(issueUpdated({ items: [{ ...statusItem('Done'), fromString: 'To Do' }], category: 'done' }) as never),
      [{ kind: 'closed' }],
    );
  });

  test('bodyHash: SHA-256 of the exact bytes (spacing included); occurredAt: the delivery’s timestamp when sane', async () => {
    const raw = JSON.stringify(issueUpdated({ items: [statusItem('Done')], category: 'done' }), null, 2);
    await post(null, { raw });
    assert.equal(applied[0]!.bodyHash, createHash('sha256').update(raw, 'utf8').digest('hex'));
    assert.notEqual(
      applied[0]!.bodyHash,
      createHash('sha256')
        .update(JSON.stringify(JSON.parse(raw)))
        .digest('hex'),
    );
    // No timestamp, or not a sane one: null (and the delivery is still applied).
    const { timestamp: _t, ...untimed } = issueUpdated({ items: [statusItem('Done')], category: 'done' });
    await post(untimed);
    assert.equal(applied[1]!.occurredAt, null);
    await post({ ...untimed, timestamp: 'yesterday' });
    assert.equal(applied[2]!.occurredAt, null);
    const now = Date.UTC(2026, 11, 5);
    for (const t of [
      undefined,
      null,
      '1733400000000',
      1.5e12 + 0.5,
      -1,
      0,
      1e6,
      now + 2 * 86_400_000,
      Number.NaN,
      1e300,
    ])
      assert.equal(jiraOccurredAt({ timestamp: t }, now), null, String(t));
    assert.deepEqual(jiraOccurredAt({ timestamp: now - 60_000 }, now), new Date(now - 60_000));
    assert.deepEqual(jiraOccurredAt({ timestamp: now + 60_000 }, now), new Date(now + 60_000), 'a little clock skew');
  });

  test('assigned: to the account in the changelog, with the email Jira shows; unassigned: nobody', async () => {
    await post(
      issueUpdated({
        items: [
          { field: 'assignee', fieldId: 'assignee', from: null, fromString: null, to: 'acc-bo', toString: 'Bo Chen' },
        ],
        assignee: { accountId: 'acc-bo', displayName: 'Bo Chen', emailAddress: 'bo@acme.com' },
      }),
    );
    assert.deepEqual(applied[0]!.changes, [
      { kind: 'assigned', assignee: { id: 'acc-bo', name: 'Bo Chen', email: 'bo@acme.com' } },
    ]);
    await post(
      issueUpdated({
        items: [
          {
            field: 'assignee',
            fieldId: 'assignee',
            from: 'acc-cy',
            fromString: 'Cy',
            to: 'acc-cy2',
            toString: 'Cy Two',
          },
        ],
        assignee: { accountId: 'acc-cy2', displayName: 'Cy Two' },
      }),
    );
    assert.deepEqual(applied[1]!.changes, [
      { kind: 'assigned', assignee: { id: 'acc-cy2', name: 'Cy Two', email: null } },
    ]);
    await post(
      issueUpdated({
        items: [
          { field: 'assignee', fieldId: 'assignee', from: 'acc-bo', fromString: 'Bo Chen', to: null, toString: null },
        ],
      }),
    );
    assert.deepEqual(applied[2]!.changes, [{ kind: 'assigned', assignee: null }]);
  });

  test('due: the new date, or none', async () => {
    await post(
      issueUpdated({
        items: [
          {
            field: 'duedate',
            fieldId: 'duedate',
            from: null,
            fromString: null,
            to: '2027-01-10',
            toString: '2027-01-10 00:00:00.0',
          },
        ],
      }),
    );
    await post(
      issueUpdated({
        items: [
          {
            field: 'duedate',
            fieldId: 'duedate',
            from: '2027-01-10',
            fromString: '2027-01-10 00:00:00.0',
            to: null,
            toString: null,
          },
        ],
      }),
    );
    assert.deepEqual(
      applied.map((e) => e.changes),
      [[{ kind: 'due', due: '2027-01-10' }], [{ kind: 'due', due: null }]],
    );
  });

  test('several changes in one delivery; fields the bot does not keep are left out', async () => {
    await post(
      issueUpdated({
        items: [
          { field: 'summary', fieldId: 'summary', from: null, fromString: 'a', to: null, toString: 'b' },
          { field: 'resolution', fieldId: 'resolution', from: null, fromString: null, to: '10000', toString: 'Done' },
          statusItem('Done'),
          {
            field: 'duedate',
            fieldId: 'duedate',
            from: null,
            fromString: null,
            to: '2027-03-01',
            toString: '2027-03-01 00:00:00.0',
          },
        ],
        category: 'done',
      }),
    );
    assert.deepEqual(applied[0]!.changes, [{ kind: 'closed' }, { kind: 'due', due: '2027-03-01' }]);

    const res = await post(
      issueUpdated({ items: [{ field: 'summary', from: null, fromString: 'a', to: null, toString: 'b' }] }),
    );
    assert.deepEqual(res, { status: 202, body: { status: 'ignored' } });
    assert.equal(applied.length, 1, 'nothing to apply');
  });

  test('a change with no user (made by Jira itself): Jira is the actor', async () => {
    const payload: Record<string, unknown> = issueUpdated({ items: [statusItem('Done')], category: 'done' });
    delete payload.user;
    assert.equal((await post(payload)).status, 202);
    assert.deepEqual(applied[0]!.actor, { id: 'jira', name: 'Jira', email: null });
    assert.equal(applied[0]!.fromSelf, false);
  });

  test('fromSelf: the bot’s own change echoed back', async () => {
    await post(issueUpdated({ items: [statusItem('Done')], category: 'done', by: 'acc-bot' }));
    assert.equal(applied[0]!.fromSelf, true);
    self = async () => null;
    await post(issueUpdated({ items: [statusItem('Done')], category: 'done', by: 'acc-bot' }));
    assert.equal(applied[1]!.fromSelf, false, 'not known: not taken for ours');
  });

  test('issues without the incident-action label, and other events, are ignored', async () => {
    assert.deepEqual(await post(issueUpdated({ items: [statusItem('Done')], labels: ['backend'] })), {
      status: 202,
      body: { status: 'ignored' },
    });
    // No labels at all (Jira leaves the field out or sends null).
    const unlabelled = issueUpdated({ items: [statusItem('Done')], category: 'done' }) as {
      issue: { fields: { labels?: unknown } };
    };
    delete unlabelled.issue.fields.labels;
    assert.deepEqual(await post(unlabelled), { status: 202, body: { status: 'ignored' } });
    unlabelled.issue.fields.labels = null;
    assert.deepEqual(await post(unlabelled), { status: 202, body: { status: 'ignored' } });
    assert.deepEqual(await post({ webhookEvent: 'jira:issue_created', issue: { id: '1' } }), {
      status: 202,
      body: { status: 'ignored' },
    });
    assert.deepEqual(await post({ webhookEvent: 'comment_created' }), { status: 202, body: { status: 'ignored' } });
    assert.equal(applied.length, 0);
  });

  test('a missing or bad signature: 401, and nothing is applied', async () => {
    const payload = issueUpdated({ items: [statusItem('Done')], category: 'done' });
    for (const signature of [null, '', sign(JSON.stringify(payload), 'another-secret'), 'sha1=abc', sign('{}')]) {
      const res = await post(payload, { signature });
      assert.equal(res.status, 401, String(signature));
    }
    // The right signature in GitHub's header name is not Jira's.
    const body = JSON.stringify(payload);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'x-hub-signature-256': sign(body), 'x-atlassian-webhook-identifier': 'abc' },
      body,
    });
    assert.equal(res.status, 401);
    assert.equal(applied.length, 0);
  });

  test('the delivery id is required', async () => {
    const payload = issueUpdated({ items: [statusItem('Done')], category: 'done' });
    for (const deliveryId of [null, '', 'has spaces in it', 'x'.repeat(200), 'a/b']) {
      const res = await post(payload, { deliveryId });
      assert.equal(res.status, 400, String(deliveryId));
      assert.match(res.body.error!, /X-Atlassian-Webhook-Identifier/);
    }
    assert.equal(applied.length, 0);
  });

  test('a malformed payload: 400 saying what is wrong', async () => {
    const good = issueUpdated({ items: [statusItem('Done')], category: 'done' });
    const noId = { ...good, issue: { ...good.issue, id: undefined } };
    let res = await post(noId);
    assert.equal(res.status, 400);
    assert.match(res.body.error!, /malformed: issue\.id/);
    res = await post({ ...good, changelog: { items: [{ field: 42 }] } });
    assert.equal(res.status, 400);
    assert.match(res.body.error!, /changelog\.items\.0\.field/);
    res = await post({ ...good, user: { accountId: 7 } });
    assert.equal(res.status, 400);
    assert.match(res.body.error!, /user\.accountId/);
    res = await post(null, { raw: '{"webhookEvent": "jira:issue_updated",' });
    assert.deepEqual(res, { status: 400, body: { error: 'body is not JSON (or is nested too deeply)' } });
    res = await post(null, { raw: '[1,2]' });
    assert.equal(res.status, 400);
    res = await post(null, { raw: `${'['.repeat(5000)}${']'.repeat(5000)}` });
    assert.equal(res.status, 400);
    assert.equal(applied.length, 0);
  });

  test('a body over the limit: 413', async () => {
    const body = JSON.stringify({ webhookEvent: 'jira:issue_updated', pad: 'x'.repeat(MAX_BODY + 10) });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'x-hub-signature': sign(body), 'x-atlassian-webhook-identifier': 'big-1' },
      body,
    });
    assert.equal(res.status, 413);
    assert.equal(applied.length, 0);
  });

  test('apply fails: 500, so that Jira retries; answers ignored when it recorded nothing', async () => {
    behaviour = async () => {
      throw new Error('database down');
    };
    const payload = issueUpdated({ items: [statusItem('Done')], category: 'done' });
    assert.equal((await post(payload)).status, 500);
    self = async () => {
      throw new Error('Jira down');
    };
    behaviour = async () => 'applied';
    assert.equal((await post(payload)).status, 500, 'who we are in Jira unknown: retried later');
    self = async () => 'acc-bot';
    behaviour = async () => 'ignored';
    assert.deepEqual(await post(payload), { status: 202, body: { status: 'ignored' } });
  });

  test('past the wait: 202, and the work finishes in the background, tracked', async () => {
    let finish!: () => void;
    const done = new Promise<void>((r) => {
      finish = r;
    });
    behaviour = async () => {
      await done;
      return 'applied';
    };
    const res = await post(issueUpdated({ items: [statusItem('Done')], category: 'done' }));
    assert.deepEqual(res, { status: 202, body: { status: 'accepted' } });
    assert.equal(inflight.size, 1);
    finish();
    await inflight.idle();
    assert.equal(inflight.size, 0);
  });
});

test('without a secret: 404, nothing read', async () => {
  let called = false;
  const route = jiraWebhookRoute({
    secret: null,
    apply: async () => {
      called = true;
      return 'applied';
    },
    selfAccountId: async () => null,
    track: (w) => w,
    logger: silentLogger,
  });
  const server = createServer(route.handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const body = JSON.stringify(issueUpdated({ items: [statusItem('Done')], category: 'done' }));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jira/webhook`, {
      method: 'POST',
      headers: { 'x-hub-signature': sign(body), 'x-atlassian-webhook-identifier': 'abc' },
      body,
    });
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error: string }).error, /JIRA_WEBHOOK_SECRET/);
    assert.equal(called, false);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
