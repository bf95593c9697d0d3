// A page of `/incident timeline` in Block Kit: the look of a timeline that fits one page, the
// Older / Newer buttons and what they carry, Slack's limits on a page of the longest entries, and
// the button's payload as the listener parses it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { TimelineEntry } from '../../src/domain/timeline.ts';
import { TIMELINE_PAGE_SIZE, type IncidentTimeline } from '../../src/services/incident/show-timeline.ts';
import { positionFromAction, timelinePageAction } from '../../src/slack/listeners/actions/timeline.ts';
import { TIMELINE_ACTIONS } from '../../src/slack/ids.ts';
import { timelineMessage } from '../../src/slack/views/timeline.ts';
import { anIncident } from '../support/fixtures.ts';

const incident = anIncident({ number: 42 });
const start = Date.parse('2026-11-24T14:00:00Z');
const entry = (i: number, text = `note ${i}`): TimelineEntry => ({
  id: randomUUID(),
  incidentId: incident.id,
  occurredAt: new Date(start + i * 60_000),
  kind: 'note',
  actorId: 'UBOB',
  text,
  sourceTs: null,
  permalink: null,
  editedAt: null,
  deletedAt: null,
});
const edge = (e: TimelineEntry | undefined) => (e ? { occurredAt: e.occurredAt, id: e.id } : null);
/** A page as showTimeline gives it: Older from its first entry, Newer from its last, where there are more. */
const page = (
  entries: TimelineEntry[],
  over: Partial<Omit<IncidentTimeline, 'older' | 'newer'>> = {},
): IncidentTimeline => {
  const t = {
    incident,
    entries,
    total: entries.length,
    hasOlder: false,
    hasNewer: false,
    declaredAt: new Date(start),
    durations: { toAcknowledgeMs: null, toMitigateMs: null, toResolveMs: null },
    defaultZone: 'Europe/London',
    readerZone: null,
    ...over,
  };
  return { ...t, older: t.hasOlder ? edge(entries[0]) : null, newer: t.hasNewer ? edge(entries.at(-1)) : null };
};
type Block = { type: string; block_id?: string; elements?: { action_id?: string; value?: string; text: unknown }[] };
const buttons = (blocks: readonly object[]) =>
  (blocks as Block[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
const pressed = (action_id: string, value: string) => ({
  user: { id: 'UBOB' },
  channel: { id: 'CINC42' },
  response_url: 'https://hooks.slack.com/actions/T1/1/x',
  actions: [{ action_id, block_id: TIMELINE_ACTIONS.blockId, value }],
});

describe('timeline pages in Block Kit', () => {
  test('a timeline that fits one page looks as before: no buttons, no page line', () => {
    const msg = timelineMessage(page([entry(0), entry(1), entry(2)]));
    assert.deepEqual(buttons(msg.blocks), []);
    assert.equal(msg.text, 'INC-42 timeline: 3 entries');
    assert.deepEqual(
      (msg.blocks as Block[]).map((b) => b.type),
      ['header', 'context', 'section', 'divider', 'section', 'context'],
    );
    assert.ok(!JSON.stringify(msg.blocks).includes('Showing'));
  });

  test('the latest page of many: the count of all, an Older button from its oldest entry, no Newer', () => {
    const entries = Array.from({ length: 40 }, (_, i) => entry(1000 + i));
    const msg = timelineMessage(page(entries, { total: 20_000, hasOlder: true }));
    assert.equal(msg.text, 'INC-42 timeline: 20000 entries');
    const [older, ...rest] = buttons(msg.blocks);
    assert.deepEqual(rest, [], 'no Newer on the latest page');
    assert.equal(older!.action_id, TIMELINE_ACTIONS.older);
    const parsed = timelinePageAction.parse(pressed(older!.action_id!, older!.value!));
    assert.deepEqual(positionFromAction(parsed.actions[0]!), {
      before: { occurredAt: entries[0]!.occurredAt, id: entries[0]!.id },
    });
    assert.ok(JSON.stringify(msg.blocks).includes('Showing the latest 40 of 20000 entries'));
  });

  test('a page in the middle has both buttons; the first page only Newer, from its newest entry', () => {
    const entries = Array.from({ length: 5 }, (_, i) => entry(i));
    const middle = buttons(timelineMessage(page(entries, { total: 50, hasOlder: true, hasNewer: true })).blocks);
    assert.deepEqual(
      middle.map((b) => b.action_id),
      [TIMELINE_ACTIONS.older, TIMELINE_ACTIONS.newer],
    );
    const first = buttons(timelineMessage(page(entries, { total: 50, hasNewer: true })).blocks);
    assert.deepEqual(
      first.map((b) => b.action_id),
      [TIMELINE_ACTIONS.newer],
    );
    const parsed = timelinePageAction.parse(pressed(first[0]!.action_id!, first[0]!.value!));
    assert.deepEqual(positionFromAction(parsed.actions[0]!), {
      after: { occurredAt: entries[4]!.occurredAt, id: entries[4]!.id },
    });
  });

  test('a full page of the longest entries fits in 50 blocks of at most 3,000 characters, every entry shown', () => {
    const entries = Array.from({ length: TIMELINE_PAGE_SIZE }, (_, i) => entry(i, `${i} ${'x'.repeat(3000)}`));
    const msg = timelineMessage(page(entries, { total: 10_000, hasOlder: true, hasNewer: true }));
    assert.ok(msg.blocks.length <= 50, `${msg.blocks.length} blocks`);
    for (const b of msg.blocks as { type: string; text?: { text: string } }[])
      if (b.type === 'section' && b.text) assert.ok(b.text.text.length <= 3000);
    assert.ok(!JSON.stringify(msg.blocks).includes(':scissors:'), 'nothing of the page left out');
    assert.equal(buttons(msg.blocks).length, 2);
  });

  test("a button's payload: anything but a page edge is refused", () => {
    const at = new Date(start).toISOString();
    for (const value of [
      '',
      'not json',
      '{}',
      JSON.stringify({ at, id: 'x' }),
      JSON.stringify({ at: 'soon', id: randomUUID() }),
      // A time PostgreSQL cannot hold (year 0) or past its range: refused here, not by the database.
      JSON.stringify({ at: '0000-01-01T00:00:00Z', id: randomUUID() }),
      JSON.stringify({ at: '1969-12-31T23:59:59Z', id: randomUUID() }),
    ]) {
      const parsed = timelinePageAction.parse(pressed(TIMELINE_ACTIONS.older, value));
      assert.equal(positionFromAction(parsed.actions[0]!), null, value);
    }
    assert.equal(
      timelinePageAction.safeParse(pressed('incident_close', JSON.stringify({ at, id: randomUUID() }))).success,
      false,
    );
    assert.equal(
      timelinePageAction.safeParse({ ...pressed(TIMELINE_ACTIONS.newer, '{}'), channel: undefined }).success,
      false,
    );
  });
});
