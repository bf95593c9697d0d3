// The register's and the incident page's use cases (services/records/) on the real database (PGlite,
// and the PostgreSQL server when TEST_DATABASE_URL is set): each filter, the search, pages and the
// count, private incidents listed and counted only for the members of their channel, the owner by
// reference or catalog title, the CSV export, and the incident page's refusal like a missing one.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { EMPTY_CATALOG } from '../../src/domain/catalog.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { RegisterFilter } from '../../src/domain/register.ts';
import { staticCatalog } from '../../src/ports/service-catalog.ts';
import type { Reader } from '../../src/services/access.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { IDENTIFIER_SEARCH_REFUSAL } from '../../src/services/records/list-incidents.ts';
import { exportIncidents } from '../../src/services/records/export-incidents.ts';
import { listIncidents } from '../../src/services/records/list-incidents.ts';
import { checkIncidentAudit, showIncident } from '../../src/services/records/show-incident.ts';
import { catalogGroup } from '../support/catalog.ts';
import { tamper } from '../support/tamper.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { aDeclaration, aRegisterFilter, declaring } from '../support/fixtures.ts';
import { FakeChat, testDeps } from '../support/deps.ts';

const reader = (userId: string, channels: string[] = []): Reader => ({
  userId,
  privateChannels: async () => new Set(channels),
});
const november = aRegisterFilter;
const NHS = '943 476 5919';
const day = (d: number, h = 9) => new Date(Date.UTC(2026, 10, d, h, 0, 0));

