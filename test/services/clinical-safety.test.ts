// Clinical safety (DCB0129 / DCB0160) use cases on the real store (PGlite, and the PostgreSQL server
// when TEST_DATABASE_URL is set): hazards linked with their ratings, the clinical safety officer's
// sign-off (only theirs), resolve and close refused without it, the sign-off void when the incident
// changes after it, the hazard-log review item made once, the review's section, the audit trail.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Database } from '../../src/db/database.ts';
import { PrismaAuditTrail } from '../../src/db/prisma-audit-trail.ts';
import { currentSignoff } from '../../src/domain/clinical-safety.ts';
import type { Declaration } from '../../src/domain/declaration.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { Incident } from '../../src/domain/incident.ts';
import { clinicalSafetyToMarkdown, reviewToMarkdown } from '../../src/domain/review-markdown.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { assignRole } from '../../src/services/incident/assign-role.ts';
import { changeHazard } from '../../src/services/incident/change-hazard.ts';
import { closeIncident } from '../../src/services/incident/close-incident.ts';
import { reopenIncident } from '../../src/services/incident/reopen-incident.ts';
import { resolveIncident } from '../../src/services/incident/resolve-incident.ts';
import { setClinicalImpact } from '../../src/services/incident/set-clinical-impact.ts';
import { signOffClinicalSafety } from '../../src/services/incident/sign-off-clinical-safety.ts';
import { reviewOf } from '../../src/services/review/review-of.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';
import { tamper } from '../support/tamper.ts';

const ALICE = 'UALICE'; // declares
const BOB = 'UBOB'; // commander
const CAROL = 'UCAROL'; // clinical safety officer
const DAVE = 'UDAVE'; // anyone else
const declaredAt = new Date('2026-11-24T14:00:00Z');
const at = (minutes: number) => new Date(declaredAt.getTime() + minutes * 60_000);

function setup(db: Database) {
  const chat = new FakeChat();
  const clock = new TestClock(at(10));
  const deps = testDeps({ db, chat, clock, settings: { clinicalSafetyChannelId: 'CCLINICAL' } });
  return { deps, chat, clock };
}

/** A clinical-impact incident commanded by Bob, with Carol its clinical safety officer (given by Bob). */
async function aClinicalIncident(
  deps: ServiceDeps,
  opts: { declaration?: Partial<Declaration>; cso?: boolean } = {},
): Promise<Incident & { channelId: string }> {
  const { incident } = await deps.store.createIfAbsent(
    declaring({
      declareKey: randomUUID(),
      declaration: aDeclaration({ title: 'Wrong doses shown', clinicalImpact: true, ...opts.declaration }),
      declaredBy: ALICE,
      declaredAt,
      via: 'test',
    }),
  );
  const channelId = `C${randomUUID().slice(0, 8).toUpperCase()}`;
  await deps.store.recordProvisioning(incident.id, { channelId, summaryTs: '1764000000.000100' });
  await assignRole(deps, { channelId, userId: ALICE, role: 'COMMANDER', assignee: BOB });
  if (opts.cso !== false) await assignRole(deps, { channelId, userId: BOB, role: 'CLINICAL_SAFETY', assignee: CAROL });
  return (await deps.store.findById(incident.id)) as Incident & { channelId: string };
}

const refused = (code: string, message?: RegExp) => (err: unknown) => {
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.code, code, err.userMessage);
  if (message) assert.match(err.userMessage, message);
  return true;
};

const hazard = (deps: ServiceDeps, i: { channelId: string }, userId: string, text: string) => {
  const [op, hazardId, ...rest] = text.split(' ');
  // Through the command's parser, as Slack gives it.
  return import('../../src/domain/clinical-safety.ts').then(({ parseHazardCommand }) =>
    changeHazard(deps, { channelId: i.channelId, userId, command: parseHazardCommand([op!, hazardId!, ...rest]) }),
  );
};

const kindsOf = async (deps: ServiceDeps, id: string) => (await deps.store.timeline(id)).map((e) => e.kind);

