// The freeze use cases on the real stores (PGlite, and the PostgreSQL server when TEST_DATABASE_URL
// is set) with testDeps and a recording code host: who may freeze (the commander, in the incident's
// channel), the catalog's names, private incidents, the PHI guard on what leaves the channel, the
// verdict pipelines get, changes flagged or let through by an override, and the protection rule.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Database } from '../../src/db/database.ts';
import { EMPTY_CATALOG, type CatalogService, type CatalogSnapshot } from '../../src/domain/catalog.ts';
import type { NewChangeEvent } from '../../src/domain/changes.ts';
import type { Declaration } from '../../src/domain/declaration.ts';
import { AppError } from '../../src/domain/errors.ts';
import { PRIVATE_FREEZE_REASON } from '../../src/domain/freeze.ts';
import type { Incident } from '../../src/domain/incident.ts';
import { staticCatalog } from '../../src/ports/service-catalog.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { applyFreezeToChange } from '../../src/services/freeze/apply-freeze-to-change.ts';
import { changeSeverity } from '../../src/services/incident/change-severity.ts';
import { reopenIncident } from '../../src/services/incident/reopen-incident.ts';
import { resolveIncident } from '../../src/services/incident/resolve-incident.ts';
import { checkFreeze } from '../../src/services/freeze/check-freeze.ts';
import { endFreezesOfEndedIncidents } from '../../src/services/freeze/after-commit.ts';
import { endFreeze } from '../../src/services/freeze/end-freeze.ts';
import { overrideFreeze } from '../../src/services/freeze/override-freeze.ts';
import { reviewDeployment, type DeploymentToReview } from '../../src/services/freeze/review-deployment.ts';
import { showFreeze } from '../../src/services/freeze/show-freeze.ts';
import { startFreeze } from '../../src/services/freeze/start-freeze.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';
import { RecordingCodeHost } from '../support/recording-code-host.ts';
import { catalogService } from '../support/catalog.ts';

const ALICE = 'UALICE'; // declares, so commands while no commander is set
const BOB = 'UBOB';
const MALLORY = 'UMALLORY';
const BROADCAST = 'CBROADCAST';
const declaredAt = new Date('2026-12-05T10:00:00Z');
const at = (minutes: number) => new Date(declaredAt.getTime() + minutes * 60_000);

/** A Component owned by the platform group. */
const aService = (name: string, o: Partial<CatalogService> = {}) =>
  catalogService(name, { owner: 'group:default/platform', ownerName: 'Platform', ...o });

const CATALOG: CatalogSnapshot = {
  ...EMPTY_CATALOG,
  source: 'file',
  services: [aService('ehr-api', { title: 'EHR API', githubProjectSlug: 'acme/ehr-platform' }), aService('billing')],
  loadedAt: declaredAt,
};

function setup(db: Database, o: { catalog?: CatalogSnapshot; settings?: Partial<ServiceDeps['settings']> } = {}) {
  const chat = new FakeChat();
  const clock = new TestClock(at(10));
  // Each reading a second later: entries written one after another are in that order on the timeline.
  const ticking = {
    now: () => {
      clock.advance(1000);
      return clock.now();
    },
  };
  const codeHost = new RecordingCodeHost();
  const deps = testDeps({
    db,
    chat,
    clock: ticking,
    codeHost,
    catalog: staticCatalog(o.catalog ?? EMPTY_CATALOG),
    ...(o.settings ? { settings: o.settings } : {}),
  });
  return { deps, chat, clock, codeHost };
}

/** An incident declared by Alice (or `declaredBy`), in its channel. */
async function anIncidentIn(deps: ServiceDeps, declaration: Partial<Declaration> = {}, declaredBy = ALICE) {
  const { incident } = await deps.store.createIfAbsent(
    declaring({
      declareKey: randomUUID(),
      declaration: aDeclaration({ title: 'EHR logins failing', ...declaration }),
      declaredBy,
      declaredAt,
      via: 'test',
    }),
  );
  await deps.store.recordProvisioning(incident.id, { channelId: `C${randomUUID().slice(0, 8).toUpperCase()}` });
  return (await deps.store.findById(incident.id)) as Incident & { channelId: string };
}

const refused = (code: string) => (err: unknown) => {
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.code, code, err.userMessage);
  return true;
};

const timelineKinds = async (deps: ServiceDeps, id: string) =>
  (await deps.store.timeline(id)).filter((e) => e.kind.startsWith('freeze')).map((e) => e.kind);

function aChange(o: Partial<NewChangeEvent> = {}): NewChangeEvent {
  return {
    sourceKey: `api:${randomUUID()}`,
    source: 'api',
    kind: 'deploy',
    service: 'ehr-api',
    serviceName: 'ehr-api',
    system: null,
    owner: null,
    environment: 'production',
    version: 'v1.2.3',
    summary: 'Deploy v1.2.3',
    author: 'octocat',
    approvers: [],
    url: null,
    occurredAt: at(20),
    ...o,
  };
}

function aDeployment(o: Partial<DeploymentToReview> = {}): DeploymentToReview {
  return {
    deploymentId: Math.floor(Math.random() * 1e9),
    repository: 'acme/ehr-api',
    environment: 'production',
    callbackUrl: 'https://api.github.com/repos/acme/ehr-api/actions/runs/1/deployment_protection_rule',
    installationId: 42,
    creator: 'octocat',
    ref: 'main',
    sha: 'abc123',
    ...o,
  };
}

