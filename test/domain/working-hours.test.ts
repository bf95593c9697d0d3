import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../src/domain/errors.ts';
import {
  DEFAULT_WORKING_HOURS,
  formatWorkingHours,
  parseTeamWorkingHours,
  parseWorkingHours,
  teamWorkingHours,
} from '../../src/domain/working-hours.ts';

/** Asserts an AppError whose message contains every fragment. */
function throwsAppError(fn: () => unknown, ...fragments: string[]) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AppError, `expected AppError, got ${String(e)}`);
    for (const f of fragments)
      assert.ok(e.userMessage.includes(f), `${JSON.stringify(e.userMessage)} should mention ${f}`);
    return true;
  });
}

describe('parseWorkingHours', () => {
  test('a weekday range', () => {
    assert.deepEqual(parseWorkingHours('Mon-Fri 09:00-17:30'), {
      days: [1, 2, 3, 4, 5],
      startMinute: 540,
      endMinute: 1050,
    });
  });

  test('listed days, any case, extra spaces', () => {
    assert.deepEqual(parseWorkingHours('  mon,WED,Fri   08:00-16:00 '), {
      days: [1, 3, 5],
      startMinute: 480,
      endMinute: 960,
    });
  });

  test('the whole week, ranges mixed with days, full names, duplicates', () => {
    assert.deepEqual(parseWorkingHours('Mon-Sun 07:00-19:00'), {
      days: [1, 2, 3, 4, 5, 6, 7],
      startMinute: 420,
      endMinute: 1140,
    });
    assert.deepEqual(parseWorkingHours('Sunday,Mon-Wed,Tue 7:05-24:00'), {
      days: [1, 2, 3, 7],
      startMinute: 425,
      endMinute: 1440,
    });
  });

  test('the default is Mon-Fri 09:00-17:30', () => {
    assert.deepEqual(DEFAULT_WORKING_HOURS, parseWorkingHours('Mon-Fri 09:00-17:30'));
  });

  test('refuses what it cannot read, naming the bad part', () => {
    throwsAppError(() => parseWorkingHours(''), 'not working hours');
    throwsAppError(() => parseWorkingHours('Mon-Fri'), '`Mon-Fri`');
    throwsAppError(() => parseWorkingHours('Mon-Fry 09:00-17:00'), '`Fry`', 'not a day');
    throwsAppError(() => parseWorkingHours('Mon,,Fri 09:00-17:00'), '`Mon,,Fri`', 'empty day');
    throwsAppError(() => parseWorkingHours('Sat-Mon 09:00-17:00'), '`Sat-Mon`', 'backwards');
    throwsAppError(() => parseWorkingHours('Mon-Wed-Fri 09:00-17:00'), '`Mon-Wed-Fri`');
    throwsAppError(() => parseWorkingHours('Mon-Fri 9am-5pm'), '`9am`', 'start time');
    throwsAppError(() => parseWorkingHours('Mon-Fri 09:00-17:60'), '`17:60`', 'end time');
    throwsAppError(() => parseWorkingHours('Mon-Fri 24:00-24:00'), '`24:00`', 'start time');
    throwsAppError(() => parseWorkingHours('Mon-Fri 09:00'), '`09:00`', 'time range');
    throwsAppError(() => parseWorkingHours('Mon-Fri 17:00-09:00'), '`17:00-09:00`', 'after the start');
    throwsAppError(() => parseWorkingHours('Mon-Fri 09:00-09:00'), 'after the start');
  });
});

describe('parseTeamWorkingHours', () => {
  test('teams by name, looked up case-insensitively', () => {
    const map = parseTeamWorkingHours('Platform=Mon-Fri 08:00-16:00; Pharmacy = Mon-Sun 07:00-19:00;');
    assert.equal(map.size, 2);
    assert.deepEqual(teamWorkingHours(map, 'platform'), { days: [1, 2, 3, 4, 5], startMinute: 480, endMinute: 960 });
    assert.deepEqual(teamWorkingHours(map, '  PHARMACY '), parseWorkingHours('Mon-Sun 07:00-19:00'));
    assert.equal(teamWorkingHours(map, 'Radiology'), DEFAULT_WORKING_HOURS);
    assert.deepEqual(map.get('pharmacy'), parseWorkingHours('Mon-Sun 07:00-19:00'));
  });

  test('empty text is no teams', () => {
    assert.equal(parseTeamWorkingHours('').size, 0);
    assert.equal(parseTeamWorkingHours(' ; ').size, 0);
  });

  test('a bad entry names the team', () => {
    throwsAppError(
      () => parseTeamWorkingHours('Platform=Mon-Fri 08:00-16:00; Pharmacy=Mon-Sun 19:00-07:00'),
      '*Pharmacy*',
      'after the start',
    );
    throwsAppError(() => parseTeamWorkingHours('Platform Mon-Fri 08:00-16:00'), '`Platform Mon-Fri 08:00-16:00`', '=');
    throwsAppError(() => parseTeamWorkingHours('=Mon-Fri 08:00-16:00'), 'no team name');
    throwsAppError(() => parseTeamWorkingHours('Ops=Mon-Fri 08:00-16:00; ops=Mon-Sun 08:00-16:00'), '*ops*', 'twice');
  });
});

describe('formatWorkingHours', () => {
  test('ranges for runs, lists otherwise, and it reads back', () => {
    const cases: [string, string][] = [
      ['Mon-Fri 09:00-17:30', 'Mon-Fri 09:00-17:30'],
      ['mon,wed,fri 8:00-16:00', 'Mon,Wed,Fri 08:00-16:00'],
      ['Mon-Sun 07:00-19:00', 'Mon-Sun 07:00-19:00'],
      ['Sat,Sun 00:00-24:00', 'Sat,Sun 00:00-24:00'],
      ['Mon-Wed,Fri-Sun 09:05-17:00', 'Mon-Wed,Fri-Sun 09:05-17:00'],
    ];
    for (const [input, expected] of cases) {
      const w = parseWorkingHours(input);
      assert.equal(formatWorkingHours(w), expected);
      assert.deepEqual(parseWorkingHours(formatWorkingHours(w)), w);
    }
    assert.equal(formatWorkingHours(DEFAULT_WORKING_HOURS), 'Mon-Fri 09:00-17:30');
  });
});
