// `/incident service <name>` through its use case on the real stores (PGlite, and PostgreSQL when
// TEST_DATABASE_URL is set): the service's incidents (open, the last 90 days, a private one hidden
// from a non-member), its open action items (of its incidents or its owning team), its changes,
// on-call (by the catalog's PagerDuty id; unavailable is said, not fatal), and the refusals: no
// catalog, an unknown name with suggestions and the catalog's problems.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { EMPTY_CATALOG, type CatalogService, type CatalogSnapshot } from '../../src/domain/catalog.ts';
import type { Declaration } from '../../src/domain/declaration.ts';
import { AppError } from '../../src/domain/errors.ts';
import { OnCallUnavailable, type OnCallAnswer, type OnCallProvider } from '../../src/ports/on-call-provider.ts';
import { staticCatalog } from '../../src/ports/service-catalog.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { findService, showService } from '../../src/services/catalog/show-service.ts';
import { serviceMessage } from '../../src/slack/views/service.ts';
import { actionItemText } from '../../src/slack/views/action-items.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const ALICE = 'UALICE';
const BOB = 'UBOB';
const now = new Date('2026-11-24T14:00:00Z');
const DAY = 24 * 3600_000;

const ehr: CatalogService = {
  ref: 'component:default/ehr-api',
  kind: 'Component',
  name: 'ehr-api',
  title: 'EHR API',
  description: 'The record <API>',
  owner: 'group:default/platform',
  ownerName: 'Platform Team',
  system: 'ehr',
  pagerDutyServiceId: 'PEHR123',
  slackChannel: 'C0PLAT123',
  clinicalCriticality: 'patient-facing',
  githubProjectSlug: 'acme/ehr-api',
  jiraProjectKey: null,
  links: [
    { url: 'https://runbooks.example.org/ehr', title: 'EHR runbook', kind: 'runbook' },
    { url: 'https://grafana.example.org/ehr', title: 'EHR latency', kind: 'dashboard' },
  ],
};
const lab: CatalogService = {
  ...ehr,
  ref: 'component:default/lab-results',
  name: 'lab-results',
  title: 'Lab results',
  owner: 'group:default/pathology',
  ownerName: 'Pathology',
  system: null,
  pagerDutyServiceId: null,
};
const catalog: CatalogSnapshot = {
  source: 'file',
  services: [ehr, lab],
  groups: [],
  users: [],
  problems: [{ source: 'broken.yaml#1', message: 'component:default/x: spec.owner is missing: it was skipped' }],
  loadedAt: new Date('2026-11-24T13:55:00Z'),
};

class FakeOnCall implements OnCallProvider {
  asked: { query: string | null; opts: unknown }[] = [];
  fail = false;
  answer: OnCallAnswer | null = {
    target: { kind: 'service', id: 'PEHR123', name: 'EHR API' },
    now: [
      {
        level: 1,
        userId: 'P1',
        name: 'Bob Example',
        email: 'bob@example.org',
        scheduleName: 'EHR primary',
        escalationPolicyId: 'PEP',
        escalationPolicyName: 'EHR',
        start: null,
        end: new Date('2026-11-25T09:00:00Z'),
      },
    ],
    next: [],
  };
  async onCall(query: string | null, _now: Date, opts?: unknown) {
    this.asked.push({ query, opts });
    if (this.fail) throw new OnCallUnavailable('PagerDuty answered 503');
    return this.answer;
  }
  async page(): Promise<null> {
    return null;
  }
  async resolvePaged() {}
}

describe('findService before the catalog was ever read', () => {
  test('says the catalog could not be read (with its problems), not that the service is unknown', () => {
    const unread: CatalogSnapshot = {
      ...EMPTY_CATALOG,
      source: 'backstage',
      problems: [{ source: 'backstage', message: 'Backstage answered 503' }],
    };
    let message = '';
    try {
      findService(unread, 'ehr-api');
    } catch (err) {
      assert.ok(err instanceof AppError);
      message = err.userMessage;
    }
    assert.match(message, /^The service catalog could not be read; services are taken as typed\./);
    assert.match(message, /Backstage answered 503/);
    assert.doesNotMatch(message, /No service in the catalog is called/);
  });
});

