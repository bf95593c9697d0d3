// The backlog listings and the guardrail report, read through the use cases on the real stores
// (PGlite, and the PostgreSQL server when TEST_DATABASE_URL is set): pages filtered, sorted and
// limited by the database with a keyset cursor (the first page, the next, the end, an item changed
// between pages, a private incident's items for someone outside it), and the guardrail figures
// counted in SQL agreeing with the report built in JavaScript from every row, as it was before.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Database } from '../../src/db/database.ts';
import { PRIVATE_ACTION_TEXT } from '../../src/domain/access.ts';
import {
  ACTION_FILTERS,
  addDays,
  matchesFilter,
  sortBacklog,
  type ActionFilter,
  type ActionItem,
  type BacklogCursor,
  type NewActionItem,
} from '../../src/domain/action-items.ts';
import type { Declaration } from '../../src/domain/declaration.ts';
import {
  guardrailReport,
  guardrailReportOf,
  type GuardrailAction,
  type GuardrailIncident,
} from '../../src/domain/guardrail-report.ts';
import { CONTRIBUTING_FACTORS, type ContributingFactor } from '../../src/domain/review.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { showActionItems, showHome } from '../../src/services/review/show-action-items.ts';
import { showGuardrailReport } from '../../src/services/review/show-guardrail-report.ts';
import { actionListPageSchema, parseJsonOrNull } from '../../src/slack/payloads.ts';
import { actionListMessage, actionListPageValue } from '../../src/slack/views/action-items.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const ALICE = 'UALICE';
const OWEN = 'UOWEN';
const DAN = 'UDAN';
const STRANGER = 'USTRANGER';
const now = new Date('2026-11-24T14:00:00Z');
const TODAY = '2026-11-24';
const DAY = 24 * 3600_000;

function setup(db: Database) {
  const chat = new FakeChat();
  return { deps: testDeps({ db, chat, clock: new TestClock(now) }), chat };
}

async function incident(deps: ServiceDeps, declaration: Partial<Declaration> = {}, declaredAt = now) {
  const { incident } = await deps.store.createIfAbsent(
    declaring({ declaration: aDeclaration(declaration), declaredBy: ALICE, declaredAt }),
  );
  const channelId = `C${randomUUID().slice(0, 8).toUpperCase()}`;
  await deps.store.recordProvisioning(incident.id, { channelId, summaryTs: '1764000000.000100' });
  return { ...incident, channelId };
}

const PRIORITIES = ['high', 'medium', 'low'] as const;
const CATEGORIES = ['guardrail', 'observability', 'ownership', 'runbook', 'process'] as const;

/** `n` items on the incident: owners, due dates (past, today, future, none) and priorities mixed; every third done. */
async function items(deps: ServiceDeps, incidentId: string, n: number, over: Partial<NewActionItem> = {}) {
  const added: ActionItem[] = [];
  for (let k = 0; k < n; k++) {
    const dueIn = [-20, -3, 0, 5, 40, null][k % 6]!;
    const item = await deps.reviews.addActionItem(
      incidentId,
      {
        text: `Fix ${k}`,
        ownerId: [OWEN, DAN, null][k % 3]!,
        due: dueIn === null ? null : addDays(TODAY, dueIn),
        category: CATEGORIES[k % 5]!,
        priority: PRIORITIES[(k * 7) % 3]!,
        ...over,
      },
      { by: ALICE, at: new Date(now.getTime() - (k % 9) * DAY) },
    );
    if (k % 3 === 2) await deps.reviews.completeActionItem(item.id, { by: ALICE, at: now });
    added.push(item);
  }
  return added;
}

/** The listing as it was built before: every item read, filtered and sorted in JavaScript. */
async function reference(deps: ServiceDeps, filter: ActionFilter, userId: string) {
  const every = await deps.reviews.listActionItems({});
  return sortBacklog(
    every.filter((i) => matchesFilter(i, filter, userId, TODAY)),
    TODAY,
  );
}

/** Every page of a listing, `limit` at a time, from the first to the last. */
async function walk(deps: ServiceDeps, filter: ActionFilter, userId: string, limit: number) {
  const pages: { numbers: number[]; total: number; next: BacklogCursor | null }[] = [];
  let after: BacklogCursor | null = null;
  do {
    const page = await showActionItems(deps, { userId, filter, limit, after });
    pages.push({ numbers: page.items.map((i) => i.number), total: page.total, next: page.next });
    after = page.next;
    assert.ok(pages.length < 100, 'the walk ends');
  } while (after);
  return pages;
}