for (const database of testDatabases()) {
  describe(`clinical safety (${database.name})`, () => {
    const env = useTestStore(database);

    test('hazards are linked, updated and unlinked by the commander or the officer, each on the timeline with its ratings', async () => {
      const { deps, chat } = setup(env.db());
      const i = await aClinicalIncident(deps);
      const linked = await hazard(deps, i, BOB, 'add haz-012 Wrong dose displayed before:high/major');
      assert.deepEqual(
        [linked?.hazardId, linked?.title, linked?.before, linked?.after],
        ['HAZ-012', 'Wrong dose displayed', { likelihood: 'high', severity: 'major' }, null],
      );
      await hazard(deps, i, CAROL, 'update HAZ-012 after:low/major');
      await hazard(deps, i, CAROL, 'add HAZ-7 Delayed results before:medium/considerable after:low/considerable');
      await hazard(deps, i, BOB, 'remove HAZ-7');
      const record = await deps.store.clinicalRecord(i.id);
      assert.deepEqual(
        record.hazards.map((h) => [h.hazardId, h.before, h.after, h.linkedBy, h.updatedBy]),
        [['HAZ-012', { likelihood: 'high', severity: 'major' }, { likelihood: 'low', severity: 'major' }, BOB, CAROL]],
      );
      const entries = (await deps.store.timeline(i.id)).filter((e) => e.kind === 'clinical_hazard');
      assert.deepEqual(
        entries.map((e) => [e.actorId, e.text]),
        [
          [BOB, 'Hazard HAZ-012 linked: Wrong dose displayed (before High × Major = 4; after not assessed)'],
          [CAROL, 'Hazard HAZ-012 updated: Wrong dose displayed (before High × Major = 4; after Low × Major = 3)'],
          [
            CAROL,
            'Hazard HAZ-7 linked: Delayed results (before Medium × Considerable = 3; after Low × Considerable = 2)',
          ],
          [
            BOB,
            'Hazard HAZ-7 unlinked: Delayed results (before Medium × Considerable = 3; after Low × Considerable = 2)',
          ],
        ],
      );
      assert.deepEqual(entries[1]?.data, {
        op: 'update',
        hazardId: 'HAZ-012',
        title: 'Wrong dose displayed',
        before: { likelihood: 'high', severity: 'major', rating: 4 },
        after: { likelihood: 'low', severity: 'major', rating: 3 },
      });
      assert.deepEqual(
        chat.noticesTo(i.channelId).filter((n) => n.kind === 'clinical-record').length,
        4,
        'each told in the incident channel',
      );
      // The pinned summary shows the hazards' ratings and that the sign-off is still owed.
      const context = chat.summaries.at(-1)?.context;
      assert.deepEqual(
        context?.clinical?.hazards.map((h) => h.hazardId),
        ['HAZ-012'],
      );

      await assert.rejects(
        hazard(deps, i, DAVE, 'add HAZ-9 Other before:low/minor'),
        refused('forbidden', /commander and the clinical safety officer/),
      );
      await assert.rejects(
        hazard(deps, i, BOB, 'add HAZ-012 Again before:low/minor'),
        refused('invalid_input', /linked already/),
      );
      await assert.rejects(
        hazard(deps, i, BOB, 'update HAZ-404 after:low/minor'),
        refused('not_found', /not linked.*HAZ-012/),
      );
      await assert.rejects(hazard(deps, i, BOB, 'remove HAZ-404'), refused('not_found'));
      assert.equal((await deps.store.clinicalRecord(i.id)).hazards.length, 1, 'nothing written by a refusal');
    });

    test('only the clinical safety officer signs off: the commander and others are refused, and without an officer nobody', async () => {
      const { deps } = setup(env.db());
      const none = await aClinicalIncident(deps, { cso: false });
      await assert.rejects(
        signOffClinicalSafety(deps, { channelId: none.channelId, userId: BOB, note: null }),
        refused('forbidden', /Nobody holds the clinical safety officer role/),
      );
      const i = await aClinicalIncident(deps);
      for (const who of [BOB, ALICE, DAVE])
        await assert.rejects(
          signOffClinicalSafety(deps, { channelId: i.channelId, userId: who, note: null }),
          refused('forbidden', /Only the clinical safety officer, <@UCAROL>, can sign off/),
          who,
        );
      // The commander does not give the role to themselves (an approval is never one person's word alone)…
      const own = await aClinicalIncident(deps, { cso: false });
      await assert.rejects(
        assignRole(deps, { channelId: own.channelId, userId: BOB, role: 'CLINICAL_SAFETY', assignee: BOB }),
        refused('forbidden', /goes to someone else/),
      );
      // …but the officer, given command later, holds the role and may sign off.
      await assignRole(deps, { channelId: own.channelId, userId: BOB, role: 'CLINICAL_SAFETY', assignee: CAROL });
      await assignRole(deps, { channelId: own.channelId, userId: BOB, role: 'COMMANDER', assignee: CAROL });
      assert.equal(
        (await signOffClinicalSafety(deps, { channelId: own.channelId, userId: CAROL, note: null })).signoff.signedBy,
        CAROL,
      );
      // No clinical impact: nothing to sign off.
      const plain = await aClinicalIncident(deps, { declaration: { clinicalImpact: false } });
      await assert.rejects(
        signOffClinicalSafety(deps, { channelId: plain.channelId, userId: CAROL, note: null }),
        refused('invalid_input', /no clinical impact/),
      );
      assert.deepEqual((await deps.store.clinicalRecord(i.id)).signoffs, []);
    });

    test('sign-off needs every residual risk assessed and none unacceptable; given once, with the review item for the officer', async () => {
      const { deps, chat } = setup(env.db());
      const i = await aClinicalIncident(deps);
      await hazard(deps, i, CAROL, 'add HAZ-1 Wrong dose displayed before:very-high/catastrophic');
      await assert.rejects(
        signOffClinicalSafety(deps, { channelId: i.channelId, userId: CAROL, note: null }),
        refused('invalid_input', /Assess the residual risk of HAZ-1/),
      );
      await hazard(deps, i, CAROL, 'update HAZ-1 after:very-high/major');
      await assert.rejects(
        signOffClinicalSafety(deps, { channelId: i.channelId, userId: CAROL, note: null }),
        refused('invalid_input', /residual risk of HAZ-1 is 5 \(Unacceptable\)/),
      );
      await hazard(deps, i, CAROL, 'update HAZ-1 after:very-low/major');
      const { signoff, reviewItem, reviewItemAdded } = await signOffClinicalSafety(deps, {
        channelId: i.channelId,
        userId: CAROL,
        note: 'Controls verified on ward 3',
      });
      assert.deepEqual(
        [signoff.signedBy, signoff.signedAt, signoff.note],
        [CAROL, at(10), 'Controls verified on ward 3'],
      );
      assert.ok(reviewItemAdded);
      assert.deepEqual(
        [
          reviewItem?.ownerId,
          reviewItem?.category,
          reviewItem?.priority,
          reviewItem?.team,
          reviewItem?.due,
          reviewItem?.text,
        ],
        [
          CAROL,
          'process',
          'high',
          'group:default/clinical-safety',
          '2026-12-08',
          `Review the hazard log after INC-${i.number} (HAZ-1): update the hazards, their controls and ratings in the clinical risk management file`,
        ],
      );
      const entry = (await deps.store.timeline(i.id)).find((e) => e.kind === 'clinical_signoff');
      assert.deepEqual(
        [entry?.actorId, entry?.text, entry?.data],
        [
          CAROL,
          'Clinical safety signed off by <@UCAROL> (clinical safety officer): Controls verified on ward 3',
          { note: 'Controls verified on ward 3', hazards: [{ hazardId: 'HAZ-1', before: 5, after: 2 }] },
        ],
      );
      assert.ok(chat.noticesTo(i.channelId).some((n) => n.kind === 'action-item-added'));
      await assert.rejects(
        signOffClinicalSafety(deps, { channelId: i.channelId, userId: CAROL, note: null }),
        refused('invalid_input', /signed off INC-\d+ already/),
      );
      assert.equal((await deps.store.clinicalRecord(i.id)).signoffs.length, 1);
    });

    test('resolve and close are refused without the sign-off; a reopen voids it, and signing again adds no second review item', async () => {
      const { deps, clock } = setup(env.db());
      const i = await aClinicalIncident(deps);
      await hazard(deps, i, CAROL, 'add HAZ-1 Wrong dose displayed before:high/major after:low/major');
      await assert.rejects(
        resolveIncident(deps, { channelId: i.channelId, userId: BOB, summary: null }),
        refused('clinical_signoff_required', /<@UCAROL>, must sign it off before it is resolved/),
      );
      await signOffClinicalSafety(deps, { channelId: i.channelId, userId: CAROL, note: null });
      assert.equal(
        (await resolveIncident(deps, { channelId: i.channelId, userId: BOB, summary: null })).status,
        'RESOLVED',
      );

      clock.set(at(60));
      await reopenIncident(deps, { channelId: i.channelId, userId: BOB, reason: 'doses wrong again' });
      let record = await deps.store.clinicalRecord(i.id);
      assert.equal(currentSignoff(record), null, 'void on reopen');
      assert.deepEqual(
        [record.signoffs[0]?.voidedAt, record.signoffs[0]?.voidedBy, record.signoffs[0]?.voidReason],
        [at(60), BOB, 'reopened'],
      );
      const voided = (await deps.store.timeline(i.id)).find((e) => e.kind === 'clinical_signoff_voided');
      assert.equal(
        voided?.text,
        'Clinical safety sign-off by <@UCAROL> is void (the incident was reopened): it must be given again',
      );
      await assert.rejects(
        resolveIncident(deps, { channelId: i.channelId, userId: BOB, summary: null }),
        refused('clinical_signoff_required'),
      );
      const again = await signOffClinicalSafety(deps, { channelId: i.channelId, userId: CAROL, note: 'Re-checked' });
      assert.equal(again.reviewItemAdded, false, 'the hazard-log review is made once per incident');
      record = await deps.store.clinicalRecord(i.id);
      assert.equal(record.signoffs[1]?.actionItemId, record.signoffs[0]?.actionItemId);
      assert.equal((await deps.reviews.actionItemsOf(i.id)).length, 1);
      await resolveIncident(deps, { channelId: i.channelId, userId: BOB, summary: null });

      // Resolved and signed off; a hazard changed after it voids the sign-off, and then close is refused.
      clock.set(at(90));
      await hazard(deps, i, CAROL, 'update HAZ-1 after:very-low/major');
      assert.equal(currentSignoff(await deps.store.clinicalRecord(i.id)), null, 'void on a hazard change');
      await assert.rejects(
        closeIncident(deps, { channelId: i.channelId, userId: BOB }),
        refused('clinical_signoff_required', /before it is closed/),
      );
      await signOffClinicalSafety(deps, { channelId: i.channelId, userId: CAROL, note: null });
      assert.equal((await closeIncident(deps, { channelId: i.channelId, userId: BOB })).status, 'CLOSED');
      await assert.rejects(hazard(deps, i, CAROL, 'remove HAZ-1'), refused('invalid_input', /is closed/));
      assert.equal((await deps.reviews.actionItemsOf(i.id)).length, 1, 'still one review item after three sign-offs');
      assert.deepEqual(
        (await kindsOf(deps, i.id)).filter((k) => k.startsWith('clinical_signoff')),
        [
          'clinical_signoff',
          'clinical_signoff_voided',
          'clinical_signoff',
          'clinical_signoff_voided',
          'clinical_signoff',
        ],
      );
    });

    test('clinical impact changed voids the sign-off; a role changing hands does not', async () => {
      const { deps } = setup(env.db());
      const i = await aClinicalIncident(deps);
      await signOffClinicalSafety(deps, { channelId: i.channelId, userId: CAROL, note: null });
      await assignRole(deps, { channelId: i.channelId, userId: BOB, role: 'CLINICAL_SAFETY', assignee: DAVE });
      assert.ok(currentSignoff(await deps.store.clinicalRecord(i.id)), 'it names who gave it');
      await setClinicalImpact(deps, { channelId: i.channelId, userId: BOB, on: false });
      const record = await deps.store.clinicalRecord(i.id);
      assert.equal(currentSignoff(record), null);
      assert.equal(record.signoffs[0]?.voidReason, 'clinical-impact-changed');
    });

    test('the review has the clinical safety section (hazards, ratings, the sign-off and the void ones), and the trail is intact', async () => {
      const { deps, clock } = setup(env.db());
      const i = await aClinicalIncident(deps);
      await hazard(deps, i, CAROL, 'add HAZ-1 Wrong dose | displayed before:high/major after:low/major');
      await hazard(deps, i, CAROL, 'add HAZ-2 Delayed results before:medium/minor');
      await hazard(deps, i, CAROL, 'update HAZ-2 after:low/minor');
      await signOffClinicalSafety(deps, { channelId: i.channelId, userId: CAROL, note: null });
      clock.set(at(30));
      await hazard(deps, i, BOB, 'update HAZ-2 Delayed lab results');
      clock.set(at(40));
      await signOffClinicalSafety(deps, { channelId: i.channelId, userId: CAROL, note: 'All controls in place' });
      const review = await reviewOf(deps, (await deps.store.findById(i.id))!);
      const s = review.clinicalSafety!;
      assert.deepEqual(
        s.hazards.map((h) => [h.hazardId, h.before.rating, h.after?.rating ?? null]),
        [
          ['HAZ-1', 4, 3],
          ['HAZ-2', 2, 1],
        ],
      );
      assert.deepEqual(s.signoff, {
        by: CAROL,
        at: at(40).toISOString(),
        atText: s.signoff?.atText,
        note: 'All controls in place',
      });
      assert.deepEqual(
        s.voided.map((v) => [v.by, v.at, v.reason]),
        [[CAROL, at(10).toISOString(), 'a hazard changed']],
      );
      const md = clinicalSafetyToMarkdown(s);
      assert.match(
        md,
        /^# INC-\d+: Wrong doses shown — Clinical safety\n\n## Clinical safety \(DCB0129 \/ DCB0160\)\n/,
      );
      assert.match(md, /\| HAZ-1 \| Wrong dose \\\| displayed \| High × Major \| 4 \| Low × Major \| 3 \|/);
      assert.match(
        md,
        /- \*\*Sign-off\*\*: signed off by UCAROL at .+ \(2026-11-24T14:40:00\.000Z\) — All controls in place/,
      );
      assert.match(
        md,
        /\*\*Sign-offs made void\*\*\n\n- UCAROL at .+ \(2026-11-24T14:10:00\.000Z\), void at .+ \(2026-11-24T14:30:00\.000Z\): a hazard changed/,
      );
      assert.ok(
        reviewToMarkdown(review).includes(md.slice(md.indexOf('## Clinical safety'))),
        'the whole review holds the section',
      );

      // An incident without clinical impact or hazards has no section.
      const plain = await aClinicalIncident(deps, { declaration: { clinicalImpact: false }, cso: false });
      assert.equal((await reviewOf(deps, plain)).clinicalSafety, undefined);

      const trail = await new PrismaAuditTrail(env.db().prisma).read(i.id);
      assert.deepEqual(trail.problems, []);
      const actions = trail.entries.map((e) => e.action);
      for (const a of [
        'clinical_hazard.insert',
        'clinical_hazard.update',
        'clinical_signoff.insert',
        'clinical_signoff.update',
      ])
        assert.ok(actions.includes(a), a);

      // A sign-off or a rating rewritten behind the trail's back is found.
      const pool = env.db().pool;
      assert.equal(
        await tamper(
          pool,
          "UPDATE clinical_signoff SET signed_by = 'UBOB' WHERE incident_id = $1 AND voided_at IS NULL",
          [i.id],
        ),
        1,
      );
      assert.equal(
        await tamper(
          pool,
          "UPDATE clinical_hazard SET after_likelihood = 'very-low' WHERE incident_id = $1 AND hazard_id = 'HAZ-1'",
          [i.id],
        ),
        1,
      );
      const found = (await new PrismaAuditTrail(env.db().prisma).read(i.id)).differences.map(
        (d) => `${d.table}.${d.column}`,
      );
      assert.deepEqual(found.sort(), ['clinical_hazard.after_likelihood', 'clinical_signoff.signed_by']);
    });

    test('a hazard linked while the officer signs off (after the hazards were read): the sign-off is refused, never given on the risk as it was', async () => {
      const { deps } = setup(env.db());
      const i = await aClinicalIncident(deps);
      await hazard(deps, i, BOB, 'add HAZ-1 Wrong dose displayed before:high/major after:low/major');
      // The commander links an unassessed hazard just after the sign-off read the record.
      let raced = false;
      const store = new Proxy(deps.store, {
        get(target, prop, receiver) {
          if (prop !== 'clinicalRecord') return Reflect.get(target, prop, receiver);
          return async (id: string) => {
            const record = await target.clinicalRecord(id);
            if (!raced) {
              raced = true;
              await hazard(deps, i, BOB, 'add HAZ-2 Results delayed before:medium/considerable');
            }
            return record;
          };
        },
      });
      await assert.rejects(
        signOffClinicalSafety({ ...deps, store }, { channelId: i.channelId, userId: CAROL, note: null }),
        refused('conflict'),
      );
      assert.ok(raced);
      const record = await deps.store.clinicalRecord(i.id);
      assert.equal(currentSignoff(record), null, 'no sign-off over an unassessed hazard');
      assert.deepEqual(
        record.hazards.map((h) => h.hazardId),
        ['HAZ-1', 'HAZ-2'],
      );
      await assert.rejects(
        resolveIncident(deps, { channelId: i.channelId, userId: BOB, summary: null }),
        refused('clinical_signoff_required'),
      );
    });
  });
}
