// The review feature's use cases, called directly on the real stores (PGlite, and the PostgreSQL
// server when TEST_DATABASE_URL is set) with testDeps: adding, completing, reassigning and snoozing
// action items, and saving the review form. What is stored, the timeline entry, who is told, and
// who is refused (the AppError code). Until now these were covered only end to end, through Slack.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Database } from '../../src/db/database.ts';
import type { ActionAddRequest } from '../../src/domain/action-items.ts';
import type { Declaration } from '../../src/domain/declaration.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { addActionItem } from '../../src/services/review/add-action-item.ts';
import { completeActionItem } from '../../src/services/review/complete-action-item.ts';
import { reassignActionItem } from '../../src/services/review/reassign-action-item.ts';
import { saveReview } from '../../src/services/review/save-review.ts';
import { snoozeActionItem } from '../../src/services/review/snooze-action-item.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';
import { aCommandedIncident } from '../support/fixtures.ts';

const ALICE = 'UALICE'; // declares the incident
const KATE = 'UKATE'; // commands it
const OWEN = 'UOWEN';
const DAN = 'UDAN';
const STRANGER = 'USTRANGER';
const now = new Date('2026-11-24T14:00:00Z'); // 24 November in London

function setup(db: Database) {
  const chat = new FakeChat();
  const deps = testDeps({ db, chat, clock: new TestClock(now) });
  return { deps, chat };
}

const anIncidentIn = (deps: ServiceDeps, declaration: Partial<Declaration> = {}) =>
  aCommandedIncident(deps.store, { declaration, declaredBy: ALICE, commander: KATE, at: now });

const request = (over: Partial<ActionAddRequest> = {}): ActionAddRequest => ({
  text: 'Alert on the letter queue depth',
  ownerId: null,
  due: null,
  category: null,
  priority: null,
  ...over,
});

const refused = (code: string) => (err: unknown) => {
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.code, code, err.userMessage);
  return true;
};

const timelineKinds = async (deps: ServiceDeps, incidentId: string) =>
  (await deps.store.timeline(incidentId))
    .map((e) => e.kind)
    .filter((k) => k.startsWith('action_item') || k === 'review_updated');

