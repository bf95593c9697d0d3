// The freeze store on both databases: freezes and overrides recorded with their timeline entries on
// the incident's hash-chained audit trail; what is in force (manual freezes of active incidents, SEV1
// freezes); an override goes to exactly one of the deployments racing for it, and a deployment that
// used one (a redelivery) gets it again and uses no other.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actingAs } from '../../src/audit-context.ts';
import { PrismaAuditTrail } from '../../src/db/prisma-audit-trail.ts';
import { PrismaFreezeStore } from '../../src/db/prisma-freeze-store.ts';
import { ALL_SERVICES } from '../../src/domain/changes.ts';
import type { NewTimelineEntry } from '../../src/domain/timeline.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const at = (s: string) => new Date(`2026-12-05T${s}:00Z`);
const ALICE = { actor: 'UALICE', via: '/incident freeze' };
const entry = (kind: string, text: string, time = at('10:00')): NewTimelineEntry => ({
  occurredAt: time,
  kind,
  actorId: 'UALICE',
  text,
});

for (const database of testDatabases()) {
  describe(`freeze store (${database.name})`, () => {
    const env = useTestStore(database);
    const freezes = () => new PrismaFreezeStore(env.db().prisma);

    async function anIncident(title: string, o: { isPrivate?: boolean } = {}) {
      const { incident } = await actingAs({ actor: 'UALICE', via: '/incident declare' }, () =>
        env
          .store()
          .createIfAbsent(declaring({ declaration: aDeclaration({ title, isPrivate: o.isPrivate ?? false }) })),
      );
      return incident;
    }
    const freezeOn = (incidentId: string, scope: string, startedAt = at('09:00')) =>
      freezes().start(
        { incidentId, scope, reason: 'frozen', startedBy: 'UALICE', startedAt },
        entry('freeze_started', `Change freeze on ${scope}`, startedAt),
      );
    const resolve = (id: string) =>
      env.store().applyChange(id, { status: 'RESOLVED', resolvedAt: at('12:00') }, entry('resolved', 'Resolved'));

    test('a freeze is recorded with its timeline entry, in force while its incident is active, and lifted with another', async () => {
      const incident = await anIncident('Freeze store: start and end');
      const store = freezes();
      const freeze = await actingAs(ALICE, () =>
        store.start(
          {
            incidentId: incident.id,
            scope: 'Ehr-Api',
            reason: 'DB failover',
            startedBy: 'UALICE',
            startedAt: at('10:00'),
          },
          entry('freeze_started', 'Change freeze on Ehr-Api: DB failover'),
        ),
      );
      assert.equal(freeze.scope, 'Ehr-Api');
      const on = (await store.activeFor('ehr-api')).filter((f) => f.incidentId === incident.id);
      assert.deepEqual(
        on.map((f) => [f.origin, f.freezeId, f.incidentNumber, f.incidentPrivate, f.scope, f.reason, f.startedBy]),
        [['manual', freeze.id, incident.number, false, 'Ehr-Api', 'DB failover', 'UALICE']],
      );
      assert.ok(on[0]!.startedAt instanceof Date && on[0]!.startedAt.getTime() === at('10:00').getTime());
      assert.equal((await store.activeFor('billing')).filter((f) => f.incidentId === incident.id).length, 0);
      const timeline = await env.store().timeline(incident.id);
      const started = timeline.find((e) => e.kind === 'freeze_started')!;
      assert.equal(started.text, 'Change freeze on Ehr-Api: DB failover');
      assert.equal(started.data?.freezeId, freeze.id);

      // Nothing of another scope to end: nothing written.
      const none = await store.end(incident.id, 'billing', { by: 'UALICE', at: at('10:30') }, () =>
        entry('freeze_ended', 'never'),
      );
      assert.deepEqual(none, []);
      const ended = await actingAs(ALICE, () =>
        store.end(incident.id, 'EHR-API', { by: 'UALICE', at: at('11:00') }, (list) =>
          entry('freeze_ended', `lifted ${list.length}`, at('11:00')),
        ),
      );
      assert.deepEqual(
        ended.map((f) => [f.id, f.endedBy, f.endedAt?.toISOString()]),
        [[freeze.id, 'UALICE', at('11:00').toISOString()]],
      );
      assert.deepEqual((await store.ofIncident(incident.id)).freezes, []);
      assert.equal((await store.activeFor('ehr-api')).filter((f) => f.incidentId === incident.id).length, 0);
      const after = await env.store().timeline(incident.id);
      assert.deepEqual(
        after.filter((e) => e.kind.startsWith('freeze')).map((e) => [e.kind, e.text]),
        [
          ['freeze_started', 'Change freeze on Ehr-Api: DB failover'],
          ['freeze_ended', 'lifted 1'],
        ],
      );
    });

    test("a freeze ends with its incident's resolve, without another write; a SEV1 incident freezes every service", async () => {
      const incident = await anIncident('Freeze store: ends with the incident');
      const store = freezes();
      await store.start(
        { incidentId: incident.id, scope: ALL_SERVICES, reason: 'all', startedBy: 'UALICE', startedAt: at('10:00') },
        entry('freeze_started', 'all'),
      );
      assert.ok((await store.activeFor('anything-at-all')).some((f) => f.incidentId === incident.id));
      assert.ok((await store.activeFor(null)).some((f) => f.incidentId === incident.id));
      await resolve(incident.id);
      assert.ok(!(await store.activeFor('anything-at-all')).some((f) => f.incidentId === incident.id));
      // The row itself is not ended: reopening the incident brings the freeze back.
      assert.equal((await store.ofIncident(incident.id)).freezes.length, 1);

      const sev1 = await anIncident('Freeze store: SEV1', { isPrivate: true });
      await env
        .store()
        .applyChange(sev1.id, { severity: 'SEV1', startsFreeze: true }, entry('severity_changed', 'SEV1'));
      const got = (await store.activeFor('billing')).filter((f) => f.incidentId === sev1.id);
      assert.deepEqual(
        got.map((f) => [f.origin, f.freezeId, f.scope, f.incidentPrivate, f.reason]),
        [['sev1', null, ALL_SERVICES, true, 'Freeze store: SEV1']],
      );
      await resolve(sev1.id);
      assert.ok(!(await store.activeFor('billing')).some((f) => f.incidentId === sev1.id));
    });

    test('two deployments racing for one override: exactly one gets it; the other finds none', async () => {
      const incident = await anIncident('Freeze store: the race');
      const store = freezes();
      const service = `race-${database.name}`;
      await freezeOn(incident.id, service);
      const override = await actingAs(ALICE, () =>
        store.createOverride(
          { incidentId: incident.id, service, reason: 'hotfix', approvedBy: 'UALICE', createdAt: at('10:00') },
          entry('freeze_override', 'override'),
        ),
      );
      assert.deepEqual(
        (await store.nextOverrides(service.toUpperCase()))?.map((o) => o.id),
        [override.id],
        'reading does not use it',
      );
      const use = (n: number) =>
        actingAs({ actor: 'github', via: 'webhook deployment_protection_rule' }, () =>
          store.useOverrides(
            {
              service,
              ref: `github deployment ${n}`,
              usedBy: `github deployment ${n} (acme/${service}, production)`,
              at: at('10:05'),
            },
            (o) => entry('freeze_override_used', `used ${o.id} by ${n}`, at('10:05')),
          ),
        );
      for (let round = 0; round < 3; round++) {
        const results = await Promise.all([use(100 + round * 2), use(101 + round * 2)]);
        const winners = results.filter((r) => r !== null);
        if (round === 0) {
          assert.equal(winners.length, 1, 'exactly one of two gets the override');
          assert.deepEqual(
            winners[0]!.overrides.map((o) => o.id),
            [override.id],
          );
          assert.equal(winners[0]!.fresh, true);
        } else assert.equal(winners.length, 0, 'a used override is not used again');
      }
      const used = await store.overridesUsedBy(
        (await env.db().prisma.freezeOverride.findUniqueOrThrow({ where: { id: override.id } })).usedBy!.split(
          ' (',
        )[0]!,
      );
      assert.deepEqual(
        used.map((o) => o.id),
        [override.id],
      );
      assert.equal(await store.nextOverrides(service), null);
      const entries = (await env.store().timeline(incident.id)).filter((e) => e.kind === 'freeze_override_used');
      assert.equal(entries.length, 1, 'one timeline entry, of the winner');

      // Three deployments, two overrides: two get one each.
      for (const n of [1, 2]) {
        await store.createOverride(
          { incidentId: incident.id, service, reason: `hotfix ${n}`, approvedBy: 'UALICE', createdAt: at(`10:1${n}`) },
          entry('freeze_override', 'override'),
        );
      }
      const three = await Promise.all([use(200), use(201), use(202)]);
      const got = three.filter((r) => r !== null).map((r) => r.overrides[0]!.id);
      assert.equal(got.length, 2);
      assert.equal(new Set(got).size, 2, 'each override to one deployment');
    });

    test('a redelivered deployment gets the override it used, and uses no other', async () => {
      const incident = await anIncident('Freeze store: redelivery');
      const store = freezes();
      const service = `redelivery-${database.name}`;
      await freezeOn(incident.id, service);
      for (const n of [1, 2]) {
        await store.createOverride(
          { incidentId: incident.id, service, reason: `hotfix ${n}`, approvedBy: 'UALICE', createdAt: at(`10:0${n}`) },
          entry('freeze_override', 'override'),
        );
      }
      const use = () =>
        store.useOverrides(
          {
            service,
            ref: 'github deployment 77',
            usedBy: 'github deployment 77 (acme/x, production)',
            at: at('10:05'),
          },
          () => entry('freeze_override_used', 'used'),
        );
      const [a, b] = await Promise.all([use(), use()]);
      assert.deepEqual(
        a?.overrides.map((o) => o.id),
        b?.overrides.map((o) => o.id),
        'the same override',
      );
      assert.equal(a?.overrides.length, 1);
      assert.deepEqual([a?.fresh, b?.fresh].sort(), [false, true]);
      const c = await use();
      assert.deepEqual(
        c?.overrides.map((o) => o.id),
        a?.overrides.map((o) => o.id),
      );
      assert.equal(c?.fresh, false);
      assert.equal((await store.ofIncident(incident.id)).overrides.length, 1, 'the second override is still unused');
      // A reference that is only a prefix of another's is not it.
      assert.deepEqual(await store.overridesUsedBy('github deployment 7'), []);
      // The override of a resolved incident is not used.
      await resolve(incident.id);
      assert.equal(
        await store.useOverrides({ service, ref: 'github deployment 78', usedBy: 'x', at: at('12:05') }, () =>
          entry('freeze_override_used', 'used'),
        ),
        null,
      );
    });

    test("a deployment's used overrides go again only to a change of that service (any case) or its System", async () => {
      const incident = await anIncident('Freeze store: borrowed reference');
      const store = freezes();
      const service = `borrow-${database.name}`;
      await freezeOn(incident.id, ALL_SERVICES);
      await store.createOverride(
        { incidentId: incident.id, service, reason: 'hotfix', approvedBy: 'UALICE', createdAt: at('10:01') },
        entry('freeze_override', 'override'),
      );
      const use = (svc: string, system: string | null = null) =>
        store.useOverrides(
          { service: svc, system, ref: 'github deployment 555', usedBy: 'github deployment 555', at: at('10:05') },
          () => entry('freeze_override_used', 'used'),
        );
      const first = await use(service);
      assert.equal(first?.fresh, true);
      assert.equal(
        await use(`billing-${database.name}`),
        null,
        'another service does not borrow it: it has none of its own',
      );
      assert.deepEqual(
        (await use(service.toUpperCase()))?.overrides.map((o) => o.id),
        first?.overrides.map((o) => o.id),
      );
      assert.deepEqual(
        (await use(`component-of-${database.name}`, service))?.overrides.map((o) => o.id),
        first?.overrides.map((o) => o.id),
        'a component of the System the override names',
      );
      await resolve(incident.id);
    });

    test('an incident resolved with a freeze still open (its hook missed): found by the sweep, ended once; none while active', async () => {
      const incident = await anIncident('Freeze store: sweep');
      const store = freezes();
      await freezeOn(incident.id, `sweep-${database.name}`);
      const end = () =>
        actingAs({ actor: 'bot', via: 'freeze retry' }, () =>
          store.endOfEndedIncident(incident.id, { by: 'incident-bot', at: at('12:01') }, (list) =>
            entry('freeze_ended', `lifted ${list.length}`, at('12:01')),
          ),
        );
      assert.deepEqual(await end(), [], 'active: nothing ended');
      assert.ok(!(await store.endedIncidentsWithOpenFreezes(1000)).includes(incident.id));
      await resolve(incident.id);
      assert.ok((await store.endedIncidentsWithOpenFreezes(1000)).includes(incident.id));
      const [a, b] = await Promise.all([end(), end()]);
      assert.equal(a.length + b.length, 1, 'ended once');
      assert.equal([...a, ...b][0]!.endedBy, 'incident-bot');
      assert.ok(!(await store.endedIncidentsWithOpenFreezes(1000)).includes(incident.id));
      assert.equal((await env.store().timeline(incident.id)).filter((e) => e.kind === 'freeze_ended').length, 1);
      const trail = await new PrismaAuditTrail(env.db().prisma).read(incident.id);
      assert.ok(
        trail.entries.some((e) => e.action === 'change_freeze.update' && e.actor === 'bot' && e.via === 'freeze retry'),
      );
    });

    test('two incidents freeze one service: a deployment uses one override of each, all or none, and races for the pair go to one', async () => {
      const one = await anIncident('Freeze store: two incidents, one');
      const two = await anIncident('Freeze store: two incidents, two');
      const store = freezes();
      const service = `pair-${database.name}`;
      await freezeOn(one.id, service);
      await freezeOn(two.id, ALL_SERVICES);
      const override = (incidentId: string, time: string) =>
        store.createOverride(
          { incidentId, service, reason: 'hotfix', approvedBy: 'UALICE', createdAt: at(time) },
          entry('freeze_override', 'override', at(time)),
        );
      const use = (n: number) =>
        store.useOverrides(
          { service, ref: `github deployment ${n}`, usedBy: `github deployment ${n}`, at: at('10:30') },
          (o) => entry('freeze_override_used', `used ${o.id}`, at('10:30')),
        );
      const first = await override(one.id, '10:00');
      assert.equal(await store.nextOverrides(service), null, 'the second incident gave none');
      assert.equal(await use(1), null);
      assert.equal((await store.ofIncident(one.id)).overrides.length, 1, 'none used: all or none');
      assert.equal((await env.store().timeline(one.id)).filter((e) => e.kind === 'freeze_override_used').length, 0);

      const second = await override(two.id, '10:01');
      assert.deepEqual(
        (await store.nextOverrides(service))?.map((o) => o.id),
        [first.id, second.id],
      );
      const [a, b] = await Promise.all([use(2), use(3)]);
      const winners = [a, b].filter((r) => r !== null);
      assert.equal(winners.length, 1, 'one of two racing deployments gets the pair');
      assert.deepEqual(winners[0]!.overrides.map((o) => o.id).sort(), [first.id, second.id].sort());
      for (const id of [one.id, two.id]) {
        assert.equal((await store.ofIncident(id)).overrides.length, 0);
        assert.equal(
          (await env.store().timeline(id)).filter((e) => e.kind === 'freeze_override_used').length,
          1,
          'the let-through entry on every covering incident',
        );
      }
      await resolve(one.id);
      await resolve(two.id);
    });

    test("a freeze on a System covers its components; a SEV1 freeze starts when the incident last became SEV1; an override given before its incident's freeze started does not count", async () => {
      const store = freezes();
      const sys = await anIncident('Freeze store: a System');
      await freezeOn(sys.id, 'EHR');
      assert.ok((await store.activeFor('ehr-api', 'ehr')).some((f) => f.incidentId === sys.id));
      assert.ok(!(await store.activeFor('ehr-api', null)).some((f) => f.incidentId === sys.id));
      assert.ok(!(await store.activeFor('ehr-api', 'billing-system')).some((f) => f.incidentId === sys.id));
      await resolve(sys.id);

      const sev1 = await anIncident('Freeze store: escalated');
      const service = `escalated-${database.name}`;
      // An override given while it was not frozen (as the old rows may hold) does not count.
      await store.createOverride(
        { incidentId: sev1.id, service, reason: 'early', approvedBy: 'UALICE', createdAt: at('10:30') },
        entry('freeze_override', 'override', at('10:30')),
      );
      const sev = (to: string, time: string) =>
        env
          .store()
          .applyChange(
            sev1.id,
            { severity: to as 'SEV1', startsFreeze: to === 'SEV1' },
            { ...entry('severity_changed', `to ${to}`, at(time)), data: { from: 'SEV2', to } },
          );
      await sev('SEV1', '11:00');
      await sev('SEV2', '11:10');
      await sev('SEV1', '11:20');
      const got = (await store.activeFor(service)).filter((f) => f.incidentId === sev1.id);
      assert.deepEqual(
        got.map((f) => [f.origin, f.startedAt.toISOString()]),
        [['sev1', at('11:20').toISOString()]],
      );
      assert.equal(await store.nextOverrides(service), null, 'given before the freeze: lapsed');
      await store.createOverride(
        { incidentId: sev1.id, service, reason: 'now', approvedBy: 'UALICE', createdAt: at('11:21') },
        entry('freeze_override', 'override', at('11:21')),
      );
      assert.deepEqual(
        (await store.nextOverrides(service))?.map((o) => o.reason),
        ['now'],
      );
      await resolve(sev1.id);
    });

    test('addEntries: on each incident, once per key when given one', async () => {
      const a = await anIncident('Freeze store: entries A');
      const b = await anIncident('Freeze store: entries B');
      const store = freezes();
      const e = entry('freeze_deployment_rejected', 'held');
      assert.deepEqual(await store.addEntries([a.id, b.id], e, 'github deployment 5'), [a.id, b.id]);
      assert.deepEqual(
        await store.addEntries([a.id, b.id], e, 'github deployment 5'),
        [],
        'a redelivery writes nothing',
      );
      assert.deepEqual(await store.addEntries([a.id], e, 'github deployment 6'), [a.id]);
      assert.deepEqual(await store.addEntries([a.id], e), [a.id]);
      assert.deepEqual(await store.addEntries([a.id], e), [a.id], 'without a key, every time');
      const held = (await env.store().timeline(a.id)).filter((x) => x.kind === 'freeze_deployment_rejected');
      assert.deepEqual(held.map((x) => String(x.data?.once ?? '-')).sort(), [
        '-',
        '-',
        'github deployment 5',
        'github deployment 6',
      ]);
      assert.deepEqual(await store.addEntries([], e), []);
    });

    test('addEntries: concurrent deliveries of one key write one entry (and report one writer)', async () => {
      const a = await anIncident('Freeze store: concurrent entries A');
      const b = await anIncident('Freeze store: concurrent entries B');
      const store = freezes();
      const e = entry('freeze_deployment_rejected', 'held');
      for (let round = 0; round < 5; round++) {
        const key = `github deployment concurrent-${round}`;
        const results = await Promise.all([1, 2, 3, 4].map(() => store.addEntries([a.id, b.id], e, key)));
        assert.deepEqual(
          results.filter((r) => r.length > 0),
          [[a.id, b.id]],
          'exactly one delivery writes',
        );
      }
      for (const id of [a.id, b.id]) {
        const held = (await env.store().timeline(id)).filter((x) => x.kind === 'freeze_deployment_rejected');
        assert.equal(held.length, 5, 'one entry per key');
      }
    });

    test("freezes, overrides and their timeline entries are on the incident's audit trail, with who and through what, intact", async () => {
      const incident = await anIncident('Freeze store: audited');
      const store = freezes();
      await actingAs(ALICE, () =>
        store.start(
          {
            incidentId: incident.id,
            scope: 'ehr-api',
            reason: 'DB failover',
            startedBy: 'UALICE',
            startedAt: at('10:00'),
          },
          entry('freeze_started', 'started'),
        ),
      );
      const override = await actingAs({ actor: 'UALICE', via: '/incident freeze' }, () =>
        store.createOverride(
          {
            incidentId: incident.id,
            service: 'ehr-api',
            reason: 'hotfix',
            approvedBy: 'UALICE',
            createdAt: at('10:01'),
          },
          entry('freeze_override', 'override'),
        ),
      );
      await actingAs({ actor: 'github', via: 'webhook deployment_protection_rule' }, () =>
        store.useOverrides(
          {
            service: 'ehr-api',
            ref: 'github deployment 9',
            usedBy: 'github deployment 9 (acme/ehr-api, production)',
            at: at('10:02'),
          },
          () => entry('freeze_override_used', 'used'),
        ),
      );
      await actingAs({ actor: 'github', via: 'webhook deployment_status' }, () =>
        store.addEntries(
          [incident.id],
          entry('freeze_change_flagged', 'A change landed during the freeze without an override'),
        ),
      );
      await actingAs(ALICE, () =>
        store.end(incident.id, null, { by: 'UALICE', at: at('10:03') }, () => entry('freeze_ended', 'lifted')),
      );
      const trail = new PrismaAuditTrail(env.db().prisma);
      const read = await trail.read(incident.id);
      assert.deepEqual(read.problems, []);
      const mine = read.entries.filter(
        (e) => /^(change_freeze|freeze_override)\./.test(e.action) || /freeze/.test(String(e.after?.kind ?? '')),
      );
      assert.deepEqual(
        mine.map((e) => [e.action, e.actor, e.via]),
        [
          ['change_freeze.insert', 'UALICE', '/incident freeze'],
          ['timeline_entry.insert', 'UALICE', '/incident freeze'],
          ['freeze_override.insert', 'UALICE', '/incident freeze'],
          ['timeline_entry.insert', 'UALICE', '/incident freeze'],
          ['freeze_override.update', 'github', 'webhook deployment_protection_rule'],
          ['timeline_entry.insert', 'github', 'webhook deployment_protection_rule'],
          ['timeline_entry.insert', 'github', 'webhook deployment_status'],
          ['change_freeze.update', 'UALICE', '/incident freeze'],
          ['timeline_entry.insert', 'UALICE', '/incident freeze'],
        ],
      );
      const usedEntry = mine.find((e) => e.action === 'freeze_override.update')!;
      assert.equal(usedEntry.rowKey.includes(override.id) || JSON.stringify(usedEntry).includes(override.id), true);
      assert.equal(usedEntry.after?.used_by, 'github deployment 9 (acme/ehr-api, production)');
      assert.deepEqual((await trail.verify(incident.id)).problems, []);
    });
  });
}