for (const database of testDatabases()) {
  describe(`freeze use cases (${database.name})`, () => {
    const env = useTestStore(database);

    test('the commander freezes a service in its channel; both channels are told; the verdict says 423 material', async () => {
      const { deps, chat } = setup(env.db());
      const incident = await anIncidentIn(deps);
      const service = `svc-${randomUUID().slice(0, 6)}`;
      await assert.rejects(
        startFreeze(deps, { channelId: incident.channelId, userId: BOB, scope: service, reason: 'no' }),
        refused('forbidden'),
      );
      await assert.rejects(
        startFreeze(deps, { channelId: 'CNOTANINCIDENT', userId: ALICE, scope: service, reason: 'no' }),
        refused('not_incident_channel'),
      );
      assert.deepEqual(await timelineKinds(deps, incident.id), [], 'a refusal writes nothing');
      assert.equal((await checkFreeze(deps, service)).verdict.frozen, false);

      await startFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: service, reason: 'DB failover' });
      assert.deepEqual(await timelineKinds(deps, incident.id), ['freeze_started']);
      assert.deepEqual(
        chat.noticesTo(incident.channelId).map((n) => n.kind),
        ['change-freeze-started'],
      );
      assert.deepEqual(
        chat.noticesTo(BROADCAST).map((n) => n.kind),
        ['change-freeze-started'],
      );
      await assert.rejects(
        startFreeze(deps, {
          channelId: incident.channelId,
          userId: ALICE,
          scope: service.toUpperCase(),
          reason: 'again',
        }),
        refused('already_frozen'),
      );

      const { verdict } = await checkFreeze(deps, service);
      assert.ok(verdict.frozen);
      assert.equal(verdict.incident, `INC-${incident.number}`);
      assert.equal(verdict.reason, 'DB failover');
      assert.equal((await checkFreeze(deps, `${service}-other`)).verdict.frozen, false);
      const shown = await showFreeze(deps, { channelId: incident.channelId, userId: BOB });
      assert.match(shown, new RegExp(`\\*${service}\\*: DB failover \\(<@UALICE>`));

      // Lifting: the commander only; a service it does not freeze is refused; then it is lifted.
      await assert.rejects(
        endFreeze(deps, { channelId: incident.channelId, userId: BOB, scope: null }),
        refused('forbidden'),
      );
      await assert.rejects(
        endFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: 'billing' }),
        refused('not_frozen'),
      );
      const ended = await endFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: service });
      assert.equal(ended.length, 1);
      assert.deepEqual(await timelineKinds(deps, incident.id), ['freeze_started', 'freeze_ended']);
      assert.deepEqual(
        chat.noticesTo(BROADCAST).map((n) => n.kind),
        ['change-freeze-started', 'change-freeze-ended'],
      );
      assert.equal((await checkFreeze(deps, service)).verdict.frozen, false);
      await assert.rejects(
        endFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: null }),
        refused('not_frozen'),
      );
    });

    test('with a catalog: a service is named as the catalog names it, an unknown one refused with suggestions; a repository maps to its service', async () => {
      const { deps } = setup(env.db(), { catalog: CATALOG });
      const incident = await anIncidentIn(deps);
      await assert.rejects(
        startFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: 'ehr-apu', reason: 'x' }),
        (err) => refused('unknown_service')(err) && /Did you mean `ehr-api`/.test((err as AppError).userMessage),
      );
      const freeze = await startFreeze(deps, {
        channelId: incident.channelId,
        userId: ALICE,
        scope: 'EHR API',
        reason: 'x',
      });
      assert.equal(freeze.scope, 'ehr-api');
      assert.equal((await checkFreeze(deps, 'acme/ehr-platform')).verdict.service, 'ehr-api');
      assert.ok((await checkFreeze(deps, 'acme/ehr-platform')).verdict.frozen, 'the repository is the service');
      assert.ok((await checkFreeze(deps, 'EHR API')).verdict.frozen, 'by its title');
      assert.equal((await checkFreeze(deps, 'billing')).verdict.frozen, false);
      await endFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: 'all' });
    });

    test('an incident no longer active freezes nothing and gives no overrides', async () => {
      const { deps } = setup(env.db());
      const incident = await anIncidentIn(deps);
      await deps.store.applyChange(
        incident.id,
        { status: 'RESOLVED', resolvedAt: at(5) },
        { occurredAt: at(5), kind: 'resolved', actorId: ALICE, text: 'Resolved' },
      );
      await assert.rejects(
        startFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: 'ehr-api', reason: 'x' }),
        refused('not_active'),
      );
      await assert.rejects(
        overrideFreeze(deps, { channelId: incident.channelId, userId: ALICE, service: 'ehr-api', reason: 'x' }),
        refused('not_active'),
      );
    });

    test('a private incident: no broadcast, non-members refused, and the verdict gives its reference only', async () => {
      const { deps, chat } = setup(env.db());
      const incident = await anIncidentIn(deps, { isPrivate: true, title: 'Ward 7 records exposed' });
      chat.onlyMembers(incident.channelId, ALICE);
      const service = `priv-${randomUUID().slice(0, 6)}`;
      await assert.rejects(
        startFreeze(deps, { channelId: incident.channelId, userId: BOB, scope: service, reason: 'x' }),
        refused('not_allowed'),
      );
      await startFreeze(deps, {
        channelId: incident.channelId,
        userId: ALICE,
        scope: service,
        reason: 'Ward 7 patient data',
      });
      assert.deepEqual(chat.noticesTo(BROADCAST), [], 'nothing in the broadcast channel');
      assert.deepEqual(
        chat.noticesTo(incident.channelId).map((n) => n.kind),
        ['change-freeze-started'],
      );
      const { verdict } = await checkFreeze(deps, service);
      assert.ok(verdict.frozen);
      assert.equal(verdict.reason, PRIVATE_FREEZE_REASON);
      assert.ok(!JSON.stringify(verdict).includes('Ward 7'), JSON.stringify(verdict));
      await endFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: null });
    });

    test('a reason leaving the channel passes the PHI guard; the channel keeps it and its author is warned', async () => {
      const { deps, chat } = setup(env.db());
      const incident = await anIncidentIn(deps);
      const service = `phi-${randomUUID().slice(0, 6)}`;
      const reason = 'Patient 943 476 5919 shown the wrong record';
      await startFreeze(deps, {
        channelId: incident.channelId,
        userId: ALICE,
        scope: service,
        reason,
        responseUrl: 'https://hooks.slack.test/r',
      });
      const inChannel = chat.noticesTo(incident.channelId)[0] as { reason: string };
      const broadcast = chat.noticesTo(BROADCAST)[0] as { reason: string };
      assert.equal(inChannel.reason, reason);
      assert.ok(!broadcast.reason.includes('943 476 5919'), broadcast.reason);
      assert.ok(
        [...chat.replies.map((r) => r.text), ...chat.directMessages.map((m) => m.text)].some((t) =>
          /NHS number/i.test(t),
        ),
        'the author is warned',
      );
      const { verdict } = await checkFreeze(deps, service);
      assert.ok(!JSON.stringify(verdict).includes('943 476 5919'));
      await endFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: null });
    });

    test('applyFreezeToChange: not frozen → as it was; frozen → flagged on the freezing timeline; an override → let through once', async () => {
      const { deps, chat } = setup(env.db());
      const incident = await anIncidentIn(deps);
      const service = `chg-${randomUUID().slice(0, 6)}`;
      const record = async (o: Partial<NewChangeEvent> = {}, receivedAt = at(21)) =>
        (await deps.changes.record(aChange({ service, serviceName: service, ...o }), receivedAt)).change;

      const before = await applyFreezeToChange(deps, await record());
      assert.equal(before.flagged, false);
      assert.equal(before.overrideId, null);

      await startFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: service, reason: 'x' });
      await assert.rejects(
        overrideFreeze(deps, { channelId: incident.channelId, userId: BOB, service, reason: 'hotfix' }),
        refused('forbidden'),
      );
      await assert.rejects(
        overrideFreeze(deps, { channelId: incident.channelId, userId: ALICE, service: 'other-svc', reason: 'hotfix' }),
        refused('not_frozen'),
      );
      // A change that occurred before the freeze started is not the freeze's: received before it, or
      // received during it within 15 minutes of when it says it occurred.
      const early = await applyFreezeToChange(deps, await record({ occurredAt: at(1) }, at(2)));
      assert.equal(early.flagged, false);
      const late = await applyFreezeToChange(deps, await record({ occurredAt: at(5) }, at(19)));
      assert.equal(late.flagged, false, 'received 14 minutes after it occurred: taken at its word');
      // Backdated: received during the freeze, claiming to be over 15 minutes older.
      const backdated = await applyFreezeToChange(
        deps,
        await record({ occurredAt: at(1), summary: 'Backdated' }, at(21)),
      );
      assert.equal(backdated.flagged, true, 'a backdated change is flagged');

      const flagged = await applyFreezeToChange(deps, await record({ summary: 'Deploy v2 without asking' }));
      assert.equal(flagged.flagged, true);
      assert.equal(flagged.overrideId, null);
      const flagEntry = (await deps.store.timeline(incident.id)).findLast((e) => e.kind === 'freeze_change_flagged')!;
      assert.match(
        flagEntry.text,
        /^A change landed during the freeze without an override: deploy of chg-.*Deploy v2 without asking/,
      );
      assert.ok(
        chat.noticesTo(incident.channelId).some((n) => n.kind === 'freeze-deployment' && n.outcome === 'flagged'),
      );
      assert.deepEqual(await applyFreezeToChange(deps, flagged), flagged, 'a marked change is left as it is');
      // Sent as a repository, unknown to the (absent) catalog: the repository's name is the service.
      const byRepo = await applyFreezeToChange(deps, await record({ service: `acme/${service}`, serviceName: null }));
      assert.equal(byRepo.flagged, true);
      assert.equal(
        (await applyFreezeToChange(deps, await record({ service: `acme/${service}-x`, serviceName: null }))).flagged,
        false,
      );

      const override = await overrideFreeze(deps, {
        channelId: incident.channelId,
        userId: ALICE,
        service,
        reason: 'hotfix',
      });
      assert.deepEqual(
        chat.noticesTo(BROADCAST).map((n) => n.kind),
        ['change-freeze-started', 'freeze-override'],
      );
      const through = await applyFreezeToChange(deps, await record());
      assert.equal(through.flagged, false);
      assert.equal(through.overrideId, override.id);
      const next = await applyFreezeToChange(deps, await record());
      assert.equal(next.flagged, true, 'the override is used up');
      const kinds = await timelineKinds(deps, incident.id);
      assert.deepEqual(kinds, [
        'freeze_started',
        'freeze_change_flagged',
        'freeze_change_flagged',
        'freeze_change_flagged',
        'freeze_override',
        'freeze_override_used',
        'freeze_change_flagged',
      ]);
      await endFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: null });
    });

    test('the protection rule: frozen → rejected and held on the timeline; an override → approved once (a redelivery uses no second); the deployment then reported matches it', async () => {
      const { deps, codeHost, chat } = setup(env.db(), { catalog: CATALOG });
      const incident = await anIncidentIn(deps);
      // Not frozen: approved.
      const free = await reviewDeployment(deps, aDeployment({ repository: 'acme/ehr-platform' }));
      assert.deepEqual(free, { state: 'approved', service: 'ehr-api' });
      await startFreeze(deps, {
        channelId: incident.channelId,
        userId: ALICE,
        scope: 'ehr-api',
        reason: 'DB failover',
      });
      const held = aDeployment({ repository: 'acme/ehr-platform' });
      assert.equal((await reviewDeployment(deps, held)).state, 'rejected');
      const rejection = codeHost.reviews.at(-1)!;
      assert.equal(rejection.state, 'rejected');
      assert.equal(rejection.callbackUrl, held.callbackUrl);
      assert.equal(rejection.environment, 'production');
      assert.match(
        rejection.comment,
        new RegExp(`^Change freeze on ehr-api by INC-${incident.number} \\(see the incident channel\\)`),
      );
      assert.ok(!rejection.comment.includes('DB failover'), 'no reason on GitHub');
      assert.ok(!rejection.comment.includes('EHR logins failing'), 'no title on GitHub');
      assert.ok(chat.noticesTo(incident.channelId).some((n) => n.kind === 'freeze-deployment' && n.outcome === 'held'));
      // GitHub redelivers it: rejected again, written and told once.
      assert.equal((await reviewDeployment(deps, held)).state, 'rejected');
      assert.deepEqual(codeHost.states().slice(-2), ['rejected', 'rejected']);
      assert.equal(
        (await timelineKinds(deps, incident.id)).filter((k) => k === 'freeze_deployment_rejected').length,
        1,
      );
      assert.equal(chat.noticesTo(incident.channelId).filter((n) => n.kind === 'freeze-deployment').length, 1);

      await overrideFreeze(deps, {
        channelId: incident.channelId,
        userId: ALICE,
        service: 'ehr-api',
        reason: 'hotfix',
      });
      await overrideFreeze(deps, {
        channelId: incident.channelId,
        userId: ALICE,
        service: 'ehr-api',
        reason: 'second',
      });
      const lucky = aDeployment({ repository: 'acme/ehr-platform' });
      assert.equal((await reviewDeployment(deps, lucky)).state, 'approved');
      assert.match(codeHost.reviews.at(-1)!.comment, /override from INC-\d+ \(see the incident channel\)\.$/);
      assert.ok(!codeHost.reviews.at(-1)!.comment.includes('hotfix'), 'no reason on GitHub');
      assert.equal((await reviewDeployment(deps, lucky)).state, 'approved', 'a redelivery is approved again');
      assert.equal((await deps.freezes.ofIncident(incident.id)).overrides.length, 1, 'and used no second override');
      const [used, ...more] = await deps.freezes.overridesUsedBy(`github deployment ${lucky.deploymentId}`);
      assert.deepEqual(more, []);
      assert.equal(used?.reason, 'hotfix');
      assert.equal(used?.usedBy, `github deployment ${lucky.deploymentId} (acme/ehr-platform, production)`);

      // The deployment's status reported afterwards (the change-events feature) matches that override.
      const { change } = await deps.changes.record(
        aChange({ source: 'github', sourceKey: `github:deployment_status:${lucky.deploymentId}` }),
        at(22),
      );
      const marked = await applyFreezeToChange(deps, change);
      assert.equal(marked.overrideId, used?.id);
      assert.equal(
        (await deps.freezes.ofIncident(incident.id)).overrides.length,
        1,
        'the second override is still there',
      );

      const entries = (await deps.store.timeline(incident.id)).filter((e) => e.kind === 'freeze_override_used');
      assert.equal(entries.length, 1);
      assert.match(
        entries[0]!.text,
        new RegExp(
          `github deployment ${lucky.deploymentId} \\(acme/ehr-platform, production\\) by octocat went through the freeze on ehr-api, as <@UALICE> approved: hotfix`,
        ),
      );
      await endFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: null });
    });

    test('the protection rule without a code host cannot answer', async () => {
      const { deps } = setup(env.db());
      await assert.rejects(reviewDeployment({ ...deps, codeHost: null }, aDeployment()), refused('no_code_host'));
    });

    // ---- the review's findings ------------------------------------------------------------------

    const resolveIn = (deps: ServiceDeps, incident: { channelId: string }, userId = ALICE) =>
      resolveIncident(deps, { channelId: incident.channelId, userId, summary: null });
    const entriesOf = async (deps: ServiceDeps, id: string, kind: string) =>
      (await deps.store.timeline(id)).filter((e) => e.kind === kind);

    test("two incidents freeze one service: one incident's override never lets a deployment past the other's freeze", async () => {
      const { deps, chat, codeHost } = setup(env.db());
      const service = `two-${randomUUID().slice(0, 6)}`;
      // INC-1: the SEV1 (every service). Mallory declares a private SEV4 (commander by declaring),
      // freezes the service and overrides her own freeze.
      const sev1 = await anIncidentIn(deps, { title: 'Whole EHR down' });
      await changeSeverity(deps, { channelId: sev1.channelId, userId: ALICE, severity: 'SEV1', reason: null });
      const mallorys = await anIncidentIn(deps, { severity: 'SEV4', isPrivate: true, title: 'Mine' }, MALLORY);
      chat.onlyMembers(mallorys.channelId, MALLORY);
      chat.onlyMembers(sev1.channelId, ALICE);
      await startFreeze(deps, { channelId: mallorys.channelId, userId: MALLORY, scope: service, reason: 'x' });
      const hers = await overrideFreeze(deps, {
        channelId: mallorys.channelId,
        userId: MALLORY,
        service,
        reason: 'let me through',
      });

      // GET: frozen, and no override counts (the SEV1 gave none).
      const { verdict } = await checkFreeze(deps, service);
      assert.ok(verdict.frozen);
      assert.deepEqual([verdict.override, verdict.overrides], [null, []]);
      assert.deepEqual(
        verdict.freezes.map((f) => f.incident),
        [`INC-${sev1.number}`, `INC-${mallorys.number}`],
      );
      // The protection rule rejects it, on both timelines; her override is not used.
      const first = aDeployment({ repository: `acme/${service}` });
      assert.equal((await reviewDeployment(deps, first)).state, 'rejected');
      assert.equal(
        codeHost.reviews.at(-1)!.comment,
        `Change freeze on ${service} by INC-${sev1.number} and INC-${mallorys.number} (see the incident channels). Ask the commander of each for \`/incident freeze override ${service} <reason>\`.`,
      );
      assert.equal((await entriesOf(deps, sev1.id, 'freeze_deployment_rejected')).length, 1, 'INC-1 hears of it');
      assert.equal((await entriesOf(deps, mallorys.id, 'freeze_deployment_rejected')).length, 1);
      assert.deepEqual(
        (await deps.freezes.ofIncident(mallorys.id)).overrides.map((o) => o.id),
        [hers.id],
        'her override is not used',
      );
      // A reported deployment is flagged on both, and uses nothing either.
      const { change } = await deps.changes.record(
        aChange({ service, serviceName: service, occurredAt: at(30) }),
        at(30),
      );
      const flagged = await applyFreezeToChange(deps, change);
      assert.equal(flagged.flagged, true);
      assert.equal((await entriesOf(deps, sev1.id, 'freeze_change_flagged')).length, 1);
      assert.equal((await deps.freezes.ofIncident(mallorys.id)).overrides.length, 1);

      // The SEV1's commander overrides too: now the next deployment goes through, using both.
      const alices = await overrideFreeze(deps, {
        channelId: sev1.channelId,
        userId: ALICE,
        service,
        reason: 'hotfix',
      });
      const next = await checkFreeze(deps, service);
      assert.ok(next.verdict.frozen);
      assert.deepEqual(
        next.verdict.overrides.map((o) => o.incident),
        [`INC-${sev1.number}`, `INC-${mallorys.number}`],
      );
      assert.equal(next.verdict.overrides[1]!.reason, PRIVATE_FREEZE_REASON, 'a private override by reference only');
      const lucky = aDeployment({ repository: `acme/${service}` });
      assert.equal((await reviewDeployment(deps, lucky)).state, 'approved');
      assert.equal(
        codeHost.reviews.at(-1)!.comment,
        `Change freeze on ${service}: let through by an override from INC-${sev1.number} and INC-${mallorys.number} (see the incident channels).`,
      );
      const used = await deps.freezes.overridesUsedBy(`github deployment ${lucky.deploymentId}`);
      assert.deepEqual(used.map((o) => o.id).sort(), [alices.id, hers.id].sort());
      for (const i of [sev1, mallorys]) {
        assert.equal((await entriesOf(deps, i.id, 'freeze_override_used')).length, 1, 'let through on every timeline');
        assert.ok(
          chat.noticesTo(i.channelId).some((n) => n.kind === 'freeze-deployment' && n.outcome === 'let-through'),
        );
      }
      // A redelivery is approved again and uses nothing more; the next deployment is held.
      assert.equal((await reviewDeployment(deps, lucky)).state, 'approved');
      assert.equal((await entriesOf(deps, sev1.id, 'freeze_override_used')).length, 1);
      assert.equal((await reviewDeployment(deps, aDeployment({ repository: `acme/${service}` }))).state, 'rejected');

      // All or none: a new override from Mallory alone is not used by the next deployment.
      await overrideFreeze(deps, { channelId: mallorys.channelId, userId: MALLORY, service, reason: 'again' });
      assert.equal((await reviewDeployment(deps, aDeployment({ repository: `acme/${service}` }))).state, 'rejected');
      assert.equal((await deps.freezes.ofIncident(mallorys.id)).overrides.length, 1, 'hers is still unused');
      await resolveIn(deps, mallorys, MALLORY);
      await resolveIn(deps, sev1);
    });

    test('an override lapses when its incident no longer freezes the service: lifted, downgraded from SEV1, resolved', async () => {
      const { deps } = setup(env.db());
      const service = `lapse-${randomUUID().slice(0, 6)}`;
      const a = await anIncidentIn(deps);
      await startFreeze(deps, { channelId: a.channelId, userId: ALICE, scope: service, reason: 'x' });
      const old = await overrideFreeze(deps, { channelId: a.channelId, userId: ALICE, service, reason: 'hotfix' });
      assert.equal((await deps.freezes.nextOverrides(service))?.[0]?.id, old.id);
      await endFreeze(deps, { channelId: a.channelId, userId: ALICE, scope: null });
      await startFreeze(deps, { channelId: a.channelId, userId: ALICE, scope: service, reason: 'again' });
      assert.equal(await deps.freezes.nextOverrides(service), null, 'given before the freeze was lifted: lapsed');
      const shown = await showFreeze(deps, { channelId: a.channelId, userId: ALICE });
      assert.match(
        shown,
        new RegExp(`• lapsed: one deployment of \\*${service}\\* \\(approved by <@UALICE>: hotfix\\)`),
      );
      await overrideFreeze(deps, { channelId: a.channelId, userId: ALICE, service, reason: 'now' });
      assert.match(
        await showFreeze(deps, { channelId: a.channelId, userId: ALICE }),
        new RegExp(
          `• one deployment of \\*${service}\\* may go through this incident's freeze \\(approved by <@UALICE>: now\\)`,
        ),
      );
      assert.equal((await reviewDeployment(deps, aDeployment({ repository: `acme/${service}` }))).state, 'approved');
      assert.deepEqual(
        (await deps.freezes.ofIncident(a.id)).overrides.map((o) => o.id),
        [old.id],
        'the fresh one was used, the lapsed one never',
      );
      assert.equal((await reviewDeployment(deps, aDeployment({ repository: `acme/${service}` }))).state, 'rejected');
      await endFreeze(deps, { channelId: a.channelId, userId: ALICE, scope: null });

      // A SEV1's override lapses with the downgrade, and does not come back with a new SEV1.
      await changeSeverity(deps, { channelId: a.channelId, userId: ALICE, severity: 'SEV1', reason: null });
      const sev1s = await overrideFreeze(deps, { channelId: a.channelId, userId: ALICE, service, reason: 'sev1 fix' });
      assert.equal((await deps.freezes.nextOverrides(service))?.[0]?.id, sev1s.id);
      await changeSeverity(deps, { channelId: a.channelId, userId: ALICE, severity: 'SEV2', reason: null });
      const b = await anIncidentIn(deps);
      await startFreeze(deps, { channelId: b.channelId, userId: ALICE, scope: service, reason: 'b' });
      const bs = await overrideFreeze(deps, { channelId: b.channelId, userId: ALICE, service, reason: 'b fix' });
      assert.deepEqual(
        (await deps.freezes.nextOverrides(service))?.map((o) => o.id),
        [bs.id],
        "only B freezes it: B's override alone",
      );
      await changeSeverity(deps, { channelId: a.channelId, userId: ALICE, severity: 'SEV1', reason: null });
      assert.equal(await deps.freezes.nextOverrides(service), null, "A's override predates its new SEV1 freeze");
      const again = (await checkFreeze(deps, service)).verdict;
      assert.ok(again.frozen);
      assert.equal(again.override, null);
      // Resolving A: its freeze is gone, B's override lets the next one through.
      await resolveIn(deps, a);
      assert.equal((await reviewDeployment(deps, aDeployment({ repository: `acme/${service}` }))).state, 'approved');
      assert.equal((await deps.freezes.ofIncident(a.id)).overrides.length, 2, "A's overrides were never used");
      await resolveIn(deps, b);
      assert.equal(await deps.freezes.nextOverrides(service), null);
    });

    test('merges and deployments to unprotected environments do not meet the freeze (FREEZE_ENVIRONMENTS)', async () => {
      const { deps, codeHost } = setup(env.db(), { settings: { freezeEnvironments: ['production', 'prod-eu'] } });
      const incident = await anIncidentIn(deps);
      const service = `env-${randomUUID().slice(0, 6)}`;
      const record = async (o: Partial<NewChangeEvent>) =>
        (await deps.changes.record(aChange({ service, serviceName: service, occurredAt: at(30), ...o }), at(30)))
          .change;
      await startFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: service, reason: 'x' });
      const override = await overrideFreeze(deps, {
        channelId: incident.channelId,
        userId: ALICE,
        service,
        reason: 'fix',
      });

      // A merged pull request: information only; it uses no override and is not flagged.
      const merge = await applyFreezeToChange(deps, await record({ kind: 'merge', environment: null }));
      assert.deepEqual([merge.flagged, merge.overrideId], [false, null]);
      const staging = await applyFreezeToChange(deps, await record({ environment: 'staging' }));
      assert.deepEqual([staging.flagged, staging.overrideId], [false, null]);
      assert.equal((await deps.freezes.ofIncident(incident.id)).overrides.length, 1, 'the override waits');
      // The production deployment (any case) uses it; one naming no environment is protected.
      const prod = await applyFreezeToChange(deps, await record({ environment: 'Production' }));
      assert.equal(prod.overrideId, override.id);
      const none = await applyFreezeToChange(deps, await record({ environment: null, kind: 'change' }));
      assert.equal(none.flagged, true);
      const eu = await applyFreezeToChange(deps, await record({ environment: 'PROD-EU' }));
      assert.equal(eu.flagged, true);

      // The protection rule approves other environments at once, writing nothing.
      const before = (await deps.store.timeline(incident.id)).length;
      const d = aDeployment({ repository: `acme/${service}`, environment: 'staging' });
      assert.equal((await reviewDeployment(deps, d)).state, 'approved');
      assert.equal(codeHost.reviews.at(-1)!.comment, 'The change freeze does not apply to the staging environment.');
      assert.equal((await deps.store.timeline(incident.id)).length, before);
      assert.equal(
        (await reviewDeployment(deps, aDeployment({ repository: `acme/${service}`, environment: 'prod-eu' }))).state,
        'rejected',
      );
      await resolveIn(deps, incident);
    });

    test('a freeze on a System covers its components', async () => {
      const catalog: CatalogSnapshot = {
        ...CATALOG,
        services: [
          aService('ehr', { kind: 'System', ref: 'system:default/ehr' }),
          aService('ehr-api', { title: 'EHR API', githubProjectSlug: 'acme/ehr-platform', system: 'ehr' }),
          aService('billing'),
        ],
      };
      const { deps } = setup(env.db(), { catalog });
      const incident = await anIncidentIn(deps);
      await startFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: 'ehr', reason: 'EHR failover' });
      assert.ok((await checkFreeze(deps, 'ehr-api')).verdict.frozen, 'the component');
      assert.ok((await checkFreeze(deps, 'acme/ehr-platform')).verdict.frozen, 'by its repository');
      assert.ok((await checkFreeze(deps, 'ehr')).verdict.frozen, 'the System itself');
      assert.equal((await checkFreeze(deps, 'billing')).verdict.frozen, false);
      assert.equal((await reviewDeployment(deps, aDeployment({ repository: 'acme/ehr-platform' }))).state, 'rejected');
      await assert.rejects(
        startFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: 'ehr-api', reason: 'y' }),
        refused('already_frozen'),
      );
      const { change } = await deps.changes.record(aChange({ system: 'ehr', occurredAt: at(30) }), at(30));
      assert.equal((await applyFreezeToChange(deps, change)).flagged, true);
      // The commander can let one deployment of the component through.
      await overrideFreeze(deps, { channelId: incident.channelId, userId: ALICE, service: 'ehr-api', reason: 'fix' });
      assert.equal((await reviewDeployment(deps, aDeployment({ repository: 'acme/ehr-platform' }))).state, 'approved');
      await resolveIn(deps, incident);
    });

    test('resolving ends the manual freezes on the record and in the channels; their overrides lapse; reopening does not restart them', async () => {
      const { deps, chat } = setup(env.db());
      const incident = await anIncidentIn(deps);
      const service = `end-${randomUUID().slice(0, 6)}`;
      await startFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: service, reason: 'x' });
      await overrideFreeze(deps, { channelId: incident.channelId, userId: ALICE, service, reason: 'fix' });
      await resolveIn(deps, incident);
      assert.deepEqual((await deps.freezes.ofIncident(incident.id)).freezes, []);
      const rows = await env.db().prisma.changeFreeze.findMany({ where: { incidentId: incident.id } });
      assert.deepEqual(
        rows.map((r) => [r.endedBy, r.endedAt !== null]),
        [[ALICE, true]],
      );
      const ended = await entriesOf(deps, incident.id, 'freeze_ended');
      assert.equal(ended.length, 1);
      assert.equal(ended[0]!.actorId, ALICE);
      assert.match(ended[0]!.text, new RegExp(`Change freeze lifted on ${service}: the incident was resolved`));
      for (const channel of [incident.channelId, BROADCAST]) {
        const told = chat.noticesTo(channel).filter((n) => n.kind === 'change-freeze-ended');
        assert.equal(told.length, 1, channel);
        assert.equal((told[0] as { because?: string }).because, 'resolved');
      }
      const trail = await deps.audit.read(incident.id);
      assert.ok(trail.entries.some((e) => e.action === 'change_freeze.update' && e.actor !== null));
      assert.equal((await checkFreeze(deps, service)).verdict.frozen, false);
      assert.equal(await deps.freezes.nextOverrides(service), null);

      await reopenIncident(deps, { channelId: incident.channelId, userId: ALICE, reason: 'back' });
      assert.equal((await checkFreeze(deps, service)).verdict.frozen, false, 'reopening does not restart it');
      assert.equal(chat.noticesTo(BROADCAST).filter((n) => n.kind === 'change-freeze-ended').length, 1);
      await resolveIn(deps, incident);
      assert.equal((await entriesOf(deps, incident.id, 'freeze_ended')).length, 1, 'nothing more to end');
    });

    test('a SEV3 escalated to SEV1 freezes from the escalation: changes that landed before it are not flagged', async () => {
      const { deps, clock } = setup(env.db());
      const service = `esc-${randomUUID().slice(0, 6)}`;
      const incident = await anIncidentIn(deps, { severity: 'SEV3' });
      clock.set(at(60));
      await changeSeverity(deps, { channelId: incident.channelId, userId: ALICE, severity: 'SEV1', reason: null });
      const escalated = (await entriesOf(deps, incident.id, 'severity_changed'))[0]!.occurredAt;
      const { freezes } = await checkFreeze(deps, service);
      assert.equal(freezes[0]?.startedAt.toISOString(), escalated.toISOString(), 'since: the escalation');
      const record = async (occurredAt: Date, receivedAt: Date) =>
        (await deps.changes.record(aChange({ service, serviceName: service, occurredAt }), receivedAt)).change;
      // Occurred after the declaration, before the escalation; reported 7 minutes later, after it.
      const before = await applyFreezeToChange(deps, await record(at(55), at(62)));
      assert.equal(before.flagged, false, 'landed before the escalation');
      const after = await applyFreezeToChange(deps, await record(at(61), at(62)));
      assert.equal(after.flagged, true);
      await resolveIn(deps, incident);
    });

    test('a SEV1 reopened is frozen again from the reopen: an override given before the resolve has lapsed', async () => {
      const { deps } = setup(env.db());
      const service = `reopen-${randomUUID().slice(0, 6)}`;
      const incident = await anIncidentIn(deps);
      await changeSeverity(deps, { channelId: incident.channelId, userId: ALICE, severity: 'SEV1', reason: null });
      await overrideFreeze(deps, { channelId: incident.channelId, userId: ALICE, service, reason: 'fix' });
      assert.equal((await deps.freezes.nextOverrides(service))?.length, 1);
      await resolveIn(deps, incident);
      assert.equal((await checkFreeze(deps, service)).verdict.frozen, false);
      await reopenIncident(deps, { channelId: incident.channelId, userId: ALICE, reason: 'back' });
      const reopened = (await entriesOf(deps, incident.id, 'status_changed')).findLast((e) => e.data?.reopened)!;
      const { verdict, freezes } = await checkFreeze(deps, service);
      assert.ok(verdict.frozen, 'the SEV1 freeze is back');
      assert.equal(freezes[0]!.startedAt.toISOString(), reopened.occurredAt.toISOString());
      assert.equal(verdict.override, null, 'the override given before the resolve has lapsed');
      await resolveIn(deps, incident);
    });

    test('a catalog configured but not read yet: a freeze on ehr-api holds acme/ehr-api (protection rule, GET verdict, a reported deployment)', async () => {
      const unread: CatalogSnapshot = { ...EMPTY_CATALOG, source: 'backstage', loadedAt: null };
      const { deps } = setup(env.db(), { catalog: unread, settings: { githubAllowedOwners: ['acme'] } });
      const service = `unread-${randomUUID().slice(0, 6)}`;
      const incident = await anIncidentIn(deps);
      const freeze = await startFreeze(deps, {
        channelId: incident.channelId,
        userId: ALICE,
        scope: service,
        reason: 'x',
      });
      assert.equal(freeze.scope, service, 'taken as typed');
      const d = aDeployment({ repository: `acme/${service}` });
      assert.deepEqual(await reviewDeployment(deps, d), { state: 'rejected', service });
      const { verdict } = await checkFreeze(deps, `acme/${service}`);
      assert.ok(verdict.frozen, 'the repository is the service');
      assert.equal(verdict.service, service);
      assert.equal(
        (await checkFreeze(deps, `mallory/${service}`)).verdict.frozen,
        false,
        'an owner not allowed is not it',
      );
      const { change } = await deps.changes.record(
        aChange({ source: 'github', service: `acme/${service}`, serviceName: service }),
        at(21),
      );
      assert.equal((await applyFreezeToChange(deps, change)).flagged, true);
      await resolveIn(deps, incident);
    });

    test("a change naming another deployment's github id does not borrow the overrides it used", async () => {
      const { deps } = setup(env.db(), { catalog: CATALOG });
      const incident = await anIncidentIn(deps);
      await startFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: '*', reason: 'x' });
      await overrideFreeze(deps, { channelId: incident.channelId, userId: ALICE, service: 'ehr-api', reason: 'fix' });
      const d = aDeployment({ repository: 'acme/ehr-platform' });
      assert.equal((await reviewDeployment(deps, d)).state, 'approved');
      // A pipeline reports billing under the ehr-api deployment's id: evaluated as itself, flagged.
      const { change } = await deps.changes.record(
        aChange({
          sourceKey: `github:deployment_status:${d.deploymentId}`,
          source: 'api',
          service: 'billing',
          serviceName: 'billing',
        }),
        at(22),
      );
      const marked = await applyFreezeToChange(deps, change);
      assert.equal(marked.overrideId, null, 'not let through');
      assert.equal(marked.flagged, true);
      // Its own deployment, reported too (another key naming the id), still matches the override it used.
      const [used] = await deps.freezes.overridesUsedBy(`github deployment ${d.deploymentId}`);
      const own = await deps.changes.record(aChange({ sourceKey: `github:deployment:${d.deploymentId}` }), at(22));
      const ownMarked = await applyFreezeToChange(deps, own.change);
      assert.equal(ownMarked.overrideId, used!.id);
      assert.equal(ownMarked.flagged, false);
      assert.equal((await entriesOf(deps, incident.id, 'freeze_override_used')).length, 1, 'used once');
      await resolveIn(deps, incident);
    });

    test('resolving durably ends the freezes: a missed hook is made good by the sweep (as the bot) or by the reopen', async () => {
      const { deps, chat } = setup(env.db());
      // The resolve commits, then the process dies before its hook: no hook runs.
      const crashing = { ...deps, afterCommit: [] };
      const service = `durable-${randomUUID().slice(0, 6)}`;
      const a = await anIncidentIn(deps);
      await startFreeze(deps, { channelId: a.channelId, userId: ALICE, scope: service, reason: 'x' });
      await overrideFreeze(deps, { channelId: a.channelId, userId: ALICE, service, reason: 'fix' });
      await resolveIn(crashing, a);
      assert.equal((await deps.freezes.ofIncident(a.id)).freezes.length, 1, 'left open by the crash');
      assert.ok((await deps.freezes.endedIncidentsWithOpenFreezes(500)).includes(a.id));
      // The background sweep ends it: the record, the timeline, the channels, the audit trail.
      assert.ok((await endFreezesOfEndedIncidents(deps)) >= 1);
      assert.deepEqual((await deps.freezes.ofIncident(a.id)).freezes, []);
      assert.ok(!(await deps.freezes.endedIncidentsWithOpenFreezes(500)).includes(a.id));
      const rows = await env.db().prisma.changeFreeze.findMany({ where: { incidentId: a.id } });
      assert.deepEqual(
        rows.map((r) => [r.endedBy, r.endedAt !== null]),
        [['incident-bot', true]],
      );
      const ended = await entriesOf(deps, a.id, 'freeze_ended');
      assert.equal(ended.length, 1);
      assert.equal(ended[0]!.actorId, null);
      assert.match(ended[0]!.text, /the incident was resolved/);
      for (const channel of [a.channelId, BROADCAST])
        assert.equal(chat.noticesTo(channel).filter((n) => n.kind === 'change-freeze-ended').length, 1, channel);
      assert.ok((await deps.audit.read(a.id)).entries.some((e) => e.action === 'change_freeze.update'));
      await endFreezesOfEndedIncidents(deps);
      assert.equal((await entriesOf(deps, a.id, 'freeze_ended')).length, 1, 'a second sweep ends nothing more');
      await reopenIncident(deps, { channelId: a.channelId, userId: ALICE, reason: 'back' });
      assert.equal((await checkFreeze(deps, service)).verdict.frozen, false);
      await resolveIn(deps, a);

      // A reopen before the sweep ran ends them first: the freeze and its override do not come back.
      const b = await anIncidentIn(deps);
      await startFreeze(deps, { channelId: b.channelId, userId: ALICE, scope: service, reason: 'y' });
      await overrideFreeze(deps, { channelId: b.channelId, userId: ALICE, service, reason: 'fix b' });
      await resolveIn(crashing, b);
      await reopenIncident(deps, { channelId: b.channelId, userId: ALICE, reason: 'back' });
      assert.equal((await checkFreeze(deps, service)).verdict.frozen, false, 'not resurrected');
      assert.deepEqual((await deps.freezes.ofIncident(b.id)).freezes, []);
      assert.equal(await deps.freezes.nextOverrides(service), null);
      assert.equal((await entriesOf(deps, b.id, 'freeze_ended')).length, 1);
      // Active again: nothing for the sweep; a freeze started now is not ended by it.
      await startFreeze(deps, { channelId: b.channelId, userId: ALICE, scope: service, reason: 'z' });
      await endFreezesOfEndedIncidents(deps);
      assert.equal((await checkFreeze(deps, service)).verdict.frozen, true);
      assert.equal(
        (
          await deps.freezes.endOfEndedIncident(b.id, { by: 'x', at: at(99) }, () => ({
            occurredAt: at(99),
            kind: 'freeze_ended',
            actorId: null,
            text: 'x',
          }))
        ).length,
        0,
        'an active incident ends nothing',
      );
      await resolveIn(deps, b);
    });

    test("escalating to SEV1 voids the incident's overrides given for its earlier freeze", async () => {
      const { deps } = setup(env.db());
      const service = `void-${randomUUID().slice(0, 6)}`;
      const incident = await anIncidentIn(deps, { severity: 'SEV3' });
      await startFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: service, reason: 'x' });
      await overrideFreeze(deps, { channelId: incident.channelId, userId: ALICE, service, reason: 'fix' });
      assert.equal((await deps.freezes.nextOverrides(service))?.length, 1);
      await changeSeverity(deps, { channelId: incident.channelId, userId: ALICE, severity: 'SEV1', reason: null });
      assert.equal(await deps.freezes.nextOverrides(service), null, 'given before the SEV1 freeze');
      assert.equal((await reviewDeployment(deps, aDeployment({ repository: `acme/${service}` }))).state, 'rejected');
      await overrideFreeze(deps, { channelId: incident.channelId, userId: ALICE, service, reason: 'sev1 fix' });
      assert.equal((await reviewDeployment(deps, aDeployment({ repository: `acme/${service}` }))).state, 'approved');
      await resolveIn(deps, incident);
    });

    test('two deliveries of one held deployment at once: one timeline entry, one notice', async () => {
      const { deps, chat } = setup(env.db());
      const incident = await anIncidentIn(deps);
      const service = `held-${randomUUID().slice(0, 6)}`;
      await startFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: service, reason: 'x' });
      const d = aDeployment({ repository: `acme/${service}` });
      const results = await Promise.all([reviewDeployment(deps, d), reviewDeployment(deps, d)]);
      assert.deepEqual(
        results.map((r) => r.state),
        ['rejected', 'rejected'],
      );
      assert.equal((await entriesOf(deps, incident.id, 'freeze_deployment_rejected')).length, 1);
      assert.equal(chat.noticesTo(incident.channelId).filter((n) => n.kind === 'freeze-deployment').length, 1);
      await resolveIn(deps, incident);
    });

    test('freezing, lifting and overriding redraw the pinned summary', async () => {
      const { deps, chat } = setup(env.db());
      const incident = await anIncidentIn(deps);
      await deps.store.recordProvisioning(incident.id, { summaryTs: '1700000000.000100' });
      const service = `sum-${randomUUID().slice(0, 6)}`;
      const redraws = () => chat.summaries.filter((s) => s.channelId === incident.channelId && s.redraw).length;
      await startFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: service, reason: 'x' });
      assert.equal(redraws(), 1);
      await overrideFreeze(deps, { channelId: incident.channelId, userId: ALICE, service, reason: 'fix' });
      assert.equal(redraws(), 2);
      await endFreeze(deps, { channelId: incident.channelId, userId: ALICE, scope: null });
      assert.equal(redraws(), 3);
      // A redraw that fails is logged; the freeze stands.
      chat.failOn('updateSummary', new Error('slack down'));
      const freeze = await startFreeze(deps, {
        channelId: incident.channelId,
        userId: ALICE,
        scope: service,
        reason: 'y',
      });
      chat.failOn('updateSummary', null);
      assert.equal((await deps.freezes.ofIncident(incident.id)).freezes[0]?.id, freeze.id);
      await resolveIn(deps, incident);
    });
  });
}
