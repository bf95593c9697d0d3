// The register's pure rules (src/domain/register.ts): the query parameters (through parseQuery, as
// the page reads them), the filter with its default period in the viewer's zone, the period as
// instants, the search, what the database is asked, the links, and the CSV rows.
import { aRegisterFilter } from '../support/fixtures.ts';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  csvTime,
  csvTimes,
  pageCount,
  REGISTER_QUERY,
  registerCsv,
  registerCsvFilename,
  registerFilterOf,
  registerParams,
  registerWhere,
  searchedNumber,
  type RegisterQuery,
  type RegisterRow,
} from '../../src/domain/register.ts';
import { startOfDayIn } from '../../src/domain/time.ts';
import { WebError } from '../../src/web/context.ts';
import { parseQuery } from '../../src/web/query.ts';

/** The parsed query without the parameters left unset. */
const parse = (qs: string) =>
  Object.fromEntries(
    Object.entries(parseQuery(new URL(`http://x/web/incidents?${qs}`), REGISTER_QUERY)).filter(
      ([, v]) => v !== undefined,
    ),
  ) as RegisterQuery;
const problems = (qs: string) => {
  try {
    parse(qs);
  } catch (err) {
    assert.ok(err instanceof WebError);
    assert.equal(err.status, 400);
    return err.details;
  }
  assert.fail(`no problem with ${qs}`);
};
const now = new Date('2026-12-05T23:30:00Z');

describe('the register’s query parameters', () => {
  test('each value checked; blank is unset; severity as a comma list in any case; status or active', () => {
    assert.deepEqual(parse(''), {});
    assert.deepEqual(parse('severity=&q=+&page='), {});
    assert.deepEqual(parse('severity=sev1,+SEV3'), { severity: ['SEV1', 'SEV3'] });
    assert.deepEqual(parse('status=Active&near_miss=YES'), { status: 'ACTIVE', near_miss: 'yes' });
    assert.deepEqual(parse('drill=Yes'), { drill: 'yes' });
    assert.deepEqual(parse('drill=no'), { drill: 'no' });
    assert.deepEqual(problems('drill=maybe'), ['"drill" must be yes or no.']);
    assert.deepEqual(parse('status=resolved&page=3&from=2026-02-28'), {
      status: 'RESOLVED',
      page: 3,
      from: '2026-02-28',
    });
  });

  test('bad values, unknown and repeated parameters are each named', () => {
    assert.deepEqual(problems('severity=SEV5'), [
      '"severity" must be one of SEV1, SEV2, SEV3, SEV4 (or a comma list of them).',
    ]);
    assert.deepEqual(problems('status=open'), [
      '"status" must be active or one of declared, investigating, identified, monitoring, resolved, closed.',
    ]);
    assert.deepEqual(problems('from=2026-02-29&to=26-1-1'), [
      '"from" must be a date written YYYY-MM-DD (a real day, from 1970 to 9998).',
      '"to" must be a date written YYYY-MM-DD (a real day, from 1970 to 9998).',
    ]);
    // Year 9999 (its next day is +010000-01-01) and years Date reads as 19xx are refused, not mistaken.
    for (const day of ['9999-12-31', '0001-01-01', '0099-12-31', '1969-12-31', '+02026-01-01', '2026-1-01'])
      assert.deepEqual(
        problems(`to=${encodeURIComponent(day)}`),
        ['"to" must be a date written YYYY-MM-DD (a real day, from 1970 to 9998).'],
        day,
      );
    assert.deepEqual(parse('from=1970-01-01&to=9998-12-31'), { from: '1970-01-01', to: '9998-12-31' });
    assert.deepEqual(parse('from=+2026-11-01+'), { from: '2026-11-01' }, 'spaces around are trimmed, as on every page');
    // Digits only: z.coerce.number took 1e3, 0x10 and 1.5 as numbers.
    for (const page of ['1.5', 'x', '1e3', '0x10', '-1', '1234567'])
      assert.deepEqual(problems(`page=${page}`), ['"page" must be a page number (digits only).'], page);
    assert.deepEqual(problems('page=0'), ['"page" must be 1 or more.']);
    assert.deepEqual(parse('page=000007'), { page: 7 });
    assert.deepEqual(problems('owner=a&owner=b&sort=title'), [
      '"owner" is given more than once.',
      'Unknown parameter "sort".',
    ]);
    assert.deepEqual(problems(`q=${'x'.repeat(201)}`), ['"q" is too long.']);
  });
});

