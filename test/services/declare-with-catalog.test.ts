// Declaring with the service catalog, on the real store (PGlite, and the PostgreSQL server when
// TEST_DATABASE_URL is set): the service resolved by name, title or reference (stored by name, with
// its owner), refused with suggestions when unknown (nothing recorded), free text without a catalog;
// held declarations declared as resolved when held; the owning team told once in its channel (a
// private incident by its reference only; an unreachable channel a warning); the on-call of the
// catalog's PagerDuty service; PagerDuty alerts mapped to the catalog; the summary's context.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { EMPTY_CATALOG, type CatalogSnapshot } from '../../src/domain/catalog.ts';
import type { NewChangeEvent } from '../../src/domain/changes.ts';
import { AppError } from '../../src/domain/errors.ts';
import { OWNER_NOTICE_KINDS, ownerNoticeOwed, pendingSteps } from '../../src/domain/provisioning.ts';
import { ChatError } from '../../src/ports/chat-platform.ts';
import { OnCallUnavailable, type OnCallAnswer, type OnCallProvider } from '../../src/ports/on-call-provider.ts';
import { staticCatalog, type ServiceCatalog } from '../../src/ports/service-catalog.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import {
  declareIncident,
  heldDeclarationSchema,
  withDeclaredService,
  type DeclareIncidentInput,
} from '../../src/services/incident/declare-incident.ts';
import { provisionIncident } from '../../src/services/incident/provision-incident.ts';
import { redrawSummariesForChange } from '../../src/services/changes/redraw-summaries-for-change.ts';
import { handlePagerDutyEvent } from '../../src/services/on-call/handle-pagerduty-event.ts';
import { summaryContext } from '../../src/services/summary-context.ts';
import { startFreeze } from '../../src/services/freeze/start-freeze.ts';
import { overrideFreeze } from '../../src/services/freeze/override-freeze.ts';
import { tellResumedOutcome } from '../../src/services/incident/resume-provisioning.ts';
import { actingAs } from '../../src/audit-context.ts';
import { noticeText } from '../../src/slack/views/notices.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { aService, catalogOf } from '../support/catalog.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';

const now = new Date('2026-11-24T14:00:00Z');
const HOUR = 60 * 60_000;

const EHR = aService({
  name: 'ehr-api',
  title: 'EHR API',
  system: 'ehr',
  owner: 'group:default/clinical-systems',
  ownerName: 'Clinical systems',
  pagerDutyServiceId: 'PEHR1',
  slackChannel: '#clinical-systems',
  clinicalCriticality: 'patient-facing',
  links: [
    { url: 'https://runbooks.example.org/ehr', title: 'EHR runbook', kind: 'runbook' },
    { url: 'https://grafana.example.org/d/ehr', title: 'EHR dashboard', kind: 'dashboard' },
  ],
});
const LABS = aService({ name: 'lab-results', title: 'Lab results', system: 'ehr', slackChannel: 'C0LABS0001' });
const BILLING = aService({ name: 'billing', title: 'Billing', owner: null, ownerName: null });

/** A catalog whose snapshot a test may swap (a reload). */
function mutableCatalog(snapshot: CatalogSnapshot): ServiceCatalog & { set(s: CatalogSnapshot): void } {
  let current = snapshot;
  return { current: () => current, set: (s) => (current = s) };
}

class RecordingOnCall implements OnCallProvider {
  readonly asked: { query: string | null; opts: unknown }[] = [];
  /** How many lookups fail (PagerDuty down) before it answers. */
  failures = 0;
  async onCall(query: string | null, _now: Date, opts?: unknown): Promise<OnCallAnswer | null> {
    this.asked.push({ query, opts });
    if (this.failures > 0) {
      this.failures--;
      throw new OnCallUnavailable('PagerDuty answered 503');
    }
    return { target: { kind: 'service', id: 'PEHR1', name: 'EHR API (PagerDuty)' }, now: [], next: [] };
  }
  async page(): Promise<null> {
    return null;
  }
  async resolvePaged(): Promise<void> {}
}