for (const database of testDatabases()) {
  describe(`showService (${database.name})`, () => {
    const env = useTestStore(database);
    const chat = new FakeChat();
    chat.emails.set(BOB, 'bob@example.org');
    const onCall = new FakeOnCall();
    let deps: ServiceDeps;

    async function incident(d: Partial<Declaration>, declaredAt: Date) {
      const { incident } = await deps.store.createIfAbsent(
        declaring({ declaration: aDeclaration(d), declaredBy: ALICE, declaredAt }),
      );
      const channelId = `C${randomUUID().slice(0, 8).toUpperCase()}`;
      await deps.store.recordProvisioning(incident.id, { channelId });
      return { ...incident, channelId };
    }

    test('the service with its incidents, action items, changes and on-call; a private incident hidden from a non-member', async () => {
      deps = testDeps({ db: env.db(), chat, clock: new TestClock(now), catalog: staticCatalog(catalog), onCall });
      const open = await incident(
        { title: 'EHR logins failing', affectedService: 'ehr-api', severity: 'SEV2' },
        new Date(now.getTime() - DAY),
      );
      const secret = await incident(
        { title: 'Patient records exposed', affectedService: 'ehr-api', isPrivate: true, severity: 'SEV1' },
        new Date(now.getTime() - 2 * DAY),
      );
      // Declared by its title, before the catalog knew its name.
      const byTitle = await incident(
        { title: 'Slow EHR', affectedService: 'EHR API' },
        new Date(now.getTime() - 10 * DAY),
      );
      await deps.store.applyChange(
        byTitle.id,
        { status: 'RESOLVED', resolvedAt: now },
        { kind: 'status_changed', occurredAt: now, actorId: ALICE, text: 'Resolved' },
      );
      // Open for 100 days: open, though not among the last 90 days' incidents.
      const old = await incident({ title: 'Too old', affectedService: 'ehr-api' }, new Date(now.getTime() - 100 * DAY));
      await incident({ title: 'Another service', affectedService: 'lab-results' }, now);
      // The team's item of another service's incident counts too (it is the owner's backlog).
      const other = await incident({ title: 'Unrelated', affectedService: null }, now);
      await env.db().prisma
        .$executeRaw`UPDATE incident SET service_owner = 'group:default/platform' WHERE id = ${other.id}::uuid`;
      const at = { by: ALICE, at: now };
      await deps.reviews.addActionItem(
        open.id,
        { text: 'Alert on login errors', ownerId: BOB, due: '2026-12-01', category: 'guardrail', priority: 'high' },
        at,
      );
      await deps.reviews.addActionItem(
        secret.id,
        { text: 'Rotate the leaked key', ownerId: ALICE, due: null, category: 'guardrail', priority: 'high' },
        at,
      );
      const teamItem = await deps.reviews.addActionItem(
        other.id,
        { text: 'Document the failover', ownerId: null, due: null, category: 'runbook', priority: 'low' },
        at,
      );
      assert.equal(teamItem.team, 'group:default/platform', "an item takes its incident's service owner as its team");
      await deps.changes.record(
        {
          sourceKey: 'api:1',
          source: 'api',
          kind: 'deploy',
          service: 'ehr-api',
          serviceName: 'ehr-api',
          system: 'ehr',
          owner: null,
          environment: 'production',
          version: 'v42',
          summary: 'Deploy v42',
          author: 'carol',
          approvers: [],
          url: 'https://ci.example.org/42',
          occurredAt: new Date(now.getTime() - 3600_000),
        },
        now,
      );

      chat.onlyMembers(open.channelId, BOB);
      const v = await showService(deps, { userId: BOB, name: 'EHR API' });
      assert.equal(v.service.name, 'ehr-api');
      assert.deepEqual(onCall.asked.at(-1), { query: 'ehr-api', opts: { exactService: true, serviceId: 'PEHR123' } });
      assert.deepEqual(v.onCall, {
        status: 'ok',
        now: [{ level: 1, name: 'Bob Example', end: new Date('2026-11-25T09:00:00Z'), slackUserId: BOB }],
      });
      assert.deepEqual(
        v.openIncidents.map((i) => [i.ref, i.title]),
        // The private incident Bob is not a member of is neither listed nor counted.
        [
          [`INC-${open.number}`, 'EHR logins failing'],
          [`INC-${old.number}`, 'Too old'],
        ],
      );
      assert.equal(v.recentCount, 2);
      assert.deepEqual(
        v.recent.map((i) => i.title),
        ['EHR logins failing', 'Slow EHR'],
      );
      // Nor are the private incident's action items: not listed (not even as "an action item of a
      // private incident" with its number, owner and due date), not counted.
      assert.equal(v.actionItemsTotal, 2);
      assert.deepEqual(v.actionItems.map((i) => i.text).sort(), ['Alert on login errors', 'Document the failover']);
      assert.deepEqual(
        v.changes?.map((c) => c.summary),
        ['Deploy v42'],
      );
      assert.equal(v.catalog.problemCount, 1);

      const msg = serviceMessage(v);
      const text = JSON.stringify(msg.blocks);
      assert.doesNotMatch(text, /Patient records exposed|Rotate the leaked key|action item of a private incident/);
      // Not even its reference: a non-member learns nothing of it.
      assert.doesNotMatch(text, new RegExp(`INC-${secret.number}\\b`));
      assert.match(text, /Platform Team · <#C0PLAT123>/);
      assert.match(text, /Patient-facing/);
      assert.match(text, /<https:\/\/runbooks.example.org\/ehr\|EHR runbook>/);
      assert.match(text, /<https:\/\/grafana.example.org\/ehr\|EHR latency>/);
      assert.match(text, /Level 1: <@UBOB>/);
      assert.match(text, /The record &lt;API&gt;/);
      assert.match(text, /Incidents in the last 90 days:\* 2/);
      assert.match(text, /The catalog has 1 problem: broken.yaml#1: component:default\/x: spec.owner is missing/);
      assert.match(text, /Deploy v42/);
      assert.match(actionItemText(teamItem, '2026-11-24'), /team platform/);

      // A member of the private incident's channel sees it.
      chat.onlyMembers(secret.channelId, ALICE);
      const member = await showService(deps, { userId: ALICE, name: 'ehr-api' });
      assert.ok(member.openIncidents.some((i) => i.title === 'Patient records exposed' && i.isPrivate));
      assert.equal(member.recentCount, 3);
      assert.equal(member.actionItemsTotal, 3);
      assert.ok(member.actionItems.some((i) => i.text === 'Rotate the leaked key'));

      // A member who is no party to the item sees it too (the incident is among those they may read).
      chat.onlyMembers(secret.channelId, 'UCAROL');
      const carol = await showService(deps, { userId: 'UCAROL', name: 'ehr-api' });
      assert.equal(carol.actionItemsTotal, 3);
      // Someone neither a member nor a party: the private incident's items are neither listed nor counted.
      const dave = await showService(deps, { userId: 'UDAVE', name: 'ehr-api' });
      assert.equal(dave.actionItemsTotal, 2);
      assert.ok(dave.actionItems.every((i) => !i.incidentPrivate));

      // An item of the private incident Bob owns (or added) is his to see, though he is no member.
      await deps.reviews.addActionItem(
        secret.id,
        { text: 'Bob checks the audit log', ownerId: BOB, due: null, category: 'guardrail', priority: 'high' },
        at,
      );
      await deps.reviews.addActionItem(
        secret.id,
        { text: 'Someone else entirely', ownerId: ALICE, due: null, category: 'guardrail', priority: 'low' },
        { by: 'UERIN', at: now },
      );
      const own = await showService(deps, { userId: BOB, name: 'ehr-api' });
      assert.equal(own.actionItemsTotal, 3);
      assert.ok(own.actionItems.some((i) => i.text === 'Bob checks the audit log'));
      const added = await showService(deps, { userId: 'UERIN', name: 'ehr-api' });
      assert.equal(added.actionItemsTotal, 3);
      assert.ok(added.actionItems.some((i) => i.text === 'Someone else entirely'));
      assert.match(
        JSON.stringify(serviceMessage(member).blocks),
        new RegExp(`INC-${secret.number}\\* :lock: Patient records exposed`),
      );
    });

    test('on-call unavailable or not configured is said, and the rest is shown', async () => {
      onCall.fail = true;
      const v = await showService(deps, { userId: BOB, name: 'ehr-api' });
      assert.deepEqual(v.onCall, { status: 'unavailable', reason: 'PagerDuty answered 503' });
      assert.match(JSON.stringify(serviceMessage(v).blocks), /PagerDuty could not be asked just now/);
      onCall.fail = false;
      const none = await showService({ ...deps, onCall: null }, { userId: BOB, name: 'lab-results' });
      assert.deepEqual(none.onCall, { status: 'not-configured' });
      // Without a PagerDuty id, the service is asked for by name.
      await showService(deps, { userId: BOB, name: 'lab-results' });
      assert.deepEqual(onCall.asked.at(-1), { query: 'lab-results', opts: { exactService: true } });
    });

    test('an unknown name: suggestions and the catalog problems; no catalog: how to configure one', async () => {
      await assert.rejects(showService(deps, { userId: BOB, name: 'ehr' }), (err: Error) => {
        assert.ok(err instanceof AppError);
        assert.match(err.userMessage, /No service in the catalog is called `ehr`\. Did you mean `ehr-api` \(EHR API\)/);
        assert.match(err.userMessage, /The catalog has 1 problem:\n• broken.yaml#1: /);
        return true;
      });
      await assert.rejects(
        showService({ ...deps, catalog: staticCatalog(EMPTY_CATALOG) }, { userId: BOB, name: 'ehr-api' }),
        /No service catalog is configured.*CATALOG_PATH.*BACKSTAGE_URL/s,
      );
    });
  });
}
