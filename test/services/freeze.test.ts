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
import { checkFreeze } from '../../src/services/freeze/check-freeze.ts';
import { endFreeze } from '../../src/services/freeze/end-freeze.ts';
import { overrideFreeze } from '../../src/services/freeze/override-freeze.ts';
import { reviewDeployment, type DeploymentToReview } from '../../src/services/freeze/review-deployment.ts';
import { showFreeze } from '../../src/services/freeze/show-freeze.ts';
import { startFreeze } from '../../src/services/freeze/start-freeze.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';
import { RecordingCodeHost } from '../support/recording-code-host.ts';

const ALICE = 'UALICE'; // declares, so commands while no commander is set
const BOB = 'UBOB';
const BROADCAST = 'CBROADCAST';
const declaredAt = new Date('2026-12-05T10:00:00Z');
const at = (minutes: number) => new Date(declaredAt.getTime() + minutes * 60_000);

function aService(name: string, o: Partial<CatalogService> = {}): CatalogService {
  return {
    ref: `component:default/${name}`,
    kind: 'Component',
    name,
    title: null,
    description: null,
    owner: 'group:default/platform',
    ownerName: 'Platform',
    system: null,
    pagerDutyServiceId: null,
    slackChannel: null,
    clinicalCriticality: null,
    githubProjectSlug: null,
    links: [],
    ...o,
  };
}

const CATALOG: CatalogSnapshot = {
  ...EMPTY_CATALOG,
  source: 'file',
  services: [aService('ehr-api', { title: 'EHR API', githubProjectSlug: 'acme/ehr-platform' }), aService('billing')],
  loadedAt: declaredAt,
};

function setup(db: Database, o: { catalog?: CatalogSnapshot } = {}) {
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
  const deps = testDeps({ db, chat, clock: ticking, codeHost, catalog: staticCatalog(o.catalog ?? EMPTY_CATALOG) });
  return { deps, chat, clock, codeHost };
}

/** An incident declared by Alice, in its channel. */
async function anIncidentIn(deps: ServiceDeps, declaration: Partial<Declaration> = {}) {
  const { incident } = await deps.store.createIfAbsent(
    declaring({
      declareKey: randomUUID(),
      declaration: aDeclaration({ title: 'EHR logins failing', ...declaration }),
      declaredBy: ALICE,
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
  });
}
