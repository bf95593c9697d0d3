// The Slack side of action items living in GitHub and Jira, on the real stores (PGlite, and the
// PostgreSQL server when TEST_DATABASE_URL is set): reopening from Slack (who may, by button or by
// number, the posted review redrawn, the sync kicked), the sync kicked after complete, reassign and
// snooze, `/incident actions … in:github|in:jira|in:slack|pending` filtered by the database (every
// filter, pages and totals), and the guardrail report's items by where they live counted in SQL.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Database } from '../../src/db/database.ts';
import {
  ACTION_FILTERS,
  addDays,
  matchesFilter,
  sortBacklog,
  TRACKER_FILTERS,
  type ActionItem,
  type BacklogCursor,
  type TrackerFilter,
} from '../../src/domain/action-items.ts';
import { AppError } from '../../src/domain/errors.ts';
import { guardrailFiguresOf, guardrailReportOf, type GuardrailAction } from '../../src/domain/guardrail-report.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { addActionItem } from '../../src/services/review/add-action-item.ts';
import { completeActionItem } from '../../src/services/review/complete-action-item.ts';
import { reassignActionItem } from '../../src/services/review/reassign-action-item.ts';
import { reopenActionItem } from '../../src/services/review/reopen-action-item.ts';
import { saveReview } from '../../src/services/review/save-review.ts';
import { showActionItems } from '../../src/services/review/show-action-items.ts';
import { showGuardrailReport } from '../../src/services/review/show-guardrail-report.ts';
import { snoozeActionItem } from '../../src/services/review/snooze-action-item.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';
import { aCommandedIncident } from '../support/fixtures.ts';

const ALICE = 'UALICE'; // declares the incidents
const KATE = 'UKATE'; // commands them
const OWEN = 'UOWEN';
const DAN = 'UDAN';
const STRANGER = 'USTRANGER';
const now = new Date('2026-11-24T14:00:00Z');
const TODAY = '2026-11-24';
const DAY = 24 * 3600_000;

function setup(db: Database) {
  const chat = new FakeChat();
  let kicks = 0;
  const kick = () => {
    kicks += 1;
  };
  const deps = testDeps({ db, chat, clock: new TestClock(now), trackerSync: { kick } });
  return { deps, chat, kicks: () => kicks };
}

const anIncident = (deps: ServiceDeps, opts: { isPrivate?: boolean; at?: Date } = {}) =>
  aCommandedIncident(deps.store, {
    declaration: { isPrivate: opts.isPrivate ?? false },
    declaredBy: ALICE,
    commander: KATE,
    at: opts.at ?? now,
  });

const refused = (code: string, says?: RegExp) => (err: unknown) => {
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.code, code, err.userMessage);
  if (says) assert.match(err.userMessage, says);
  return true;
};

/** Where an item lives, as the sync would leave its link. */
type Place = 'new' | 'none' | 'pending-github' | 'pending-jira' | 'github' | 'jira';
const PLACES: readonly Place[] = ['new', 'none', 'pending-github', 'pending-jira', 'github', 'jira'];

let issue = 0;
async function place(db: Database, item: Pick<ActionItem, 'id'>, where: Place): Promise<void> {
  issue += 1;
  const tracker = where.endsWith('github') ? 'github' : where.endsWith('jira') ? 'jira' : null;
  const target = tracker === 'github' ? 'acme/ops' : tracker === 'jira' ? 'OPS' : null;
  const linked = where === 'github' || where === 'jira';
  await db.prisma.trackerLink.update({
    where: { actionItemId: item.id },
    data: {
      state: where === 'new' || where === 'none' ? where : linked ? 'linked' : 'pending',
      tracker,
      target,
      issueId: linked ? String(issue) : null,
      issueKey: linked ? (tracker === 'github' ? `acme/ops#${issue}` : `OPS-${issue}`) : null,
      issueUrl: linked
        ? tracker === 'github'
          ? `https://github.com/acme/ops/issues/${issue}`
          : `https://acme.atlassian.net/browse/OPS-${issue}`
        : null,
    },
  });
}