describe('the filter', () => {
  test('the last 90 days up to today in the viewer’s zone by default; page 1', () => {
    // 23:30 UTC on 5 December is already 6 December in Auckland.
    const london = registerFilterOf({}, { now, timeZone: 'Europe/London' });
    const auckland = registerFilterOf({}, { now, timeZone: 'Pacific/Auckland' });
    assert.ok('filter' in london && 'filter' in auckland);
    assert.deepEqual([london.filter.from, london.filter.to, london.page], ['2026-09-07', '2026-12-05', 1]);
    assert.deepEqual([auckland.filter.from, auckland.filter.to], ['2026-09-08', '2026-12-06']);
  });

  test('from alone runs to today, to alone starts 90 days before it; backwards is a problem', () => {
    const z = { now, timeZone: 'Europe/London' };
    const a = registerFilterOf({ from: '2026-11-01' }, z);
    const b = registerFilterOf({ to: '2026-03-31' }, z);
    assert.ok('filter' in a && 'filter' in b);
    assert.deepEqual([a.filter.from, a.filter.to], ['2026-11-01', '2026-12-05']);
    assert.deepEqual([b.filter.from, b.filter.to], ['2026-01-01', '2026-03-31']);
    assert.deepEqual(registerFilterOf({ from: '2026-11-02', to: '2026-11-01' }, z), {
      problem: '"from" (2026-11-02) must not be after "to" (2026-11-01).',
    });
    const future = registerFilterOf({ from: '2027-01-01' }, z);
    assert.ok('filter' in future);
    assert.deepEqual([future.filter.from, future.filter.to], ['2027-01-01', '2027-01-01']);
    // The last day there is: the period ends at the start of 9999-01-01, a time Date and the database can hold.
    const last = registerFilterOf({ to: '9998-12-31' }, z);
    assert.ok('filter' in last);
    assert.equal(last.filter.from, '9998-10-03');
    assert.equal(registerWhere(last.filter, { privateChannels: [] }).end.toISOString(), '9999-01-01T00:00:00.000Z');
    const first = registerFilterOf({ from: '1970-01-01', to: '1970-01-01' }, { now, timeZone: 'UTC' });
    assert.ok('filter' in first);
    assert.equal(registerWhere(first.filter, { privateChannels: [] }).start.toISOString(), '1970-01-01T00:00:00.000Z');
  });

  test('the period’s instants are the days’ starts in the zone (summer time included)', () => {
    assert.equal(startOfDayIn('2026-07-01', 'Europe/London').toISOString(), '2026-06-30T23:00:00.000Z');
    assert.equal(startOfDayIn('2026-12-01', 'Europe/London').toISOString(), '2026-12-01T00:00:00.000Z');
    assert.equal(startOfDayIn('2026-03-08', 'America/New_York').toISOString(), '2026-03-08T05:00:00.000Z');
  });

  test('the search names an incident by INC-n, #n or n', () => {
    assert.deepEqual(['INC-42', 'inc 42', '#42', ' 42 ', 'INC-', 'INC-42x', 'pharmacy 42'].map(searchedNumber), [
      42,
      42,
      42,
      42,
      null,
      null,
      null,
    ]);
  });
});

const filter = aRegisterFilter;

describe('what the database is asked', () => {
  test('the period to the day after its last, active as its statuses, lower case, owners with their resolved teams', () => {
    const where = registerWhere(
      filter({ status: 'active', service: 'EHR', owner: 'Platform Team', q: 'INC-7', nearMiss: false, drill: true }),
      { owners: ['group:default/platform'], privateChannels: new Set(['CB', 'CA']) },
    );
    assert.deepEqual(where, {
      start: new Date('2026-11-01T00:00:00Z'),
      end: new Date('2026-12-01T00:00:00Z'),
      severities: [],
      statuses: ['DECLARED', 'INVESTIGATING', 'IDENTIFIED', 'MONITORING'],
      service: 'ehr',
      owners: ['platform team', 'group:default/platform'],
      nearMiss: false,
      drill: true,
      text: 'inc-7',
      number: 7,
      privateChannels: ['CA', 'CB'],
    });
    const plain = registerWhere(filter({ status: 'CLOSED' }), { privateChannels: [] });
    assert.deepEqual([plain.statuses, plain.owners, plain.text, plain.number], [['CLOSED'], [], null, null]);
  });

  test('links keep the filter; pages count up from one', () => {
    assert.equal(
      registerParams(
        filter({ severities: ['SEV1', 'SEV2'], status: 'active', nearMiss: true, drill: false, q: 'a b' }),
        3,
      ).toString(),
      'from=2026-11-01&to=2026-11-30&severity=SEV1%2CSEV2&status=active&near_miss=yes&drill=no&q=a+b&page=3',
    );
    assert.deepEqual([pageCount(0), pageCount(50), pageCount(51)], [1, 1, 2]);
  });
});

