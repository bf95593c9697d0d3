// The breach notification use cases on the real stores (PGlite, and the PostgreSQL server when
// TEST_DATABASE_URL is set): drafting per regime, approval by the DPO or the commander and refused
// for anyone else (nothing changes), four eyes, withdrawing with a reason, versions and updates, the
// PHI guard, the timeline and the audit trail.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Database } from '../../src/db/database.ts';
import type { RecordedBreachAssessment } from '../../src/domain/breach-assessment.ts';
import type { BreachRegime } from '../../src/domain/breach-regimes.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { approveBreachNotification } from '../../src/services/breach/approve-breach-notification.ts';
import { draftBreachNotification } from '../../src/services/breach/draft-breach-notification.ts';
import { recordNotificationSent } from '../../src/services/breach/record-notification-sent.ts';
import { withdrawBreachNotification } from '../../src/services/breach/withdraw-breach-notification.ts';
import { setDataBreach } from '../../src/services/incident/set-data-breach.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const ALICE = 'UALICE'; // declares the incident, a responder
const CMD = 'UCMD';
const DPO = 'UDPO';
const MALLORY = 'UMALLORY';
const NHS = '943 476 5919';
const declaredAt = new Date('2026-12-05T10:00:00Z');

const ASSESSMENT: RecordedBreachAssessment = {
  categories: ['health', 'contact'],
  peopleAffected: 800,
  peopleEstimated: false,
  mostInOneState: 700,
  likelihood: 'likely',
  severity: 'significant',
  contained: true,
  containment: 'Bucket made private; access logs kept.',
  reportable: true,
  reason: 'Health data of 800 patients exposed.',
  assessedBy: DPO,
  assessedAt: declaredAt,
};

function setup(db: Database, regimes: BreachRegime[] = ['uk-gdpr']) {
  const chat = new FakeChat();
  const clock = new TestClock(new Date(declaredAt.getTime() + 3_600_000));
  const ticking = {
    now: () => {
      clock.advance(1000);
      return clock.now();
    },
  };
  const assessments = new Map<string, RecordedBreachAssessment>();
  const deps = testDeps({
    db,
    chat,
    clock: ticking,
    breachAssessments: { assessmentOf: async (id) => assessments.get(id) ?? null },
    settings: { breachRegimes: regimes },
  });
  return { deps, chat, assessments };
}

/** A breach declared by Alice, in its channel, with a commander and (unless `dpo` null) a DPO. */
async function aBreach(
  deps: ServiceDeps,
  o: { title?: string; dpo?: string | null; breach?: boolean } = {},
): Promise<Incident & { channelId: string }> {
  const { incident } = await deps.store.createIfAbsent(
    declaring({
      declareKey: randomUUID(),
      declaration: aDeclaration({
        title: o.title ?? 'Appointment letters exposed',
        description: 'A storage bucket of letters was public.',
        ...(o.breach === false ? {} : { dataBreach: true, breachAwareAt: declaredAt }),
      }),
      declaredBy: ALICE,
      declaredAt,
      via: 'test',
    }),
  );
  await deps.store.recordProvisioning(incident.id, { channelId: `C${randomUUID().slice(0, 8).toUpperCase()}` });
  const roles: ['COMMANDER' | 'DPO', string][] = [['COMMANDER', CMD]];
  if (o.dpo !== null) roles.push(['DPO', o.dpo ?? DPO]);
  for (const [role, userId] of roles)
    await deps.store.applyChange(
      incident.id,
      { role: { role, userId, assignedBy: ALICE } },
      { occurredAt: declaredAt, kind: 'test_setup', actorId: null, text: 'set up for the test' },
    );
  return (await deps.store.findById(incident.id)) as Incident & { channelId: string };
}

const refused = (code: string, re?: RegExp) => (err: unknown) => {
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.code, code, err.userMessage);
  if (re) assert.match(err.userMessage, re);
  return true;
};

const notificationEntries = async (deps: ServiceDeps, id: string) =>
  (await deps.store.timeline(id)).filter((e) => e.kind.startsWith('breach_notification')).map((e) => e.kind);

const at = (i: { channelId: string }, userId: string) => ({ channelId: i.channelId, userId });

