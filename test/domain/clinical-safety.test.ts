import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertCanEditHazards, assertCanSignOffClinicalSafety } from '../../src/domain/access.ts';
import {
  applyHazardUpdate,
  assertClinicalSafetySignedOff,
  assertReadyForSignoff,
  assessmentText,
  currentSignoff,
  EMPTY_CLINICAL_RECORD,
  parseHazardCommand,
  parseSignoffNote,
  ratingChangeText,
  type ClinicalRecord,
  type ClinicalSignoff,
  type HazardLink,
} from '../../src/domain/clinical-safety.ts';
import { parseIncidentCommand } from '../../src/domain/command.ts';
import { AppError } from '../../src/domain/errors.ts';

const words = (s: string) => s.split(' ');
const fails = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (err: unknown) => err instanceof AppError && message.test(err.userMessage));

test('hazard add: the id (upper-cased), the title up to the first rating, before and after', () => {
  assert.deepEqual(parseHazardCommand(words('add haz-012 Wrong dose displayed before:high/major after:Low/major')), {
    op: 'add',
    hazardId: 'HAZ-012',
    title: 'Wrong dose displayed',
    before: { likelihood: 'high', severity: 'major' },
    after: { likelihood: 'low', severity: 'major' },
  });
  assert.deepEqual(parseHazardCommand(words('add H1 T before:very_high/catastrophic')), {
    op: 'add',
    hazardId: 'H1',
    title: 'T',
    before: { likelihood: 'very-high', severity: 'catastrophic' },
    after: null,
  });
});

test('hazard update and remove', () => {
  assert.deepEqual(parseHazardCommand(words('update HAZ-1 after:none')), {
    op: 'update',
    hazardId: 'HAZ-1',
    after: null,
  });
  assert.deepEqual(parseHazardCommand(words('update HAZ-1 New title before:low/minor')), {
    op: 'update',
    hazardId: 'HAZ-1',
    title: 'New title',
    before: { likelihood: 'low', severity: 'minor' },
  });
  assert.deepEqual(parseHazardCommand(words('remove HAZ-1')), { op: 'remove', hazardId: 'HAZ-1' });
});

