// Action items in the teams' trackers, through the use cases on the real stores (PGlite, and the
// PostgreSQL server when TEST_DATABASE_URL is set) with stateful fake trackers: which tracker a new
// item goes to, what its issue says, changes in Slack pushed, changes in the tracker applied (with
// their timeline and audit entries), echoes and redeliveries changing nothing, and an outage: the
// item kept, the owner and channel told once, the issue created later, never twice.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Database } from '../../src/db/database.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { actingAs } from '../../src/audit-context.ts';
import { staticCatalog } from '../../src/ports/service-catalog.ts';
import { addActionItem } from '../../src/services/review/add-action-item.ts';
import { completeActionItem } from '../../src/services/review/complete-action-item.ts';
import { reassignActionItem } from '../../src/services/review/reassign-action-item.ts';
import { snoozeActionItem } from '../../src/services/review/snooze-action-item.ts';
import { applyTrackerEvent } from '../../src/services/trackers/apply-tracker-event.ts';
import { forgetOldDeliveries } from '../../src/services/trackers/forget-old-deliveries.ts';
import { syncTrackerIssues } from '../../src/services/trackers/sync-tracker-issues.ts';
import { aService, catalogGroup, catalogOf } from '../support/catalog.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';
import { FakeTracker } from '../support/fake-tracker.ts';
import { aCommandedIncident } from '../support/fixtures.ts';

const ALICE = 'UALICE';
const KATE = 'UKATE';
const OWEN = 'UOWEN';
const DAN = 'UDAN';
const now = new Date('2026-11-24T14:00:00Z');

const catalog = staticCatalog({
  ...catalogOf(
    aService({ name: 'ehr-api', jiraProjectKey: 'EHR' }),
    aService({ name: 'letters', owner: 'group:default/comms' }),
    aService({ name: 'lab', owner: null }),
  ),
  groups: [catalogGroup('platform'), catalogGroup('comms', { githubProjectSlug: 'acme/comms-actions' })],
});

/** The items of earlier tests (one database per file) are left alone: only this test's are due. */
async function quietEarlierItems(db: Database) {
  await db.prisma.trackerLink.updateMany({ data: { nextAttemptAt: null } });
}

async function setup(db: Database, o: { jira?: boolean; github?: boolean; fallback?: boolean } = {}) {
  await quietEarlierItems(db);
  const chat = new FakeChat();
  const clock = new TestClock(now);
  const jira = new FakeTracker('jira');
  const github = new FakeTracker('github');
  const deps = testDeps({
    db,
    chat,
    clock,
    catalog,
    trackers: { ...(o.jira === false ? {} : { jira }), ...(o.github === false ? {} : { github }) },
    settings: o.fallback ? { actionTracker: { tracker: 'github', target: 'acme/incidents' } } : {},
  });
  // Owen and Dan have tracker accounts (by their Slack emails); Kate has none.
  for (const t of [jira, github]) {
    t.person('uowen@example.org', t.kind === 'jira' ? 'acc-owen' : 'owen-gh', 'Owen');
    t.person('udan@example.org', t.kind === 'jira' ? 'acc-dan' : 'dan-gh', 'Dan');
  }
  return { deps, chat, clock, jira, github };
}

const anIncidentIn = (deps: ServiceDeps, o: { service?: string | null; isPrivate?: boolean } = {}) =>
  aCommandedIncident(deps.store, {
    declaration: { affectedService: o.service === undefined ? 'ehr-api' : o.service, isPrivate: o.isPrivate ?? false },
    declaredBy: ALICE,
    commander: KATE,
    at: now,
  });

const reopenAsKate = (deps: ServiceDeps, id: string) => deps.reviews.reopenActionItem(id, { by: KATE, at: now });

const add = (deps: ServiceDeps, i: { channelId: string }, text: string, ownerId: string | null = OWEN) =>
  addActionItem(deps, {
    channelId: i.channelId,
    userId: KATE,
    request: { text, ownerId, due: '2026-12-10', category: null, priority: 'high' },
  });

const trackerEntries = async (deps: ServiceDeps, incidentId: string) =>
  (await deps.store.timeline(incidentId))
    .filter((e) => e.kind.startsWith('action_item') && e.kind !== 'action_item_added')
    .map((e) => e.text);