for (const database of testDatabases()) {
  describe(`backlog pages with a cursor (${database.name})`, () => {
    const env = useTestStore(database);

    test('every filter: the first page, the next ones and the end are the backlog in backlog order, each item once', async () => {
      const { deps } = setup(env.db());
      const a = await incident(deps);
      const b = await incident(deps);
      await items(deps, a.id, 25);
      await items(deps, b.id, 20, { priority: 'high' });
      for (const filter of ACTION_FILTERS) {
        const expected = (await reference(deps, filter, OWEN)).map((i) => i.number);
        assert.ok(expected.length > 7, `${filter}: more than one page`);
        const pages = await walk(deps, filter, OWEN, 7);
        assert.deepEqual(pages[0]!.numbers, expected.slice(0, 7), `${filter}: the first page`);
        assert.deepEqual(
          pages.flatMap((p) => p.numbers),
          expected,
          `${filter}: the pages in order, nothing twice or missing`,
        );
        assert.equal(pages.length, Math.ceil(expected.length / 7), `${filter}: no empty page at the end`);
        assert.equal(pages.at(-1)!.next, null, `${filter}: the last page has no next`);
        for (const p of pages) assert.equal(p.total, expected.length, `${filter}: the total on every page`);
      }
    });

    test('the end: a backlog that fills its last page exactly has no next page after it', async () => {
      const { deps } = setup(env.db());
      const i = await incident(deps);
      const PAT = 'UPAT';
      for (let k = 0; k < 6; k++) {
        await deps.reviews.addActionItem(
          i.id,
          { text: `Item ${k}`, ownerId: PAT, due: null, category: 'runbook', priority: 'low' },
          { by: ALICE, at: now },
        );
      }
      const first = await showActionItems(deps, { userId: PAT, filter: 'mine', limit: 3 });
      assert.equal(first.items.length, 3);
      assert.ok(first.next);
      const second = await showActionItems(deps, { userId: PAT, filter: 'mine', limit: 3, after: first.next });
      assert.equal(second.items.length, 3);
      assert.equal(second.next, null, 'nothing after the sixth');
      assert.deepEqual(
        [...first.items, ...second.items].map((x) => x.text),
        ['Item 0', 'Item 1', 'Item 2', 'Item 3', 'Item 4', 'Item 5'],
      );
      const mine = await showHome(deps, { userId: PAT });
      assert.equal(mine.mineTotal, 6);
      assert.equal(mine.mine.length, 6);
    });

    test('an item changed between pages: the next page starts after the last one shown, nothing repeated or skipped', async () => {
      const { deps } = setup(env.db());
      const i = await incident(deps);
      const QUINN = 'UQUINN';
      const own = await items(deps, i.id, 18, { ownerId: QUINN });
      const before = (await reference(deps, 'mine', QUINN)).map((x) => x.number);
      const first = await showActionItems(deps, { userId: QUINN, filter: 'mine', limit: 4 });
      assert.deepEqual(
        first.items.map((x) => x.number),
        before.slice(0, 4),
      );
      // One shown on the first page is completed, one not yet shown is completed, one not yet shown is reassigned away.
      const byNumber = new Map(own.map((x) => [x.number, x]));
      await deps.reviews.completeActionItem(byNumber.get(before[1]!)!.id, { by: QUINN, at: now });
      await deps.reviews.completeActionItem(byNumber.get(before[6]!)!.id, { by: QUINN, at: now });
      await deps.reviews.reassignActionItem(byNumber.get(before[9]!)!.id, DAN, { by: QUINN, at: now });
      const rest: number[] = [];
      let after = first.next;
      while (after) {
        const page = await showActionItems(deps, { userId: QUINN, filter: 'mine', limit: 4, after });
        rest.push(...page.items.map((x) => x.number));
        after = page.next;
      }
      assert.deepEqual(
        rest,
        before.slice(4).filter((n) => n !== before[6] && n !== before[9]),
        'the rest of the backlog as it is now, after the first page',
      );
    });

    test('a private incident’s items: on any page, only their text for its members, their owner and whoever added them', async () => {
      const { deps, chat } = setup(env.db());
      const open = await incident(deps);
      const secret = await incident(deps, { isPrivate: true, title: 'Theatre list leak' });
      const RITA = 'URITA';
      // Owned by Rita and due earliest, so the public ones come first and the private ones on page 2.
      for (let k = 0; k < 5; k++) {
        await deps.reviews.addActionItem(
          open.id,
          { text: `Public ${k}`, ownerId: RITA, due: addDays(TODAY, -30), category: 'runbook', priority: 'high' },
          { by: RITA, at: now },
        );
      }
      const hidden = await deps.reviews.addActionItem(
        secret.id,
        { text: 'Rotate the theatre list export key', ownerId: OWEN, due: null, category: 'process', priority: 'low' },
        { by: DAN, at: now },
      );
      chat.onlyMembers(secret.channelId, ALICE);
      const seen = async (userId: string) => {
        const pages: ActionItem[] = [];
        let after: BacklogCursor | null = null;
        do {
          const page = await showActionItems(deps, { userId, filter: 'all', limit: 4, after });
          pages.push(...page.items);
          after = page.next;
        } while (after);
        return pages.find((x) => x.id === hidden.id)!;
      };
      const stranger = await seen(STRANGER);
      assert.equal(stranger.text, PRIVATE_ACTION_TEXT, 'a non-member sees that it exists, not what it says');
      assert.equal(stranger.incidentTitle, '');
      assert.equal((await seen(ALICE)).text, 'Rotate the theatre list export key', 'a member of its channel');
      assert.equal((await seen(OWEN)).text, 'Rotate the theatre list export key', 'its owner');
      assert.equal((await seen(DAN)).text, 'Rotate the theatre list export key', 'whoever added it');
    });
  });

  describe(`guardrail figures in SQL (${database.name})`, () => {
    const env = useTestStore(database);

    test('the report from the database’s aggregates is the report built from every row in JavaScript', async () => {
      const { deps } = setup(env.db());
      const prisma = env.db().prisma;
      const services = ['EHR', ' ehr ', 'Pharmacy', 'pharmacy', 'PACS', '', null, 'Lab\tresults', 'lab results'];
      for (let k = 0; k < 40; k++) {
        const at = new Date(now.getTime() - ((k * 37) % 800) * DAY - (k % 5) * 3600_000);
        const i = await incident(
          deps,
          {
            affectedService: services[k % services.length]!,
            isPrivate: k % 7 === 3,
            nearMiss: k % 6 === 1,
          },
          at,
        );
        if (k % 4 !== 0) {
          // Reviews as stored, read defensively: duplicates, unknown factors, odd shapes.
          const factors: unknown[] = [
            { factor: CONTRIBUTING_FACTORS[k % CONTRIBUTING_FACTORS.length] },
            { factor: CONTRIBUTING_FACTORS[(k * 3) % CONTRIBUTING_FACTORS.length] },
          ];
          if (k % 5 === 0) factors.push({ factor: CONTRIBUTING_FACTORS[k % CONTRIBUTING_FACTORS.length] }, 'x');
          if (k % 8 === 1) factors.push({ factor: 'not-a-factor' }, { factor: 3 }, null);
          const input =
            k % 11 === 2 ? { contributingFactors: 'none' } : k % 13 === 5 ? [] : { contributingFactors: factors };
          await prisma.incidentReview.create({ data: { incidentId: i.id, input: input as object, updatedAt: at } });
        }
        for (let j = 0; j < (k % 4) + 1; j++) {
          const created = new Date(at.getTime() + j * 5 * DAY);
          const item = await deps.reviews.addActionItem(
            i.id,
            {
              text: `Fix ${k}.${j}`,
              ownerId: OWEN,
              due: (k + j) % 3 === 0 ? null : addDays(TODAY, ((k * 13 + j * 7) % 90) - 45),
              category: CATEGORIES[(k + j) % 5]!,
              priority: 'medium',
            },
            { by: ALICE, at: created },
          );
          if ((k + j) % 3 === 1) await deps.reviews.completeActionItem(item.id, { by: ALICE, at: now });
        }
      }
      // Read as the report read them before: every incident of the period and every action item open or recent.
      const rowsSince = async (since: Date) => {
        const incidents = await prisma.incident.findMany({
          where: { createdAt: { gte: since } },
          select: {
            number: true,
            affectedService: true,
            isPrivate: true,
            nearMiss: true,
            createdAt: true,
            review: { select: { input: true } },
          },
        });
        const actions = await prisma.actionItem.findMany({
          where: { OR: [{ status: 'open' }, { createdAt: { gte: since } }] },
          select: { category: true, status: true, createdAt: true, completedAt: true, due: true },
        });
        return {
          incidents: incidents.map((i): GuardrailIncident => {
            const list = (i.review?.input as { contributingFactors?: unknown } | null)?.contributingFactors;
            const factors = (Array.isArray(list) ? list : [])
              .map((f) => (f as { factor?: unknown } | null)?.factor)
              .filter((f): f is ContributingFactor => CONTRIBUTING_FACTORS.includes(f as ContributingFactor));
            return {
              number: i.number,
              affectedService: i.isPrivate ? null : i.affectedService,
              nearMiss: i.nearMiss,
              createdAt: i.createdAt,
              factors,
              reviewed: factors.length > 0,
            };
          }),
          actions: actions.map(
            (a): GuardrailAction => ({
              category: a.category,
              status: a.status,
              createdAt: a.createdAt,
              completedAt: a.completedAt,
              due: a.due ? a.due.toISOString().slice(0, 10) : null,
            }),
          ),
        };
      };
      const compareAll = async () => {
        for (const periodDays of [1, 7, 30, 90, 365, 730]) {
          const since = new Date(now.getTime() - periodDays * DAY);
          const old = guardrailReport({ now, periodDays, timeZone: 'Europe/London', ...(await rowsSince(since)) });
          const figures = await deps.reviews.guardrailFigures(since, now, TODAY);
          assert.deepEqual(guardrailReportOf({ now, periodDays }, figures), old, `${periodDays}d`);
          assert.deepEqual(
            (await showGuardrailReport(deps, { periodDays })).recurringServices.map((s) => s.incidents),
            old.recurringServices.map((s) => s.incidents),
          );
        }
      };
      const openCount = () => prisma.actionItem.count({ where: { status: 'open' } });
      await compareAll();
      // The median of the open backlog's ages, for an odd and an even count.
      const parity = (await openCount()) % 2;
      await deps.reviews.addActionItem(
        (await incident(deps)).id,
        { text: 'One more', ownerId: null, due: null, category: 'process', priority: 'low' },
        { by: ALICE, at: new Date(now.getTime() - 123 * DAY) },
      );
      assert.notEqual((await openCount()) % 2, parity);
      await compareAll();
      const year = guardrailReport({
        now,
        periodDays: 365,
        timeZone: 'Europe/London',
        ...(await rowsSince(new Date(now.getTime() - 365 * DAY))),
      });
      assert.ok(year.incidents > 5 && year.reviewed > 0 && year.factors.length > 2, 'the data exercises the report');
      assert.ok(year.recurringServices.length >= 2 && year.medianOpenAgeDays !== null && year.overdueOpen > 0);
    });
  });
}