test('hazard commands refused with the allowed words', () => {
  fails(() => parseHazardCommand([]), /Use `\/incident hazard add/);
  fails(() => parseHazardCommand(words('link HAZ-1')), /`link` is not a hazard command/);
  fails(() => parseHazardCommand(words('add')), /Name the hazard-log entry/);
  fails(
    () => parseHazardCommand(words('add 1HAZ T before:low/minor')),
    /not a hazard id: use letters, digits and dashes/,
  );
  fails(() => parseHazardCommand(words(`add H${'x'.repeat(40)} T before:low/minor`)), /not a hazard id/);
  fails(() => parseHazardCommand(words('add HAZ_1 T before:low/minor')), /not a hazard id/);
  fails(
    () => parseHazardCommand(words('add HAZ-1 Title')),
    /Give the risk before: .*very-low, low, medium, high, very-high/,
  );
  fails(() => parseHazardCommand(words('add HAZ-1 before:low/minor')), /Give the hazard its title/);
  fails(
    () => parseHazardCommand(words('add HAZ-1 T before:likely/minor')),
    /`likely` is not a likelihood: use very low, low, medium, high or very high/,
  );
  fails(
    () => parseHazardCommand(words('add HAZ-1 T before:low/bad')),
    /`bad` is not a severity: use minor, significant, considerable, major or catastrophic/,
  );
  fails(
    () => parseHazardCommand(words('add HAZ-1 T before:low')),
    /Write before: as `before:<likelihood>\/<severity>`/,
  );
  fails(() => parseHazardCommand(words('add HAZ-1 T before:low/minor before:low/minor')), /Give before: once/);
  fails(() => parseHazardCommand(words('add HAZ-1 T before:low/minor more words')), /comes after the ratings/);
  fails(() => parseHazardCommand(words(`add HAZ-1 ${'t'.repeat(201)} before:low/minor`)), /at most 200 characters/);
  fails(() => parseHazardCommand(words('update HAZ-1')), /Say what changes/);
  fails(() => parseHazardCommand(words('remove HAZ-1 extra')), /takes only the hazard id/);
});

test('/incident hazard and /incident clinical signoff parse; a long note is refused', () => {
  assert.deepEqual(parseIncidentCommand('hazard remove HAZ-3'), {
    kind: 'hazard',
    command: { op: 'remove', hazardId: 'HAZ-3' },
  });
  assert.deepEqual(parseIncidentCommand('clinical signoff  Controls verified\non ward 3 '), {
    kind: 'clinical-signoff',
    note: 'Controls verified\non ward 3',
  });
  assert.deepEqual(parseIncidentCommand('clinical sign-off'), { kind: 'clinical-signoff', note: null });
  assert.deepEqual(parseIncidentCommand('clinical on'), { kind: 'clinical', on: true });
  fails(() => parseIncidentCommand('clinical maybe'), /`\/incident clinical <on\|off\|signoff \[note\]>`/);
  fails(() => parseSignoffNote('n'.repeat(1001)), /at most 1000 characters/);
});

const link = (over: Partial<HazardLink> = {}): HazardLink => ({
  hazardId: 'HAZ-1',
  title: 'Wrong dose',
  before: { likelihood: 'high', severity: 'major' },
  after: { likelihood: 'low', severity: 'major' },
  linkedBy: 'UA',
  linkedAt: new Date(0),
  updatedBy: 'UA',
  updatedAt: new Date(0),
  ...over,
});
const signoff = (over: Partial<ClinicalSignoff> = {}): ClinicalSignoff => ({
  id: 's1',
  signedBy: 'UCSO',
  signedAt: new Date(0),
  note: null,
  actionItemId: null,
  voidedAt: null,
  voidedBy: null,
  voidReason: null,
  ...over,
});

test('ratings read from the matrix; the current sign-off is the last one unless void', () => {
  assert.equal(assessmentText({ likelihood: 'very-high', severity: 'catastrophic' }), 'Very high × Catastrophic = 5');
  assert.equal(ratingChangeText(link()), '4 → 3');
  assert.equal(ratingChangeText(link({ after: null })), '4 → not assessed');
  assert.equal(currentSignoff(EMPTY_CLINICAL_RECORD), null);
  assert.equal(currentSignoff({ hazards: [], signoffs: [signoff()] })?.id, 's1');
  const voided = signoff({ voidedAt: new Date(1), voidReason: 'reopened' });
  assert.equal(currentSignoff({ hazards: [], signoffs: [voided] }), null);
  assert.equal(currentSignoff({ hazards: [], signoffs: [voided, signoff({ id: 's2' })] })?.id, 's2');
  const updated = applyHazardUpdate(link(), { op: 'update', hazardId: 'HAZ-1', after: null }, 'UB', new Date(5));
  assert.deepEqual(
    [updated.title, updated.after, updated.updatedBy, updated.linkedBy],
    ['Wrong dose', null, 'UB', 'UA'],
  );
});

test('ready for sign-off: every residual risk assessed and none unacceptable', () => {
  const record = (...hazards: HazardLink[]): ClinicalRecord => ({ hazards, signoffs: [] });
  assertReadyForSignoff(record());
  assertReadyForSignoff(record(link()));
  fails(
    () => assertReadyForSignoff(record(link(), link({ hazardId: 'HAZ-2', after: null }))),
    /Assess the residual risk of HAZ-2 first/,
  );
  fails(
    () => assertReadyForSignoff(record(link({ after: { likelihood: 'high', severity: 'catastrophic' } }))),
    /HAZ-1 is 5 \(Unacceptable\)/,
  );
});

test('resolve and close of a clinical-impact incident need its officer and their sign-off in force', () => {
  const roles = { COMMANDER: 'UBOB', CLINICAL_SAFETY: 'UCSO' };
  assertClinicalSafetySignedOff({ clinicalImpact: false, roles: {} }, EMPTY_CLINICAL_RECORD, 'resolved');
  fails(
    () =>
      assertClinicalSafetySignedOff(
        { clinicalImpact: true, roles: { COMMANDER: 'UBOB' } },
        EMPTY_CLINICAL_RECORD,
        'resolved',
      ),
    /a clinical safety officer must be assigned and sign it off before it is resolved/,
  );
  fails(
    () => assertClinicalSafetySignedOff({ clinicalImpact: true, roles }, EMPTY_CLINICAL_RECORD, 'closed'),
    /<@UCSO>, must sign it off before it is closed, with `\/incident clinical signoff \[note\]`/,
  );
  fails(
    () =>
      assertClinicalSafetySignedOff(
        { clinicalImpact: true, roles },
        { hazards: [], signoffs: [signoff({ voidedAt: new Date(1) })] },
        'closed',
      ),
    /must sign it off/,
  );
  assertClinicalSafetySignedOff({ clinicalImpact: true, roles }, { hazards: [], signoffs: [signoff()] }, 'closed');
});

test('access: only the role holder signs off (the commander too is refused); hazards are the commander’s and the officer’s', () => {
  const i = { roles: { COMMANDER: 'UBOB', CLINICAL_SAFETY: 'UCSO' }, declaredBy: 'UALICE' };
  assertCanSignOffClinicalSafety(i, 'UCSO');
  for (const u of ['UBOB', 'UALICE', 'UEVE'])
    fails(() => assertCanSignOffClinicalSafety(i, u), /Only the clinical safety officer, <@UCSO>, can sign off/);
  fails(
    () => assertCanSignOffClinicalSafety({ roles: { COMMANDER: 'UBOB' } }, 'UBOB'),
    /Nobody holds the clinical safety officer role/,
  );
  assertCanSignOffClinicalSafety({ roles: { COMMANDER: 'UBOB', CLINICAL_SAFETY: 'UBOB' } }, 'UBOB');
  assertCanEditHazards(i, 'UBOB');
  assertCanEditHazards(i, 'UCSO');
  fails(
    () => assertCanEditHazards(i, 'UALICE'),
    /Only the commander and the clinical safety officer \(<@UBOB>, <@UCSO>\)/,
  );
  assertCanEditHazards({ roles: {}, declaredBy: 'UALICE' }, 'UALICE');
});
