// GitHub's `issues` webhook for the action items' issues (src/github/issue-handlers.ts), through the
// real POST /github/webhook route (signature, GitHub's published schema): each action made the right
// TrackerEvent, issues without the `incident-action` label ignored, the bot's own echo marked
// fromSelf, an edit counted only when the body's Due line changed, each event carrying the issue's
// updated_at and the SHA-256 of the delivery's bytes, and a body longer than GitHub allows ignored.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { TrackerEvent } from '../../src/domain/trackers.ts';
import { issuesHandler } from '../../src/github/issue-handlers.ts';
import { gitHubWebhookRoute, payloadValidator } from '../../src/github/webhook-route.ts';
import { InFlight } from '../../src/inflight.ts';
import { silentLogger } from '../../src/logger.ts';
import { gitHubPayload, gitHubUser as user } from '../support/github-payloads.ts';

const SECRET = 'issues-webhook-secret-1';
const BOT = 'incident-bot[bot]';

const label = (name: string) => ({
  id: 1,
  node_id: 'L_1',
  url: `https://api.github.com/repos/acme/ops/labels/${name}`,
  name,
  color: 'ededed',
  default: false,
  description: null,
});

const BODY = 'Add a canary check\n\nDue: 2026-12-20\nPriority: high\n<!-- incident-bot:action-item:item-1 -->';

/** An `issues` delivery as GitHub sends it (valid against @octokit/webhooks-schemas). */
function issuesPayload(
  action: 'closed' | 'reopened' | 'assigned' | 'unassigned' | 'edited',
  o: {
    labels?: string[];
    assignees?: string[];
    body?: string | null;
    from?: string;
    sender?: string;
    senderType?: 'User' | 'Bot';
    updatedAt?: string;
  } = {},
): Record<string, unknown> {
  const assignees = (o.assignees ?? []).map((l) => user(l));
  const issue = gitHubPayload('issue', {
    number: 12,
    html_url: 'https://github.com/acme/ops/issues/12',
    title: 'ACT-12: Add a canary check',
    body: o.body === undefined ? BODY : o.body,
    labels: (o.labels ?? ['incident-action', 'priority:high']).map(label),
    assignees,
    assignee: assignees[0] ?? null,
    user: user(BOT, 'Bot'),
    state: action === 'closed' ? 'closed' : 'open',
    updated_at: o.updatedAt ?? '2026-12-05T10:00:00Z',
    ...(action === 'closed' ? { closed_at: '2026-12-05T10:00:00Z', state_reason: 'completed' } : {}),
  });
  return gitHubPayload(`issues$${action}`, {
    action,
    issue,
    repository: { full_name: 'acme/ops', name: 'ops', owner: user('acme') },
    sender: user(o.sender ?? 'octocat', o.senderType ?? 'User'),
    ...(action === 'assigned' || action === 'unassigned'
      ? { assignee: o.assignees?.length ? user(o.assignees[0]!) : user('someone-else') }
      : {}),
    ...(action === 'edited' ? { changes: o.from === undefined ? {} : { body: { from: o.from } } } : {}),
  });
}

