// The summary's breach lines (pure): the ICO's clock kept as it was with UK GDPR, gone without it or
// once assessed not reportable; a line per other obligation; and the ICO's reminders off without
// UK GDPR.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RecordedBreachAssessment } from '../../src/domain/breach-assessment.ts';
import type { BreachRegime } from '../../src/domain/breach-regimes.ts';
import { dueReminders, nextReminderAt } from '../../src/domain/reminders.ts';
import { incidentSummary } from '../../src/slack/views/incident-summary.ts';
import { anIncident } from '../support/fixtures.ts';

const awareAt = new Date('2026-11-24T09:00:00Z');
const now = new Date('2026-11-24T10:00:00Z');
const breach = anIncident({ dataBreach: true, breachAwareAt: awareAt, channelId: 'C1', summaryTs: '1.1' });
const assessed = (reportable: boolean | null): RecordedBreachAssessment => ({
  categories: ['health'],
  peopleAffected: 600,
  peopleEstimated: false,
  mostInOneState: 120,
  likelihood: 'likely',
  severity: 'severe',
  contained: true,
  containment: '',
  reportable,
  reason: reportable === null ? '' : 'because',
  assessedBy: 'UDPO',
  assessedAt: now,
});
const text = (regimes: BreachRegime[], a: RecordedBreachAssessment | null, i = breach) =>
  JSON.stringify(
    incidentSummary(i, 'Europe/London', now, {
      service: null,
      changes: [],
      breach: { regimes, assessment: a, notices: [] },
    }).blocks,
  );

describe('breach summary lines', () => {
  test('without context (an older caller) the ICO line is as before, nothing more', () => {
    const s = JSON.stringify(incidentSummary(breach, 'Europe/London', now).blocks);
    assert.match(s, /regulator notification due \*Fri 27 Nov 09:00 GMT\* \(in 71 h\)/);
    assert.doesNotMatch(s, /Breach assessment/);
  });
  test('UK GDPR and HIPAA, 600 people in all, at most 120 in one state: HHS at once, no media; the people told (high risk)', () => {
    const s = text(['uk-gdpr', 'hipaa'], assessed(true));
    assert.match(s, /regulator notification due/);
    assert.match(s, /\*UK GDPR\* · the people affected: without undue delay · required/);
    assert.match(s, /\*HIPAA\* · HHS \(the Secretary\): due by the end of 2027-01-23 \(in 60 days\) · required/);
    assert.doesNotMatch(s, /prominent media|annual breach log/);
  });
  test('not decided: pending; not assessed: the prompt to assess', () => {
    assert.match(
      text(['dspt'], assessed(null)),
      /\*NHS DSPT\* · NHS England \(through the DSPT\): due by .* \(in 71 h\) · pending the assessment/,
    );
    assert.match(text(['dspt'], null), /\*Breach assessment\*: not recorded yet · `\/incident breach assess`/);
  });
  test('without UK GDPR, or assessed not reportable, no ICO line', () => {
    assert.doesNotMatch(text(['hipaa'], null), /regulator notification due/);
    const s = text(['uk-gdpr', 'dspt'], assessed(false));
    assert.doesNotMatch(s, /regulator notification due|NHS DSPT/);
    assert.match(s, /\*not reportable\* · reason: because/);
  });
  test('the ICO’s reminders are off without UK GDPR, and stop once assessed not reportable', () => {
    const later = new Date(awareAt.getTime() + 25 * 3_600_000);
    const cadence = { updateMinutes: { SEV1: null, SEV2: null, SEV3: null, SEV4: null }, commanderMinutes: null };
    assert.deepEqual(
      dueReminders(breach, later, cadence).map((r) => r.kind),
      ['breach-reminder'],
    );
    assert.deepEqual(dueReminders(breach, later, { ...cadence, icoClock: false }), []);
    assert.equal(nextReminderAt(breach, now, { ...cadence, icoClock: false }), null);
    assert.deepEqual(dueReminders({ ...breach, breachReportable: false }, later, cadence), []);
  });
});
