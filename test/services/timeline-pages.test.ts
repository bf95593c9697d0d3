// Paging `/incident timeline` on the real store (PGlite, and the PostgreSQL server when
// TEST_DATABASE_URL is set): the latest page, older and newer from a page's edges, both ends, equal
// times, an entry added between two pages, and a private incident's pages refused to a non-member.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { TimelineEntry } from '../../src/domain/timeline.ts';
import { showTimeline, type TimelinePosition } from '../../src/services/incident/show-timeline.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';

const declaredAt = new Date('2026-11-24T14:00:00Z');
const minute = (n: number) => new Date(declaredAt.getTime() + n * 60_000);
const texts = (entries: readonly TimelineEntry[]) => entries.map((e) => e.text);
const before = (e: TimelineEntry): TimelinePosition => ({ before: { occurredAt: e.occurredAt, id: e.id } });
const after = (e: TimelineEntry): TimelinePosition => ({ after: { occurredAt: e.occurredAt, id: e.id } });

for (const database of testDatabases()) {
  describe(`timeline pages (${database.name})`, () => {
    const testStore = useTestStore(database);
    let store: PrismaIncidentStore;
    beforeEach(() => {
      store = testStore.store();
    });

    /** An incident in its channel with `notes` notes after its declared entry, one a minute ("n1" … ). */
    async function anIncidentWithNotes(notes: number, isPrivate = false): Promise<Incident> {
      const { incident } = await store.createIfAbsent(
        declaring({ declaration: aDeclaration({ isPrivate }), declaredAt, via: 'test' }),
      );
      const channelId = `C${incident.id.slice(0, 8).toUpperCase()}`;
      for (let i = 1; i <= notes; i++)
        await store.addTimelineEntry(incident.id, {
          occurredAt: minute(i),
          kind: 'note',
          actorId: 'UBOB',
          text: `n${i}`,
        });
      return store.recordProvisioning(incident.id, { channelId });
    }

    test('the latest page, older to the first, newer back to the latest; the count and durations from the whole timeline', async () => {
      const chat = new FakeChat();
      const deps = testDeps({ store, chat, clock: new TestClock(minute(60)) });
      const incident = await anIncidentWithNotes(12);
      await store.applyChange(
        incident.id,
        { status: 'INVESTIGATING' },
        {
          occurredAt: minute(1),
          kind: 'status_changed',
          actorId: 'UBOB',
          text: 'investigating',
          data: { to: 'INVESTIGATING' },
        },
      );
      const read = (page: TimelinePosition = null) =>
        showTimeline(deps, { channelId: incident.channelId!, userId: 'UBOB', page, pageSize: 5 });

      const latest = await read();
      assert.deepEqual(texts(latest.entries), ['n8', 'n9', 'n10', 'n11', 'n12'], 'the newest five, oldest first');
      assert.deepEqual([latest.total, latest.hasOlder, latest.hasNewer], [14, true, false]);
      assert.equal(latest.durations.toAcknowledgeMs, 60_000, 'the status change is off this page, still counted');
      assert.deepEqual(latest.declaredAt, declaredAt, 'the declared entry is off this page too');

      const older = await read({ before: latest.older! });
      assert.deepEqual(texts(older.entries), ['n3', 'n4', 'n5', 'n6', 'n7']);
      assert.deepEqual([older.hasOlder, older.hasNewer], [true, true]);

      const first = await read({ before: older.older! });
      assert.equal(first.entries.length, 4, 'the first page holds what is left');
      assert.deepEqual(first.entries[0]!.kind, 'declared');
      assert.deepEqual(
        texts(first.entries).slice(1).sort(),
        ['investigating', 'n1', 'n2'].sort(),
        'two at 14:01: both there',
      );
      assert.deepEqual([first.hasOlder, first.hasNewer], [false, true], 'the oldest end: no Older');

      const back = await read({ after: first.newer! });
      assert.deepEqual(texts(back.entries), ['n3', 'n4', 'n5', 'n6', 'n7'], 'Newer gives the page Older came from');
      assert.deepEqual([back.hasOlder, back.hasNewer], [true, true]);

      const end = await read({ after: back.newer! });
      assert.deepEqual(texts(end.entries), ['n8', 'n9', 'n10', 'n11', 'n12']);
      assert.deepEqual([end.hasOlder, end.hasNewer], [true, false], 'the newest end: no Newer');

      const nearEnd = await read(after(end.entries[2]!));
      assert.deepEqual(
        texts(nearEnd.entries),
        ['n8', 'n9', 'n10', 'n11', 'n12'],
        'Newer up to the end: the latest page, full',
      );
      assert.equal(nearEnd.hasNewer, false);

      // Every entry is on exactly one page, walking from the latest to the first.
      const seen: string[] = [];
      let page = await read();
      for (;;) {
        seen.unshift(...page.entries.map((e) => e.id));
        if (!page.hasOlder) break;
        page = await read({ before: page.older! });
      }
      const all = await store.timeline(incident.id);
      assert.equal(new Set(seen).size, seen.length, 'no entry twice');
      assert.deepEqual([...seen].sort(), all.map((e) => e.id).sort(), 'none left out');
    });

    test('an entry added between two pages: the older page is unchanged, Newer shows it, the count follows', async () => {
      const deps = testDeps({ store, chat: new FakeChat(), clock: new TestClock(minute(60)) });
      const incident = await anIncidentWithNotes(9);
      const read = (page: TimelinePosition = null) =>
        showTimeline(deps, { channelId: incident.channelId!, userId: 'UBOB', page, pageSize: 4 });
      const latest = await read();
      assert.deepEqual(texts(latest.entries), ['n6', 'n7', 'n8', 'n9']);
      const older = await read({ before: latest.older! });

      await store.addTimelineEntry(incident.id, {
        occurredAt: minute(30),
        kind: 'note',
        actorId: 'UBOB',
        text: 'late',
      });
      assert.deepEqual(texts((await read({ before: latest.older! })).entries), texts(older.entries), 'same older page');
      const newer = await read({ after: older.newer! });
      assert.deepEqual(texts(newer.entries), ['n6', 'n7', 'n8', 'n9'], 'the page after the older one');
      assert.deepEqual([newer.total, newer.hasNewer], [11, true], 'counted, and one more beyond it');
      const fromOldPage = await read(after(latest.entries.at(-1)!));
      assert.deepEqual(texts(fromOldPage.entries), ['n7', 'n8', 'n9', 'late']);
      assert.equal(fromOldPage.hasNewer, false);
    });

    test('the declaration first among what was recorded with it (a near miss: declared, then resolved at the same time)', async () => {
      const deps = testDeps({ store, chat: new FakeChat(), clock: new TestClock(minute(60)) });
      // Ids are random: eight incidents would all read in keyset order by chance once in 256 runs.
      for (let i = 0; i < 8; i++) {
        const { incident } = await store.createIfAbsent(
          declaring({ declaration: aDeclaration({ nearMiss: true }), declaredAt, via: 'test' }),
        );
        const { channelId } = await store.recordProvisioning(incident.id, { channelId: `CNEAR${i}${incident.number}` });
        const t = await showTimeline(deps, { channelId: channelId!, userId: 'UBOB', pageSize: 1 });
        assert.equal(t.entries.length, 1);
        const all = await showTimeline(deps, { channelId: channelId!, userId: 'UBOB' });
        assert.deepEqual(
          all.entries.map((e) => e.kind),
          ['declared', 'status_changed'],
        );
        const other = await showTimeline(deps, {
          channelId: channelId!,
          userId: 'UBOB',
          pageSize: 1,
          page: t.older ? { before: t.older } : null,
        });
        assert.deepEqual(
          [...t.entries, ...other.entries].map((e) => e.kind).sort(),
          ['declared', 'status_changed'],
          'one page each, neither twice',
        );
      }
    });

    test("a private incident's pages: refused to a non-member on every page, shown to a member", async () => {
      const chat = new FakeChat();
      const deps = testDeps({ store, chat, clock: new TestClock(minute(60)) });
      const incident = await anIncidentWithNotes(6, true);
      chat.onlyMembers(incident.channelId!, 'UBOB');
      const latest = await showTimeline(deps, { channelId: incident.channelId!, userId: 'UBOB', pageSize: 3 });
      assert.deepEqual(texts(latest.entries), ['n4', 'n5', 'n6']);
      for (const page of [null, before(latest.entries[1]!), after(latest.entries[0]!)]) {
        await assert.rejects(
          showTimeline(deps, { channelId: incident.channelId!, userId: 'UMALLORY', page, pageSize: 3 }),
          (err: unknown) => err instanceof AppError && !/n\d/.test(err.userMessage),
        );
      }
    });
  });
}