describe('issues webhook for the action items’ issues', () => {
  const inflight = new InFlight();
  const applied: TrackerEvent[] = [];
  let answer: string = 'applied';
  let self: string | null = BOT;
  let server: Server;
  let url: string;

  before(async () => {
    const route = gitHubWebhookRoute({
      secret: SECRET,
      handlers: {
        issues: issuesHandler({
          apply: async (e) => {
            applied.push(e);
            return answer;
          },
          selfLogin: async () => self,
        }),
      },
      track: inflight.track,
      logger: silentLogger,
    });
    server = createServer(route.handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/github/webhook`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    applied.length = 0;
    answer = 'applied';
    self = BOT;
  });

  async function deliver(payload: Record<string, unknown>, deliveryId: string = crypto.randomUUID()) {
    const valid = payloadValidator('issues', payload.action as string)!;
    assert.ok(valid(payload), `GitHub's schema: ${JSON.stringify(valid.errors?.[0])}`);
    const body = JSON.stringify(payload);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-delivery': deliveryId,
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
      body,
    });
    return { status: res.status, body: (await res.json()) as { status?: string }, sent: body };
  }

  const issue = { id: '12', key: 'acme/ops#12', url: 'https://github.com/acme/ops/issues/12' };

  test('closed: a TrackerEvent for the issue, by its sender, with the delivery id, when, and its bytes’ hash', async () => {
    const res = await deliver(issuesPayload('closed'), 'delivery-1');
    assert.deepEqual([res.status, res.body.status], [202, 'accepted']);
    assert.deepEqual(applied, [
      {
        occurredAt: new Date('2026-12-05T10:00:00Z'),
        bodyHash: createHash('sha256').update(Buffer.from(res.sent, 'utf8')).digest('hex'),
        tracker: 'github',
        target: 'acme/ops',
        issue,
        deliveryId: 'delivery-1',
        actor: { id: 'octocat', name: 'octocat', email: null },
        fromSelf: false,
        changes: [{ kind: 'closed' }],
      },
    ]);
  });

  test('reopened, assigned (the first assignee), unassigned (the next, or nobody)', async () => {
    await deliver(issuesPayload('reopened'));
    await deliver(issuesPayload('assigned', { assignees: ['ann-gh', 'bob-gh'] }));
    await deliver(issuesPayload('unassigned', { assignees: ['bob-gh'] }));
    await deliver(issuesPayload('unassigned', { assignees: [] }));
    assert.deepEqual(
      applied.map((e) => e.changes),
      [
        [{ kind: 'reopened' }],
        [{ kind: 'assigned', assignee: { id: 'ann-gh', name: 'ann-gh', email: null } }],
        [{ kind: 'assigned', assignee: { id: 'bob-gh', name: 'bob-gh', email: null } }],
        [{ kind: 'assigned', assignee: null }],
      ],
    );
  });

  test('an issue without the incident-action label is ignored, apply never called', async () => {
    const res = await deliver(issuesPayload('closed', { labels: ['bug'] }));
    assert.deepEqual([res.status, res.body.status], [202, 'ignored']);
    await deliver(issuesPayload('assigned', { labels: [], assignees: ['ann-gh'] }));
    assert.equal(applied.length, 0);
  });

  test('the bot’s own change echoed back is marked fromSelf (any case); another bot is not', async () => {
    await deliver(issuesPayload('closed', { sender: BOT, senderType: 'Bot' }));
    await deliver(issuesPayload('closed', { sender: 'Incident-Bot[bot]', senderType: 'Bot' }));
    await deliver(issuesPayload('closed', { sender: 'dependabot[bot]', senderType: 'Bot' }));
    self = null;
    await deliver(issuesPayload('closed', { sender: BOT, senderType: 'Bot' }));
    assert.deepEqual(
      applied.map((e) => [e.actor.id, e.fromSelf]),
      [
        [BOT, true],
        ['Incident-Bot[bot]', true],
        ['dependabot[bot]', false],
        [BOT, false],
      ],
    );
  });

  test('edited: the Due line changed, removed, or said none is a due change; anything else is ignored', async () => {
    const redated = BODY.replace('Due: 2026-12-20', 'Due: 2027-01-15');
    await deliver(issuesPayload('edited', { from: BODY, body: redated }));
    await deliver(issuesPayload('edited', { from: BODY, body: BODY.replace('Due: 2026-12-20\n', '') }));
    await deliver(issuesPayload('edited', { from: BODY, body: BODY.replace('Due: 2026-12-20', 'Due: none') }));
    await deliver(issuesPayload('edited', { from: 'no due line', body: BODY }));
    assert.deepEqual(
      applied.map((e) => e.changes),
      [
        [{ kind: 'due', due: '2027-01-15' }],
        [{ kind: 'due', due: null }],
        [{ kind: 'due', due: null }],
        [{ kind: 'due', due: '2026-12-20' }],
      ],
    );
    applied.length = 0;
    for (const p of [
      // Only the text around the line changed.
      issuesPayload('edited', { from: BODY, body: `${BODY}\n\nMore detail.` }),
      // The title only: no body in `changes`.
      issuesPayload('edited', {}),
      // A line that is not a date is no change either way.
      issuesPayload('edited', { from: BODY, body: BODY.replace('Due: 2026-12-20', 'Due: next week') }),
      issuesPayload('edited', { from: BODY.replace('2026-12-20', 'soon'), body: BODY }),
    ]) {
      const res = await deliver(p);
      assert.deepEqual([res.status, res.body.status], [202, 'ignored']);
    }
    assert.equal(applied.length, 0);
  });

  test('occurredAt: the issue’s updated_at, null when it is not a date; bodyHash: the exact bytes’ (a space changes it)', async () => {
    const payload = issuesPayload('closed', { updatedAt: '2026-12-04T08:30:15Z' });
    const a = await deliver(payload);
    await deliver(payload);
    assert.equal(applied[0]!.occurredAt?.toISOString(), '2026-12-04T08:30:15.000Z');
    assert.match(applied[0]!.bodyHash!, /^[0-9a-f]{64}$/);
    assert.equal(applied[0]!.bodyHash, createHash('sha256').update(a.sent).digest('hex'));
    assert.equal(applied[1]!.bodyHash, applied[0]!.bodyHash, 'the same bytes under another delivery id');
    assert.notEqual(applied[0]!.deliveryId, applied[1]!.deliveryId);
    // The same payload, other bytes (the route hashes what came, not a re-serialisation).
    const spaced = JSON.stringify(payload, null, 1);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-delivery': crypto.randomUUID(),
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(spaced).digest('hex')}`,
      },
      body: spaced,
    });
    assert.equal(res.status, 202);
    assert.equal(applied[2]!.bodyHash, createHash('sha256').update(spaced).digest('hex'));
    assert.notEqual(applied[2]!.bodyHash, applied[0]!.bodyHash);
    // An updated_at that is no date: null (the event still applied).
    const odd = issuesPayload('closed');
    (odd.issue as Record<string, unknown>).updated_at = 'yesterday';
    const r = await deliver(odd);
    assert.equal(r.status, 202);
    assert.equal(applied[3]!.occurredAt, null);
  });

  test('a body longer than GitHub allows (65,536 characters) is ignored; one of 65k spaces is read at once', async () => {
    const spaces = ' '.repeat(65_000);
    // A ReDoS attempt on the Due line, within GitHub's length: read, and right.
    await deliver(
      issuesPayload('edited', { from: `Due:${spaces}x`, body: `Due:${spaces}2027-01-15${spaces.slice(0, 500)}` }),
    );
    assert.deepEqual(
      applied.map((e) => e.changes),
      [],
      'a line that was not a date is no change',
    );
    await deliver(issuesPayload('edited', { from: BODY, body: `Due: 2027-01-15${spaces}` }));
    assert.deepEqual(
      applied.map((e) => e.changes),
      [[{ kind: 'due', due: '2027-01-15' }]],
    );
    applied.length = 0;
    const long = 'x'.repeat(65_537);
    for (const p of [
      issuesPayload('closed', { body: long }),
      issuesPayload('edited', { from: long, body: BODY }),
      issuesPayload('edited', { from: BODY, body: `Due: 2027-01-15\n${long}` }),
    ]) {
      const res = await deliver(p);
      assert.deepEqual([res.status, res.body.status], [202, 'ignored']);
    }
    assert.equal(applied.length, 0);
    // 65,536 characters, some of them two UTF-16 units (emoji): GitHub's, taken.
    await deliver(issuesPayload('closed', { body: '😀'.repeat(30_000) + 'x'.repeat(5_536) }));
    assert.equal(applied.length, 1);
  });

  test('what apply answers is the route’s answer: ignored or duplicate stay so', async () => {
    answer = 'ignored';
    assert.equal((await deliver(issuesPayload('closed'))).body.status, 'ignored');
    answer = 'duplicate';
    assert.equal((await deliver(issuesPayload('closed'))).body.status, 'accepted');
    assert.equal(applied.length, 2);
  });

  test('other actions of the issues event are not taken', async () => {
    const res = await deliver(gitHubPayload('issues$labeled', { action: 'labeled' }));
    assert.deepEqual([res.status, res.body.status], [202, 'ignored']);
    assert.equal(applied.length, 0);
  });
});
