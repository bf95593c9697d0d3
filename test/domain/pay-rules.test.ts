import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { AppError } from '../../src/domain/errors.ts';
import {
  formatMinor,
  holidayDates,
  holidayRegion,
  parsePayRules,
  payRulesFor,
  roundMinor,
} from '../../src/domain/pay-rules.ts';

const FULL = `
currency: GBP
rounding: nearest-penny
region: england-and-wales
companyHolidays: [2027-12-24, 2027-12-31]
defaults:
  standby:
    per: shift
    minimumHours: 12
    weekday: 25.00
    weekend: 40
    publicHoliday: "60.50"
  callout:
    per: page
    amount: 30.00
  timeOffInLieu:
    hoursPerInterruptedNight: 2
teams:
  Platform:
    standby: { per: hour, weekday: 1.50, weekend: 2.5, publicHoliday: 3 }
schedules:
  Pharmacy primary:
    callout: { per: incident, amount: 50, minimumMinutes: 15 }
`;

/** The one line a bad file gives. */
function errorOf(text: string): string {
  try {
    parsePayRules(text);
  } catch (e) {
    assert.ok(e instanceof AppError, `an AppError, not ${String(e)}`);
    assert.doesNotMatch(e.userMessage, /\n/, 'one line');
    return e.userMessage;
  }
  assert.fail('the file was accepted');
}

const base = 'currency: GBP\nregion: england-and-wales\n';