for (const database of testDatabases()) {
  describe(`the incident register (${database.name})`, () => {
    const testStore = useTestStore(database);
    let deps: ServiceDeps;
    const made: Incident[] = [];
    let mine: Incident;
    let theirs: Incident;
    let early: Incident;

    before(async () => {
      const db = testStore.db();
      const store = testStore.store();
      // Slack agrees with the readers' channel lists (the incident page asks it afresh of a private
      // incident not in them).
      const chat = new FakeChat();
      chat.onlyMembers('CMINE', 'UALICE', 'UCAROL');
      chat.onlyMembers('CTHEIRS', 'UCAROL');
      deps = testDeps({
        chat,
        db,
        catalog: staticCatalog({
          ...EMPTY_CATALOG,
          source: 'file',
          groups: [catalogGroup('platform', { title: 'Platform Team' })],
          loadedAt: new Date(),
        }),
      });
      const add = async (
        at: Date,
        d: Parameters<typeof aDeclaration>[0],
        o: { owner?: string; channel?: string } = {},
      ) => {
        const input = declaring({ declaration: aDeclaration(d), declaredAt: at, via: 'test' });
        input.incident.serviceOwner = o.owner ?? null;
        const { incident } = await store.createIfAbsent(input);
        return o.channel ? store.recordProvisioning(incident.id, { channelId: o.channel }) : incident;
      };
      // 54 public incidents in November, two a day from the 2nd; one in the last hour of 30
      // November in London; one just before the period (31 October, 23:30 London = UTC).
      early = await add(new Date('2026-10-31T23:30:00Z'), { title: 'Just before the period' });
      for (let i = 0; i < 54; i++)
        made.push(
          await add(
            day(2 + Math.floor(i / 2), 9 + (i % 2)),
            {
              title: i === 7 ? 'Pharmacy 100% outage_x' : `Incident ${i} ${['EPR', 'lab', 'beds'][i % 3]} trouble`,
              severity: (['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const)[i % 4],
              affectedService: ['EPR', 'lab', 'beds'][i % 3]!,
              nearMiss: i === 10,
            },
            i % 9 === 0 ? { owner: 'group:default/platform' } : {},
          ),
        );
      made.push(await add(new Date('2026-11-30T23:59:00Z'), { title: 'Last minute of November' }));
      mine = await add(day(29), { title: 'Private one Alice is in', isPrivate: true }, { channel: 'CMINE' });
      theirs = await add(
        day(29, 10),
        { title: 'Private one Alice is not in', isPrivate: true },
        { channel: 'CTHEIRS' },
      );
      await store.applyChange(
        made[3]!.id,
        { status: 'RESOLVED', resolvedAt: day(3, 13) },
        { occurredAt: day(3, 13), kind: 'resolved', actorId: 'UALICE', text: 'Resolved', data: { to: 'RESOLVED' } },
      );
    });

    const numbers = (rows: readonly { number: number }[]) => rows.map((r) => r.number);
    const list = (filter: RegisterFilter, who = reader('UALICE', ['CMINE']), page = 1) =>
      listIncidents(deps, { reader: who, filter, page });

    test('pages of 50, newest first, with the count of every page; the period in the viewer’s zone', async () => {
      const first = await list(november());
      assert.equal(first.total, 56, '55 public ones and Alice’s private one');
      assert.equal(first.pages, 2);
      assert.equal(first.rows.length, 50);
      assert.equal(first.rows[0]!.title, 'Last minute of November', 'the last hour of the 30th in London');
      const declared = first.rows.map((r) => r.declaredAt.getTime());
      assert.deepEqual(
        declared,
        [...declared].sort((a, b) => b - a),
        'newest first',
      );
      const second = await list(november(), undefined, 2);
      assert.equal(second.rows.length, 6);
      assert.equal(second.total, 56);
      assert.ok(!numbers(second.rows).includes(early.number), 'the day before the period is out');
      assert.deepEqual(new Set([...numbers(first.rows), ...numbers(second.rows)]).size, 56, 'no row twice');
      const beyond = await list(november(), undefined, 9);
      assert.deepEqual([beyond.rows.length, beyond.total], [0, 56], 'past the last page: no rows, still the count');
      // In New York the 31 October 23:30 London incident is on the 31st too, and the last one on the 30th.
      const ny = await list(november({ timeZone: 'America/New_York', from: '2026-10-31', to: '2026-10-31' }));
      assert.deepEqual(numbers(ny.rows), [early.number]);
    });

    test('a private incident only for the members of its channel: in the rows, the count and the search', async () => {
      const alice = await list(november({ q: 'private' }));
      assert.deepEqual(numbers(alice.rows), [mine.number]);
      assert.equal(alice.total, 1);
      const bob = await list(november(), reader('UBOB'));
      assert.equal(bob.total, 55);
      assert.ok(!numbers([...bob.rows]).includes(mine.number));
      assert.deepEqual((await list(november({ q: `INC-${theirs.number}` }))).total, 0, 'not even by its reference');
      const both = await list(november({ q: 'private' }), reader('UCAROL', ['CMINE', 'CTHEIRS']));
      assert.deepEqual(numbers(both.rows), [theirs.number, mine.number]);
    });

    test('severity, status, service in any case, near miss', async () => {
      const sev1 = await list(november({ severities: ['SEV1'] }), reader('UBOB'));
      assert.ok(sev1.rows.every((r) => r.severity === 'SEV1'));
      assert.equal(sev1.total, made.filter((i) => i.severity === 'SEV1').length);
      const some = await list(november({ severities: ['SEV1', 'SEV4'] }), reader('UBOB'));
      assert.equal(some.total, made.filter((i) => i.severity === 'SEV1' || i.severity === 'SEV4').length);
      const resolved = await list(november({ status: 'RESOLVED' }), reader('UBOB'));
      assert.deepEqual(
        numbers(resolved.rows).sort(),
        [made[3]!.number, made[10]!.number].sort(),
        'a near miss is recorded resolved',
      );
      const active = await list(november({ status: 'active' }), reader('UBOB'));
      assert.equal(active.total, 53);
      const epr = await list(november({ service: 'epr' }), reader('UBOB'));
      assert.equal(epr.total, 18);
      assert.ok(epr.rows.every((r) => r.affectedService === 'EPR'));
      const near = await list(november({ nearMiss: true }), reader('UBOB'));
      assert.deepEqual(numbers(near.rows), [made[10]!.number]);
      assert.equal((await list(november({ nearMiss: false }), reader('UBOB'))).total, 54);
    });

    test('the owner by its reference or its catalog title, in any case', async () => {
      const owned = made.filter((_, i) => i < 54 && i % 9 === 0).map((i) => i.number);
      for (const owner of ['group:default/platform', 'GROUP:default/Platform', 'platform team', 'platform'])
        assert.deepEqual(numbers((await list(november({ owner }))).rows).sort(), owned.sort(), owner);
      const page = await list(november({ owner: 'platform' }));
      assert.deepEqual(
        [...page.teamNames],
        [['group:default/platform', 'Platform Team']],
        'named as the catalog titles it',
      );
      assert.equal((await list(november({ owner: 'nobody' }))).total, 0);
    });

    test('the search: words of the title (LIKE’s own characters as typed), or the reference', async () => {
      assert.equal((await list(november({ q: 'LAB TROUBLE' }))).total, 17, 'the 18 lab incidents but the pharmacy one');
      assert.deepEqual(numbers((await list(november({ q: '100%' }))).rows), [made[7]!.number]);
      assert.deepEqual(numbers((await list(november({ q: '%' }))).rows), [made[7]!.number], '% is a character');
      assert.deepEqual(numbers((await list(november({ q: 'outage_x' }))).rows), [made[7]!.number]);
      assert.equal((await list(november({ q: 'outage__' }))).total, 0, '_ is a character');
      assert.deepEqual(numbers((await list(november({ q: `INC-${made[20]!.number}` }))).rows), [made[20]!.number]);
      assert.deepEqual(numbers((await list(november({ q: `#${made[20]!.number}` }))).rows), [made[20]!.number]);
    });

    test('the CSV: every page of the filter for the reader, the count, the name', async () => {
      const out = await exportIncidents(deps, { reader: reader('UBOB'), filter: november({ service: 'lab' }) });
      assert.equal(out.filename, 'incidents-2026-11-01-to-2026-11-30.csv');
      assert.deepEqual([out.rows, out.total], [18, 18]);
      const lines = out.csv.trimEnd().split('\r\n');
      assert.equal(lines.length, 19);
      assert.ok(
        lines
          .slice(1)
          .every((l) => /^INC-\d+,(Incident \d+ lab trouble|Pharmacy 100% outage_x),SEV\d,[A-Za-z]+,lab,/.test(l)),
      );
      const all = await exportIncidents(deps, { reader: reader('UBOB'), filter: november() });
      assert.equal(all.rows, 55, 'more than a page');
      assert.doesNotMatch(all.csv, /Private one/);
    });

    test('every text the register and the incident page show passes the PHI guard; searching for it is refused', async () => {
      // In December, apart from November's figures: an NHS number in every field people write.
      const store = testStore.store();
      const declared = await store.createIfAbsent(
        declaring({
          declaration: aDeclaration({
            title: `Wrong record for ${NHS}`,
            description: `Patient ${NHS} shown to another`,
            affectedService: `EPR ${NHS}`,
          }),
          declaredAt: new Date('2026-12-02T09:00:00Z'),
          via: 'test',
        }),
      );
      const phi = declared.incident;
      await tamper(testStore.db().pool, `UPDATE incident SET service_owner = $2 WHERE id = $1`, [
        phi.id,
        `team ${NHS}`,
      ]);
      const december = november({ from: '2026-12-01', to: '2026-12-31' });
      const page = await listIncidents(deps, { reader: reader('UBOB'), filter: december, page: 1 });
      assert.deepEqual(
        page.rows.map((r) => [r.title, r.affectedService, r.serviceOwner]),
        [['Wrong record for [redacted NHS number]', 'EPR [redacted NHS number]', 'team [redacted NHS number]']],
      );
      const csv = (await exportIncidents(deps, { reader: reader('UBOB'), filter: december })).csv;
      assert.doesNotMatch(csv, /943 476 5919/);
      assert.match(csv, /Wrong record for \[redacted NHS number\]/);
      // The database matches the text as written: a count would confirm a guessed number.
      for (const filter of [{ q: NHS }, { q: '9434765919' }, { service: `epr ${NHS}` }])
        for (const ask of [
          () => listIncidents(deps, { reader: reader('UBOB'), filter: november({ ...december, ...filter }), page: 1 }),
          () => exportIncidents(deps, { reader: reader('UBOB'), filter: november({ ...december, ...filter }) }),
        ])
          await assert.rejects(ask(), (err: unknown) => {
            assert.ok(err instanceof AppError);
            assert.equal(err.userMessage, IDENTIFIER_SEARCH_REFUSAL);
            assert.equal(err.code, 'invalid_input', 'a 400 page');
            return true;
          });
      assert.equal((await list(december)).total, 1, 'other searches as before');
      // Part of an identifier is looked for in the titles as shown (redacted): found nowhere, so the
      // count cannot confirm a number a digit at a time; the shown text is still found.
      for (const q of ['943 476 591', '943 476', '4765919', 'shown to'])
        for (const ask of [
          async () =>
            (await listIncidents(deps, { reader: reader('UBOB'), filter: november({ ...december, q }), page: 1 }))
              .total,
          async () =>
            (await exportIncidents(deps, { reader: reader('UBOB'), filter: november({ ...december, q }) })).total,
        ])
          assert.equal(await ask(), 0, `"${q}" finds nothing`);
      for (const q of ['wrong record', 'RECORD FOR', `INC-${phi.number}`])
        assert.equal(
          (await listIncidents(deps, { reader: reader('UBOB'), filter: november({ ...december, q }), page: 1 })).total,
          1,
          `"${q}" finds it as shown`,
        );
      // The page: the incident's fields, and the audit check's findings that quote the record.
      const shown = await showIncident(deps, { reader: reader('UBOB'), number: phi.number });
      const { title, description, affectedService, serviceOwner } = shown.incident;
      assert.deepEqual(
        [title, description, affectedService, serviceOwner],
        [
          'Wrong record for [redacted NHS number]',
          'Patient [redacted NHS number] shown to another',
          'EPR [redacted NHS number]',
          'team [redacted NHS number]',
        ],
      );
      assert.ok(shown.audit.problems!.length > 0, 'the owner was changed behind the trail');
      assert.ok(
        shown.audit.problems!.every((p) => !p.includes('943 476 5919')),
        shown.audit.problems!.join('\n'),
      );
      assert.ok(shown.audit.problems!.some((p) => p.includes('[redacted NHS number]')));
      const checked = await checkIncidentAudit(deps, { reader: reader('UBOB'), number: phi.number });
      assert.deepEqual(checked.problems, shown.audit.problems);
      assert.equal(checked.incident.title, 'Wrong record for [redacted NHS number]');
    });

    test('the incident page: a private incident refused to a non-member exactly as a missing one', async () => {
      const refusal = async (number: number, who: Reader) => {
        try {
          await showIncident(deps, { reader: who, number });
        } catch (err) {
          assert.ok(err instanceof AppError);
          return [err.code, err.userMessage];
        }
        assert.fail('not refused');
      };
      assert.deepEqual(await refusal(theirs.number, reader('UALICE', ['CMINE'])), [
        'not_found',
        `There is no incident INC-${theirs.number}.`,
      ]);
      assert.deepEqual(await refusal(99_999, reader('UALICE')), ['not_found', 'There is no incident INC-99999.']);
      const shown = await showIncident(deps, { reader: reader('UALICE', ['CMINE']), number: mine.number });
      assert.equal(shown.incident.title, 'Private one Alice is in');
      assert.deepEqual(shown.audit.problems, [], 'its audit trail is intact');
      assert.ok(shown.audit.entries > 0);
      const long = await showIncident(deps, {
        reader: reader('UALICE', ['CMINE']),
        number: mine.number,
        auditInlineMax: shown.audit.entries - 1,
      });
      assert.deepEqual(long.audit, { entries: shown.audit.entries, problems: null }, 'longer than that: not checked');
      const checked = await checkIncidentAudit(deps, { reader: reader('UALICE', ['CMINE']), number: mine.number });
      assert.deepEqual([checked.entries, checked.problems], [shown.audit.entries, []], 'checked on its own');
      await assert.rejects(checkIncidentAudit(deps, { reader: reader('UBOB'), number: mine.number }), {
        code: 'not_found',
      });
      const resolved = await showIncident(deps, { reader: reader('UBOB'), number: made[3]!.number });
      assert.equal(resolved.durations.toResolveMs, 3 * 3600_000, 'declared 10:00, resolved 13:00 on the 3rd');
      assert.deepEqual(
        resolved.timeline.entries.map((e) => e.kind),
        ['declared', 'resolved'],
      );
    });
  });
}
