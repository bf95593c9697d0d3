// The breach obligations as a team works them: the assessment's schema and high risk, which
// obligation `/incident breach notified [word]` names, the reminder points (72 hours, 60 days,
// across a clock change) and which reminder is due.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { breachAssessmentSchema, isHighRisk } from '../../src/domain/breach-assessment.ts';
import {
  dueObligationReminders,
  obligationsNamed,
  reminderPoints,
  type ObligationNotice,
} from '../../src/domain/breach-obligations.ts';
import { breachObligations, type BreachFacts } from '../../src/domain/breach-regimes.ts';
import { AppError } from '../../src/domain/errors.ts';

const TZ = 'Europe/London';
const HOUR = 3_600_000;
const facts = (over: Partial<BreachFacts> = {}): BreachFacts => ({
  awareAt: new Date('2027-02-20T10:00:00Z'),
  reportable: true,
  highRisk: false,
  peopleAffected: 40,
  mostInOneState: 40,
  ...over,
});
const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError);
    return err.userMessage;
  }
  assert.fail('no error');
};

describe('breach assessment', () => {
  const valid = {
    categories: ['identity', 'health'],
    peopleAffected: 12,
    peopleEstimated: false,
    likelihood: 'possible',
    severity: 'significant',
    contained: true,
    containment: '  Recalled  ',
    reportable: false,
    reason: 'Encrypted',
  };
  test('the schema: categories in a fixed order, text trimmed, a decision needs its reason, numbers checked', () => {
    const a = breachAssessmentSchema.parse(valid);
    assert.deepEqual(a.categories, ['health', 'identity']);
    assert.equal(a.containment, 'Recalled');
    assert.equal(a.mostInOneState, null);
    const issues = (v: object) =>
      breachAssessmentSchema.safeParse({ ...valid, ...v }).error?.issues.map((i) => [i.path.join('.'), i.message]);
    assert.deepEqual(issues({ reason: ' ' }), [
      ['reason', 'Give the reason the breach is not reportable: the regulator expects it recorded.'],
    ]);
    assert.deepEqual(issues({ reportable: null, reason: '' }), undefined, 'undecided needs no reason');
    assert.deepEqual(issues({ categories: [] }), [['categories', 'Pick at least one kind of personal data.']]);
    assert.deepEqual(issues({ peopleAffected: 1.5 }), [
      ['peopleAffected', 'The number of people must be a whole number.'],
    ]);
    assert.deepEqual(issues({ mostInOneState: 13 }), [
      ['mostInOneState', 'More people in one state than affected in all: check the numbers.'],
    ]);
  });

  test('high risk, every likelihood × severity, with and without special category data', () => {
    // [likelihood, severity, ordinary data, special category data]
    const table: [string, string, boolean, boolean][] = [
      ['remote', 'minimal', false, false],
      ['remote', 'significant', false, false],
      ['remote', 'severe', false, false],
      ['possible', 'minimal', false, false],
      ['possible', 'significant', false, true],
      ['possible', 'severe', true, true],
      ['likely', 'minimal', false, false],
      ['likely', 'significant', true, true],
      ['likely', 'severe', true, true],
    ];
    for (const [likelihood, severity, ordinary, special] of table) {
      const a = { likelihood, severity } as Parameters<typeof isHighRisk>[0];
      assert.equal(isHighRisk({ ...a, categories: ['contact'] }), ordinary, `${likelihood}/${severity}`);
      assert.equal(
        isHighRisk({ ...a, categories: ['contact', 'health'] }),
        special,
        `${likelihood}/${severity} health`,
      );
    }
  });
});

describe('breach notified: which obligation a word names', () => {
  const all = ['uk-gdpr', 'hipaa', 'dspt'] as const;
  test('no word: the first regime’s regulator', () => {
    const named = (regimes: readonly (typeof all)[number][], f = facts()) =>
      obligationsNamed(null, regimes, breachObligations(regimes, f, TZ), f).map((o) => `${o.regime}:${o.kind}`);
    assert.deepEqual(named(all), ['uk-gdpr:regulator']);
    assert.deepEqual(named(['dspt', 'hipaa']), ['dspt:dspt']);
    assert.deepEqual(named(['hipaa']), ['hipaa:hhs-annual-log']);
    assert.deepEqual(named(['hipaa'], facts({ peopleAffected: 500 })), ['hipaa:hhs']);
    assert.match(
      message(() => named(['hipaa'], facts({ peopleAffected: null }))),
      /Name the notification/,
    );
  });
  test('individuals under every regime that asks; one the breach does not have is refused with those it has', () => {
    const f = facts({ highRisk: true });
    const current = breachObligations(all, f, TZ);
    assert.deepEqual(
      obligationsNamed('individuals', all, current, f).map((o) => o.regime),
      ['uk-gdpr', 'hipaa'],
    );
    assert.match(
      message(() => obligationsNamed('hhs', all, current, f)),
      /no `hhs` notification.*`hhs-log`/,
    );
    assert.match(
      message(() => obligationsNamed('ico', all, [], facts({ reportable: false }))),
      /assessed as not reportable/,
    );
  });
});

