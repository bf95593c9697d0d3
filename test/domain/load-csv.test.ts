import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { csvNumber, csvText, loadReportCsv } from '../../src/domain/load-csv.ts';
import {
  compareLoad,
  computeLoad,
  previousPeriod,
  type LoadInput,
  type LoadReport,
} from '../../src/domain/on-call-load.ts';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours.ts';
import type { OnCallPerson } from '../../src/domain/on-call-load.ts';

const at = (iso: string) => new Date(iso);
const person = (id: string, name: string, timeZone: string | null = 'Europe/London'): OnCallPerson => ({
  id,
  name,
  email: null,
  timeZone,
});

const HEADER =
  'Responder,Time zone,On-call hours,Pages,Out-of-hours pages,Night pages,Nights interrupted,Incidents worked,Roles held,Incident hours,Load';

/** Current week 2026-06-08 … 06-15 (Monday to Monday), London BST. */
function data(): Omit<LoadInput, 'from' | 'to'> {
  let n = 0;
  const page = (userId: string, iso: string) => ({
    id: `L${++n}`,
    incidentId: `P${n}`,
    userId,
    at: at(iso),
    kind: 'assigned' as const,
    serviceId: null,
  });
  return {
    teamTimeZone: 'Europe/London',
    workingHours: DEFAULT_WORKING_HOURS,
    people: [person('A', 'Smith, "Jo"'), person('B', '=HYPERLINK("x")', 'Asia/Kolkata'), person('C', 'Cy')],
    stretches: [
      {
        userId: 'A',
        scheduleId: null,
        escalationPolicyId: null,
        level: 1,
        start: at('2026-06-08T00:00:00Z'),
        end: at('2026-06-08T10:20:00Z'),
      },
      {
        userId: 'B',
        scheduleId: null,
        escalationPolicyId: null,
        level: 1,
        start: at('2026-06-01T00:00:00Z'),
        end: at('2026-06-02T00:00:00Z'),
      },
    ],
    pages: [
      page('A', '2026-06-09T02:00:00Z'), // 03:00 BST: night
      page('A', '2026-06-09T11:00:00Z'), // in hours
      page('B', '2026-06-09T06:00:00Z'), // 11:30 IST: in hours
      page('B', '2026-06-02T20:00:00Z'), // previous week: 01:30 IST, night
    ],
    incidentWork: [
      {
        personId: 'A',
        incidentId: 'I1',
        roles: ['COMMANDER'],
        start: at('2026-06-09T10:00:00Z'),
        end: at('2026-06-09T11:15:00Z'),
      },
      {
        personId: 'A',
        incidentId: 'I2',
        roles: ['SCRIBE', 'COMMANDER'],
        start: at('2026-06-10T10:00:00Z'),
        end: at('2026-06-10T10:30:00Z'),
      },
      {
        personId: 'C',
        incidentId: 'I2',
        roles: ['COMMS'],
        start: at('2026-06-10T10:00:00Z'),
        end: at('2026-06-10T10:05:00Z'),
      },
    ],
  };
}

function reports(): { current: LoadReport; previous: LoadReport } {
  const from = at('2026-06-08T00:00:00Z');
  const to = at('2026-06-15T00:00:00Z');
  return {
    current: computeLoad({ ...data(), from, to }),
    previous: computeLoad({ ...data(), ...previousPeriod(from, to) }),
  };
}

describe('csv fields', () => {
  test('numbers have up to one decimal, no trailing .0 and no -0', () => {
    assert.deepEqual(
      [12, 12.34, 12.35, 10.3333, -2.25, -0.04, 0, 1e6].map((n) => csvNumber(n)),
      ['12', '12.3', '12.4', '10.3', '-2.3', '0', '0', '1000000'],
    );
  });

  test('text is quoted where needed and formulas are defused', () => {
    assert.equal(csvText('plain'), 'plain');
    assert.equal(csvText('Smith, Jo'), '"Smith, Jo"');
    assert.equal(csvText('say "hi"'), '"say ""hi"""');
    assert.equal(csvText('two\nlines'), '"two\nlines"');
    assert.equal(csvText('=1+1'), "'=1+1");
    assert.equal(csvText('+44 20'), "'+44 20");
    assert.equal(csvText('-5'), "'-5");
    assert.equal(csvText('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvText('=HYPERLINK("x","y")'), `"'=HYPERLINK(""x"",""y"")"`);
    assert.equal(csvText('a=b'), 'a=b');
    assert.equal(csvText(''), '');
  });
});

describe('loadReportCsv', () => {
  test('a header, one row per responder in report order, a TOTAL row, CRLF line ends', () => {
    const { current } = reports();
    const csv = loadReportCsv(current);
    assert.ok(csv.endsWith('\r\n'));
    assert.ok(!/[^\r]\n/.test(csv), 'every line ends CRLF');
    assert.deepEqual(csv.split('\r\n'), [
      HEADER,
      // A: 10h20m on call; pages at 03:00 (night, out of hours) and 12:00 BST → load 1 + 1 + 2 + 1; I1 1.25 h + I2 0.5 h.
      '"Smith, ""Jo""",Europe/London,10.3,2,1,1,1,2,commander:2 scribe:1,1.8,5',
      '"\'=HYPERLINK(""x"")",Asia/Kolkata,0,1,0,0,0,0,,0,1',
      'Cy,Europe/London,0,0,0,0,0,1,comms:1,0.1,0',
      // Incidents worked is distinct (I2 once); roles and load are summed.
      'TOTAL,,10.3,3,1,1,1,2,commander:2 comms:1 scribe:1,1.8,6',
      '',
    ]);
  });

  test('with a change, four more columns of current minus previous', () => {
    const { current, previous } = reports();
    const change = compareLoad(current, previous);
    const lines = loadReportCsv(current, change).split('\r\n');
    assert.equal(lines[0], `${HEADER},Pages change,Out-of-hours pages change,Night pages change,On-call hours change`);
    assert.ok(lines[1]!.endsWith(',2,1,1,10.3'), lines[1]); // A: nothing the week before
    // B was paged at night and on call 24 h the week before: negative changes stay plain numbers.
    assert.ok(lines[2]!.endsWith(',0,-1,-1,-24'), lines[2]);
    assert.ok(lines[3]!.endsWith(',0,0,0,0'), lines[3]);
    assert.ok(lines[4]!.startsWith('TOTAL,') && lines[4]!.endsWith(',2,0,0,-13.7'), lines[4]);
    assert.equal(lines.length, 6);
  });

  test('null change is no change columns; an empty report is a header and a TOTAL row', () => {
    const empty = computeLoad({
      ...data(),
      people: [],
      from: at('2026-06-08T00:00:00Z'),
      to: at('2026-06-15T00:00:00Z'),
    });
    assert.equal(loadReportCsv(empty, null), `${HEADER}\r\nTOTAL,,0,0,0,0,0,0,,0,0\r\n`);
  });
});
