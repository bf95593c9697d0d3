// The incident's own use cases, called directly on the real store (PGlite, and the PostgreSQL
// server when TEST_DATABASE_URL is set) with testDeps: what is stored, the timeline entry, the
// notices Slack is given and where, and who is refused (the AppError code). Until now these were
// covered only end to end, through Slack requests.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Database } from '../../src/db/database.ts';
import type { Declaration } from '../../src/domain/declaration.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { TimelineEntry } from '../../src/domain/timeline.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { addNote } from '../../src/services/incident/add-note.ts';
import { assignRole } from '../../src/services/incident/assign-role.ts';
import { changeSeverity } from '../../src/services/incident/change-severity.ts';
import { changeStatus } from '../../src/services/incident/change-status.ts';
import { closeIncident } from '../../src/services/incident/close-incident.ts';
import { postUpdate } from '../../src/services/incident/post-update.ts';
import { recordBreachNotified } from '../../src/services/incident/record-breach-notified.ts';
import { reopenIncident } from '../../src/services/incident/reopen-incident.ts';
import { resolveIncident } from '../../src/services/incident/resolve-incident.ts';
import { setClinicalImpact } from '../../src/services/incident/set-clinical-impact.ts';
import { setDataBreach } from '../../src/services/incident/set-data-breach.ts';
import { signOffClinicalSafety } from '../../src/services/incident/sign-off-clinical-safety.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const ALICE = 'UALICE'; // declares, so commands while no commander is set
const BOB = 'UBOB';
const CAROL = 'UCAROL';
const BROADCAST = 'CBROADCAST';
const CLINICAL = 'CCLINICAL';
const declaredAt = new Date('2026-11-24T14:00:00Z');
const at = (minutes: number) => new Date(declaredAt.getTime() + minutes * 60_000);
const HOUR = 60 * 60_000;

function setup(db: Database, overrides: Partial<ServiceDeps> = {}) {
  const chat = new FakeChat();
  const clock = new TestClock(at(10));
  const deps = testDeps({ db, chat, clock, settings: { clinicalSafetyChannelId: CLINICAL }, ...overrides });
  return { deps, chat, clock };
}

/** An incident declared by Alice, in its channel with its summary posted. */
async function anIncidentIn(
  deps: ServiceDeps,
  opts: { declaration?: Partial<Declaration>; commander?: string } = {},
): Promise<Incident & { channelId: string }> {
  const { incident } = await deps.store.createIfAbsent(
    declaring({
      declareKey: randomUUID(),
      declaration: aDeclaration({ title: 'Pharmacy orders failing', ...opts.declaration }),
      declaredBy: ALICE,
      declaredAt,
      via: 'test',
    }),
  );
  await deps.store.recordProvisioning(incident.id, {
    channelId: `C${randomUUID().slice(0, 8).toUpperCase()}`,
    summaryTs: '1764000000.000100',
  });
  if (opts.commander) {
    await deps.store.applyChange(
      incident.id,
      { role: { role: 'COMMANDER', userId: opts.commander, assignedBy: ALICE } },
      { occurredAt: declaredAt, kind: 'test_setup', actorId: null, text: 'set up for the test' },
    );
  }
  return (await deps.store.findById(incident.id)) as Incident & { channelId: string };
}

async function entries(deps: ServiceDeps, incidentId: string, kind: string): Promise<TimelineEntry[]> {
  return (await deps.store.timeline(incidentId)).filter((e) => e.kind === kind);
}

/** Rejects with an AppError of this code. */
const refused = (code: string) => (err: unknown) => {
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.code, code, err.userMessage);
  return true;
};

const kinds = (chat: FakeChat, channel: string) => chat.noticesTo(channel).map((n) => n.kind);