describe('parsePayRules', () => {
  test('reads the full example: amounts in minor units, names matched without case', () => {
    const rules = parsePayRules(FULL);
    assert.equal(rules.currency, 'GBP');
    assert.equal(rules.minorDigits, 2);
    assert.equal(rules.rounding, 'nearest-penny');
    assert.deepEqual(rules.region, { country: 'GB', state: 'ENG', name: 'england-and-wales' });
    assert.deepEqual(rules.companyHolidays, ['2027-12-24', '2027-12-31']);
    assert.deepEqual(rules.defaults, {
      standby: { per: 'shift', minimumHours: 12, rates: { weekday: 2500, weekend: 4000, publicHoliday: 6050 } },
      callout: { per: 'page', amount: 3000 },
      timeOffInLieu: { hoursPerInterruptedNight: 2 },
    });
    assert.deepEqual(rules.teams.get('platform')?.standby, {
      per: 'hour',
      rates: { weekday: 150, weekend: 250, publicHoliday: 300 },
    });
    assert.deepEqual(rules.schedules.get('pharmacy primary')?.callout, {
      per: 'incident',
      amount: 5000,
      minimumMinutes: 15,
    });
  });

  test('an override replaces whole sections; a schedule wins over a team; unknown names get the defaults', () => {
    const rules = parsePayRules(FULL);
    const platform = payRulesFor(rules, { team: 'PLATFORM ' });
    assert.equal(platform.standby?.per, 'hour');
    assert.deepEqual(platform.callout, rules.defaults.callout);
    assert.deepEqual(platform.timeOffInLieu, { hoursPerInterruptedNight: 2 });
    const both = payRulesFor(rules, { schedule: 'pharmacy PRIMARY', team: 'Platform' });
    assert.equal(both.callout?.per, 'incident');
    assert.equal(both.standby?.per, 'shift', 'the schedule gave no standby: the defaults, not the team');
    assert.equal(payRulesFor(rules, { team: 'Nobody' }), rules.defaults);
  });

  test('defaults: nearest-penny, a 12-hour shift, no company holidays, sections paying nothing', () => {
    const rules = parsePayRules(
      `${base}defaults:\n  standby: { per: shift, weekday: 1, weekend: 2, publicHoliday: 3 }\n`,
    );
    assert.equal(rules.rounding, 'nearest-penny');
    assert.equal(rules.defaults.standby?.per === 'shift' && rules.defaults.standby.minimumHours, 12);
    assert.deepEqual(rules.companyHolidays, []);
    assert.equal(rules.defaults.callout, null);
    assert.equal(rules.defaults.timeOffInLieu, null);
  });

  test('a currency without minor units (JPY) refuses decimals, takes whole amounts', () => {
    const rules = parsePayRules('currency: jpy\nregion: JP\ndefaults:\n  callout: { per: page, amount: 5000 }\n');
    assert.equal(rules.currency, 'JPY');
    assert.equal(rules.minorDigits, 0);
    assert.deepEqual(rules.defaults.callout, { per: 'page', amount: 5000 });
    assert.equal(
      errorOf('currency: JPY\nregion: JP\ndefaults:\n  callout: { per: page, amount: 12.5 }\n'),
      'ONCALL_PAY_RULES: defaults.callout.amount has more decimals than JPY has (0): write e.g. 2.',
    );
  });

  test('a bad file is one line naming the place in the file and what is wrong', () => {
    const cases: [string, string][] = [
      [
        `${base}teams:\n  platform:\n    standby: { per: shift, weekday: -1, weekend: 2, publicHoliday: 3 }\n`,
        'teams.platform.standby.weekday must be a non-negative amount, e.g. 25.00',
      ],
      [
        `${base}teams:\n  platform:\n    standby: { per: hour, weekday: ten, weekend: 2, publicHoliday: 3 }\n`,
        'teams.platform.standby.weekday must be a non-negative amount, e.g. 25.00',
      ],
      [
        `${base}teams:\n  platform:\n    standby: { per: hour, weekend: 2, publicHoliday: 3 }\n`,
        'teams.platform.standby.weekday is missing',
      ],
      [
        `${base}defaults:\n  standby: { per: day, weekday: 1, weekend: 2, publicHoliday: 3 }\n`,
        'defaults.standby.per must say `per: shift` or `per: hour`',
      ],
      [
        `${base}defaults:\n  standby: { per: shift, minimumHours: 25, weekday: 1, weekend: 2, publicHoliday: 3 }\n`,
        'defaults.standby.minimumHours must be at most 24 hours',
      ],
      [
        `${base}defaults:\n  standby: { per: hour, weekday: 1.555, weekend: 2, publicHoliday: 3 }\n`,
        'defaults.standby.weekday has more decimals than GBP has (2): write e.g. 1.50',
      ],
      [
        `${base}defaults:\n  callout: { per: incident, amount: 10, minimumMinutes: 7.5 }\n`,
        'defaults.callout.minimumMinutes must be a whole number of minutes',
      ],
      [
        `${base}defaults:\n  timeOffInLieu: { hoursPerInterruptedNight: -2 }\n`,
        'defaults.timeOffInLieu.hoursPerInterruptedNight must be a non-negative number of hours',
      ],
      [
        `${base}defaults:\n  standby: { per: hour, weekday: 1, weekend: 2, publicHoliday: 3, bankHoliday: 4 }\n`,
        'defaults.standby.bankHoliday is not a setting of the pay rules: see docs/on-call-allowances.md',
      ],
      [`${base}companyHolidays: [2027-02-30]\n`, 'companyHolidays[0] must be a date written YYYY-MM-DD'],
      [`${base}rounding: up\n`, 'rounding must be one of nearest-penny, up-to-penny, nearest-pound'],
      ['region: scotland\n', 'currency is missing'],
      ['currency: XYZ\nregion: scotland\n', 'currency `XYZ` is not an ISO 4217 currency code, e.g. GBP'],
      [
        'currency: GBP\nregion: narnia\n',
        'region `narnia` is not a region: use england-and-wales, scotland, northern-ireland or a country code with an optional state, e.g. FR or US-CA',
      ],
      [
        `${base}teams:\n  Platform: {}\n  platform: {}\n`,
        'teams.platform is given twice (names are matched without regard to case)',
      ],
      ['', 'the file must be a mapping with currency, region and the rules'],
      ['- GBP\n', 'the file must be a mapping with currency, region and the rules'],
    ];
    for (const [text, line] of cases) assert.equal(errorOf(text), `ONCALL_PAY_RULES: ${line}.`, text);
  });

  test('time off in lieu is a number of hours a night can earn: not infinite, not more than a day', () => {
    const cases: [string, string][] = [
      [
        `${base}defaults:\n  timeOffInLieu: { hoursPerInterruptedNight: 1e308 }\n`,
        'defaults.timeOffInLieu.hoursPerInterruptedNight must be at most 24 hours',
      ],
      [
        `${base}teams:\n  platform:\n    timeOffInLieu: { hoursPerInterruptedNight: 25 }\n`,
        'teams.platform.timeOffInLieu.hoursPerInterruptedNight must be at most 24 hours',
      ],
    ];
    for (const [text, line] of cases) assert.equal(errorOf(text), `ONCALL_PAY_RULES: ${line}.`, text);
    assert.doesNotThrow(() => parsePayRules(`${base}defaults:\n  timeOffInLieu: { hoursPerInterruptedNight: 24 }\n`));
  });

  test('YAML that does not parse says where', () => {
    assert.match(errorOf('currency: GBP\ncurrency: EUR\n'), /^ONCALL_PAY_RULES: the file is not valid YAML: .*line 2/);
    assert.match(errorOf('currency: GBP\n  region: : x\n'), /^ONCALL_PAY_RULES: the file is not valid YAML: .*line/);
  });
});