for (const database of testDatabases()) {
  describe(`action items in trackers (${database.name})`, () => {
    const env = useTestStore(database);

    test('a new item opens one issue in its service’s tracker, with its reference, owner, due date and priority', async () => {
      const { deps, jira, github } = await setup(env.db());
      const i = await anIncidentIn(deps);
      const item = await add(deps, i, 'Alert on the letter queue depth');
      assert.equal((await deps.reviews.findActionItem(item.id))?.tracker, null, 'no issue until the sync runs');

      const result = await syncTrackerIssues(deps);
      assert.equal(result.created, 1);
      assert.equal(jira.issues.length, 1);
      assert.equal(github.issues.length, 0, 'the service names Jira');
      const [issue] = jira.issues;
      assert.equal(issue!.target, 'EHR');
      assert.equal(issue!.draft.title, `ACT-${item.number}: Alert on the letter queue depth`);
      assert.match(issue!.draft.body, new RegExp(`INC-${i.number}`));
      assert.match(issue!.draft.body, /Discharge letters delayed/);
      assert.match(issue!.draft.body, /Due: 2026-12-10/);
      assert.match(issue!.draft.body, new RegExp(`slack.com/app_redirect\\?channel=${i.channelId}`));
      assert.deepEqual(issue!.draft.labels, ['incident-action', 'priority:high', 'category:guardrail']);
      assert.equal(issue!.assignee?.id, 'acc-owen', 'Owen is matched by his email');
      assert.equal(issue!.due, '2026-12-10');

      const shown = await deps.reviews.findActionItem(item.id);
      assert.deepEqual(shown?.tracker, {
        tracker: 'jira',
        target: 'EHR',
        state: 'linked',
        key: issue!.issue.key,
        url: issue!.issue.url,
      });
      assert.deepEqual(await trackerEntries(deps, i.id), [
        `Action item ACT-${item.number} is tracked in Jira as ${issue!.issue.key}: ${issue!.issue.url}`,
      ]);
      const again = await syncTrackerIssues(deps);
      assert.deepEqual(again, { created: 0, pushed: 0, failed: 0, none: 0 }, 'nothing more to do');
      assert.equal(jira.issues.length, 1);
    });

    test('the tracker: the service’s, else its owning team’s, else ACTION_TRACKER, else none (Slack only)', async () => {
      const { deps, jira, github } = await setup(env.db(), { fallback: true });
      const letters = await anIncidentIn(deps, { service: 'letters' });
      const lab = await anIncidentIn(deps, { service: 'lab' });
      const a = await add(deps, letters, 'Runbook for letters');
      const b = await add(deps, lab, 'Lab alerting');
      await syncTrackerIssues(deps);
      assert.deepEqual(
        github.issues.map((x) => x.target),
        ['acme/comms-actions', 'acme/incidents'],
        'the team’s repository, then the default',
      );
      assert.equal(jira.issues.length, 0);
      assert.equal((await deps.reviews.findActionItem(a.id))?.tracker?.target, 'acme/comms-actions');
      assert.equal((await deps.reviews.findActionItem(b.id))?.tracker?.target, 'acme/incidents');

      const none = await setup(env.db(), { jira: false, github: false });
      const c = await add(none.deps, await anIncidentIn(none.deps, { service: 'lab' }), 'Nothing tracks this');
      const r = await syncTrackerIssues(none.deps);
      assert.equal(r.none >= 1, true);
      assert.equal((await none.deps.reviews.findActionItem(c.id))?.tracker, null, 'it lives in Slack only');
    });

    test('a private incident’s issue says only the references; everything sent passes the PHI guard', async () => {
      const { deps, jira } = await setup(env.db());
      const secret = await anIncidentIn(deps, { isPrivate: true });
      const item = await add(deps, secret, 'Call back the patient on 07700 900123 about the letter');
      const open = await anIncidentIn(deps);
      const other = await add(deps, open, 'Email jane.doe@example.com the fix');
      await syncTrackerIssues(deps);
      const privateIssue = jira.issues.find((x) => x.draft.marker.endsWith(item.id))!;
      assert.equal(privateIssue.draft.title, `ACT-${item.number}: action item from INC-${secret.number}`);
      assert.doesNotMatch(privateIssue.draft.body, /Discharge|ehr-api|patient|07700/);
      const publicIssue = jira.issues.find((x) => x.draft.marker.endsWith(other.id))!;
      assert.doesNotMatch(publicIssue.draft.title + publicIssue.draft.body, /jane\.doe@example\.com/);
      assert.match(publicIssue.draft.title, /\[email removed\]|\[redacted|removed/i);
    });

    test('completing, reassigning and snoozing in Slack update the issue; only what changed is sent', async () => {
      const { deps, jira } = await setup(env.db());
      const i = await anIncidentIn(deps);
      const item = await add(deps, i, 'Add a queue depth alert');
      await syncTrackerIssues(deps);
      const issue = jira.issues[0]!;

      await reassignActionItem(deps, { actionItemId: item.id, userId: KATE, ownerId: DAN });
      await syncTrackerIssues(deps);
      assert.equal(issue.assignee?.id, 'acc-dan');
      assert.deepEqual(jira.calls.at(-1)?.update, {
        assignee: { id: 'acc-dan', name: 'Dan', email: 'udan@example.org' },
      });

      await snoozeActionItem(deps, { actionItemId: item.id, userId: DAN, days: 7 });
      await syncTrackerIssues(deps);
      assert.deepEqual(jira.calls.at(-1)?.update, {
        comment: `Reminders about ACT-${item.number} are snoozed in Slack until 2026-12-01.`,
      });

      await completeActionItem(deps, { actionItemId: item.id, userId: DAN });
      await syncTrackerIssues(deps);
      assert.equal(issue.state, 'closed');
      assert.deepEqual(jira.calls.at(-1)?.update, { state: 'closed' });

      // A new owner with no tracker account: the issue is left unassigned, not with the old owner.
      const second = await add(deps, i, 'Second item');
      await syncTrackerIssues(deps);
      await reassignActionItem(deps, { actionItemId: second.id, userId: KATE, ownerId: KATE });
      await syncTrackerIssues(deps);
      assert.equal(jira.issues[1]!.assignee, null);
      const calls = jira.calls.length;
      assert.deepEqual(await syncTrackerIssues(deps), { created: 0, pushed: 0, failed: 0, none: 0 });
      assert.equal(jira.calls.length, calls, 'in step: nothing sent');
    });

    test('changes in the tracker update the item, with timeline and audit entries naming who, where; echoes and redeliveries change nothing', async () => {
      const { deps, chat, github } = await setup(env.db());
      const i = await anIncidentIn(deps, { service: 'letters' });
      const item = await add(deps, i, 'Runbook for letters');
      await syncTrackerIssues(deps);
      const issue = github.issues[0]!;
      const octocat = github.person('uowen@example.org', 'owen-gh', 'owen-gh');

      const closed = github.event(issue, octocat, [{ kind: 'closed' }], { deliveryId: 'd-1' });
      assert.equal(await applyTrackerEvent(deps, closed), 'applied');
      const done = await deps.reviews.findActionItem(item.id);
      assert.equal(done?.status, 'done');
      assert.equal(done?.completedBy, OWEN, 'the tracker user matched to Owen by email');
      assert.deepEqual((await trackerEntries(deps, i.id)).slice(1), [
        `Action item ACT-${item.number} completed: Runbook for letters in GitHub (${issue.issue.key}) by owen-gh`,
      ]);
      const audit = await deps.audit.read(i.id);
      const completed = audit.entries.find(
        (e) => e.action === 'action_item.update' && (e.after as { status?: string } | null)?.status === 'done',
      );
      assert.equal(completed?.actor, OWEN);
      assert.match(completed?.via ?? '', /GitHub webhook \(acme\/comms-actions#\d+\)/);

      // The same delivery again: nothing twice, even after the item was reopened in Slack meanwhile.
      await deps.reviews.reopenActionItem(item.id, { by: KATE, at: now });
      assert.equal(await applyTrackerEvent(deps, closed), 'duplicate');
      assert.equal((await deps.reviews.findActionItem(item.id))?.status, 'open');

      // The bot's own change echoed back: ignored.
      const echo = github.event(issue, github.self, [{ kind: 'closed' }]);
      assert.equal(await applyTrackerEvent(deps, echo), 'ignored');
      assert.equal((await deps.reviews.findActionItem(item.id))?.status, 'open');

      // Reassigned in the tracker to someone with a Slack match: the item follows and they are told.
      const stranger = { id: 'someone', name: 'someone', email: null };
      const assigned = github.event(issue, stranger, [
        { kind: 'assigned', assignee: { id: 'dan-gh', name: 'Dan', email: null } },
      ]);
      assert.equal(await applyTrackerEvent(deps, assigned), 'applied');
      const reassigned = await deps.reviews.findActionItem(item.id);
      assert.equal(reassigned?.ownerId, DAN);
      assert.ok(chat.notices.some((n) => n.channelId === DAN && n.notice.kind === 'tracker-assigned'));
      assert.equal(
        (await trackerEntries(deps, i.id)).at(-1),
        `Action item ACT-${item.number} reassigned to <@UDAN> in GitHub (${issue.issue.key}) by someone`,
      );

      // Assigned to someone nobody can match: the owner stays.
      const nobody = github.event(issue, stranger, [
        { kind: 'assigned', assignee: { id: 'ghost', name: 'ghost', email: null } },
      ]);
      assert.equal(await applyTrackerEvent(deps, nobody), 'ignored');
      assert.equal((await deps.reviews.findActionItem(item.id))?.ownerId, DAN);

      // Re-dated in the tracker.
      const redated = github.event(issue, octocat, [{ kind: 'due', due: '2027-01-15' }]);
      assert.equal(await applyTrackerEvent(deps, redated), 'applied');
      assert.equal((await deps.reviews.findActionItem(item.id))?.due, '2027-01-15');

      // Nothing to push back for what came from the tracker, except the reopen made in Slack.
      const before = github.calls.length;
      await syncTrackerIssues(deps);
      assert.deepEqual(
        github.calls.slice(before).map((c) => c.update),
        [{ state: 'open' }],
        'the reopen made in Slack is sent; the owner and due date that came from the tracker are not sent back',
      );
      assert.equal(issue.state, 'open');

      // An issue the bot did not open: ignored.
      const foreign = { ...closed, deliveryId: 'd-9', issue: { id: '999', key: 'acme/x#999', url: 'https://x' } };
      assert.equal(await applyTrackerEvent(deps, foreign), 'ignored');
      const audited = await deps.audit.verify(i.id);
      assert.deepEqual(audited.problems, []);
    });

    test('tracker down: the item is kept, the owner and channel told once, the issue created later, never twice', async () => {
      const { deps, chat, clock, jira } = await setup(env.db());
      const i = await anIncidentIn(deps);
      jira.down = true;
      const item = await add(deps, i, 'Alert on EHR logins');
      const first = await syncTrackerIssues(deps);
      assert.equal(first.failed, 1);
      const told = () => chat.notices.filter((n) => n.notice.kind === 'tracker-failed').map((n) => n.channelId);
      assert.deepEqual(told(), [i.channelId, OWEN]);
      assert.deepEqual((await deps.reviews.findActionItem(item.id))?.tracker, {
        tracker: 'jira',
        target: 'EHR',
        state: 'pending',
        key: null,
        url: null,
      });
      // Not retried before its time; then retried, and not told again.
      assert.deepEqual(await syncTrackerIssues(deps), { created: 0, pushed: 0, failed: 0, none: 0 });
      clock.advance(31_000);
      assert.equal((await syncTrackerIssues(deps)).failed, 1);
      assert.deepEqual(told(), [i.channelId, OWEN], 'told once');

      // Back, but the create's answer is lost: the retry finds the issue it made.
      jira.down = false;
      jira.loseCreateAnswers = 1;
      clock.advance(61_000);
      assert.equal((await syncTrackerIssues(deps)).failed, 1);
      assert.equal(jira.issues.length, 1);
      clock.advance(121_000);
      assert.equal((await syncTrackerIssues(deps)).created, 1);
      assert.equal(jira.issues.length, 1, 'never two issues for one item');
      assert.equal((await deps.reviews.findActionItem(item.id))?.tracker?.key, jira.issues[0]!.issue.key);

      // Completed in Slack during a later outage: pushed when the tracker is back.
      jira.down = true;
      await completeActionItem(deps, { actionItemId: item.id, userId: OWEN });
      assert.equal((await syncTrackerIssues(deps)).failed, 1);
      assert.equal(told().length, 4, 'a new outage is told once more');
      jira.down = false;
      clock.advance(31_000);
      assert.equal((await syncTrackerIssues(deps)).pushed, 1);
      assert.equal(jira.issues[0]!.state, 'closed');
    });

    test('two replicas sweeping at once open each item’s issue once', async () => {
      const one = await setup(env.db());
      const i = await anIncidentIn(one.deps);
      const items = [];
      for (let n = 0; n < 6; n++) items.push(await add(one.deps, i, `Item ${n}`));
      // A second replica: its own deps on the same database, the same tracker.
      const two = testDeps({ db: env.db(), clock: one.clock, catalog, trackers: { jira: one.jira } });
      const results = await Promise.all([
        syncTrackerIssues(one.deps, { limit: 4 }),
        syncTrackerIssues(two, { limit: 4 }),
        syncTrackerIssues(one.deps, { limit: 4 }),
      ]);
      assert.equal(
        results.reduce((n, r) => n + r.created, 0),
        6,
      );
      assert.equal(one.jira.issues.length, 6, 'one issue per item');
      assert.deepEqual(new Set(one.jira.issues.map((x) => x.draft.marker)).size, 6);
    });

    test('status moves count only when they change open ↔ done as last known; stale and replayed deliveries are not applied', async () => {
      const { deps, clock, jira } = await setup(env.db());
      const i = await anIncidentIn(deps);
      const item = await add(deps, i, 'Page the on-call on queue depth');
      await syncTrackerIssues(deps);
      const issue = jira.issues[0]!;
      const anna = jira.person('anna@example.org', 'acc-anna', 'Anna');
      const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

      // Completed in Slack while Jira is down: the push waits.
      jira.down = true;
      await completeActionItem(deps, { actionItemId: item.id, userId: OWEN });
      await syncTrackerIssues(deps);
      jira.down = false;
      // Meanwhile someone moves the issue between two open statuses (To Do → In Progress): Jira says
      // "not done", which is what the bot last knew: the completion made in Slack stands.
      const moved = jira.event(issue, anna, [{ kind: 'reopened' }], { occurredAt: at(1) });
      assert.equal(await applyTrackerEvent(deps, moved), 'ignored');
      assert.equal((await deps.reviews.findActionItem(item.id))?.status, 'done');
      clock.advance(31_000);
      await syncTrackerIssues(deps);
      assert.equal(issue.state, 'closed', 'the completion reached Jira');

      // Reopened in Jira at minute 5, then a late delivery of a close made at minute 3: out of turn.
      const reopened = jira.event(issue, anna, [{ kind: 'reopened' }], { occurredAt: at(5) });
      assert.equal(await applyTrackerEvent(deps, reopened), 'applied');
      const late = jira.event(issue, anna, [{ kind: 'closed' }], { occurredAt: at(3) });
      assert.equal(await applyTrackerEvent(deps, late), 'ignored');
      assert.equal((await deps.reviews.findActionItem(item.id))?.status, 'open');

      // The same bytes under a new delivery id (a replay) are applied once.
      const closed = { ...jira.event(issue, anna, [{ kind: 'closed' }], { occurredAt: at(6) }), bodyHash: 'abc123' };
      assert.equal(await applyTrackerEvent(deps, closed), 'applied');
      await reopenAsKate(deps, item.id);
      assert.equal(await applyTrackerEvent(deps, { ...closed, deliveryId: 'another-id' }), 'duplicate');
      assert.equal((await deps.reviews.findActionItem(item.id))?.status, 'open');
      // A delivery more than a week old is refused.
      const old = jira.event(issue, anna, [{ kind: 'closed' }], {
        occurredAt: new Date(now.getTime() - 8 * 86_400_000),
      });
      assert.equal(await applyTrackerEvent(deps, old), 'ignored');
    });

    test('a re-date on a done item is not applied and not sent back; a private incident’s item goes only to a member of its channel', async () => {
      const { deps, chat, jira } = await setup(env.db());
      const secret = await anIncidentIn(deps, { isPrivate: true });
      const item = await add(deps, secret, 'Rotate the keys');
      await syncTrackerIssues(deps);
      const issue = jira.issues[0]!;
      const anna = jira.person('anna@example.org', 'acc-anna', 'Anna');
      const dan = { id: 'acc-dan', name: 'Dan', email: null };
      chat.onlyMembers(secret.channelId, KATE, OWEN);
      assert.equal(
        await applyTrackerEvent(deps, jira.event(issue, anna, [{ kind: 'assigned', assignee: dan }])),
        'ignored',
      );
      assert.equal((await deps.reviews.findActionItem(item.id))?.ownerId, OWEN, 'Dan may not read the incident');
      chat.onlyMembers(secret.channelId, DAN);
      assert.equal(
        await applyTrackerEvent(deps, jira.event(issue, anna, [{ kind: 'assigned', assignee: dan }])),
        'applied',
      );
      assert.equal((await deps.reviews.findActionItem(item.id))?.ownerId, DAN);

      await completeActionItem(deps, { actionItemId: item.id, userId: DAN });
      await syncTrackerIssues(deps);
      const before = jira.calls.length;
      assert.equal(
        await applyTrackerEvent(deps, jira.event(issue, anna, [{ kind: 'due', due: '2027-03-01' }])),
        'ignored',
      );
      assert.equal((await deps.reviews.findActionItem(item.id))?.due, '2026-12-10');
      await syncTrackerIssues(deps);
      assert.equal(jira.calls.length, before, 'Jira keeps its own date: nothing sent back');
    });

    test('an issue deleted in the tracker: the item lives in Slack only, told once; a tracker no longer configured leaves items alone', async () => {
      const { deps, chat, clock, jira } = await setup(env.db());
      const i = await anIncidentIn(deps);
      const item = await add(deps, i, 'Deleted in Jira');
      await syncTrackerIssues(deps);
      jira.issues.length = 0; // deleted there
      await reassignActionItem(deps, { actionItemId: item.id, userId: KATE, ownerId: DAN });
      // Gone twice: retried (Jira answers 404 for access lost, too), told once as a failure.
      await syncTrackerIssues(deps);
      clock.advance(31_000);
      await syncTrackerIssues(deps);
      assert.equal((await deps.reviews.findActionItem(item.id))?.tracker?.state, 'linked');
      clock.advance(61_000);
      await syncTrackerIssues(deps);
      assert.equal(
        (await deps.reviews.findActionItem(item.id))?.tracker,
        null,
        'gone three times in a row: Slack only now',
      );
      assert.match((await trackerEntries(deps, i.id)).at(-1)!, /is no longer in Jira \(deleted or moved\)/);
      const told = chat.notices.filter((n) => n.notice.kind === 'tracker-failed');
      assert.deepEqual(
        told.map((n) => [n.channelId, (n.notice as { gone?: boolean }).gone ?? false]),
        [
          [i.channelId, false],
          [DAN, false],
          [i.channelId, true],
          [DAN, true],
        ],
        'the channel and Dan: once for the failure, once when it is unlinked',
      );
      await completeActionItem(deps, { actionItemId: item.id, userId: DAN });
      assert.deepEqual(await syncTrackerIssues(deps), { created: 0, pushed: 0, failed: 0, none: 0 });

      // Jira is no longer configured: a new item never tried stays in Slack only.
      const off = await setup(env.db(), { jira: false });
      const other = await add(off.deps, await anIncidentIn(off.deps), 'No Jira now');
      await syncTrackerIssues(off.deps);
      assert.equal((await off.deps.reviews.findActionItem(other.id))?.tracker, null);
    });

    test('deliveries for one issue take their turn: a reopen and a later close sent at once end closed', async () => {
      const { deps, jira } = await setup(env.db());
      const i = await anIncidentIn(deps);
      const item = await add(deps, i, 'Raced in Jira');
      await syncTrackerIssues(deps);
      await completeActionItem(deps, { actionItemId: item.id, userId: OWEN });
      await syncTrackerIssues(deps);
      const issue = jira.issues[0]!;
      const anna = jira.person('anna@example.org', 'acc-anna', 'Anna');
      const reopened = jira.event(issue, anna, [{ kind: 'reopened' }], {
        occurredAt: new Date(now.getTime() + 60_000),
      });
      const closed = jira.event(issue, anna, [{ kind: 'closed' }], { occurredAt: new Date(now.getTime() + 120_000) });
      await Promise.all([applyTrackerEvent(deps, reopened), applyTrackerEvent(deps, closed)]);
      // Whichever came first, the close (the later change) stands, and the two sides agree.
      assert.equal((await deps.reviews.findActionItem(item.id))?.status, 'done');
      const link = await deps.trackerLinks.findByItem(item.id);
      assert.equal(link?.synced?.status, 'done');
    });

    test('gone is counted apart from other failures: 503, 503, then one 404 does not unlink', async () => {
      const { deps, clock, jira } = await setup(env.db());
      const i = await anIncidentIn(deps);
      const item = await add(deps, i, 'Flaky Jira');
      await syncTrackerIssues(deps);
      jira.down = true;
      await reassignActionItem(deps, { actionItemId: item.id, userId: KATE, ownerId: DAN });
      await syncTrackerIssues(deps);
      clock.advance(31_000);
      await syncTrackerIssues(deps);
      jira.down = false;
      const kept = jira.issues.splice(0, jira.issues.length); // gone for a moment (access lost)
      clock.advance(61_000);
      await syncTrackerIssues(deps);
      assert.equal(
        (await deps.reviews.findActionItem(item.id))?.tracker?.state,
        'linked',
        'one gone answer is not three',
      );
      jira.issues.push(...kept);
      clock.advance(121_000);
      assert.equal((await syncTrackerIssues(deps)).pushed, 1);
      assert.equal(kept[0]!.assignee?.id, 'acc-dan');
    });

    test('an item whose tracker went away while its issue was being created wakes when the item changes', async () => {
      const { deps, clock, jira } = await setup(env.db());
      const i = await anIncidentIn(deps);
      jira.down = true;
      const item = await add(deps, i, 'Tried once');
      await syncTrackerIssues(deps);
      jira.down = false;
      // Jira is no longer configured: the tried item waits.
      const off = testDeps({ db: env.db(), clock, catalog, trackers: {} });
      clock.advance(31_000);
      await syncTrackerIssues(off);
      assert.equal((await deps.reviews.findActionItem(item.id))?.tracker?.state, 'pending');
      assert.deepEqual(await syncTrackerIssues(off), { created: 0, pushed: 0, failed: 0, none: 0 }, 'idle');
      // Configured again, and the item changes: its issue is opened (once).
      await reassignActionItem(deps, { actionItemId: item.id, userId: KATE, ownerId: DAN });
      assert.equal((await syncTrackerIssues(deps)).created, 1);
      assert.equal(jira.issues.length, 1);
    });

    test('deliveries are remembered for two weeks, then forgotten by the background sweep', async () => {
      const { deps } = await setup(env.db());
      const day = 86_400_000;
      assert.equal(
        await deps.trackerLinks.firstDelivery('jira', 'old-delivery', new Date(now.getTime() - 15 * day)),
        true,
      );
      assert.equal(
        await deps.trackerLinks.firstDelivery('jira', 'recent-delivery', new Date(now.getTime() - 13 * day)),
        true,
      );
      assert.ok((await forgetOldDeliveries(deps)) >= 1);
      assert.equal(await deps.trackerLinks.firstDelivery('jira', 'old-delivery', now), true, 'forgotten');
      assert.equal(await deps.trackerLinks.firstDelivery('jira', 'recent-delivery', now), false, 'still remembered');
    });

    test('a pass that outlasts its claim leaves the link to the replica that has it: one issue per item', async () => {
      const one = await setup(env.db());
      const i = await anIncidentIn(one.deps);
      const a = await add(one.deps, i, 'Slow one');
      const b = await add(one.deps, i, 'Slow two');
      // Replica one claims both, then stalls on Jira past its claim.
      const claimed = await one.deps.trackerLinks.claimDue(one.clock.now(), 25, 120_000);
      assert.deepEqual(new Set(claimed.map((c) => c.actionItemId)), new Set([a.id, b.id]));
      one.clock.advance(121_000);
      // Replica two takes them over and opens both issues.
      const two = testDeps({ db: env.db(), clock: one.clock, catalog, trackers: { jira: one.jira } });
      assert.equal((await syncTrackerIssues(two)).created, 2);
      // Replica one wakes up and works from its old claim: nothing.
      const late = testDeps({ db: env.db(), clock: one.clock, catalog, trackers: { jira: one.jira } });
      const stale = { ...late, trackerLinks: { ...late.trackerLinks, claimDue: async () => claimed } } as ServiceDeps;
      Object.setPrototypeOf(stale.trackerLinks, Object.getPrototypeOf(late.trackerLinks));
      assert.deepEqual(await syncTrackerIssues(stale), { created: 0, pushed: 0, failed: 0, none: 0 });
      assert.equal(one.jira.issues.length, 2, 'one issue per item');
    });

    test('an item completed before its issue exists gets an issue that is closed at once', async () => {
      const { deps, jira } = await setup(env.db());
      const i = await anIncidentIn(deps);
      const item = await add(deps, i, 'Already done');
      await actingAs({ actor: OWEN, via: 'test' }, () =>
        completeActionItem(deps, { actionItemId: item.id, userId: OWEN }),
      );
      const r = await syncTrackerIssues(deps);
      assert.deepEqual([r.created, r.pushed], [1, 1]);
      assert.equal(jira.issues[0]!.state, 'closed');
    });
  });
}