for (const database of testDatabases()) {
  describe(`declaring with the service catalog (${database.name})`, () => {
    const { db } = useTestStore(database);

    function setup(
      catalog: ServiceCatalog = staticCatalog(catalogOf(EHR, LABS, BILLING)),
      overrides: Partial<ServiceDeps> = {},
    ) {
      const chat = new FakeChat();
      chat.channels.push({ id: 'CCLINSYS', name: 'clinical-systems', isPrivate: false });
      const deps = testDeps({ db: db(), chat, clock: new TestClock(now), catalog, ...overrides });
      return { deps, chat };
    }

    const input = (o: Partial<DeclareIncidentInput['declaration']> = {}): DeclareIncidentInput => ({
      declareKey: randomUUID(),
      declaration: { title: 'Wards cannot log in', severity: 'SEV2', ...o },
      declaredBy: 'UALICE',
      originChannelId: null,
      responseUrl: null,
      via: 'command',
    });

    async function declared(deps: ServiceDeps, i: DeclareIncidentInput) {
      const result = await declareIncident(deps, i);
      assert.ok(!result.duplicate);
      return result;
    }

    test('a catalog service by its name, title or reference, in any case: stored by name, with its owner', async () => {
      const { deps } = setup();
      for (const typed of ['ehr-api', 'EHR API', 'ehr api', 'Component:Default/EHR-API']) {
        const { outcome } = await declared(deps, input({ affectedService: typed, clinicalImpact: true }));
        assert.equal(outcome.incident.affectedService, 'ehr-api', typed);
        assert.equal(outcome.incident.serviceOwner, 'group:default/clinical-systems', typed);
        const stored = await deps.store.findById(outcome.incident.id);
        assert.equal(stored?.serviceOwner, 'group:default/clinical-systems');
        const entry = (await deps.store.timeline(outcome.incident.id)).find((e) => e.kind === 'declared');
        assert.equal(entry?.data?.affectedService, 'ehr-api');
        assert.equal(entry?.data?.serviceOwner, 'group:default/clinical-systems');
      }
    });

    test('a service the catalog does not know: refused with up to five suggestions, nothing recorded', async () => {
      const { deps } = setup();
      const before = (await deps.store.listActive()).length;
      const attempt = input({ affectedService: 'ehr-apj' });
      await assert.rejects(declareIncident(deps, attempt), (err: unknown) => {
        assert.ok(err instanceof AppError);
        assert.equal(err.code, 'unknown_service');
        assert.match(err.userMessage, /`ehr-apj` is not a service in the service catalog, so nothing was declared/);
        assert.match(err.userMessage, /Did you mean `ehr-api` \(EHR API\)/);
        return true;
      });
      // Before holding (the listeners' path) it is refused the same way.
      assert.throws(() => withDeclaredService(deps, attempt), AppError);
      assert.equal((await deps.store.listActive()).length, before);

      const many = catalogOf(...Array.from({ length: 9 }, (_, n) => aService({ name: `ward-app-${n}` })));
      const { deps: big } = setup(staticCatalog(many));
      await assert.rejects(declareIncident(big, input({ affectedService: 'ward-app' })), (err: unknown) => {
        assert.ok(err instanceof AppError);
        assert.equal(err.userMessage.match(/`ward-app-\d`/g)?.length, 5);
        return true;
      });
      // Nothing looks like it: where to look instead.
      await assert.rejects(declareIncident(deps, input({ affectedService: 'zzzzzzzzzzzz' })), /Check its name/);
    });

    test('without a catalog the service is free text, with no owner', async () => {
      const { deps } = setup(staticCatalog(EMPTY_CATALOG));
      const { outcome, advice } = await declared(deps, input({ affectedService: 'Whatever we call it' }));
      assert.equal(outcome.incident.affectedService, 'Whatever we call it');
      assert.equal(outcome.incident.serviceOwner, null);
      assert.equal(advice, undefined);
      assert.equal(await deps.store.hasTimelineEntry(outcome.incident.id, OWNER_NOTICE_KINDS), false);
    });

    test('a held declaration is declared as resolved when it was held, whatever the catalog says by then', async () => {
      const catalog = mutableCatalog(catalogOf(EHR, LABS));
      const { deps } = setup(catalog);
      const held = withDeclaredService(deps, input({ affectedService: 'Lab results' }));
      assert.deepEqual(held.service, { name: 'lab-results', owner: 'group:default/platform' });
      // As the intake keeps it (JSON) and reads it back.
      const replayed = heldDeclarationSchema.parse(JSON.parse(JSON.stringify(held)));
      catalog.set(catalogOf(EHR));
      const { outcome } = await declared(deps, replayed);
      assert.equal(outcome.incident.affectedService, 'lab-results');
      assert.equal(outcome.incident.serviceOwner, 'group:default/platform');
      // No service given: none, even with a catalog.
      assert.equal(withDeclaredService(deps, input()).service, null);
    });

    test('a patient-facing service declared SEV3 without clinical impact still declares, with advice', async () => {
      const { deps } = setup();
      const low = await declared(deps, input({ affectedService: 'ehr-api', severity: 'SEV3' }));
      assert.equal(low.outcome.incident.severity, 'SEV3');
      assert.equal(low.advice?.length, 1);
      assert.match(
        low.advice![0]!,
        /EHR API is patient-facing: consider SEV2 or higher .*\(`\/incident clinical on`\)/,
      );
      const right = await declared(deps, input({ affectedService: 'ehr-api', clinicalImpact: true }));
      assert.equal(right.advice, undefined);
      const other = await declared(deps, input({ affectedService: 'lab-results', severity: 'SEV4' }));
      assert.equal(other.advice, undefined);
    });

    test('the owning team is told once in its channel, by name, with the incident redacted and linked', async () => {
      // PagerDuty down on the first run: the run fails after the notice, and its retry tells nobody twice.
      const onCall = new RecordingOnCall();
      onCall.failures = 1;
      const { deps, chat } = setup(undefined, { onCall });
      const { outcome } = await declared(
        deps,
        input({ affectedService: 'ehr-api', clinicalImpact: true, title: 'Wards cannot log in, NHS 943 476 5919' }),
      );
      assert.ok(outcome.state === 'failed' && outcome.step === 'invite-on-call');
      const notices = chat.noticesTo('CCLINSYS');
      assert.equal(notices.length, 1);
      const notice = notices[0]!;
      assert.ok(notice.kind === 'owner-notice');
      assert.equal(notice.service, 'EHR API');
      assert.equal(notice.owner, 'Clinical systems');
      const text = noticeText(notice);
      assert.match(text, /\*INC-\d+\* \(SEV2\) affects \*EHR API\*, which Clinical systems owns/);
      assert.match(text, new RegExp(`in <#${outcome.incident.channelId}>`));
      assert.doesNotMatch(text, /943 476 5919/, 'the PHI guard ran on what left the channel');
      const incident = (await deps.store.findById(outcome.incident.id))!;
      const entry = (await deps.store.timeline(incident.id)).find((e) => e.kind === 'owner_notified');
      assert.match(entry!.text, /Told the owning team \(Clinical systems\) of EHR API in <#CCLINSYS>/);
      const retried = await provisionIncident(deps, incident.id);
      assert.equal(retried.state, 'complete');
      assert.equal(chat.noticesTo('CCLINSYS').length, 1);
      assert.equal((await deps.store.timeline(incident.id)).filter((e) => e.kind === 'owner_notified').length, 1);
      // The rule: owed while nothing is on the timeline, never for a near miss or a team without a channel.
      assert.equal(ownerNoticeOwed(incident, '#clinical-systems', false), true);
      assert.equal(ownerNoticeOwed(incident, '#clinical-systems', true), false);
      assert.equal(ownerNoticeOwed({ ...incident, nearMiss: true }, '#clinical-systems', false), false);
      assert.equal(ownerNoticeOwed(incident, null, false), false);
      assert.deepEqual(pendingSteps(incident, { onCall: false, ownerNoticeOwed: true }), ['notify-owner']);
    });

    test('a private incident is not told to the owning team at all, and the step is not retried', async () => {
      const { deps, chat } = setup();
      const { outcome } = await declared(
        deps,
        input({ affectedService: 'lab-results', isPrivate: true, title: 'Secret ward results exposed' }),
      );
      assert.equal(outcome.state, 'complete');
      assert.deepEqual(chat.noticesTo('C0LABS0001'), [], 'nothing of a private incident leaves its channel');
      assert.equal(chat.announcements.length, 0);
      const incident = (await deps.store.findById(outcome.incident.id))!;
      // Not owed: no step left, so no retry ever posts it.
      assert.equal(ownerNoticeOwed(incident, '#labs', false), false);
      assert.deepEqual(
        pendingSteps(incident, { onCall: false, ownerNoticeOwed: ownerNoticeOwed(incident, '#labs', false) }),
        [],
      );
      const again = await provisionIncident(deps, incident.id);
      assert.equal(again.state, 'complete');
      assert.deepEqual(chat.noticesTo('C0LABS0001'), []);
      assert.equal(
        (await deps.store.timeline(incident.id)).filter(
          (e) => e.kind === 'owner_notified' || e.kind === 'owner_notice_failed',
        ).length,
        0,
      );
    });

    test('a team channel that cannot be found or posted to is a warning on the timeline, never a failure', async () => {
      const missing = aService({ name: 'pharmacy', slackChannel: '#no-such-channel' });
      const closed = aService({ name: 'imaging', slackChannel: 'C0CLOSED01' });
      const { deps, chat } = setup(staticCatalog(catalogOf(missing, closed)));
      const first = await declared(deps, input({ affectedService: 'pharmacy' }));
      assert.equal(first.outcome.state, 'complete');
      assert.ok(
        first.outcome.state === 'complete' &&
          first.outcome.warnings.some((w) => /could not tell the owning team/.test(w)),
      );
      const warned = (await deps.store.timeline(first.outcome.incident.id)).find(
        (e) => e.kind === 'owner_notice_failed',
      );
      assert.match(warned!.text, /#no-such-channel: no such channel visible to the bot/);

      chat.before = (method, args) => {
        if (method === 'notify' && args[0] === 'C0CLOSED01') throw new ChatError('not_in_channel');
      };
      const second = await declared(deps, input({ affectedService: 'imaging' }));
      assert.equal(second.outcome.state, 'complete');
      const entry = (await deps.store.timeline(second.outcome.incident.id)).find(
        (e) => e.kind === 'owner_notice_failed',
      );
      assert.match(entry!.text, /Slack said not_in_channel/);
      assert.equal(await deps.store.hasTimelineEntry(second.outcome.incident.id, OWNER_NOTICE_KINDS), true);

      // Slack down: the step fails (the background retry tries again), nothing recorded as told.
      chat.before = (method, args) => {
        if (method === 'notify' && args[0] === 'C0CLOSED01') throw new ChatError('ratelimited');
      };
      const third = await declared(deps, input({ affectedService: 'imaging' }));
      assert.equal(third.outcome.state, 'failed');
      assert.ok(third.outcome.state === 'failed' && third.outcome.step === 'notify-owner');
      assert.equal(await deps.store.hasTimelineEntry(third.outcome.incident.id, OWNER_NOTICE_KINDS), false);
    });

    test("the on-call invited is the catalog's PagerDuty service's, by its id", async () => {
      const onCall = new RecordingOnCall();
      const { deps } = setup(undefined, { onCall });
      await declared(deps, input({ affectedService: 'EHR API' }));
      assert.deepEqual(onCall.asked.at(-1), { query: 'ehr-api', opts: { exactService: true, serviceId: 'PEHR1' } });
      // A service without one: by name, as before.
      await declared(deps, input({ affectedService: 'lab-results' }));
      assert.deepEqual(onCall.asked.at(-1), { query: 'lab-results', opts: { exactService: true } });
    });

    test('a PagerDuty alert on a service in the catalog declares that service, with its owner', async () => {
      const { deps } = setup();
      const event = (id: string, serviceId: string, serviceName: string) => ({
        eventId: `E${id}`,
        kind: 'triggered' as const,
        occurredAt: now,
        agentName: null,
        incident: {
          id,
          title: 'EHR down',
          number: 7,
          htmlUrl: null,
          urgency: 'high' as const,
          serviceId,
          serviceName,
          incidentKey: null,
        },
      });
      const settings = { autoDeclareServiceIds: new Set(['PEHR1', 'POTHER']) };
      assert.equal(await handlePagerDutyEvent(deps, event('PD1', 'PEHR1', 'EHR production'), settings), 'declared');
      const mapped = await deps.store.findByPagerDutyIncident('PD1');
      assert.equal(mapped?.affectedService, 'ehr-api');
      assert.equal(mapped?.serviceOwner, 'group:default/clinical-systems');
      // Not in the catalog: PagerDuty's own name, never refused.
      assert.equal(await handlePagerDutyEvent(deps, event('PD2', 'POTHER', 'Legacy pager'), settings), 'declared');
      const unmapped = await deps.store.findByPagerDutyIncident('PD2');
      assert.equal(unmapped?.affectedService, 'Legacy pager');
      assert.equal(unmapped?.serviceOwner, null);
    });

    test('the summary context: the catalog service and its changes (and its system’s) from 24 hours before', async () => {
      const { deps, chat } = setup();
      const change = (o: Partial<NewChangeEvent>): NewChangeEvent => ({
        sourceKey: randomUUID(),
        source: 'api',
        kind: 'deploy',
        service: 'ehr-api',
        serviceName: 'ehr-api',
        system: 'ehr',
        owner: null,
        environment: 'production',
        version: 'v1',
        summary: 'A deploy',
        author: 'dev1',
        approvers: [],
        url: null,
        occurredAt: new Date(now.getTime() - 2 * HOUR),
        ...o,
      });
      await deps.changes.record(change({ version: 'v41', approvers: ['lead1'] }), now);
      await deps.changes.record(change({ version: 'old', occurredAt: new Date(now.getTime() - 30 * HOUR) }), now);
      await deps.changes.record(change({ service: 'lab-results', serviceName: 'lab-results', version: 'labs-9' }), now);
      await deps.changes.record(
        change({ service: 'billing', serviceName: 'billing', system: null, version: 'b1' }),
        now,
      );
      const { outcome } = await declared(deps, input({ affectedService: 'ehr-api', clinicalImpact: true }));
      const context = await summaryContext(deps, outcome.incident);
      assert.equal(context.service?.name, 'ehr-api');
      assert.deepEqual(new Set(context.changes.map((c) => c.version)), new Set(['v41', 'labs-9']));
      // The summary was posted with it.
      const posted = chat.summaries.find((s) => s.incident.id === outcome.incident.id && !s.redraw);
      assert.equal(posted?.context.service?.name, 'ehr-api');
      assert.equal(posted?.context.changes.length, 2);

      // A change recorded after the declaration redraws the summaries of the active incidents it affects.
      const { change: late } = await deps.changes.record(
        change({ version: 'v42', occurredAt: new Date(now.getTime() + 5 * 60_000) }),
        now,
      );
      (deps.clock as TestClock).advance(10 * 60_000);
      // (Earlier tests' incidents on ehr-api and on lab-results, of the same system, are active too.)
      const redrawsBefore = chat.summaries.length;
      await redrawSummariesForChange(deps, late);
      const redrawn = chat.summaries.slice(redrawsBefore);
      assert.ok(redrawn.length >= 2 && redrawn.every((s) => s.redraw));
      const ours = redrawn.find((s) => s.incident.id === outcome.incident.id);
      // Since the declaration: its own group; the suspects before it stay.
      assert.ok(ours?.context.changesSince?.some((c) => c.version === 'v42'));
      assert.deepEqual(new Set(ours?.context.changes.map((c) => c.version)), new Set(['v41', 'labs-9']));
      assert.ok(
        redrawn.some((s) => s.incident.affectedService === 'lab-results'),
        'the system’s other service',
      );
      assert.ok(!redrawn.some((s) => s.incident.affectedService === 'billing'));
      // The store's bounded read: active incidents by affected service, in any case.
      const found = await deps.store.listActiveAffecting(['EHR-API'], 3);
      assert.ok(found.length >= 1 && found.length <= 3 && found.every((i) => i.affectedService === 'ehr-api'));
      assert.deepEqual(await deps.store.listActiveAffecting([], 10), []);
      // A change to a service and system no active incident names redraws nothing.
      const { change: elsewhere } = await deps.changes.record(
        change({ service: 'payroll', serviceName: null, system: 'back-office', version: 'p2' }),
        now,
      );
      const before = chat.summaries.length;
      await redrawSummariesForChange(deps, elsewhere);
      assert.equal(chat.summaries.length, before);

      // Later deploys never push the suspects out: up to five before the declaration, three since.
      for (let n = 0; n < 6; n++)
        await deps.changes.record(
          change({ version: `later-${n}`, occurredAt: new Date(now.getTime() + 330_000 + n * 30_000) }),
          now,
        );
      const grouped = await summaryContext(deps, outcome.incident);
      assert.deepEqual(new Set(grouped.changes.map((c) => c.version)), new Set(['v41', 'labs-9']));
      assert.deepEqual(
        grouped.changesSince?.map((c) => c.version),
        ['later-5', 'later-4', 'later-3'],
      );
    });

    test('the summary context has the incident’s manual freezes and unused overrides while it is active', async () => {
      const { deps } = setup();
      const { outcome } = await declared(deps, input({ affectedService: 'ehr-api', clinicalImpact: true }));
      const channelId = outcome.incident.channelId!;
      await actingAs({ actor: 'UALICE', via: 'test' }, async () => {
        await startFreeze(deps, { channelId, userId: 'UALICE', scope: 'ehr-api', reason: 'DB failover' });
        await overrideFreeze(deps, { channelId, userId: 'UALICE', service: 'ehr-api', reason: 'Hotfix' });
      });
      const incident = (await deps.store.findById(outcome.incident.id))!;
      const context = await summaryContext(deps, incident);
      assert.deepEqual(context.freezes, [{ scope: 'ehr-api', reason: 'DB failover' }]);
      assert.deepEqual(context.overrides, [{ service: 'ehr-api' }]);
      // Resolved: its freezes are not in force, and not shown.
      const resolved = await summaryContext(deps, { ...incident, status: 'RESOLVED' });
      assert.equal(resolved.freezes, undefined);
      assert.equal(resolved.overrides, undefined);
    });

    test('a catalog configured but never read (Backstage down at start): services are taken as typed', async () => {
      const unread: CatalogSnapshot = {
        ...EMPTY_CATALOG,
        source: 'backstage',
        problems: [{ source: 'backstage', message: 'the catalog could not be read: 503' }],
      };
      const { deps } = setup(staticCatalog(unread));
      const { outcome } = await declared(deps, input({ affectedService: 'Payments API' }));
      assert.equal(outcome.incident.affectedService, 'Payments API');
      assert.equal(outcome.incident.serviceOwner, null);
      assert.deepEqual(withDeclaredService(deps, input({ affectedService: 'Payments API' })).service, {
        name: 'Payments API',
        owner: null,
      });
    });

    test('a declaration the background retry recorded is told with the patient-facing advice', async () => {
      const { deps, chat } = setup();
      const result = await declared(deps, {
        ...input({ affectedService: 'ehr-api', severity: 'SEV3' }),
        responseUrl: 'https://hooks.slack.com/r/1',
      });
      assert.equal(result.outcome.state, 'complete');
      await tellResumedOutcome(
        deps,
        result.outcome.incident,
        result.outcome,
        ' (Declared by the background retry.)',
        result.advice ?? [],
      );
      const told = chat.replies.at(-1)?.text ?? '';
      assert.match(told, /is now fully set up/);
      assert.match(told, /EHR API is patient-facing: consider SEV2 or higher/);
    });
  });
}
