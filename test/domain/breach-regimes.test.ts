import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { breachObligations, type BreachFacts, parseBreachRegimes } from '../../src/domain/breach-regimes.ts';
import { AppError } from '../../src/domain/errors.ts';

const LONDON = 'Europe/London';
const NEW_YORK = 'America/New_York';
const facts = (over: Partial<BreachFacts> = {}): BreachFacts => ({
  awareAt: new Date('2026-06-10T09:00:00Z'),
  reportable: true,
  highRisk: false,
  peopleAffected: 10,
  mostInOneState: 10,
  ...over,
});
const summary = (regimes: Parameters<typeof parseBreachRegimes>[0], f: BreachFacts, zone = LONDON) =>
  breachObligations(parseBreachRegimes(regimes), f, zone).map(
    (o) => `${o.regime} ${o.kind} ${o.status} ${o.dueDate ?? o.dueAt?.toISOString() ?? 'without undue delay'}`,
  );

describe('breach regimes: who is told, by when', () => {
  test('BREACH_REGIMES: a comma-separated list in any case, each once; anything else names the three', () => {
    assert.deepEqual(parseBreachRegimes(' UK-GDPR, hipaa ,dspt,uk-gdpr'), ['uk-gdpr', 'hipaa', 'dspt']);
    for (const bad of ['gdpr', 'uk-gdpr,hippa', ' , ']) {
      assert.throws(
        () => parseBreachRegimes(bad),
        (e: unknown) => e instanceof AppError && /uk-gdpr, hipaa or dspt/.test(e.userMessage),
        bad,
      );
    }
  });

  test('UK GDPR: the ICO within 72 hours of elapsed time (a clock change inside is not an hour more or less); the people when the risk to them is high', () => {
    // Aware at 09:00 BST on Friday 23 October 2026; the clocks go back on Sunday the 25th.
    const awareAt = new Date('2026-10-23T08:00:00Z');
    assert.deepEqual(summary('uk-gdpr', facts({ awareAt })), ['uk-gdpr regulator required 2026-10-26T08:00:00.000Z']);
    assert.deepEqual(summary('uk-gdpr', facts({ awareAt, highRisk: true })), [
      'uk-gdpr regulator required 2026-10-26T08:00:00.000Z',
      'uk-gdpr individuals required without undue delay',
    ]);
  });

  test('NHS DSPT: reported within 72 hours of awareness', () => {
    assert.deepEqual(summary('dspt', facts()), ['dspt dspt required 2026-06-13T09:00:00.000Z']);
  });

  test('not decided yet: the clocks run, marked pending; assessed not reportable: nobody to tell', () => {
    assert.deepEqual(summary('uk-gdpr,dspt', facts({ reportable: null })), [
      'uk-gdpr regulator pending 2026-06-13T09:00:00.000Z',
      'dspt dspt pending 2026-06-13T09:00:00.000Z',
    ]);
    assert.deepEqual(summary('uk-gdpr,hipaa,dspt', facts({ reportable: false, highRisk: true })), []);
  });

  test('HIPAA, 499 and 500 people: the annual log below 500; HHS and the media at 500 in one state', () => {
    assert.deepEqual(summary('hipaa', facts({ peopleAffected: 499, mostInOneState: 499 })), [
      'hipaa individuals required 2026-08-09',
      'hipaa hhs-annual-log required 2027-03-01',
    ]);
    assert.deepEqual(summary('hipaa', facts({ peopleAffected: 500, mostInOneState: 500 })), [
      'hipaa individuals required 2026-08-09',
      'hipaa hhs required 2026-08-09',
      'hipaa media required 2026-08-09',
    ]);
    // 600 people over two states, 300 in each: HHS within 60 days, no state's media.
    assert.deepEqual(summary('hipaa', facts({ peopleAffected: 600, mostInOneState: 300 })), [
      'hipaa individuals required 2026-08-09',
      'hipaa hhs required 2026-08-09',
    ]);
    // Not known yet: both HHS routes and the media are pending on the count.
    assert.deepEqual(summary('hipaa', facts({ peopleAffected: null, mostInOneState: null })), [
      'hipaa individuals required 2026-08-09',
      'hipaa hhs pending 2026-08-09',
      'hipaa hhs-annual-log pending 2027-03-01',
      'hipaa media pending 2026-08-09',
    ]);
  });

  test('HIPAA, discovered on 31 December: 60 calendar days to 1 March; the annual log is that year’s (29 February in a leap year)', () => {
    const dec31 = facts({ awareAt: new Date('2026-12-31T22:00:00Z'), peopleAffected: 3, mostInOneState: 3 });
    assert.deepEqual(summary('hipaa', dec31, NEW_YORK), [
      'hipaa individuals required 2027-03-01',
      'hipaa hhs-annual-log required 2027-03-01',
    ]);
    const [individuals, log] = breachObligations(['hipaa'], dec31, NEW_YORK);
    // The end of 1 March in New York (EST): 05:00 UTC on 2 March.
    assert.equal(individuals!.dueAt!.toISOString(), '2027-03-02T05:00:00.000Z');
    assert.equal(log!.dueAt!.toISOString(), '2027-03-02T05:00:00.000Z');
    // 02:00 UTC on 1 January 2027 is still 31 December 2026 in New York: that year's log.
    const lateNight = facts({ awareAt: new Date('2027-01-01T02:00:00Z'), peopleAffected: 3, mostInOneState: 3 });
    assert.deepEqual(summary('hipaa', lateNight, NEW_YORK), [
      'hipaa individuals required 2027-03-01',
      'hipaa hhs-annual-log required 2027-03-01',
    ]);
    assert.deepEqual(summary('hipaa', lateNight, LONDON), [
      'hipaa individuals required 2027-03-02',
      'hipaa hhs-annual-log required 2028-02-29',
    ]);
  });

  test('HIPAA across a clock change: the deadline is the end of the local day, whatever the offset', () => {
    // Discovered on 1 February 2026 in New York (EST); 60 days later is 2 April (EDT).
    const [individuals] = breachObligations(['hipaa'], facts({ awareAt: new Date('2026-02-01T15:00:00Z') }), NEW_YORK);
    assert.equal(individuals!.dueDate, '2026-04-02');
    assert.equal(individuals!.dueAt!.toISOString(), '2026-04-03T04:00:00.000Z');
  });

  test('several regimes at once, in the configured order', () => {
    assert.deepEqual(
      breachObligations(parseBreachRegimes('dspt,uk-gdpr'), facts({ highRisk: true }), LONDON).map((o) => o.basis),
      ['NHS DSPT incident reporting', 'UK GDPR Art. 33', 'UK GDPR Art. 34'],
    );
  });
});
