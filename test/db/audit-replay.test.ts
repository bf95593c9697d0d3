// Verification against the records, on both databases: someone with the audit triggers switched off
// (session_replication_role = replica, or ALTER TABLE … DISABLE TRIGGER) changes a column, deletes
// or inserts a row, or erases a whole incident with its trail; verify replays each incident's trail
// into the records it implies and reports every difference, and every incident or action item
// number that nothing has (numbers are given without gaps, even under concurrent and retried
// declarations and rolled-back inserts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actingAs } from '../../src/audit-context.ts';
import { PrismaAuditTrail } from '../../src/db/prisma-audit-trail.ts';
import { PrismaReviewStore } from '../../src/db/prisma-review-store.ts';
import type { Declaration } from '../../src/domain/declaration.ts';
import type { AuditProblem } from '../../src/ports/audit-trail.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { tamper as tamperWith } from '../support/tamper.ts';
import { declaring, aDeclaration } from '../support/fixtures.ts';

const declaration = (title: string, extra: Partial<Declaration> = {}) => aDeclaration({ title, ...extra });
const at = (iso: string) => new Date(iso);
const ALICE = { actor: 'UALICE', via: '/incident declare' };
const change = { by: 'UALICE', at: at('2026-12-01T13:00:00Z') };

for (const database of testDatabases()) {
  describe(`audit verification against the records (${database.name})`, () => {
    const env = useTestStore(database);
    const trail = () => new PrismaAuditTrail(env.db().prisma);
    const reviews = () => new PrismaReviewStore(env.db().prisma);
    const tamper = (sql: string, ...params: unknown[]) => tamperWith(env.db().pool, sql, params);
    let keys = 0;

    async function declare(title: string, extra: Partial<Declaration> = {}) {
      const { incident } = await actingAs(ALICE, () =>
        env.store().createIfAbsent(
          declaring({
            declareKey: `replay-${++keys}`,
            declaration: declaration(title, extra),
            originChannelId: 'CGENERAL',
            declaredAt: at('2026-12-01T10:00:00Z'),
          }),
        ),
      );
      return incident;
    }

    /** An incident with something in every audited table. */
    async function fullIncident(title: string) {
      const store = env.store();
      const incident = await declare(title);
      await actingAs({ actor: 'UBOB', via: '/incident sev' }, () =>
        store.applyChange(
          incident.id,
          { severity: 'SEV1' },
          {
            occurredAt: at('2026-12-01T10:05:00Z'),
            kind: 'severity_changed',
            actorId: 'UBOB',
            text: 'SEV2 → SEV1',
            data: { from: 'SEV2', to: 'SEV1' },
          },
        ),
      );
      await actingAs({ actor: 'UBOB', via: 'button incident_role' }, () =>
        store.applyChange(
          incident.id,
          { role: { role: 'COMMANDER', userId: 'UBOB', assignedBy: 'UBOB' } },
          { occurredAt: at('2026-12-01T10:06:00Z'), kind: 'role_assigned', actorId: 'UBOB', text: 'commander: Bob' },
        ),
      );
      await store.recordProvisioning(incident.id, {
        channelId: `C${incident.id.slice(0, 8)}`,
        channelName: `inc-${incident.number}`,
      });
      const note = await store.addTimelineEntry(incident.id, {
        occurredAt: at('2026-12-01T10:07:00Z'),
        kind: 'note',
        actorId: 'UBOB',
        text: 'Pharmacy feed restarted',
        data: { n: 12345678901234567890n.toString(), big: 1.5 },
      });
      await store.linkPagerDuty(incident.id, {
        pagerDutyIncidentId: `PD${incident.id.slice(0, 8)}`,
        htmlUrl: null,
        title: 'Feed down',
        origin: 'page',
        status: 'triggered',
      });
      const saved = await actingAs({ actor: 'UALICE', via: 'form review' }, () =>
        reviews().saveReviewInput(incident.id, { summary: 'Feed stalled' } as never, change, {
          text: 'Add a feed alarm',
          ownerId: 'UALICE',
          due: '2026-12-31',
          category: 'observability',
          priority: 'high',
        }),
      );
      return { incident, note, item: saved!.item! };
    }

    const problemsOf = (problems: AuditProblem[], id: string) =>
      problems.filter((p) => p.incidentId === id).map((p) => p.problem);

    test('no false alarms: a lifetime of ordinary changes, some written in sessions on other UTC offsets, verifies intact', async () => {
      const { incident, item } = await fullIncident('Ordinary');
      const store = env.store();
      await store.upsertMessageEntry(incident.id, {
        occurredAt: at('2026-12-01T10:08:00Z'),
        kind: 'pinned_message',
        actorId: 'UBOB',
        text: 'pinned',
        sourceTs: '1.000100',
        permalink: 'https://x/p1',
      });
      await store.updateMessageEntry(incident.id, '1.000100', {
        text: 'pinned, edited',
        editedAt: at('2026-12-01T10:09:00Z'),
      });
      await store.setPagerDutyStatus(`PD${incident.id.slice(0, 8)}`, 'acknowledged');
      await reviews().setReviewPosted(incident.id, '1.000200', at('2026-12-01T13:01:00Z'));
      await reviews().snoozeActionItem(item.id, '2027-01-05', change);
      await reviews().reassignActionItem(item.id, 'UBOB', change);
      await reviews().claimActionReminder(item.id, 'due', null, at('2026-12-30T09:00:00Z'));
      await reviews().completeActionItem(item.id, change);
      await store.applyChange(
        incident.id,
        { role: { role: 'COMMANDER', userId: null, assignedBy: 'UBOB' } },
        { occurredAt: at('2026-12-01T10:10:00Z'), kind: 'role_removed', actorId: 'UBOB', text: 'no commander' },
      );
      // Written from sessions whose time zone is not UTC: to_jsonb writes their offset into the trail.
      for (const zone of ['Asia/Kathmandu', 'America/St_Johns']) {
        await env.db().prisma.$transaction(async (tx) => {
          await tx.$executeRawUnsafe(`SET LOCAL TimeZone = '${zone}'`);
          await tx.incident.update({
            where: { id: incident.id },
            data: { resolvedAt: at('2026-12-01T12:34:56.789Z'), status: 'RESOLVED' },
          });
          await tx.timelineEntry.create({
            data: { incidentId: incident.id, occurredAt: at('2026-12-01T12:35:00.001Z'), kind: 'note', text: zone },
          });
        });
      }
      const offsets = await env.db().prisma.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM audit_entry WHERE incident_id = ${incident.id}::uuid AND (after::text LIKE '%+05:45%' OR after::text LIKE '%-03:30%')`;
      assert.ok(offsets[0]!.n >= 2, 'the trail holds times written with other offsets');
      await declare('Near miss', { nearMiss: true });
      await declare('Breach', { dataBreach: true, breachAwareAt: at('2026-11-30T08:00:00Z') } as Partial<Declaration>);
      const verified = await trail().verify();
      assert.deepEqual(verified.problems, []);
      assert.ok(verified.entries > 20);
    });

    test('numbers have no gaps: concurrent and repeated declarations of one request, and inserts that roll back, use none', async () => {
      const store = env.store();
      const request = (key: string, title: string) =>
        store.createIfAbsent(
          declaring({
            declareKey: key,
            declaration: declaration(title),
            declaredAt: at('2026-12-01T10:00:00Z'),
          }),
        );
      // Five requests, each delivered three times at once, then once more.
      const results = await Promise.all(
        Array.from({ length: 15 }, (_, i) => request(`burst-${i % 5}`, `Burst ${i % 5}`)),
      );
      for (let k = 0; k < 5; k++) {
        const same = results.filter((_, i) => i % 5 === k);
        assert.equal(new Set(same.map((r) => r.incident.id)).size, 1, 'one incident per request');
        assert.equal(same.filter((r) => r.created).length, 1, 'created once');
      }
      assert.equal((await request('burst-0', 'Burst 0')).created, false);
      // A declaration the database refuses (a NUL in the title) rolls back: its number is given back.
      await assert.rejects(request('refused', 'Bad \u0000 title'));
      const incident = await declare('After the refused one');
      // The same for an action item.
      await assert.rejects(
        reviews().addActionItem(
          incident.id,
          { text: 'Bad \u0000 text', ownerId: null, due: null, category: 'process', priority: 'low' },
          change,
        ),
      );
      const first = await reviews().addActionItem(
        incident.id,
        { text: 'A', ownerId: null, due: null, category: 'process', priority: 'low' },
        change,
      );
      const items = await Promise.all(
        ['B', 'C', 'D'].map((text) =>
          reviews().addActionItem(
            incident.id,
            { text, ownerId: null, due: null, category: 'process', priority: 'low' },
            change,
          ),
        ),
      );

      const numbers = (
        await env.db().prisma.incident.findMany({ select: { number: true }, orderBy: { number: 'asc' } })
      ).map((i) => i.number);
      assert.deepEqual(
        numbers,
        numbers.map((_, i) => i + 1),
        'incidents 1, 2, 3… without a gap',
      );
      const itemNumbers = (
        await env.db().prisma.actionItem.findMany({ select: { number: true }, orderBy: { number: 'asc' } })
      ).map((i) => i.number);
      assert.deepEqual(
        itemNumbers,
        itemNumbers.map((_, i) => i + 1),
        'action items 1, 2, 3… without a gap',
      );
      assert.deepEqual(
        items.map((i) => i.number).sort((a, b) => a - b),
        [first.number + 1, first.number + 2, first.number + 3],
      );
      assert.deepEqual((await trail().verify()).problems, []);
    });

    test('a counter cannot be wound back or removed through SQL while the triggers are on', async () => {
      const prisma = env.db().prisma;
      await assert.rejects(
        prisma.$executeRaw`UPDATE number_counter SET last = last - 1 WHERE name = 'incident'`,
        /only move forward/,
      );
      await assert.rejects(
        prisma.$executeRaw`UPDATE number_counter SET numbered_from = last + 1 WHERE name = 'incident'`,
        /only move forward/,
      );
      await assert.rejects(prisma.$executeRaw`DELETE FROM number_counter WHERE name = 'action_item'`, /never removed/);
      await assert.rejects(prisma.$executeRaw`TRUNCATE number_counter`, /never removed/);
    });

    test('a title changed behind the trail is reported with table, row, column, expected and found', async () => {
      const { incident } = await fullIncident('Pharmacy feed down');
      assert.equal(await tamper('UPDATE incident SET title = $2 WHERE id = $1', incident.id, 'Nothing to see'), 1);
      const { problems } = await trail().verify();
      assert.deepEqual(problemsOf(problems, incident.id), [
        `incident ${incident.id} title: expected "Pharmacy feed down", found "Nothing to see"`,
      ]);
      assert.equal(problems.find((p) => p.incidentId === incident.id)!.number, incident.number);
      // The same through read(), which the evidence pack uses.
      const audit = await trail().read(incident.id);
      assert.deepEqual(
        audit.differences.map((d) => [d.table, d.row, d.column, d.expected, d.found]),
        [['incident', incident.id, 'title', '"Pharmacy feed down"', '"Nothing to see"']],
      );
      assert.deepEqual(audit.problems, problemsOf(problems, incident.id));
    });

    test('a column of a role, an action item, the review, a timeline entry, a PagerDuty link and a time are each reported', async () => {
      const { incident, note, item } = await fullIncident('Columns');
      await tamper(
        "UPDATE incident_role SET user_id = 'UMALLORY' WHERE incident_id = $1 AND role = 'COMMANDER'",
        incident.id,
      );
      await tamper("UPDATE action_item SET status = 'done', owner_id = 'UMALLORY' WHERE id = $1", item.id);
      await tamper(
        `UPDATE incident_review SET input = '{"summary": "Nothing happened"}' WHERE incident_id = $1`,
        incident.id,
      );
      await tamper(
        "UPDATE timeline_entry SET data = jsonb_set(data, '{n}', '12345678901234567891') WHERE id = $1",
        note.id,
      );
      await tamper("UPDATE pagerduty_link SET status = 'resolved' WHERE incident_id = $1", incident.id);
      await tamper("UPDATE incident SET created_at = created_at + interval '1 millisecond' WHERE id = $1", incident.id);
      const found = problemsOf((await trail().verify()).problems, incident.id);
      const link = (await env.db().prisma.pagerDutyLink.findFirstOrThrow({ where: { incidentId: incident.id } })).id;
      // Times are shown as the trail and the session wrote them (here UTC); compared as instants.
      assert.match(
        found.shift()!,
        new RegExp(
          `^incident ${incident.id} created_at: expected "2026-12-01T\\d\\d:00:00[+-]\\d\\d:\\d\\d", found "2026-12-01T\\d\\d:00:00.001[+-]\\d\\d:\\d\\d"$`,
        ),
      );
      assert.deepEqual(found, [
        `incident_role COMMANDER user_id: expected "UBOB", found "UMALLORY"`,
        `timeline_entry ${note.id} data: expected {"n": "12345678901234567890", "big": 1.5}, found {"n": 12345678901234567891, "big": 1.5}`,
        `pagerduty_link ${link} status: expected "triggered", found "resolved"`,
        `incident_review ${incident.id} input: expected {"summary": "Feed stalled"}, found {"summary": "Nothing happened"}`,
        `action_item ${item.id} status: expected "open", found "done"`,
        `action_item ${item.id} owner_id: expected "UALICE", found "UMALLORY"`,
      ]);
    });

    test('a timeline row deleted, and rows inserted, behind the trail (ALTER TABLE … DISABLE TRIGGER too) are reported', async () => {
      const { incident, note } = await fullIncident('Rows');
      assert.equal(await tamper('DELETE FROM timeline_entry WHERE id = $1', note.id), 1);
      const planted = '0b0b0b0b-0000-4000-8000-000000000001';
      await tamper(
        "INSERT INTO timeline_entry (id, incident_id, occurred_at, kind, text) VALUES ($1, $2, '2026-12-01T09:00:00Z', 'note', 'Mallory was never here')",
        planted,
        incident.id,
      );
      // The other way of switching the trigger off: on the table itself, in an ordinary session.
      const client = await env.db().pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('ALTER TABLE incident_role DISABLE TRIGGER audit');
        await client.query(
          "INSERT INTO incident_role (incident_id, role, user_id, assigned_by) VALUES ($1, 'SCRIBE', 'UMALLORY', 'UMALLORY')",
          [incident.id],
        );
        await client.query('ALTER TABLE incident_role ENABLE TRIGGER audit');
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      // Rows for an incident that is not there at all (foreign keys are triggers too).
      const nowhere = '0c0c0c0c-0000-4000-8000-000000000001';
      await tamper(
        "INSERT INTO timeline_entry (id, incident_id, occurred_at, kind, text) VALUES ($1, $2, '2026-12-01T09:00:00Z', 'note', 'orphan')",
        '0c0c0c0c-0000-4000-8000-000000000002',
        nowhere,
      );
      const { problems } = await trail().verify();
      const found = problemsOf(problems, incident.id);
      assert.equal(found.length, 3, found.join('\n'));
      // Problems come sorted by table and row id; the note's id is random, so each is found by its row.
      const line = (prefix: string) => found.find((p) => p.startsWith(prefix)) ?? `(no line for ${prefix})`;
      assert.match(
        line('incident_role SCRIBE:'),
        /^incident_role SCRIBE: expected no row, found \{.*"user_id": "UMALLORY".* \(inserted without an audit entry\)$/,
      );
      assert.match(
        line(`timeline_entry ${planted}:`),
        new RegExp(
          `^timeline_entry ${planted}: expected no row, found \\{.*Mallory was never here.*\\(inserted without an audit entry\\)$`,
        ),
      );
      assert.match(
        line(`timeline_entry ${note.id}:`),
        new RegExp(
          `^timeline_entry ${note.id}: expected \\{.*Pharmacy feed restarted.*, found no row \\(deleted without an audit entry\\)$`,
        ),
      );
      assert.deepEqual(found, [...found].sort(), 'in a stable order');
      assert.match(
        problemsOf(problems, nowhere).join('\n'),
        /^timeline_entry 0c0c0c0c-0000-4000-8000-000000000002: expected no row, found .*orphan/,
      );
    });

    test('a change behind the trail that a later ordinary change covered is found at that change', async () => {
      const incident = await declare('First title');
      await tamper('UPDATE incident SET title = $2 WHERE id = $1', incident.id, 'Tampered title');
      await env.store().applyChange(incident.id, { title: 'Final title' } as never, {
        occurredAt: at('2026-12-01T11:00:00Z'),
        kind: 'note',
        actorId: 'UBOB',
        text: 'renamed',
      });
      const found = problemsOf((await trail().verify()).problems, incident.id);
      assert.equal(found.length, 1, found.join('\n'));
      assert.match(
        found[0]!,
        new RegExp(
          `^incident ${incident.id} title: expected "First title", found "Tampered title" \\(at entry \\d+: changed without an audit entry before it\\)$`,
        ),
      );
    });

    test('an incident erased with its rows, its entries and its head leaves its number, and its action item’s, missing', async () => {
      const { incident, item } = await fullIncident('Erase me');
      await declare('A later one, so the erased one is not the newest');
      for (const table of [
        'timeline_entry',
        'incident_role',
        'pagerduty_link',
        'incident_review',
        'action_item',
        'audit_entry',
        'audit_head',
      ]) {
        await tamper(`DELETE FROM ${table} WHERE incident_id = $1`, incident.id);
      }
      await tamper('DELETE FROM incident WHERE id = $1', incident.id);
      const { problems } = await trail().verify();
      const gap = problems.filter((p) => p.subject === `INC-${incident.number}`);
      assert.deepEqual(
        gap.map((p) => [p.number, p.problem]),
        [
          [
            incident.number,
            'no incident and no audit trail has this number (numbers are given without gaps): erased with its trail',
          ],
        ],
      );
      const itemGap = problems.filter((p) => p.subject === `ACT-${item.number}`).map((p) => p.problem);
      assert.equal(itemGap.length, 1);
      assert.match(
        itemGap[0]!,
        /^no action item and no audit trail has this number \((the newest number given; )?numbers are given without gaps\): erased with its trail$/,
      );
    });

    test('the newest incident erased (no gap left behind it) is found by the counter', async () => {
      const incident = await declare('Newest');
      await tamper('DELETE FROM timeline_entry WHERE incident_id = $1', incident.id);
      await tamper('DELETE FROM audit_entry WHERE incident_id = $1', incident.id);
      await tamper('DELETE FROM audit_head WHERE incident_id = $1', incident.id);
      await tamper('DELETE FROM incident WHERE id = $1', incident.id);
      const { problems } = await trail().verify();
      assert.deepEqual(
        problems.filter((p) => p.subject === `INC-${incident.number}`).map((p) => p.problem),
        [
          'no incident and no audit trail has this number (the newest number given; numbers are given without gaps): erased with its trail',
        ],
      );
      const a = await declare('Newer');
      const b = await declare('Newest again');
      for (const i of [a, b]) {
        for (const table of ['timeline_entry', 'audit_entry', 'audit_head'])
          await tamper(`DELETE FROM ${table} WHERE incident_id = $1`, i.id);
        await tamper('DELETE FROM incident WHERE id = $1', i.id);
      }
      // With the one erased before, three newest ones are one range.
      const later = (await trail().verify()).problems.filter((p) => p.subject?.startsWith(`INC-${incident.number}`));
      assert.deepEqual(
        later.map((p) => p.subject),
        [`INC-${incident.number}–${b.number}`],
      );
      assert.match(later[0]!.problem, /up to the newest number given/);
    });

    test('an action item erased behind the trail (its row, or its row and its entries) is reported', async () => {
      const { incident, item } = await fullIncident('Items');
      const second = await reviews().addActionItem(
        incident.id,
        { text: 'Second', ownerId: null, due: null, category: 'process', priority: 'low' },
        change,
      );
      await tamper('DELETE FROM action_item WHERE id = $1', item.id);
      let found = problemsOf((await trail().verify()).problems, incident.id);
      assert.equal(found.length, 1, found.join('\n'));
      assert.match(
        found[0]!,
        new RegExp(
          `^action_item ${item.id}: expected \\{.*Add a feed alarm.*, found no row \\(deleted without an audit entry\\)$`,
        ),
      );
      // The row and its insert entry: the chain breaks, and the number is still known from nowhere.
      await tamper('DELETE FROM action_item WHERE id = $1', second.id);
      await tamper(
        "DELETE FROM audit_entry WHERE incident_id = $1 AND action = 'action_item.insert' AND row_key = $2",
        incident.id,
        second.id,
      );
      const { problems } = await trail().verify();
      found = problemsOf(problems, incident.id);
      assert.ok(
        found.some((p) => /entries \d+–\d+ are missing/.test(p)),
        found.join('\n'),
      );
      assert.deepEqual(problems.filter((p) => p.subject === `ACT-${second.number}`).length, 1);
    });

    test('an incident whose trail was erased and marked as older than the trail is reported', async () => {
      const incident = await declare('Pretend to be old');
      await tamper('UPDATE incident SET audited = false WHERE id = $1', incident.id);
      await tamper('DELETE FROM audit_entry WHERE incident_id = $1', incident.id);
      await tamper('DELETE FROM audit_head WHERE incident_id = $1', incident.id);
      const found = problemsOf((await trail().verify()).problems, incident.id);
      assert.deepEqual(found, [
        'marked as declared before the audit trail began (audited = false), but numbered after incidents that have a trail',
      ]);
      // With its trail left, the replay says so as well.
      const other = await declare('Flag only');
      await tamper('UPDATE incident SET audited = false WHERE id = $1', other.id);
      const both = problemsOf((await trail().verify()).problems, other.id);
      assert.ok(both.includes(`incident ${other.id} audited: expected true, found false`), both.join('\n'));
    });

    test('a column added after rows were inserted: no false alarm for its default, a change behind the trail is reported', async () => {
      const incident = await declare('Older than the column');
      const prisma = env.db().prisma;
      await prisma.$executeRawUnsafe(
        'ALTER TABLE incident ADD COLUMN replay_flag boolean NOT NULL DEFAULT false, ADD COLUMN replay_stamp timestamptz NOT NULL DEFAULT now(), ADD COLUMN replay_note text',
      );
      try {
        assert.deepEqual(problemsOf((await trail().verify()).problems, incident.id), []);
        await tamper('UPDATE incident SET replay_flag = true, replay_note = $2 WHERE id = $1', incident.id, 'planted');
        assert.deepEqual(problemsOf((await trail().verify()).problems, incident.id), [
          `incident ${incident.id} replay_flag: expected false, found true`,
          `incident ${incident.id} replay_note: expected null, found "planted"`,
        ]);
      } finally {
        await prisma.$executeRawUnsafe(
          'ALTER TABLE incident DROP COLUMN replay_flag, DROP COLUMN replay_stamp, DROP COLUMN replay_note',
        );
      }
    });
  });
}
