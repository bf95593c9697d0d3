// The timeline use cases on the real store (PGlite, and the PostgreSQL server when TEST_DATABASE_URL
// is set) with a fake chat platform; and the Block Kit a reader gets.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, test } from 'node:test';
import type { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { Incident, IncidentStatus } from '../../src/domain/incident.ts';
import { ChatError, type ChatMessage, type ChatPlatform } from '../../src/ports/chat-platform.ts';
import type { TimelineEntry } from '../../src/domain/timeline.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { recordPinnedMessage } from '../../src/services/incident/record-pinned-message.ts';
import { showTimeline, type IncidentTimeline } from '../../src/services/incident/show-timeline.ts';
import { updateMessageEntry } from '../../src/services/incident/update-message-entry.ts';
import { renderTimelineReply, slackTextToMrkdwn, timelineMessage } from '../../src/slack/views/timeline.ts';
import { anIncident, declaring, aDeclaration } from '../support/fixtures.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, permalinkFor, testDeps } from '../support/deps.ts';

const declaredAt = new Date('2026-11-24T14:00:00Z');
const now = new Date('2026-11-24T18:00:00Z');
/** A Slack ts for a time (plus a sequence so two in one second differ). */
const tsAt = (iso: string, seq = 100) => `${Date.parse(iso) / 1000}.${String(seq).padStart(6, '0')}`;

/** The recording chat, and the calls the timeline makes of it, in a line each. */
function fakeChat() {
  const chat = new FakeChat();
  const line = ({ method, args }: FakeChat['calls'][number]) =>
    method === 'userTimeZone' ? `${method} ${args[0]}` : `${method} ${args[1]}`;
  return {
    chat,
    get calls() {
      return chat.calls.map(line);
    },
    clearCalls() {
      chat.calls.length = 0;
    },
    zones: chat.zones,
    addMessage: (channel: string, m: Omit<ChatMessage, 'permalink'>) => chat.addMessage(channel, m),
    failPermalink: (on: boolean) => chat.failOn('permalink', on ? new ChatError('internal_error') : null),
    failZone: (on: boolean) => chat.failOn('userTimeZone', on ? new ChatError('ratelimited') : null),
  };
}

function depsWith(store: PrismaIncidentStore, chat: ChatPlatform): ServiceDeps {
  return testDeps({ store, chat, clock: new TestClock(now) });
}

async function anIncidentWithChannel(store: PrismaIncidentStore): Promise<Incident> {
  const { incident } = await store.createIfAbsent(
    declaring({
      declareKey: randomUUID(),
      declaration: aDeclaration({ title: 'EHR login failing' }),
      declaredAt,
      via: 'test',
    }),
  );
  return store.recordProvisioning(incident.id, { channelId: `C${randomUUID().slice(0, 8).toUpperCase()}` });
}

async function moveTo(
  store: PrismaIncidentStore,
  incident: Incident,
  from: IncidentStatus,
  to: IncidentStatus,
  iso: string,
): Promise<void> {
  const changed = await store.applyChange(
    incident.id,
    { status: to },
    {
      occurredAt: new Date(iso),
      kind: 'status_changed',
      actorId: 'UBOB',
      text: `Status ${from} → ${to}`,
      data: { from, to },
    },
  );
  assert.ok(changed);
}

for (const database of testDatabases()) {
  describe(`timeline use cases (${database.name})`, () => {
    const testStore = useTestStore(database);
    let store: PrismaIncidentStore;
    beforeEach(() => {
      store = testStore.store();
    });

    const messageEntries = async (incidentId: string) =>
      (await store.timeline(incidentId)).filter((e) => e.kind === 'pinned_message');

    test('a pinned message keeps its own time, author, text and permalink; a pushpin on it adds nothing', async () => {
      const f = fakeChat();
      const deps = depsWith(store, f.chat);
      const incident = await anIncidentWithChannel(store);
      const channel = incident.channelId!;
      const ts = tsAt('2026-11-24T14:12:00Z');

      const pinned = await recordPinnedMessage(deps, {
        channelId: channel,
        ts,
        pinnedBy: 'UBOB',
        via: 'pin',
        message: { userId: 'UCAROL', text: 'Rolled back the auth service', permalink: permalinkFor(channel, ts) },
      });
      assert.equal(pinned?.created, true);
      assert.deepEqual(f.calls, [], 'the pin event carried everything: no Slack calls');
      const [entry] = await messageEntries(incident.id);
      assert.ok(entry);
      assert.equal(entry.occurredAt.toISOString(), '2026-11-24T14:12:00.000Z');
      assert.deepEqual(
        [entry.kind, entry.actorId, entry.text, entry.sourceTs, entry.permalink, entry.editedAt, entry.deletedAt],
        ['pinned_message', 'UCAROL', 'Rolled back the auth service', ts, permalinkFor(channel, ts), null, null],
      );
      assert.deepEqual(entry.data, { pinnedBy: 'UBOB', via: 'pin' });

      const again = await recordPinnedMessage(deps, { channelId: channel, ts, pinnedBy: 'UDAVE', via: 'reaction' });
      assert.equal(again?.created, false);
      assert.equal(again?.entry.id, entry.id);
      assert.deepEqual(f.calls, [], 'already on the timeline: not fetched again');
      assert.equal((await messageEntries(incident.id)).length, 1);
      // Ordered by the message's time, between the declaration and later entries.
      await moveTo(store, incident, 'DECLARED', 'INVESTIGATING', '2026-11-24T14:20:00Z');
      assert.deepEqual(
        (await store.timeline(incident.id)).map((e) => e.kind),
        ['declared', 'pinned_message', 'status_changed'],
      );
    });

    test('a pushpin reaction fetches the message; a pin without a permalink asks for one', async () => {
      const f = fakeChat();
      const deps = depsWith(store, f.chat);
      const incident = await anIncidentWithChannel(store);
      const channel = incident.channelId!;
      const ts = tsAt('2026-11-24T14:30:00Z');
      f.addMessage(channel, { ts, userId: 'UCAROL', text: 'Error rate back to normal' });

      const r = await recordPinnedMessage(deps, { channelId: channel, ts, pinnedBy: 'UBOB', via: 'reaction' });
      assert.equal(r?.created, true);
      assert.deepEqual(f.calls, [`fetchMessage ${ts}`]);
      assert.deepEqual(
        [r!.entry.actorId, r!.entry.text, r!.entry.permalink, r!.entry.occurredAt.toISOString()],
        ['UCAROL', 'Error rate back to normal', permalinkFor(channel, ts), '2026-11-24T14:30:00.000Z'],
      );
      assert.deepEqual(r!.entry.data, { pinnedBy: 'UBOB', via: 'reaction' });

      const ts2 = tsAt('2026-11-24T14:31:00Z');
      const p = await recordPinnedMessage(deps, {
        channelId: channel,
        ts: ts2,
        pinnedBy: 'UBOB',
        via: 'pin',
        message: { userId: null, text: 'from a bot' },
      });
      assert.equal(p?.entry.permalink, permalinkFor(channel, ts2));
      assert.equal(p?.entry.actorId, null);

      // No permalink to be had: the message is still recorded.
      f.failPermalink(true);
      const ts3 = tsAt('2026-11-24T14:32:00Z');
      const q = await recordPinnedMessage(deps, {
        channelId: channel,
        ts: ts3,
        pinnedBy: 'UBOB',
        via: 'pin',
        message: { userId: 'UBOB', text: 'x' },
      });
      assert.equal(q?.created, true);
      assert.equal(q?.entry.permalink, null);
    });

    test('a message gone before it was fetched, or in a channel that is not an incident, records nothing', async () => {
      const f = fakeChat();
      const deps = depsWith(store, f.chat);
      const incident = await anIncidentWithChannel(store);
      assert.equal(
        await recordPinnedMessage(deps, {
          channelId: incident.channelId!,
          ts: tsAt('2026-11-24T14:40:00Z'),
          pinnedBy: 'UBOB',
          via: 'reaction',
        }),
        null,
      );
      f.clearCalls();
      assert.equal(
        await recordPinnedMessage(deps, {
          channelId: 'CNOTANINCIDENT',
          ts: tsAt('2026-11-24T14:41:00Z'),
          pinnedBy: 'UBOB',
          via: 'pin',
          message: { userId: 'UBOB', text: 'x' },
        }),
        null,
      );
      assert.equal(
        await recordPinnedMessage(deps, {
          channelId: 'CNOTANINCIDENT',
          ts: tsAt('2026-11-24T14:41:00Z'),
          pinnedBy: 'UBOB',
          via: 'reaction',
        }),
        null,
      );
      assert.deepEqual(f.calls, [], 'no Slack calls for a channel that is not an incident');
      assert.deepEqual(await messageEntries(incident.id), []);
    });

    test('a pin and a pushpin at the same moment (or a retried event) make one entry', async () => {
      const f = fakeChat();
      const deps = depsWith(store, f.chat);
      const incident = await anIncidentWithChannel(store);
      const channel = incident.channelId!;
      const ts = tsAt('2026-11-24T14:50:00Z');
      f.addMessage(channel, { ts, userId: 'UCAROL', text: 'Paging the DBA' });
      const results = await Promise.all([
        recordPinnedMessage(deps, {
          channelId: channel,
          ts,
          pinnedBy: 'UBOB',
          via: 'pin',
          message: { userId: 'UCAROL', text: 'Paging the DBA' },
        }),
        recordPinnedMessage(deps, { channelId: channel, ts, pinnedBy: 'UDAVE', via: 'reaction' }),
        recordPinnedMessage(deps, {
          channelId: channel,
          ts,
          pinnedBy: 'UBOB',
          via: 'pin',
          message: { userId: 'UCAROL', text: 'Paging the DBA' },
        }),
      ]);
      assert.equal(results.filter((r) => r?.created).length, 1);
      assert.equal(new Set(results.map((r) => r?.entry.id)).size, 1);
      assert.equal((await messageEntries(incident.id)).length, 1);
    });

    test('an edit updates the text and editedAt; a delete sets deletedAt; others change nothing', async () => {
      const f = fakeChat();
      const deps = depsWith(store, f.chat);
      const incident = await anIncidentWithChannel(store);
      const channel = incident.channelId!;
      const ts = tsAt('2026-11-24T15:00:00Z');
      await recordPinnedMessage(deps, {
        channelId: channel,
        ts,
        pinnedBy: 'UBOB',
        via: 'pin',
        message: { userId: 'UCAROL', text: 'Root cause: expired cert' },
      });

      const editedAt = new Date('2026-11-24T15:03:00Z');
      const edited = await updateMessageEntry(deps, {
        channelId: channel,
        ts,
        newText: 'Root cause: expired TLS cert on the gateway',
        at: editedAt,
      });
      assert.equal(edited?.text, 'Root cause: expired TLS cert on the gateway');
      assert.deepEqual(edited?.editedAt, editedAt);
      assert.equal(edited?.occurredAt.toISOString(), '2026-11-24T15:00:00.000Z', 'the entry keeps the message time');
      // Same text (Slack adding a link preview): not an edit.
      assert.equal(
        await updateMessageEntry(deps, {
          channelId: channel,
          ts,
          newText: 'Root cause: expired TLS cert on the gateway',
        }),
        null,
      );

      assert.equal(
        await updateMessageEntry(deps, { channelId: channel, ts: tsAt('2026-11-24T15:01:00Z'), newText: 'not pinned' }),
        null,
      );
      assert.equal(await updateMessageEntry(deps, { channelId: 'COTHER', ts, newText: 'elsewhere' }), null);

      const deleted = await updateMessageEntry(deps, { channelId: channel, ts, deleted: true });
      assert.deepEqual(deleted?.deletedAt, now, 'without a time: the clock');
      assert.equal(deleted?.text, 'Root cause: expired TLS cert on the gateway', 'the text stays for the record');
      assert.equal(await updateMessageEntry(deps, { channelId: channel, ts, deleted: true }), null, 'deleted once');
      const [entry] = await messageEntries(incident.id);
      assert.deepEqual([entry?.editedAt, entry?.deletedAt], [editedAt, now]);
    });

    test('showTimeline: entries oldest first, durations, and the reader zone; refused outside an incident channel', async () => {
      const f = fakeChat();
      f.zones.set('UBOB', 'America/New_York');
      const deps = depsWith(store, f.chat);
      const incident = await anIncidentWithChannel(store);
      const channel = incident.channelId!;
      await moveTo(store, incident, 'DECLARED', 'INVESTIGATING', '2026-11-24T14:05:00Z');
      await moveTo(store, incident, 'INVESTIGATING', 'MONITORING', '2026-11-24T15:05:00Z');
      await store.addTimelineEntry(incident.id, {
        occurredAt: new Date('2026-11-24T15:10:00Z'),
        kind: 'note',
        actorId: 'UBOB',
        text: 'Watching error rates',
      });
      await moveTo(store, incident, 'MONITORING', 'RESOLVED', '2026-11-24T16:30:00Z');
      await recordPinnedMessage(deps, {
        channelId: channel,
        ts: tsAt('2026-11-24T14:12:00Z'),
        pinnedBy: 'UBOB',
        via: 'pin',
        message: { userId: 'UCAROL', text: 'Rolled back' },
      });

      const t = await showTimeline(deps, { channelId: channel, userId: 'UBOB' });
      assert.equal(t.incident.id, incident.id);
      assert.deepEqual(
        t.entries.map((e) => e.kind),
        ['declared', 'status_changed', 'pinned_message', 'status_changed', 'note', 'status_changed'],
      );
      assert.deepEqual(t.durations, {
        toAcknowledgeMs: 5 * 60_000,
        toMitigateMs: 65 * 60_000,
        toResolveMs: 150 * 60_000,
      });
      assert.deepEqual([t.defaultZone, t.readerZone], ['Europe/London', 'America/New_York']);
      assert.deepEqual(t.declaredAt, declaredAt);

      f.failZone(true);
      assert.equal(
        (await showTimeline(deps, { channelId: channel, userId: 'UBOB' })).readerZone,
        null,
        'no zone: still shown',
      );

      await assert.rejects(showTimeline(deps, { channelId: 'CGENERAL', userId: 'UBOB' }), (err: unknown) => {
        assert.ok(err instanceof AppError);
        assert.match(err.userMessage, /^This command only works in an incident channel/);
        return true;
      });

      const reply = await renderTimelineReply(deps, { channelId: channel, userId: 'UBOB' });
      assert.match(reply.text, new RegExp(`INC-${incident.number} timeline: 6 entries`));
      const json = JSON.stringify(reply.blocks);
      assert.ok(json.includes('Tue 24 Nov 14:12 GMT'), json);
      assert.ok(json.includes('*Time to resolve*\\n2h 30m'), json);
    });
  });
}

describe('the timeline view', () => {
  const incident = anIncident({ title: 'EHR <!channel> login', number: 42 });
  const entry = (over: Partial<TimelineEntry> & { occurredAt: Date }): TimelineEntry => ({
    id: randomUUID(),
    incidentId: incident.id,
    kind: 'note',
    actorId: 'UBOB',
    text: 'text',
    sourceTs: null,
    permalink: null,
    editedAt: null,
    deletedAt: null,
    ...over,
  });
  const view = (entries: TimelineEntry[], over: Partial<IncidentTimeline> = {}): IncidentTimeline => ({
    incident,
    entries,
    total: entries.length,
    hasOlder: false,
    hasNewer: false,
    older: null,
    newer: null,
    declaredAt: new Date('2026-11-24T14:00:00Z'),
    durations: { toAcknowledgeMs: 5 * 60_000, toMitigateMs: null, toResolveMs: null },
    defaultZone: 'Europe/London',
    readerZone: 'America/New_York',
    ...over,
  });
  type Block = {
    type: string;
    text?: { type: string; text: string };
    fields?: { text: string }[];
    elements?: { text: string }[];
  };
  const sections = (blocks: readonly object[]) =>
    (blocks as Block[]).filter((b) => b.type === 'section' && b.text).map((b) => b.text!.text);

  test('header, durations, and each entry with both times, who, escaped text, link and markers', () => {
    const ts = '1795960320.000100';
    const link = 'https://example.slack.com/archives/C42/p1795960320000100';
    const msg = timelineMessage(
      view([
        entry({
          occurredAt: new Date('2026-11-24T14:00:00Z'),
          kind: 'declared',
          actorId: 'UALICE',
          text: 'Declared as SEV2: EHR login',
        }),
        entry({
          occurredAt: new Date('2026-11-24T14:05:00Z'),
          text: 'Ping <!channel> & see <https://evil.example|here>',
        }),
        entry({
          occurredAt: new Date('2026-11-24T14:12:00Z'),
          kind: 'pinned_message',
          actorId: 'UCAROL',
          text: 'Rolled back',
          sourceTs: ts,
          permalink: link,
          editedAt: new Date('2026-11-24T14:20:00Z'),
        }),
        entry({
          occurredAt: new Date('2026-11-24T14:13:00Z'),
          kind: 'pinned_message',
          actorId: null,
          text: 'first line\nsecond line',
          sourceTs: '1795960380.000100',
          permalink: 'javascript:alert(1)',
          deletedAt: new Date('2026-11-24T14:30:00Z'),
        }),
      ]),
    );
    const blocks = msg.blocks as Block[];
    assert.equal(blocks[0]!.type, 'header');
    assert.equal(blocks[0]!.text!.text, 'INC-42 timeline: EHR <!channel> login', 'plain text: Slack does not parse it');
    assert.ok(blocks.length <= 50);
    const durations = blocks.find((b) => b.fields)!.fields!.map((f) => f.text);
    assert.deepEqual(durations, [
      '*Time to acknowledge*\n5m',
      '*Time to mitigate* (monitoring)\n_not yet_',
      '*Time to resolve*\n_not yet_',
    ]);
    const context = JSON.stringify(blocks.filter((b) => b.type === 'context'));
    assert.ok(context.includes('Times in Europe/London, and in your zone (America/New_York) in brackets'));

    const text = sections(msg.blocks).join('\n');
    assert.ok(
      text.includes(':rotating_light: *Tue 24 Nov 14:00 GMT (09:00 EST)* <@UALICE>\n> Declared as SEV2: EHR login'),
      text,
    );
    assert.ok(text.includes('> Ping &lt;!channel&gt; &amp; see &lt;https://evil.example|here&gt;'), text);
    assert.ok(!text.includes('<!channel>') && !text.includes('<https://evil'), 'user text cannot ping or forge links');
    assert.ok(
      text.includes(
        `:pushpin: *Tue 24 Nov 14:12 GMT (09:12 EST)* <@UCAROL> · <${link}|message> · _(edited)_\n> Rolled back`,
      ),
      text,
    );
    assert.ok(
      text.includes(':pushpin: *Tue 24 Nov 14:13 GMT (09:13 EST)* _(deleted)_\n> ~first line~\n> ~second line~'),
      text,
    );
    assert.ok(!text.includes('javascript:'), 'only https permalinks become links');
    assert.ok(!msg.text.includes('<!channel>'));
  });

  test("a pinned message's Slack markup: mentions and links stay, broadcasts and unknown tokens do not, no double escaping", () => {
    const raw =
      'Ask <@UCAROL|carol> in <#C123|ops> &amp; see <https://status.example/x|status &lt;page&gt;> or <https://b.example> ' +
      '<!channel> <!here|here> <!subteam^S1|@oncall> <!date^1795960320^{time}|14:12> <javascript:alert(1)|click> a < b';
    assert.equal(
      slackTextToMrkdwn(raw),
      'Ask <@UCAROL> in <#C123> &amp; see <https://status.example/x|status &lt;page&gt;> or <https://b.example> ' +
        '@channel @here @oncall 14:12 &lt;javascript:alert(1)|click&gt; a &lt; b',
    );
    const msg = timelineMessage(
      view([
        entry({
          occurredAt: new Date('2026-11-24T14:12:00Z'),
          kind: 'pinned_message',
          text: 'Fixed by <@UCAROL> &amp; <!channel>',
        }),
      ]),
    );
    assert.ok(sections(msg.blocks)[0]!.endsWith('\n> Fixed by <@UCAROL> &amp; @channel'), sections(msg.blocks)[0]);
  });

  test('a reader in the default zone sees one time; an empty timeline says so', () => {
    const msg = timelineMessage(view([], { readerZone: 'Europe/London' }));
    assert.deepEqual(sections(msg.blocks), ['_Nothing on the timeline yet._']);
    const one = timelineMessage(view([entry({ occurredAt: new Date('2026-07-14T13:05:00Z') })], { readerZone: null }));
    assert.ok(sections(one.blocks)[0]!.startsWith(':memo: *Tue 14 Jul 14:05 BST* <@UBOB>'));
  });

  test('a long timeline keeps the newest entries within 50 blocks of at most 3000 characters, and says so', () => {
    const start = Date.parse('2026-11-24T14:00:00Z');
    const entries = Array.from({ length: 400 }, (_, i) =>
      entry({
        occurredAt: new Date(start + i * 60_000),
        text: `note number ${i} ${'&'.repeat(i % 7 === 0 ? 900 : 40)}`,
      }),
    );
    const msg = timelineMessage(view(entries));
    assert.ok(msg.blocks.length <= 50, `${msg.blocks.length} blocks`);
    const texts = sections(msg.blocks);
    for (const t of texts) assert.ok(t.length <= 3000, `a section of ${t.length} characters`);
    const all = texts.join('\n');
    assert.ok(all.includes('note number 399 '), 'the newest is there');
    assert.ok(!all.includes('note number 0 '), 'the oldest is cut');
    const shown = (all.match(/note number \d+ /g) ?? []).length;
    const numbers = [...all.matchAll(/note number (\d+) /g)].map((m) => Number(m[1]));
    assert.deepEqual(
      numbers,
      Array.from({ length: shown }, (_, i) => 400 - shown + i),
      'a contiguous run, oldest first',
    );
    const notice = JSON.stringify(msg.blocks.filter((b) => b.type === 'context'));
    assert.ok(
      notice.includes(`Showing the latest ${shown} of 400 entries: the ${400 - shown} oldest do not fit`),
      notice,
    );
  });

  test('one huge entry is cut to fit a section, without breaking an escape', () => {
    const msg = timelineMessage(
      view([
        entry({ occurredAt: new Date('2026-11-24T14:00:00Z'), text: `${'<&>'.repeat(3000)}\n${'x\n'.repeat(2000)}` }),
      ]),
    );
    const [text] = sections(msg.blocks);
    assert.ok(text!.length <= 3000);
    assert.ok(text!.endsWith('…'));
    assert.doesNotMatch(text!, /&[a-z]{0,3}…$/);
    const deleted = timelineMessage(
      view([entry({ occurredAt: new Date('2026-11-24T14:00:00Z'), text: 'y'.repeat(5000), deletedAt: new Date() })]),
    );
    const [d] = sections(deleted.blocks);
    assert.ok(d!.length <= 3000 && d!.endsWith('…~'), d!.slice(-20));
  });
});