for (const database of testDatabases()) {
  describe(`action items and the review (${database.name})`, () => {
    const env = useTestStore(database);

    test('addActionItem: anyone in the channel adds one, with the defaults; the channel and a named owner are told', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncidentIn(deps);
      const mine = await addActionItem(deps, { channelId: i.channelId, userId: OWEN, request: request() });
      assert.deepEqual(
        [mine.ownerId, mine.due, mine.category, mine.priority, mine.status, mine.createdBy],
        [OWEN, '2026-12-24', 'guardrail', 'medium', 'open', OWEN],
        'owned by its author, due in 30 days',
      );
      assert.deepEqual((await deps.reviews.findActionItem(mine.id))?.text, 'Alert on the letter queue depth');
      assert.deepEqual(
        chat.notices.map((n) => [n.channelId, n.notice.kind]),
        [[i.channelId, 'action-item-added']],
        'its author is not told of their own item',
      );

      const theirs = await addActionItem(deps, {
        channelId: i.channelId,
        userId: OWEN,
        request: request({ text: 'Runbook for the letter queue', ownerId: DAN, priority: 'high', category: 'runbook' }),
      });
      assert.deepEqual([theirs.ownerId, theirs.due, theirs.priority], [DAN, '2026-12-08', 'high']);
      assert.deepEqual(
        chat.notices.slice(1).map((n) => [n.channelId, n.notice.kind]),
        [
          [i.channelId, 'action-item-added'],
          [DAN, 'action-item-assigned'],
        ],
      );
      assert.deepEqual(await timelineKinds(deps, i.id), ['action_item_added', 'action_item_added']);
      assert.equal(theirs.number, mine.number + 1);

      await assert.rejects(
        addActionItem(deps, { channelId: i.channelId, userId: OWEN, request: request({ due: '2026-11-23' }) }),
        refused('invalid_input'),
        'a due date in the past',
      );
      await assert.rejects(
        addActionItem(deps, { channelId: 'CGENERAL', userId: OWEN, request: request() }),
        refused('not_incident_channel'),
      );
      assert.equal((await deps.reviews.actionItemsOf(i.id)).length, 2);
    });

    test('addActionItem on a private incident: refused to a non-member', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncidentIn(deps, { isPrivate: true });
      chat.onlyMembers(i.channelId, ALICE, KATE);
      await assert.rejects(
        addActionItem(deps, { channelId: i.channelId, userId: STRANGER, request: request() }),
        refused('not_allowed'),
      );
      assert.deepEqual(await deps.reviews.actionItemsOf(i.id), []);
      await addActionItem(deps, { channelId: i.channelId, userId: KATE, request: request() });
      assert.equal((await deps.reviews.actionItemsOf(i.id)).length, 1);
    });

    test('completeActionItem: its owner, its author or the commander, once; the posted review is redrawn', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncidentIn(deps);
      const item = await addActionItem(deps, {
        channelId: i.channelId,
        userId: ALICE,
        request: request({ ownerId: OWEN }),
      });
      await assert.rejects(
        completeActionItem(deps, { actionItemId: item.id, userId: STRANGER }),
        refused('not_allowed'),
      );
      await assert.rejects(
        completeActionItem(deps, { actionItemId: randomUUID(), userId: OWEN }),
        refused('not_found'),
      );
      // The review is posted: completing redraws it in place, without sharing the file again.
      await deps.reviews.setReviewPosted(i.id, '1764000000.000900', now);
      const done = await completeActionItem(deps, { actionItemId: item.id, userId: OWEN });
      assert.deepEqual([done.status, done.completedBy, done.completedAt], ['done', OWEN, now]);
      assert.equal((await deps.reviews.findActionItem(item.id))?.status, 'done');
      assert.deepEqual(
        chat.reviews.map((r) => [r.channelId, r.ts]),
        [[i.channelId, '1764000000.000900']],
      );
      assert.deepEqual(chat.files, []);
      await assert.rejects(completeActionItem(deps, { actionItemId: item.id, userId: KATE }), refused('not_open'));
      assert.deepEqual(await timelineKinds(deps, i.id), ['action_item_added', 'action_item_completed']);

      // The commander may complete someone else's item.
      const other = await addActionItem(deps, { channelId: i.channelId, userId: OWEN, request: request() });
      assert.equal((await completeActionItem(deps, { actionItemId: other.id, userId: KATE })).status, 'done');
    });

    test('reassignActionItem: a new owner, told directly; refused to others and to anything but a person', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncidentIn(deps);
      const item = await addActionItem(deps, {
        channelId: i.channelId,
        userId: ALICE,
        request: request({ ownerId: OWEN }),
      });
      chat.notices.length = 0;
      await assert.rejects(
        reassignActionItem(deps, { actionItemId: item.id, userId: OWEN, ownerId: 'CGENERAL' }),
        refused('invalid_input'),
      );
      await assert.rejects(
        reassignActionItem(deps, { actionItemId: item.id, userId: STRANGER, ownerId: DAN }),
        refused('not_allowed'),
      );
      const moved = await reassignActionItem(deps, { actionItemId: item.id, userId: OWEN, ownerId: DAN });
      assert.equal(moved.ownerId, DAN);
      assert.equal((await deps.reviews.findActionItem(item.id))?.ownerId, DAN);
      assert.deepEqual(
        chat.notices.map((n) => [n.channelId, n.notice.kind]),
        [[DAN, 'action-item-assigned']],
      );
      const [entry] = (await deps.store.timeline(i.id)).filter((e) => e.kind === 'action_item_reassigned');
      assert.equal(entry?.actorId, OWEN);
      // To its owner already: nothing changes, nobody is told.
      assert.equal((await reassignActionItem(deps, { actionItemId: item.id, userId: DAN, ownerId: DAN })).ownerId, DAN);
      assert.equal(chat.notices.length, 1);
      assert.deepEqual(await timelineKinds(deps, i.id), ['action_item_added', 'action_item_reassigned']);
      // The former owner no longer may change it.
      await assert.rejects(
        snoozeActionItem(deps, { actionItemId: item.id, userId: OWEN, days: 7 }),
        refused('not_allowed'),
      );
    });

    test('snoozeActionItem: 7, 14 or 30 days from today in the team’s zone; the due date stays', async () => {
      const { deps } = setup(env.db());
      const i = await anIncidentIn(deps);
      const item = await addActionItem(deps, {
        channelId: i.channelId,
        userId: ALICE,
        request: request({ ownerId: OWEN, due: '2026-12-10' }),
      });
      await assert.rejects(
        snoozeActionItem(deps, { actionItemId: item.id, userId: OWEN, days: 5 }),
        refused('invalid_input'),
      );
      await assert.rejects(
        snoozeActionItem(deps, { actionItemId: item.id, userId: STRANGER, days: 7 }),
        refused('not_allowed'),
      );
      const snoozed = await snoozeActionItem(deps, { actionItemId: item.id, userId: OWEN, days: 7 });
      assert.deepEqual([snoozed.snoozedUntil, snoozed.due], ['2026-12-01', '2026-12-10']);
      assert.equal((await deps.reviews.findActionItem(item.id))?.snoozedUntil, '2026-12-01');
      assert.deepEqual(await timelineKinds(deps, i.id), ['action_item_added', 'action_item_snoozed']);
    });

    test('saveReview: stores the answers and the form’s action item, tells its owner, posts the review; a stale form or bad input saves nothing', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncidentIn(deps);
      const answers = {
        impact: { clinicalImpact: 'None', dataImpact: 'None', usersAffected: 'Two wards' },
        detection: { how: 'alert' as const },
        wentWell: 'Paged within a minute',
      };
      await assert.rejects(
        saveReview(deps, {
          channelId: i.channelId,
          userId: OWEN,
          input: { ...answers, detection: { how: 'psychic' as never } },
          action: null,
        }),
        refused('invalid_input'),
      );
      await assert.rejects(
        saveReview(deps, {
          channelId: i.channelId,
          userId: OWEN,
          input: answers,
          action: { text: 'Add a queue alert', due: '2020-01-01', category: 'guardrail', priority: 'medium' },
        }),
        refused('invalid_input'),
        'a bad action item saves nothing either',
      );
      assert.equal(await deps.reviews.findReview(i.id), null);
      assert.deepEqual(await deps.reviews.actionItemsOf(i.id), []);

      const saved = await saveReview(deps, {
        channelId: i.channelId,
        userId: OWEN,
        input: answers,
        action: { text: 'Add a queue alert', ownerId: DAN, category: 'guardrail', priority: 'high' },
        basedOn: null,
      });
      assert.equal(saved.publishFailed, null);
      assert.equal(saved.redacted, null);
      assert.deepEqual([saved.item?.ownerId, saved.item?.due, saved.item?.createdBy], [DAN, '2026-12-08', OWEN]);
      const stored = await deps.reviews.findReview(i.id);
      assert.equal(stored?.updatedBy, OWEN);
      assert.deepEqual(stored?.input.impact, answers.impact);
      assert.equal(stored?.input.wentWell, 'Paged within a minute');
      assert.deepEqual(
        chat.notices.map((n) => [n.channelId, n.notice.kind]),
        [[DAN, 'action-item-assigned']],
      );
      assert.equal(chat.reviews.length, 1, 'the review is posted');
      assert.equal(chat.reviews[0]?.channelId, i.channelId);
      assert.deepEqual(
        chat.files.map((f) => f.file.filename),
        [`inc-${i.number}-review.md`],
      );
      assert.ok((await timelineKinds(deps, i.id)).includes('review_updated'));

      // Another form opened before that save (it showed no review): refused, nothing overwritten.
      await assert.rejects(
        saveReview(deps, {
          channelId: i.channelId,
          userId: DAN,
          input: { wentWell: 'Something else' },
          action: null,
          basedOn: null,
        }),
        refused('conflict'),
      );
      assert.equal((await deps.reviews.findReview(i.id))?.input.wentWell, 'Paged within a minute');
      assert.equal((await deps.reviews.actionItemsOf(i.id)).length, 1);
    });

    test('saveReview on a private incident: refused to a non-member', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncidentIn(deps, { isPrivate: true });
      chat.onlyMembers(i.channelId, ALICE, KATE);
      await assert.rejects(
        saveReview(deps, { channelId: i.channelId, userId: STRANGER, input: { wentWell: 'x' }, action: null }),
        refused('not_allowed'),
      );
      assert.equal(await deps.reviews.findReview(i.id), null);
    });
  });
}