describe('regions and holidays', () => {
  test('the UK nations by name, a country, a country with a state; nonsense is null', () => {
    assert.deepEqual(holidayRegion('Scotland'), { country: 'GB', state: 'SCT', name: 'scotland' });
    assert.deepEqual(holidayRegion('northern-ireland'), { country: 'GB', state: 'NIR', name: 'northern-ireland' });
    assert.deepEqual(holidayRegion('fr'), { country: 'FR', state: null, name: 'FR' });
    assert.deepEqual(holidayRegion('US-CA'), { country: 'US', state: 'CA', name: 'US-CA' });
    assert.equal(holidayRegion('XX'), null);
    assert.equal(holidayRegion('US-ZZ'), null);
    assert.equal(holidayRegion('england'), null);
  });

  test('Christmas 2027 falls on a Saturday: the 27th and 28th are the substitute days; company days added', () => {
    const days = holidayDates({ region: holidayRegion('england-and-wales')!, companyHolidays: ['2027-12-24'] }, [2027]);
    for (const d of ['2027-12-24', '2027-12-25', '2027-12-26', '2027-12-27', '2027-12-28', '2027-01-01']) {
      assert.ok(days.has(d), d);
    }
    assert.ok(!days.has('2027-12-29'));
  });

  test('only public holidays count, per region: St Andrew’s Day in Scotland, St Patrick’s in Northern Ireland', () => {
    const scotland = holidayDates({ region: holidayRegion('scotland')!, companyHolidays: [] }, [2026]);
    const england = holidayDates({ region: holidayRegion('england-and-wales')!, companyHolidays: [] }, [2026]);
    const ni = holidayDates({ region: holidayRegion('northern-ireland')!, companyHolidays: [] }, [2026]);
    assert.ok(scotland.has('2026-11-30'), 'St Andrew’s Day');
    assert.ok(!england.has('2026-11-30'));
    assert.ok(scotland.has('2026-01-02'), '2 January');
    assert.ok(ni.has('2026-03-17'), 'St Patrick’s Day');
    assert.ok(!england.has('2026-03-17'));
  });
});

describe('money', () => {
  test('rounding in integer minor units: half up to the penny, up to the penny, to the pound', () => {
    // 1.50 an hour for 20 minutes = 50p exactly; for 10 minutes 25p; for 1 minute 2.5p.
    const H = 3_600_000;
    assert.equal(roundMinor(150 * 60_000, H, 'nearest-penny', 2), 3); // 2.5p → 3p
    assert.equal(roundMinor(150 * 60_000, H, 'up-to-penny', 2), 3);
    assert.equal(roundMinor(149 * 60_000, H, 'nearest-penny', 2), 2); // 2.48p → 2p
    assert.equal(roundMinor(149 * 60_000, H, 'up-to-penny', 2), 3);
    assert.equal(roundMinor(100 * H, H, 'up-to-penny', 2), 100, 'an exact amount stays');
    assert.equal(roundMinor(4949, 1, 'nearest-pound', 2), 4900);
    assert.equal(roundMinor(4950, 1, 'nearest-pound', 2), 5000);
    assert.equal(roundMinor(0, 1, 'nearest-pound', 2), 0);
    assert.equal(roundMinor(1234, 1, 'nearest-pound', 0), 1234, 'no minor unit: a yen is the pound');
  });

  test('formatMinor', () => {
    assert.equal(formatMinor(123456, 'GBP', 2), 'GBP 1234.56');
    assert.equal(formatMinor(5, 'GBP', 2), 'GBP 0.05');
    assert.equal(formatMinor(5000, 'JPY', 0), 'JPY 5000');
  });
});

test('the example in docs/on-call-allowances.md is a valid rules file', () => {
  const doc = readFileSync(new URL('../../docs/on-call-allowances.md', import.meta.url), 'utf8');
  const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(example, 'the doc has a yaml example');
  const rules = parsePayRules(example);
  assert.equal(rules.teams.get('platform')?.standby?.per, 'hour');
  assert.equal(payRulesFor(rules, { schedule: 'Pharmacy primary' }).callout?.per, 'incident');
});