test('the Next button carries the filter, how many were shown and the cursor; anything else is refused', () => {
  const cursor: BacklogCursor = { status: 'open', due: '2026-11-01', priority: 'high', number: 42 };
  const value = actionListPageValue('team', 20, cursor);
  assert.deepEqual(actionListPageSchema.parse(parseJsonOrNull(value)), {
    f: 'team',
    s: 20,
    c: { s: 'open', d: '2026-11-01', p: 'high', n: 42 },
  });
  for (const bad of [
    '{"f":"everything","s":0,"c":{"s":"open","d":null,"p":"high","n":1}}',
    '{"f":"all","s":0,"c":{"s":"open","d":"2026-02-30","p":"high","n":1}}',
    '{"f":"all","s":-1,"c":{"s":"open","d":null,"p":"high","n":1}}',
    '{"f":"all","s":0,"c":{"s":"gone","d":null,"p":"high","n":1}}',
    '{"f":"all","s":0,"c":{"s":"open","d":null,"p":"high","n":"1; drop table"}}',
    'not json',
  ]) {
    assert.equal(actionListPageSchema.safeParse(parseJsonOrNull(bad)).success, false, bad);
  }
  const item = {
    id: randomUUID(),
    number: 42,
    incidentId: randomUUID(),
    incidentNumber: 7,
    incidentTitle: 'EHR down',
    incidentPrivate: false,
    incidentChannelId: 'CINC7',
    text: 'Add an alert',
    ownerId: OWEN,
    team: null,
    due: '2026-11-01',
    category: 'guardrail',
    priority: 'high',
    status: 'open',
    createdBy: ALICE,
    createdAt: now,
    completedAt: null,
    completedBy: null,
    snoozedUntil: null,
    dueRemindedAt: null,
    overdueRemindedAt: null,
    tracker: null,
  } satisfies ActionItem;
  const msg = actionListMessage([item], { filter: 'team', today: TODAY, total: 30, shownBefore: 20, next: cursor });
  const blocks = msg.blocks as { type: string; text?: { text: string }; elements?: { value?: string }[] }[];
  assert.equal(blocks[0]!.text!.text, 'Open action items of the team (30, 21–21)');
  const button = blocks.find((b) => b.type === 'actions' && b.elements?.[0]?.value?.startsWith('{'));
  assert.deepEqual(JSON.parse(button!.elements![0]!.value!), {
    f: 'team',
    s: 21,
    c: { s: 'open', d: '2026-11-01', p: 'high', n: 42 },
  });
});