/** The place a tracker filter means (what backlogWhere must agree with). */
function lives(where: Place, filter: TrackerFilter): boolean {
  switch (filter) {
    case 'slack':
      return where === 'new' || where === 'none';
    case 'pending':
      return where.startsWith('pending');
    case 'github':
    case 'jira':
      return where === filter;
  }
}

for (const database of testDatabases()) {
  describe(`reopening and the tracker sync from Slack (${database.name})`, () => {
    const env = useTestStore(database);

    test('reopen: its owner, whoever added it or the commander, of a done item only; the review is redrawn and the sync kicked', async () => {
      const { deps, chat, kicks } = setup(env.db());
      const i = await anIncident(deps);
      const item = await deps.reviews.addActionItem(
        i.id,
        {
          text: 'Alert on the letter queue',
          ownerId: OWEN,
          due: '2026-12-01',
          category: 'observability',
          priority: 'high',
        },
        { by: DAN, at: now },
      );
      await place(env.db(), item, 'jira');
      await assert.rejects(
        reopenActionItem(deps, { actionItemId: item.id, userId: OWEN }),
        refused('not_done', /ACT-\d+ is open already/),
      );
      await completeActionItem(deps, { actionItemId: item.id, userId: OWEN });
      assert.equal(kicks(), 1, 'completing kicks the sync');
      await assert.rejects(
        reopenActionItem(deps, { actionItemId: item.id, userId: STRANGER }),
        refused('not_allowed', /Only <@UOWEN>, <@UDAN>, <@UKATE> can reopen/),
      );
      await assert.rejects(reopenActionItem(deps, { actionItemId: randomUUID(), userId: OWEN }), refused('not_found'));
      await assert.rejects(
        reopenActionItem(deps, { number: 999_999, userId: OWEN }),
        refused('not_found', /There is no action item ACT-999999/),
      );
      assert.equal(kicks(), 1, 'a refusal kicks nothing');

      // The review is posted: reopening redraws it in place (the item open again, its issue linked).
      await deps.reviews.setReviewPosted(i.id, '1764000000.000900', now);
      const reopened = await reopenActionItem(deps, { number: item.number, userId: DAN });
      assert.deepEqual(
        [reopened.status, reopened.completedAt, reopened.completedBy, reopened.dueRemindedAt],
        ['open', null, null, null],
      );
      assert.equal(reopened.tracker?.state, 'linked');
      assert.equal(kicks(), 2, 'reopening kicks the sync');
      assert.equal(chat.reviews.length, 1);
      const shown = chat.reviews[0]!.review.actionItems!.find((a) => a.ref === `ACT-${item.number}`)!;
      assert.equal(shown.status, 'open');
      assert.equal(shown.tracker?.key, reopened.tracker?.key);
      assert.deepEqual(chat.files, [], 'the Markdown is not shared again');
      const kinds = (await deps.store.timeline(i.id)).map((e) => e.kind).filter((k) => k.startsWith('action_item'));
      assert.deepEqual(kinds, ['action_item_added', 'action_item_completed', 'action_item_reopened']);

      // The commander may reopen someone else's item, by button too; done again by number.
      await completeActionItem(deps, { number: item.number, userId: KATE });
      assert.equal((await reopenActionItem(deps, { actionItemId: item.id, userId: KATE })).status, 'open');
      assert.equal(kicks(), 4);
    });

    test('reopen on a private incident: refused to a non-member, without naming anything of it', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncident(deps, { isPrivate: true });
      const item = await deps.reviews.addActionItem(
        i.id,
        { text: 'Rotate the export key', ownerId: OWEN, due: null, category: 'process', priority: 'low' },
        { by: OWEN, at: now },
      );
      await deps.reviews.completeActionItem(item.id, { by: OWEN, at: now });
      chat.onlyMembers(i.channelId, KATE);
      await assert.rejects(
        reopenActionItem(deps, { number: item.number, userId: STRANGER }),
        (err: unknown) => err instanceof AppError && err.code === 'not_allowed' && !err.userMessage.includes('Rotate'),
      );
      assert.equal((await reopenActionItem(deps, { number: item.number, userId: OWEN })).status, 'open');
    });

    test('a new item kicks the sync, from the command or the review form; a form without one does not', async () => {
      const { deps, kicks } = setup(env.db());
      const i = await anIncident(deps);
      const request = { text: 'Alert on the queue', ownerId: null, due: null, category: null, priority: null };
      await addActionItem(deps, { channelId: i.channelId, userId: OWEN, request });
      assert.equal(kicks(), 1);
      const input = { wentWell: 'Paged within a minute' };
      await saveReview(deps, { channelId: i.channelId, userId: OWEN, input, action: null });
      assert.equal(kicks(), 1, 'no new item');
      const action = {
        text: 'Add a queue alert',
        due: '2026-12-20',
        category: 'guardrail',
        priority: 'medium',
      } as const;
      await saveReview(deps, { channelId: i.channelId, userId: OWEN, input, action });
      assert.equal(kicks(), 2);
    });

    test('complete, reassign and snooze kick the sync once each; nothing is kicked when nothing changed', async () => {
      const { deps, kicks } = setup(env.db());
      const i = await anIncident(deps);
      const item = await deps.reviews.addActionItem(
        i.id,
        { text: 'Write the runbook', ownerId: OWEN, due: '2026-12-01', category: 'runbook', priority: 'medium' },
        { by: OWEN, at: now },
      );
      await reassignActionItem(deps, { actionItemId: item.id, userId: OWEN, ownerId: DAN });
      assert.equal(kicks(), 1);
      await reassignActionItem(deps, { actionItemId: item.id, userId: DAN, ownerId: DAN });
      assert.equal(kicks(), 1, 'the same owner: nothing changed');
      await snoozeActionItem(deps, { actionItemId: item.id, userId: DAN, days: 7 });
      assert.equal(kicks(), 2);
      await completeActionItem(deps, { actionItemId: item.id, userId: DAN });
      assert.equal(kicks(), 3);
      // Without a sync (it is optional), the same calls work.
      const bare = testDeps({ db: env.db(), clock: new TestClock(now) });
      assert.equal((await reopenActionItem(bare, { actionItemId: item.id, userId: DAN })).status, 'open');
    });
  });

  describe(`/incident actions by where the items live (${database.name})`, () => {
    const env = useTestStore(database);

    test('every filter with every place: the database’s pages and totals are the backlog filtered in JavaScript', async () => {
      const { deps } = setup(env.db());
      const a = await anIncident(deps);
      const b = await anIncident(deps);
      const where = new Map<string, Place>();
      for (let k = 0; k < 48; k++) {
        const dueIn = [-20, -3, 0, 5, 40, null][k % 6]!;
        const item = await deps.reviews.addActionItem(
          k % 2 ? a.id : b.id,
          {
            text: `Fix ${k}`,
            ownerId: [OWEN, DAN, null][k % 3]!,
            due: dueIn === null ? null : addDays(TODAY, dueIn),
            category: 'guardrail',
            priority: (['high', 'medium', 'low'] as const)[(k * 7) % 3]!,
          },
          { by: ALICE, at: new Date(now.getTime() - (k % 9) * DAY) },
        );
        if (k % 4 === 3) await deps.reviews.completeActionItem(item.id, { by: ALICE, at: now });
        const p = PLACES[(k * 5) % PLACES.length]!;
        await place(env.db(), item, p);
        where.set(item.id, p);
      }
      const every = await deps.reviews.listActionItems({});
      for (const filter of ACTION_FILTERS) {
        for (const tracker of TRACKER_FILTERS) {
          const expected = sortBacklog(
            every.filter((i) => matchesFilter(i, filter, OWEN, TODAY) && lives(where.get(i.id)!, tracker)),
            TODAY,
          ).map((i) => i.number);
          const seen: number[] = [];
          let after: BacklogCursor | null = null;
          do {
            const page: Awaited<ReturnType<typeof showActionItems>> = await showActionItems(deps, {
              userId: OWEN,
              filter,
              tracker,
              limit: 3,
              after,
            });
            assert.equal(page.total, expected.length, `${filter} ${tracker}: the total`);
            assert.equal(page.tracker, tracker);
            for (const item of page.items) {
              assert.ok(lives(where.get(item.id)!, tracker), `${filter} ${tracker}: ACT-${item.number} lives there`);
              // What the listing shows agrees with where it lives.
              if (tracker === 'slack') assert.equal(item.tracker, null);
              if (tracker === 'pending') assert.equal(item.tracker?.state, 'pending');
              if (tracker === 'github' || tracker === 'jira') {
                assert.equal(item.tracker?.tracker, tracker);
                assert.match(item.tracker?.url ?? '', /^https:\/\//);
              }
            }
            seen.push(...page.items.map((i) => i.number));
            after = page.next;
          } while (after);
          assert.deepEqual(seen, expected, `${filter} ${tracker}: every page, in backlog order`);
        }
      }
      // Without a place, the filters are as they were: every item whatever its link.
      const all = await showActionItems(deps, { userId: OWEN, filter: 'all', limit: 100 });
      assert.equal(all.total, 48);
      assert.equal(all.tracker, undefined);
      // The places split the backlog: each item in exactly one.
      let sum = 0;
      for (const tracker of TRACKER_FILTERS)
        sum += (await showActionItems(deps, { userId: OWEN, filter: 'all', tracker })).total;
      assert.equal(sum, 48);
    });
  });

  describe(`the guardrail report by where items live, in SQL (${database.name})`, () => {
    const env = useTestStore(database);

    test('open, done and the median days open per place agree with the rows; private incidents’ items counted', async () => {
      const { deps } = setup(env.db());
      const open = await anIncident(deps, { at: new Date(now.getTime() - 400 * DAY) });
      const secret = await anIncident(deps, { isPrivate: true, at: new Date(now.getTime() - 400 * DAY) });
      const rows: GuardrailAction[] = [];
      for (let k = 0; k < 60; k++) {
        const created = new Date(now.getTime() - ((k * 17) % 200) * DAY - (k % 7) * 3600_000);
        const item = await deps.reviews.addActionItem(
          k % 5 === 0 ? secret.id : open.id,
          { text: `Fix ${k}`, ownerId: OWEN, due: null, category: 'process', priority: 'low' },
          { by: ALICE, at: created },
        );
        let completedAt: Date | null = null;
        if (k % 3 !== 0) {
          // Open for a few days and hours; one completed "before" it was created (a clock's skew).
          completedAt = new Date(created.getTime() + (k === 4 ? -DAY : ((k * 13) % 40) * DAY + (k % 5) * 3600_000));
          await deps.reviews.completeActionItem(item.id, { by: OWEN, at: completedAt });
        }
        const p = PLACES[Math.floor(k / 2) % PLACES.length]!;
        await place(env.db(), item, p);
        const tracker = p === 'new' || p === 'none' ? null : p.endsWith('github') ? 'github' : 'jira';
        rows.push({
          category: 'process',
          status: completedAt ? 'done' : 'open',
          createdAt: created,
          completedAt,
          due: null,
          tracker,
        });
      }
      for (const periodDays of [7, 30, 90, 365]) {
        const since = new Date(now.getTime() - periodDays * DAY);
        const figures = await deps.reviews.guardrailFigures(since, now, TODAY);
        const expected = guardrailFiguresOf({
          now,
          periodDays,
          timeZone: 'Europe/London',
          incidents: [],
          actions: rows,
        });
        const sorted = (c: typeof figures.trackerCounts) =>
          [...(c ?? [])].sort((x, y) => x.where.localeCompare(y.where));
        assert.deepEqual(sorted(figures.trackerCounts), sorted(expected.trackerCounts), `${periodDays}d`);
        const report = await showGuardrailReport(deps, { periodDays });
        assert.deepEqual(
          report.byTracker,
          guardrailReportOf({ now, periodDays }, expected).byTracker,
          `${periodDays}d`,
        );
        assert.equal(
          report.byTracker!.reduce((n, t) => n + t.open + t.done, 0),
          report.openActions + report.doneActions,
          `${periodDays}d: every item of the period in one place`,
        );
      }
      const year = (await showGuardrailReport(deps, { periodDays: 365 })).byTracker!;
      assert.ok(
        year.every((t) => t.open > 0 && t.done > 0 && t.medianDaysOpen !== null),
        'the data exercises every place',
      );
    });
  });
}
