import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClinicalRecord, ClinicalSafetySection } from '../../src/domain/clinical-safety.ts';
import { clinicalFlags } from '../../src/slack/views/incident-summary.ts';
import { clinicalSafetyText } from '../../src/slack/views/review-message.ts';

const at = new Date('2026-11-24T14:00:00Z');
const hazard = (n: number, after = true) => ({
  hazardId: `HAZ-${n}`,
  title: `Title *${n}* <!here>`,
  before: { likelihood: 'high' as const, severity: 'major' as const },
  after: after ? { likelihood: 'low' as const, severity: 'major' as const } : null,
  linkedBy: 'UA',
  linkedAt: at,
  updatedBy: 'UA',
  updatedAt: at,
});

test('the summary lists a clinical-impact incident’s hazards (five, the rest counted) and whether it is signed off', () => {
  assert.deepEqual(clinicalFlags({}), []);
  const record: ClinicalRecord = { hazards: [hazard(1), hazard(2, false)], signoffs: [] };
  const lines = clinicalFlags({ clinical: record });
  assert.equal(lines[0], ':clipboard: Hazard *HAZ-1* Title *1* &lt;!here&gt;: risk 4 → 3');
  assert.equal(lines[1], ':clipboard: Hazard *HAZ-2* Title *2* &lt;!here&gt;: risk 4 → not assessed');
  assert.match(
    lines[2]!,
    /Clinical safety sign-off required\* before resolving: `\/incident clinical signoff \[note\]`/,
  );
  const signed = clinicalFlags({
    clinical: {
      hazards: Array.from({ length: 7 }, (_, n) => hazard(n)),
      signoffs: [
        {
          id: 's',
          signedBy: 'UCSO',
          signedAt: at,
          note: null,
          actionItemId: null,
          voidedAt: null,
          voidedBy: null,
          voidReason: null,
        },
      ],
    },
  });
  assert.deepEqual(signed.slice(5), [
    '… and 2 more hazards',
    ':white_check_mark: Clinical safety signed off by <@UCSO>',
  ]);
});

test('the posted review’s clinical safety section: ratings before and after, the sign-off, void ones counted', () => {
  const rating = (likelihood: string, severity: string, r: 1 | 2 | 3 | 4 | 5) => ({
    likelihood,
    severity,
    rating: r,
    meaning: '',
  });
  const s: ClinicalSafetySection = {
    ref: 'INC-4',
    title: 'T',
    clinicalImpact: true,
    clinicalSafetyOfficer: 'UCSO',
    hazards: [
      { hazardId: 'HAZ-1', title: 'Wrong dose', before: rating('High', 'Major', 4), after: rating('Low', 'Major', 3) },
      { hazardId: 'HAZ-2', title: 'Late', before: rating('Low', 'Minor', 1), after: null },
    ],
    signoff: { by: 'UCSO', at: at.toISOString(), atText: 'Tue 24 Nov 14:00 GMT', note: 'ok' },
    voided: [{ by: 'UCSO', at: '', atText: '', voidedAt: '', voidedText: '', reason: 'the incident was reopened' }],
  };
  assert.equal(
    clinicalSafetyText(s),
    [
      '*Clinical safety (DCB0129 / DCB0160)*',
      '*Clinical safety officer:* <@UCSO>',
      '• *HAZ-1* Wrong dose: High × Major = *4* → Low × Major = *3*',
      '• *HAZ-2* Late: Low × Minor = *1* → _not assessed_',
      ':white_check_mark: *Signed off* by <@UCSO> at Tue 24 Nov 14:00 GMT: ok',
      '_1 earlier sign-off made void (reopened or changed since)_',
    ].join('\n'),
  );
  assert.match(
    clinicalSafetyText({ ...s, signoff: null }),
    /:warning: \*Not signed off\* by the clinical safety officer/,
  );
});