describe('breach reminders per obligation', () => {
  test('72-hour obligations: 24, 48, 66 hours and the deadline, in elapsed time', () => {
    const f = facts({ awareAt: new Date('2027-03-27T12:00:00Z') }); // the clocks go forward on the 28th
    const dspt = breachObligations(['dspt'], f, TZ)[0]!;
    assert.deepEqual(
      reminderPoints(dspt, f.awareAt, TZ).map((p) => [p.index, p.at.toISOString(), p.overdue]),
      [
        [1, '2027-03-28T12:00:00.000Z', false],
        [2, '2027-03-29T12:00:00.000Z', false],
        [3, '2027-03-30T06:00:00.000Z', false],
        [4, '2027-03-30T12:00:00.000Z', true],
      ],
    );
  });

  test('60-day obligations: local midnights 14 and 3 days before the last day, and overdue, across the clock change', () => {
    // Discovered 20 February (GMT): the 60th day is 21 April, in summer time (BST, UTC+1).
    const f = facts();
    const individuals = breachObligations(['hipaa'], f, TZ).find((o) => o.kind === 'individuals')!;
    assert.equal(individuals.dueDate, '2027-04-21');
    assert.equal(individuals.dueAt?.toISOString(), '2027-04-21T23:00:00.000Z');
    assert.deepEqual(
      reminderPoints(individuals, f.awareAt, TZ).map((p) => [p.at.toISOString(), p.overdue]),
      [
        ['2027-04-07T23:00:00.000Z', false], // 00:00 BST on 8 April: 14 days before the end of the 21st
        ['2027-04-18T23:00:00.000Z', false], // 00:00 BST on 19 April
        ['2027-04-21T23:00:00.000Z', true],
      ],
    );
    // Discovered 20 September (BST): the 60th day, 19 November, is in winter time.
    const autumn = facts({ awareAt: new Date('2027-09-20T10:00:00Z') });
    const o = breachObligations(['hipaa'], autumn, TZ).find((x) => x.kind === 'individuals')!;
    assert.equal(o.dueDate, '2027-11-19');
    assert.deepEqual(
      reminderPoints(o, autumn.awareAt, TZ).map((p) => p.at.toISOString()),
      ['2027-11-06T00:00:00.000Z', '2027-11-17T00:00:00.000Z', '2027-11-20T00:00:00.000Z'],
    );
  });

  test('due: the latest point passed and not sent, not the ICO’s (its own clock), none once notified', () => {
    const f = facts({ awareAt: new Date('2027-02-20T10:00:00Z') });
    const obligations = breachObligations(['uk-gdpr', 'hipaa', 'dspt'], f, TZ);
    const due = (now: Date, notices: ObligationNotice[] = []) =>
      dueObligationReminders(obligations, notices, f.awareAt, TZ, now).map(
        (d) => `${d.obligation.regime}:${d.obligation.kind}:${d.point.index}`,
      );
    assert.deepEqual(due(new Date(f.awareAt.getTime() + 23 * HOUR)), []);
    assert.deepEqual(due(new Date(f.awareAt.getTime() + 67 * HOUR)), ['dspt:dspt:3'], 'only the latest: 66 h');
    const row = (o: Partial<ObligationNotice>): ObligationNotice => ({
      regime: 'dspt',
      kind: 'dspt',
      awareAt: f.awareAt,
      remindedPoint: 3,
      notifiedAt: null,
      notifiedBy: null,
      reference: null,
      ...o,
    });
    assert.deepEqual(due(new Date(f.awareAt.getTime() + 67 * HOUR), [row({})]), [], 'sent');
    assert.deepEqual(
      due(new Date(f.awareAt.getTime() + 67 * HOUR), [row({ awareAt: new Date(0) })]),
      ['dspt:dspt:3'],
      'a row of an earlier awareness time does not count',
    );
    assert.deepEqual(
      due(new Date(f.awareAt.getTime() + 80 * HOUR), [row({ notifiedAt: f.awareAt, notifiedBy: 'UDPO' })]),
      [],
      'notified',
    );
    assert.deepEqual(due(new Date('2027-04-08T00:30:00+01:00')).sort(), ['dspt:dspt:4', 'hipaa:individuals:1']);
  });
});