for (const database of testDatabases()) {
  describe(`breach notifications (${database.name})`, () => {
    const env = useTestStore(database);

    test('anyone in the channel drafts the ICO report: recorded, on the timeline, the Markdown posted as a file with Approve and Withdraw', async () => {
      const { deps, chat, assessments } = setup(env.db());
      const incident = await aBreach(deps);
      assessments.set(incident.id, ASSESSMENT);
      const d = await draftBreachNotification(deps, { ...at(incident, ALICE), target: 'ico', regime: null });
      assert.equal(d.outcome, 'created');
      assert.deepEqual(
        [
          d.notification.state,
          d.notification.version,
          d.notification.regime,
          d.notification.kind,
          d.notification.draftedBy,
        ],
        ['draft', 1, 'uk-gdpr', 'regulator', ALICE],
      );
      assert.match(d.notification.markdown, /\*\*Approximate number of people affected:\*\* 800/);
      assert.ok(d.placeholders > 0);
      const file = chat.files.find((f) => f.channelId === incident.channelId)!;
      assert.equal(file.file.filename, `INC-${incident.number}-ico-v1.md`);
      assert.equal(file.file.content, d.notification.markdown);
      const notice = chat.noticesTo(incident.channelId).at(-1)!;
      assert.equal(notice.kind, 'breach-notification');
      assert.deepEqual(await notificationEntries(deps, incident.id), ['breach_notification_drafted']);
      const trail = await deps.audit.read(incident.id);
      assert.ok(trail.entries.some((e) => e.action === 'breach_notification.insert'));
      assert.deepEqual(trail.problems, []);
    });

    test('the draft reads the assessment the breach feature recorded (`/incident breach assess`)', async () => {
      const chat = new FakeChat();
      const deps = testDeps({ db: env.db(), chat, settings: { breachRegimes: ['uk-gdpr', 'hipaa'] } });
      const incident = await aBreach(deps);
      const { assessedBy, assessedAt, ...assessment } = ASSESSMENT;
      await deps.store.applyChange(
        incident.id,
        { breachAssessment: { ...assessment, assessedBy, assessedAt }, breachReportable: true },
        { occurredAt: declaredAt, kind: 'test_setup', actorId: null, text: 'assessed for the test' },
      );
      const d = await draftBreachNotification(deps, { ...at(incident, ALICE), target: 'hhs', regime: null });
      assert.match(d.notification.markdown, /\*\*Approximate number of individuals affected:\*\* 800/);
      assert.match(d.notification.markdown, /Actions taken in response:\*\* Contained: Bucket made private/);
    });

    test('only what applies: not a breach, a recipient the regimes do not have, and `individuals` under two regimes', async () => {
      const { deps, assessments } = setup(env.db(), ['uk-gdpr', 'hipaa']);
      const plain = await aBreach(deps, { breach: false });
      await assert.rejects(
        draftBreachNotification(deps, { ...at(plain, ALICE), target: 'ico', regime: null }),
        refused('invalid_input', /not marked as a personal data breach/),
      );
      const incident = await aBreach(deps);
      assessments.set(incident.id, ASSESSMENT);
      await assert.rejects(
        draftBreachNotification(deps, { ...at(incident, ALICE), target: 'dspt', regime: null }),
        refused('not_applicable', /What applies now: `ico`, `individuals`, `hhs`, `media`/),
      );
      await assert.rejects(
        draftBreachNotification(deps, { ...at(incident, ALICE), target: 'individuals', regime: null }),
        refused('invalid_input', /say which/),
      );
      const hipaa = await draftBreachNotification(deps, {
        ...at(incident, ALICE),
        target: 'individuals',
        regime: 'hipaa',
      });
      assert.match(hipaa.notification.markdown, /Toll-free telephone/);
      assessments.set(incident.id, { ...ASSESSMENT, reportable: false, reason: 'Encrypted at rest; key not exposed.' });
      await assert.rejects(
        draftBreachNotification(deps, { ...at(incident, ALICE), target: 'ico', regime: null }),
        refused('not_applicable', /Nothing applies now/),
      );
      assert.deepEqual(await notificationEntries(deps, incident.id), ['breach_notification_drafted']);
    });

    test('the DPO approves a draft; the approval is recorded and audited', async () => {
      const { deps, chat } = setup(env.db());
      const incident = await aBreach(deps);
      await draftBreachNotification(deps, { ...at(incident, ALICE), target: 'ico', regime: null });
      const approved = await approveBreachNotification(deps, {
        ...at(incident, DPO),
        which: { target: 'ico', regime: null },
      });
      assert.deepEqual([approved.state, approved.approvedBy], ['approved', DPO]);
      assert.deepEqual(await notificationEntries(deps, incident.id), [
        'breach_notification_drafted',
        'breach_notification_approved',
      ]);
      const last = chat.noticesTo(incident.channelId).at(-1)!;
      assert.ok(last.kind === 'breach-notification' && last.event === 'approved' && last.by === DPO);
      const trail = await deps.audit.read(incident.id);
      const update = trail.entries.find((e) => e.action === 'breach_notification.update')!;
      assert.deepEqual(
        [update.before?.state, update.after?.state, update.after?.approved_by],
        ['draft', 'approved', DPO],
      );
      assert.deepEqual(trail.problems, []);
    });

    test('the commander approves; anyone else is refused, told who can, and nothing changes', async () => {
      const { deps, chat } = setup(env.db());
      const incident = await aBreach(deps);
      const { notification } = await draftBreachNotification(deps, {
        ...at(incident, ALICE),
        target: 'ico',
        regime: null,
      });
      const noticesBefore = chat.notices.length;
      for (const who of [ALICE, MALLORY]) {
        await assert.rejects(
          approveBreachNotification(deps, { ...at(incident, who), which: { target: 'ico', regime: null } }),
          refused(
            'forbidden',
            new RegExp(`Only the incident commander, <@${CMD}>, or the data protection officer, <@${DPO}>`),
          ),
        );
      }
      assert.equal((await deps.breachNotifications.byId(notification.id))!.state, 'draft');
      assert.equal(chat.notices.length, noticesBefore);
      assert.deepEqual(await notificationEntries(deps, incident.id), ['breach_notification_drafted']);
      const approved = await approveBreachNotification(deps, {
        ...at(incident, CMD),
        which: { shown: { id: notification.id, draftedAt: notification.draftedAt } },
      });
      assert.deepEqual([approved.state, approved.approvedBy], ['approved', CMD]);
    });

    test("four eyes: the commander's own draft is the DPO's to approve; without a DPO the commander approves it, recorded as their own", async () => {
      const { deps } = setup(env.db());
      const incident = await aBreach(deps);
      await draftBreachNotification(deps, { ...at(incident, CMD), target: 'ico', regime: null });
      await assert.rejects(
        approveBreachNotification(deps, { ...at(incident, CMD), which: { target: 'ico', regime: null } }),
        refused('forbidden', /someone else approves it: <@UDPO>/),
      );
      await approveBreachNotification(deps, { ...at(incident, DPO), which: { target: 'ico', regime: null } });

      const alone = await aBreach(deps, { dpo: null });
      await draftBreachNotification(deps, { ...at(alone, CMD), target: 'ico', regime: null });
      const own = await approveBreachNotification(deps, { ...at(alone, CMD), which: { target: 'ico', regime: null } });
      assert.equal(own.approvedBy, CMD);
      const entry = (await deps.store.timeline(alone.id)).find((e) => e.kind === 'breach_notification_approved')!;
      assert.equal(entry.data?.ownDraft, true);
      assert.match(entry.text, /their own draft/);
    });

    test('withdrawing needs an approver and a reason; it is recorded; a sent one cannot be', async () => {
      const { deps } = setup(env.db());
      const incident = await aBreach(deps);
      const { notification } = await draftBreachNotification(deps, {
        ...at(incident, ALICE),
        target: 'ico',
        regime: null,
      });
      await assert.rejects(
        withdrawBreachNotification(deps, {
          ...at(incident, CMD),
          which: { target: 'ico', regime: null },
          reason: '  ',
        }),
        refused('invalid_input', /Give the reason/),
      );
      await assert.rejects(
        withdrawBreachNotification(deps, {
          ...at(incident, ALICE),
          which: { target: 'ico', regime: null },
          reason: 'mine',
        }),
        refused('forbidden'),
      );
      assert.equal((await deps.breachNotifications.byId(notification.id))!.state, 'draft');
      const withdrawn = await withdrawBreachNotification(deps, {
        ...at(incident, DPO),
        which: { target: 'ico', regime: null },
        reason: 'Assessed again: not reportable.',
      });
      assert.deepEqual(
        [withdrawn.state, withdrawn.withdrawnBy, withdrawn.withdrawReason],
        ['withdrawn', DPO, 'Assessed again: not reportable.'],
      );
      const entry = (await deps.store.timeline(incident.id)).find((e) => e.kind === 'breach_notification_withdrawn')!;
      assert.match(entry.text, /Assessed again: not reportable/);

      // Drafted again, approved, sent: then it cannot be withdrawn.
      const v2 = await draftBreachNotification(deps, { ...at(incident, ALICE), target: 'ico', regime: null });
      assert.deepEqual([v2.outcome, v2.notification.version], ['new-version', 2]);
      await assert.rejects(
        recordNotificationSent(deps, { ...at(incident, CMD), which: { target: 'ico', regime: null }, reference: null }),
        refused('invalid_state', /Approve it first/),
      );
      await approveBreachNotification(deps, { ...at(incident, CMD), which: { target: 'ico', regime: null } });
      const { notification: sent, obligation } = await recordNotificationSent(deps, {
        ...at(incident, CMD),
        which: { target: 'ico', regime: null },
        reference: 'ICO case 12345',
      });
      assert.deepEqual([sent.state, sent.sentBy, sent.reference, sent.version], ['sent', CMD, 'ICO case 12345', 2]);
      // Sending the ICO report meets the obligation: the 72-hour clock stops, as `/incident breach notified ico` does.
      assert.equal(obligation, 'recorded');
      const after = (await deps.store.findById(incident.id))!;
      assert.equal(after.breachNotifiedBy, CMD);
      assert.ok(after.breachNotifiedAt && after.breachNotifiedAt.getTime() >= sent.sentAt!.getTime());
      const notified = (await deps.store.timeline(incident.id)).filter((e) => e.kind === 'breach_notified');
      assert.equal(notified.length, 1);
      assert.equal(notified[0]!.data?.via, 'draft');
      await assert.rejects(
        withdrawBreachNotification(deps, {
          ...at(incident, CMD),
          which: { target: 'ico', regime: null },
          reason: 'oops',
        }),
        refused('invalid_state', /cannot be withdrawn/),
      );
    });

    test('versions: an approved draft whose content changes is replaced (its approval never covers new content); the same content keeps it; a sent one gets an update', async () => {
      const { deps, assessments } = setup(env.db());
      const incident = await aBreach(deps);
      const v1 = (await draftBreachNotification(deps, { ...at(incident, ALICE), target: 'ico', regime: null }))
        .notification;
      // A draft drafted again after the assessment: replaced in place, same version.
      assessments.set(incident.id, ASSESSMENT);
      const replaced = await draftBreachNotification(deps, { ...at(incident, ALICE), target: 'ico', regime: null });
      assert.deepEqual(
        [replaced.outcome, replaced.notification.id, replaced.notification.version],
        ['replaced', v1.id, 1],
      );
      // The Approve button of the first draft no longer approves: the content changed.
      await assert.rejects(
        approveBreachNotification(deps, {
          ...at(incident, DPO),
          which: { shown: { id: v1.id, draftedAt: v1.draftedAt } },
        }),
        refused('conflict', /replaced since this message/),
      );
      await approveBreachNotification(deps, { ...at(incident, DPO), which: { target: 'ico', regime: null } });
      const same = await draftBreachNotification(deps, { ...at(incident, ALICE), target: 'ico', regime: null });
      assert.deepEqual([same.outcome, same.notification.state], ['unchanged', 'approved']);

      assessments.set(incident.id, { ...ASSESSMENT, peopleAffected: 950 });
      const v2 = await draftBreachNotification(deps, { ...at(incident, ALICE), target: 'ico', regime: null });
      assert.deepEqual([v2.outcome, v2.notification.version, v2.notification.state], ['new-version', 2, 'draft']);
      const old = (await deps.breachNotifications.byId(v1.id))!;
      assert.deepEqual(
        [old.state, old.withdrawReason],
        ['withdrawn', 'Replaced by version 2 (the content changed before it was sent).'],
      );

      await approveBreachNotification(deps, { ...at(incident, CMD), which: { target: 'ico', regime: null } });
      await recordNotificationSent(deps, {
        ...at(incident, CMD),
        which: { target: 'ico', regime: null },
        reference: null,
      });
      const update = await draftBreachNotification(deps, { ...at(incident, ALICE), target: 'ico', regime: null });
      assert.deepEqual([update.outcome, update.notification.version], ['new-version', 3]);
      assert.match(update.notification.markdown, /version 3, an update to an earlier notification/);
      assert.equal(
        (await deps.breachNotifications.latest(incident.id, 'uk-gdpr', 'regulator'))!.id,
        update.notification.id,
      );
      const drafted = (await deps.store.timeline(incident.id)).filter((e) => e.kind === 'breach_notification_drafted');
      assert.match(drafted.at(-1)!.text, /an update to the one sent/);
      // The update, approved by the DPO (the commander drafted nothing) and sent: the obligation was met already.
      await approveBreachNotification(deps, { ...at(incident, DPO), which: { target: 'ico', regime: null } });
      const updated = await recordNotificationSent(deps, {
        ...at(incident, DPO),
        which: { target: 'ico', regime: null },
        reference: 'follow-up',
      });
      assert.deepEqual([updated.notification.version, updated.obligation], [3, 'already']);
      assert.equal((await deps.store.timeline(incident.id)).filter((e) => e.kind === 'breach_notified').length, 1);
      assert.deepEqual((await deps.audit.read(incident.id)).problems, []);
    });

    test('two people drafting the first version at once: one draft, the other told to look again', async () => {
      const { deps } = setup(env.db());
      const incident = await aBreach(deps);
      const results = await Promise.allSettled([
        draftBreachNotification(deps, { ...at(incident, ALICE), target: 'ico', regime: null }),
        draftBreachNotification(deps, { ...at(incident, CMD), target: 'ico', regime: null }),
      ]);
      const made = results.filter((r) => r.status === 'fulfilled');
      assert.ok(made.length >= 1);
      for (const r of results)
        if (r.status === 'rejected') assert.ok(refused('conflict', /at the same moment/)(r.reason));
      const rows = await env
        .db()
        .pool.query('SELECT version FROM breach_notification WHERE incident_id = $1', [incident.id]);
      // Both may succeed one after the other (the second replacing the first draft), never two version 1 rows.
      assert.deepEqual(
        rows.rows.map((r) => r.version),
        [1],
      );
    });

    test('a breach turned off keeps its drafts, which may still be withdrawn (not approved or drafted)', async () => {
      const { deps } = setup(env.db());
      const incident = await aBreach(deps);
      await draftBreachNotification(deps, { ...at(incident, ALICE), target: 'ico', regime: null });
      await setDataBreach(deps, { ...at(incident, CMD), on: false, reason: 'A test export, no real data.' });
      await assert.rejects(
        approveBreachNotification(deps, { ...at(incident, DPO), which: { target: 'ico', regime: null } }),
        refused('invalid_input', /not marked as a personal data breach/),
      );
      const w = await withdrawBreachNotification(deps, {
        ...at(incident, DPO),
        which: { target: 'ico', regime: null },
        reason: 'Not a breach: test data.',
      });
      assert.equal(w.state, 'withdrawn');
    });

    test('the database keeps an approved version as approved, and a sent one final, whoever writes', async () => {
      const { deps } = setup(env.db());
      const incident = await aBreach(deps);
      const { notification } = await draftBreachNotification(deps, {
        ...at(incident, ALICE),
        target: 'ico',
        regime: null,
      });
      await approveBreachNotification(deps, { ...at(incident, DPO), which: { target: 'ico', regime: null } });
      await assert.rejects(
        env.db().pool.query("UPDATE breach_notification SET markdown = 'forged' WHERE id = $1", [notification.id]),
        /content and approval are not changed/,
      );
      await assert.rejects(
        env.db().pool.query("UPDATE breach_notification SET state = 'draft' WHERE id = $1", [notification.id]),
        /approved cannot become draft/,
      );
      await recordNotificationSent(deps, {
        ...at(incident, CMD),
        which: { target: 'ico', regime: null },
        reference: null,
      });
      await assert.rejects(
        env.db().pool.query("UPDATE breach_notification SET reference = 'x' WHERE id = $1", [notification.id]),
        /a sent version is final/,
      );
      await assert.rejects(
        env.db().pool.query('TRUNCATE breach_notification'),
        /TRUNCATE would bypass the audit trail/,
      );
    });

    test('an NHS number typed in the title never reaches the draft, the file or the record', async () => {
      const { deps, chat } = setup(env.db(), ['uk-gdpr', 'dspt']);
      const incident = await aBreach(deps, { title: `Letter for ${NHS} sent to the wrong address` });
      for (const target of ['ico', 'dspt'] as const) {
        const d = await draftBreachNotification(deps, { ...at(incident, ALICE), target, regime: null });
        assert.ok(!d.notification.markdown.includes(NHS), target);
        assert.match(d.notification.markdown, /\\\[redacted NHS number\\\]/);
        assert.equal(d.redactions, 1);
      }
      for (const f of chat.files) assert.ok(!String(f.file.content).includes(NHS));
      const rows = await env
        .db()
        .pool.query('SELECT markdown FROM breach_notification WHERE incident_id = $1', [incident.id]);
      assert.equal(rows.rows.length, 2);
      for (const r of rows.rows) assert.ok(!r.markdown.includes(NHS));
    });
  });
}