describe('the CSV', () => {
  const row = (over: Partial<RegisterRow> = {}): RegisterRow => ({
    id: 'x',
    number: 12,
    title: 'EPR down',
    severity: 'SEV1',
    status: 'CLOSED',
    affectedService: 'epr',
    serviceOwner: 'group:default/platform',
    commanderId: 'UALICE',
    declaredAt: new Date('2026-11-03T09:00:00Z'),
    resolvedAt: new Date('2026-11-03T10:05:00Z'),
    closedAt: new Date('2026-11-05T09:00:00Z'),
    isPrivate: false,
    nearMiss: false,
    drill: false,
    clinicalImpact: true,
    dataBreach: false,
    ...over,
  });

  test('a header in plain words, a row per incident, times in the zone, yes/no marks, CRLF', () => {
    const csv = registerCsv(
      [
        row(),
        row({
          number: 13,
          title: '=cmd|x, "quoted"',
          status: 'MONITORING',
          resolvedAt: null,
          closedAt: null,
          affectedService: null,
        }),
        row({ number: 14, title: 'Tabletop', drill: true, clinicalImpact: false }),
      ],
      {
        timeZone: 'America/New_York',
        total: 3,
      },
    );
    assert.equal(
      csv,
      [
        'Reference,Title,Severity,Status,Service,Owning team,Commander,Declared (America/New_York),Resolved (America/New_York),Closed (America/New_York),Time to resolve,Time to resolve (minutes),Near miss,Private,Clinical impact,Data breach,Exercise (drill)',
        'INC-12,EPR down,SEV1,Closed,epr,group:default/platform,UALICE,2026-11-03 04:00,2026-11-03 05:05,2026-11-05 04:00,1h 05m,65,no,no,yes,no,no',
        `INC-13,"'=cmd|x, ""quoted""",SEV1,Monitoring,,group:default/platform,UALICE,2026-11-03 04:00,,,,,no,no,yes,no,no`,
        'INC-14,Tabletop,SEV1,Closed,epr,group:default/platform,UALICE,2026-11-03 04:00,2026-11-03 05:05,2026-11-05 04:00,1h 05m,65,no,no,no,no,yes',
        '',
      ].join('\r\n'),
    );
  });

  test('times at midnight and in summer time, in the zone', () => {
    assert.equal(csvTime(new Date('2026-07-01T23:30:00Z'), 'Europe/London'), '2026-07-02 00:30');
    assert.equal(csvTime(new Date('2026-12-31T23:59:00Z'), 'Pacific/Auckland'), '2027-01-01 12:59');
  });

  test('times on the days the clocks change, either side of the change, as Intl writes them', () => {
    const intl = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Europe/London',
      dateStyle: 'short',
      timeStyle: 'short',
      hourCycle: 'h23',
    });
    const time = csvTimes('Europe/London');
    // Every 7 minutes over the two days of 2026 the clocks change in London (29 March, 25 October).
    for (const dayStart of [Date.UTC(2026, 2, 29), Date.UTC(2026, 9, 25)])
      for (let ms = dayStart - 3600_000; ms < dayStart + 25 * 3600_000; ms += 7 * 60_000)
        assert.equal(time(new Date(ms)), intl.format(ms), new Date(ms).toISOString());
    const ny = csvTimes('America/New_York');
    assert.equal(ny(new Date('2026-03-08T06:59:00Z')), '2026-03-08 01:59');
    assert.equal(ny(new Date('2026-03-08T07:00:00Z')), '2026-03-08 03:00');
  });

  test('southern-hemisphere zones: summer time ends in April and starts in spring (Sydney at 3 am, Santiago at midnight)', () => {
    for (const [zone, changes] of [
      // Sydney: 5 April 03:00 AEDT → 02:00 AEST, 4 October 02:00 AEST → 03:00 AEDT (UTC days 4 April and 3 October).
      ['Australia/Sydney', [Date.UTC(2026, 3, 4), Date.UTC(2026, 9, 3)]],
      // Santiago: 5 April 00:00 → 4 April 23:00, 6 September 00:00 → 01:00 (the local day starts at the change).
      ['America/Santiago', [Date.UTC(2026, 3, 5), Date.UTC(2026, 8, 6)]],
    ] as const) {
      const intl = new Intl.DateTimeFormat('sv-SE', {
        timeZone: zone,
        dateStyle: 'short',
        timeStyle: 'short',
        hourCycle: 'h23',
      });
      const time = csvTimes(zone);
      for (const dayStart of changes)
        for (let ms = dayStart - 3600_000; ms < dayStart + 25 * 3600_000; ms += 7 * 60_000)
          assert.equal(time(new Date(ms)), intl.format(ms), `${zone} ${new Date(ms).toISOString()}`);
    }
    assert.equal(csvTime(new Date('2026-04-04T15:59:00Z'), 'Australia/Sydney'), '2026-04-05 02:59', 'AEDT');
    assert.equal(csvTime(new Date('2026-04-04T16:00:00Z'), 'Australia/Sydney'), '2026-04-05 02:00', 'AEST again');
    assert.equal(csvTime(new Date('2026-09-06T03:59:00Z'), 'America/Santiago'), '2026-09-05 23:59');
    assert.equal(csvTime(new Date('2026-09-06T04:00:00Z'), 'America/Santiago'), '2026-09-06 01:00', 'midnight skipped');
  });

  test('more incidents than rows: a last line says so; the file is named by its period', () => {
    const csv = registerCsv([row()], { timeZone: 'UTC', total: 12_345 });
    assert.match(csv, /\r\n"Only the first 1 of 12,345 incidents are here: narrow the filters for the rest\."\r\n$/);
    assert.equal(registerCsvFilename(filter()), 'incidents-2026-11-01-to-2026-11-30.csv');
  });
});