for (const database of testDatabases()) {
  describe(`incident lifecycle use cases (${database.name})`, () => {
    const env = useTestStore(database);

    test('changeSeverity: the commander raises to SEV1 with a reason; the freeze starts and both channels are told', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncidentIn(deps);
      const changed = await changeSeverity(deps, {
        channelId: i.channelId,
        userId: ALICE,
        severity: 'SEV1',
        reason: 'spreading',
      });
      assert.equal(changed.severity, 'SEV1');
      const stored = (await deps.store.findById(i.id))!;
      assert.deepEqual([stored.severity, stored.freezeActive, stored.freezeAnnounced], ['SEV1', true, true]);
      const [entry] = await entries(deps, i.id, 'severity_changed');
      assert.equal(entry?.text, 'Severity SEV2 → SEV1: spreading');
      assert.equal(entry?.actorId, ALICE);
      assert.deepEqual(entry?.data, { from: 'SEV2', to: 'SEV1', reason: 'spreading' });
      assert.deepEqual(entry?.occurredAt, at(10));
      assert.deepEqual(kinds(chat, i.channelId), ['severity-changed']);
      assert.deepEqual(kinds(chat, BROADCAST), ['severity-changed', 'freeze-started']);
      const notice = chat.noticesTo(i.channelId)[0]!;
      assert.ok(notice.kind === 'severity-changed' && notice.from === 'SEV2' && notice.by === ALICE);
      assert.equal(chat.summaries.at(-1)?.incident.severity, 'SEV1', 'the pinned summary is redrawn');

      // Back to SEV2: the freeze is lifted, and said so.
      await changeSeverity(deps, { channelId: i.channelId, userId: ALICE, severity: 'SEV2', reason: null });
      assert.equal((await deps.store.findById(i.id))!.freezeActive, false);
      assert.deepEqual(kinds(chat, BROADCAST), [
        'severity-changed',
        'freeze-started',
        'severity-changed',
        'freeze-lifted',
      ]);
    });

    test('changeSeverity: refused to anyone but the commander, to the same severity, and outside an incident channel', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncidentIn(deps, { commander: BOB });
      await assert.rejects(
        changeSeverity(deps, { channelId: i.channelId, userId: ALICE, severity: 'SEV1', reason: null }),
        refused('forbidden'),
        'the declarer no longer commands it',
      );
      await assert.rejects(
        changeSeverity(deps, { channelId: i.channelId, userId: BOB, severity: 'SEV2', reason: null }),
        refused('invalid_input'),
      );
      await assert.rejects(
        changeSeverity(deps, { channelId: 'CGENERAL', userId: BOB, severity: 'SEV1', reason: null }),
        refused('not_incident_channel'),
      );
      assert.equal((await deps.store.findById(i.id))!.severity, 'SEV2');
      assert.deepEqual(await entries(deps, i.id, 'severity_changed'), []);
      assert.deepEqual(chat.notices, []);
    });

    test('changeStatus: anyone in the channel moves it on; the incident channel alone is told', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncidentIn(deps);
      const moved = await changeStatus(deps, {
        channelId: i.channelId,
        userId: CAROL,
        status: 'INVESTIGATING',
        message: 'looking at the logs',
      });
      assert.equal(moved.status, 'INVESTIGATING');
      const stored = (await deps.store.findById(i.id))!;
      assert.equal(stored.status, 'INVESTIGATING');
      assert.deepEqual(stored.lastUpdateAt, at(10));
      const [entry] = await entries(deps, i.id, 'status_changed');
      assert.equal(entry?.text, 'Status Declared → Investigating: looking at the logs');
      assert.deepEqual(entry?.data, { from: 'DECLARED', to: 'INVESTIGATING', message: 'looking at the logs' });
      assert.deepEqual(kinds(chat, i.channelId), ['status-changed']);
      assert.deepEqual(kinds(chat, BROADCAST), []);

      await assert.rejects(
        changeStatus(deps, { channelId: i.channelId, userId: CAROL, status: 'INVESTIGATING', message: null }),
        refused('invalid_transition'),
      );
      // "Resolved" is a resolve: the commander's.
      await assert.rejects(
        changeStatus(deps, { channelId: i.channelId, userId: CAROL, status: 'RESOLVED', message: null }),
        refused('forbidden'),
      );
      assert.equal((await deps.store.findById(i.id))!.status, 'INVESTIGATING');
    });

    test('a private incident: a non-member is refused everything, and nothing goes to the broadcast channel', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncidentIn(deps, { declaration: { isPrivate: true } });
      chat.onlyMembers(i.channelId, ALICE, BOB);
      await assert.rejects(
        changeStatus(deps, { channelId: i.channelId, userId: CAROL, status: 'INVESTIGATING', message: null }),
        refused('not_allowed'),
      );
      await assert.rejects(addNote(deps, { channelId: i.channelId, userId: CAROL, text: 'x' }), refused('not_allowed'));
      await assert.rejects(
        postUpdate(deps, { channelId: i.channelId, userId: CAROL, message: 'x' }),
        refused('not_allowed'),
      );
      assert.deepEqual(await entries(deps, i.id, 'note'), []);

      await postUpdate(deps, { channelId: i.channelId, userId: BOB, message: 'Rolling back' });
      await changeSeverity(deps, { channelId: i.channelId, userId: ALICE, severity: 'SEV3', reason: null });
      assert.deepEqual(kinds(chat, i.channelId), ['status-update', 'severity-changed']);
      assert.deepEqual(kinds(chat, BROADCAST), [], 'a private incident is never broadcast');
    });

    test('assignRole: the commander assigns, anyone takes a vacant supporting role, nobody else hands roles out', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncidentIn(deps);
      await assignRole(deps, { channelId: i.channelId, userId: ALICE, role: 'COMMANDER', assignee: BOB });
      assert.equal((await deps.store.findById(i.id))!.roles.COMMANDER, BOB);
      const [handover] = await entries(deps, i.id, 'role_assigned');
      assert.equal(handover?.text, `Commander: ${BOB}`);
      assert.deepEqual(handover?.data, { role: 'COMMANDER', userId: BOB, previous: null });
      const notice = chat.noticesTo(i.channelId)[0]!;
      assert.ok(notice.kind === 'role-assigned' && notice.role === 'COMMANDER' && notice.userId === BOB);

      // Carol takes the vacant scribe role herself; she cannot hand out comms, nor can Alice any more.
      await assignRole(deps, { channelId: i.channelId, userId: CAROL, role: 'SCRIBE', assignee: CAROL });
      await assert.rejects(
        assignRole(deps, { channelId: i.channelId, userId: CAROL, role: 'COMMS', assignee: ALICE }),
        refused('forbidden'),
      );
      await assert.rejects(
        assignRole(deps, { channelId: i.channelId, userId: ALICE, role: 'COMMANDER', assignee: ALICE }),
        refused('forbidden'),
        'a vacant commander role is not there to take unless PagerDuty declared it',
      );
      await assert.rejects(
        assignRole(deps, { channelId: i.channelId, userId: BOB, role: 'SCRIBE', assignee: CAROL }),
        refused('invalid_input'),
        'already the scribe',
      );
      // The commander replaces the scribe: the entry says who it was.
      await assignRole(deps, { channelId: i.channelId, userId: BOB, role: 'SCRIBE', assignee: ALICE });
      const scribe = (await entries(deps, i.id, 'role_assigned')).at(-1);
      assert.equal(scribe?.text, `Scribe: ${ALICE} (was ${CAROL})`);
      assert.deepEqual((await deps.store.findById(i.id))!.roles, { COMMANDER: BOB, SCRIBE: ALICE });
      assert.deepEqual(kinds(chat, i.channelId), ['role-assigned', 'role-assigned', 'role-assigned']);
    });

    test('addNote: on the timeline and told in the incident channel only, whatever the status', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncidentIn(deps);
      await resolveIncident(deps, { channelId: i.channelId, userId: ALICE, summary: null });
      chat.notices.length = 0;
      await addNote(deps, { channelId: i.channelId, userId: CAROL, text: 'Vendor confirmed the outage' });
      const [note] = await entries(deps, i.id, 'note');
      assert.deepEqual([note?.actorId, note?.text], [CAROL, 'Vendor confirmed the outage']);
      assert.deepEqual(
        chat.notices.map((n) => [n.channelId, n.notice.kind]),
        [[i.channelId, 'note-added']],
      );
      await assert.rejects(
        addNote(deps, { channelId: 'CGENERAL', userId: CAROL, text: 'x' }),
        refused('not_incident_channel'),
      );
    });

    test('postUpdate: both channels, the broadcast one redacted and its author warned; refused once resolved', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncidentIn(deps);
      const nhs = '943 476 5919';
      await postUpdate(deps, { channelId: i.channelId, userId: BOB, message: `Patient ${nhs} affected` });
      const stored = (await deps.store.findById(i.id))!;
      assert.deepEqual(stored.lastUpdateAt, at(10));
      const [entry] = await entries(deps, i.id, 'status_update');
      assert.equal(entry?.text, `Update: Patient ${nhs} affected`, 'the record keeps what was written');
      const inChannel = chat.noticesTo(i.channelId)[0]!;
      const broadcast = chat.noticesTo(BROADCAST)[0]!;
      assert.ok(inChannel.kind === 'status-update' && inChannel.message.includes(nhs));
      assert.ok(broadcast.kind === 'status-update' && !broadcast.message.includes(nhs), 'redacted outside the channel');
      assert.equal(chat.directMessages.length, 1, 'the author is told privately');
      assert.equal(chat.directMessages[0]?.userId, BOB);
      assert.ok(!chat.directMessages[0]?.text.includes(nhs), 'the warning never repeats the text');

      // With a response URL the warning goes there instead.
      await postUpdate(deps, {
        channelId: i.channelId,
        userId: BOB,
        message: `Still ${nhs}`,
        responseUrl: 'https://hooks.slack.test/r/1',
      });
      assert.deepEqual(
        chat.replies.map((r) => r.responseUrl),
        ['https://hooks.slack.test/r/1'],
      );

      await resolveIncident(deps, { channelId: i.channelId, userId: ALICE, summary: null });
      await assert.rejects(
        postUpdate(deps, { channelId: i.channelId, userId: BOB, message: 'late' }),
        refused('invalid_transition'),
      );
      assert.equal((await entries(deps, i.id, 'status_update')).length, 2);
    });

    test('resolve, close, reopen: the commander’s; the review is posted on resolve and a checkpoint asked on close', async () => {
      const checkpoints: unknown[] = [];
      const { deps, chat, clock } = setup(env.db(), {
        auditCheckpoints: { request: async (trigger) => void checkpoints.push(trigger) },
      });
      const i = await anIncidentIn(deps, { commander: BOB });
      await assert.rejects(
        resolveIncident(deps, { channelId: i.channelId, userId: ALICE, summary: null }),
        refused('forbidden'),
      );
      await assert.rejects(closeIncident(deps, { channelId: i.channelId, userId: BOB }), refused('invalid_transition'));
      await assert.rejects(
        reopenIncident(deps, { channelId: i.channelId, userId: BOB, reason: null }),
        refused('invalid_transition'),
      );

      await resolveIncident(deps, { channelId: i.channelId, userId: BOB, summary: 'Cert renewed' });
      let stored = (await deps.store.findById(i.id))!;
      assert.deepEqual([stored.status, stored.resolvedAt], ['RESOLVED', at(10)]);
      assert.equal((await entries(deps, i.id, 'status_changed')).at(-1)?.text, 'Resolved: Cert renewed');
      assert.deepEqual(kinds(chat, i.channelId), ['resolved']);
      assert.deepEqual(kinds(chat, BROADCAST), ['resolved']);
      assert.equal(chat.reviews.length, 1, 'the review is posted in the channel (the after-commit hook)');
      assert.equal(chat.reviews[0]?.channelId, i.channelId);
      assert.deepEqual(
        chat.files.map((f) => f.file.filename),
        [`inc-${i.number}-review.md`],
      );

      clock.set(at(60));
      await assert.rejects(closeIncident(deps, { channelId: i.channelId, userId: ALICE }), refused('forbidden'));
      await closeIncident(deps, { channelId: i.channelId, userId: BOB });
      stored = (await deps.store.findById(i.id))!;
      assert.deepEqual([stored.status, stored.closedAt], ['CLOSED', at(60)]);
      assert.equal((await entries(deps, i.id, 'status_changed')).at(-1)?.text, 'Closed');
      assert.deepEqual(kinds(chat, i.channelId), ['resolved', 'closed']);
      assert.deepEqual(checkpoints, [{ kind: 'incident-closed', incident: i.number }]);

      clock.set(at(90));
      await assert.rejects(
        reopenIncident(deps, { channelId: i.channelId, userId: CAROL, reason: null }),
        refused('forbidden'),
      );
      await reopenIncident(deps, { channelId: i.channelId, userId: BOB, reason: 'errors are back' });
      stored = (await deps.store.findById(i.id))!;
      assert.deepEqual(
        [stored.status, stored.resolvedAt, stored.closedAt, stored.lastUpdateAt],
        ['INVESTIGATING', null, null, at(90)],
      );
      const reopened = (await entries(deps, i.id, 'status_changed')).at(-1);
      assert.equal(reopened?.text, 'Reopened: errors are back');
      assert.deepEqual(reopened?.data, {
        from: 'CLOSED',
        to: 'INVESTIGATING',
        reopened: true,
        reason: 'errors are back',
      });
      assert.deepEqual(kinds(chat, i.channelId), ['resolved', 'closed', 'reopened']);
      assert.deepEqual(kinds(chat, BROADCAST), ['resolved', 'reopened']);
    });

    test('resolve needs a clinical safety officer and their sign-off when there is clinical impact; a near miss is never reopened', async () => {
      const { deps } = setup(env.db());
      const clinical = await anIncidentIn(deps, { declaration: { clinicalImpact: true } });
      await assert.rejects(
        resolveIncident(deps, { channelId: clinical.channelId, userId: ALICE, summary: null }),
        refused('clinical_safety_required'),
      );
      assert.equal((await deps.store.findById(clinical.id))!.status, 'DECLARED');
      await assignRole(deps, {
        channelId: clinical.channelId,
        userId: ALICE,
        role: 'CLINICAL_SAFETY',
        assignee: CAROL,
      });
      await assert.rejects(
        resolveIncident(deps, { channelId: clinical.channelId, userId: ALICE, summary: null }),
        refused('clinical_signoff_required'),
      );
      await signOffClinicalSafety(deps, { channelId: clinical.channelId, userId: CAROL, note: null });
      assert.equal(
        (await resolveIncident(deps, { channelId: clinical.channelId, userId: ALICE, summary: null })).status,
        'RESOLVED',
      );

      const nearMiss = await anIncidentIn(deps, { declaration: { nearMiss: true, severity: 'SEV4' } });
      assert.equal(nearMiss.status, 'RESOLVED', 'a near miss is recorded over already');
      await assert.rejects(
        reopenIncident(deps, { channelId: nearMiss.channelId, userId: ALICE, reason: null }),
        refused('near_miss'),
      );
    });

    test('setClinicalImpact: anyone raises it and clinical safety is alerted once; only the commander clears it', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncidentIn(deps, { commander: BOB });
      const raised = await setClinicalImpact(deps, { channelId: i.channelId, userId: CAROL, on: true });
      assert.equal(raised.clinicalImpact, true);
      assert.deepEqual(raised.clinicalNotifiedAt, at(10), 'the alert is recorded as sent');
      const [entry] = await entries(deps, i.id, 'clinical_impact');
      assert.deepEqual([entry?.actorId, entry?.text, entry?.data], [CAROL, 'Clinical impact reported', { on: true }]);
      assert.deepEqual(kinds(chat, i.channelId), ['clinical-impact']);
      assert.deepEqual(kinds(chat, CLINICAL), ['clinical-safety-alert']);
      await assert.rejects(
        setClinicalImpact(deps, { channelId: i.channelId, userId: CAROL, on: true }),
        refused('invalid_input'),
      );
      await assert.rejects(
        setClinicalImpact(deps, { channelId: i.channelId, userId: CAROL, on: false }),
        refused('forbidden'),
      );
      const cleared = await setClinicalImpact(deps, { channelId: i.channelId, userId: BOB, on: false });
      assert.equal(cleared.clinicalImpact, false);
      assert.equal((await entries(deps, i.id, 'clinical_impact')).at(-1)?.text, 'Clinical impact cleared');
      // Raised again: already alerted, not again.
      await setClinicalImpact(deps, { channelId: i.channelId, userId: CAROL, on: true });
      assert.deepEqual(kinds(chat, CLINICAL), ['clinical-safety-alert']);
    });

    test('setDataBreach: anyone reports it, the 72-hour clock starts now; told in the incident channel only; only the commander takes it back', async () => {
      const { deps, chat } = setup(env.db());
      const i = await anIncidentIn(deps, { commander: BOB });
      const on = await setDataBreach(deps, { channelId: i.channelId, userId: CAROL, on: true });
      assert.deepEqual([on.dataBreach, on.breachAwareAt, on.breachNotifiedAt], [true, at(10), null]);
      const [entry] = await entries(deps, i.id, 'data_breach');
      assert.equal(entry?.actorId, CAROL);
      assert.deepEqual(entry?.data, {
        on: true,
        awareAt: at(10).toISOString(),
        deadline: new Date(at(10).getTime() + 72 * HOUR).toISOString(),
      });
      assert.match(entry!.text, /^Personal data breach reported, aware since .*: the regulator must be notified by /);
      assert.deepEqual(kinds(chat, i.channelId), ['data-breach']);
      assert.deepEqual(kinds(chat, BROADCAST), [], 'never the broadcast channel');
      const notice = chat.noticesTo(i.channelId)[0]!;
      assert.ok(notice.kind === 'data-breach' && notice.on && notice.timeZone === 'Europe/London');

      await assert.rejects(
        setDataBreach(deps, { channelId: i.channelId, userId: CAROL, on: true }),
        refused('invalid_input'),
      );
      await assert.rejects(
        setDataBreach(deps, { channelId: i.channelId, userId: CAROL, on: false }),
        refused('forbidden'),
      );
      // Taking it back needs a reason (issue 20: the regulator expects one recorded).
      await assert.rejects(
        setDataBreach(deps, { channelId: i.channelId, userId: BOB, on: false }),
        refused('invalid_input'),
      );
      assert.equal((await deps.store.findById(i.id))!.dataBreach, true, 'refused: nothing changed');
      const off = await setDataBreach(deps, {
        channelId: i.channelId,
        userId: BOB,
        on: false,
        reason: 'Only test accounts were exposed',
      });
      assert.equal(off.dataBreach, false);
      assert.deepEqual((await entries(deps, i.id, 'data_breach')).at(-1)?.data, {
        on: false,
        reason: 'Only test accounts were exposed',
      });

      const nearMiss = await anIncidentIn(deps, { declaration: { nearMiss: true } });
      await assert.rejects(
        setDataBreach(deps, { channelId: nearMiss.channelId, userId: ALICE, on: true }),
        refused('invalid_input'),
      );
      assert.equal((await deps.store.findById(nearMiss.id))!.dataBreach, false);
    });

    test('recordBreachNotified: the commander’s, once, for a breach; late when after the deadline', async () => {
      const { deps, chat, clock } = setup(env.db());
      const i = await anIncidentIn(deps, { commander: BOB });
      await assert.rejects(
        recordBreachNotified(deps, { channelId: i.channelId, userId: BOB, reference: null }),
        refused('invalid_input'),
        'not a breach',
      );
      await setDataBreach(deps, { channelId: i.channelId, userId: BOB, on: true });
      clock.set(at(10 + 24 * 60));
      await assert.rejects(
        recordBreachNotified(deps, { channelId: i.channelId, userId: CAROL, reference: null }),
        refused('forbidden'),
      );
      await recordBreachNotified(deps, { channelId: i.channelId, userId: BOB, reference: 'ICO-1234' });
      const stored = (await deps.store.findById(i.id))!;
      assert.deepEqual([stored.breachNotifiedAt, stored.breachNotifiedBy], [at(10 + 24 * 60), BOB]);
      const [entry] = await entries(deps, i.id, 'breach_notified');
      assert.equal(entry?.text, 'Regulator notified of the personal data breach. Reference: ICO-1234');
      // The obligations it met are recorded with it (issue 20: per regime).
      assert.deepEqual(entry?.data, {
        reference: 'ICO-1234',
        deadline: new Date(at(10).getTime() + 72 * HOUR).toISOString(),
        late: false,
        via: 'command',
        obligations: [
          {
            regime: 'uk-gdpr',
            kind: 'regulator',
            dueAt: new Date(at(10).getTime() + 72 * HOUR).toISOString(),
            late: false,
          },
        ],
      });
      const notice = chat.noticesTo(i.channelId).at(-1)!;
      assert.ok(notice.kind === 'breach-notified' && notice.reference === 'ICO-1234' && notice.by === BOB);
      assert.deepEqual(kinds(chat, BROADCAST), []);
      await assert.rejects(
        recordBreachNotified(deps, { channelId: i.channelId, userId: BOB, reference: null }),
        refused('invalid_input'),
        'recorded once',
      );

      // Another breach, notified after its 72 hours.
      const late = await anIncidentIn(deps, { commander: BOB });
      clock.set(at(0));
      await setDataBreach(deps, { channelId: late.channelId, userId: BOB, on: true });
      clock.set(at(73 * 60));
      await recordBreachNotified(deps, { channelId: late.channelId, userId: BOB, reference: null });
      const [lateEntry] = await entries(deps, late.id, 'breach_notified');
      assert.equal(lateEntry?.text, 'Regulator notified of the personal data breach (after the 72-hour deadline)');
      assert.equal(lateEntry?.data?.late, true);
    });
  });
}
