import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACTION_FILTERS,
  addDays,
  calendarDate,
  daysBetween,
  DEFAULT_ACTION_CATEGORY,
  DEFAULT_DUE_DAYS,
  isOverdue,
  matchesFilter,
  OVERDUE_REMINDER_INTERVAL_MS,
  parseActionAdd,
  parseActionRef,
  parseActionsArgs,
  parseActionsFilter,
  parsePeriod,
  reminderFor,
  SNOOZE_DAYS,
  sortBacklog,
  TRACKER_FILTERS,
  type ActionFilter,
  type ActionItem,
} from '../../src/domain/action-items.ts';
import { AppError } from '../../src/domain/errors.ts';
import { ACTION_TEXT_MAX } from '../../src/domain/review.ts';

/** Asserts that `fn` throws an AppError with code invalid_input whose message matches every pattern. */
function throwsAppError(fn: () => unknown, ...patterns: RegExp[]) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AppError, `expected an AppError, got ${String(e)}`);
    assert.equal(e.code, 'invalid_input');
    for (const p of patterns) assert.match(e.userMessage, p);
    return true;
  });
}

const USAGE =
  /\/incident action add <what to do> \[@owner\] \[due:YYYY-MM-DD\] \[category\] \[priority:high\|medium\|low\]/;

describe('constants', () => {
  test('defaults and choices are as agreed', () => {
    assert.deepEqual(ACTION_FILTERS, ['mine', 'team', 'overdue', 'all']);
    assert.deepEqual(DEFAULT_DUE_DAYS, { high: 14, medium: 30, low: 90 });
    assert.equal(DEFAULT_ACTION_CATEGORY, 'guardrail');
    assert.deepEqual(SNOOZE_DAYS, [7, 14, 30]);
    assert.equal(OVERDUE_REMINDER_INTERVAL_MS, 604_800_000);
  });
});

describe('parseActionAdd', () => {
  test('plain description: no options, nulls everywhere', () => {
    assert.deepEqual(parseActionAdd('  Add a rate limit to the login endpoint  '), {
      text: 'Add a rate limit to the login endpoint',
      ownerId: null,
      due: null,
      category: null,
      priority: null,
    });
  });

  test('all trailing options', () => {
    assert.deepEqual(
      parseActionAdd('Alert on EHR login errors <@U123ABC|alice> due:2026-12-01 observability priority:high'),
      {
        text: 'Alert on EHR login errors',
        ownerId: 'U123ABC',
        due: '2026-12-01',
        category: 'observability',
        priority: 'high',
      },
    );
  });

  test('trailing options in any order give the same request', () => {
    const expected = { text: 'Fix it', ownerId: 'U1AB', due: '2027-01-31', category: 'runbook', priority: 'low' };
    const options = ['<@U1AB>', 'due:2027-01-31', 'category:runbook', 'priority:low'];
    const orders = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [2, 0, 3, 1],
    ];
    for (const order of orders) {
      const text = `Fix it ${order.map((i) => options[i]).join(' ')}`;
      assert.deepEqual(parseActionAdd(text), expected, text);
    }
  });

  test('mention without a name and mention with a name both give the user ID', () => {
    assert.equal(parseActionAdd('Do it <@U123ABC>').ownerId, 'U123ABC');
    assert.equal(parseActionAdd('Do it <@U123ABC|alice>').ownerId, 'U123ABC');
    assert.equal(parseActionAdd('Do it <@W0ENTERPRISE|bob>').ownerId, 'W0ENTERPRISE');
  });

  test('a trailing mention whose name has a space is still one option', () => {
    const r = parseActionAdd('Do it <@U123ABC|alice smith> priority:low');
    assert.equal(r.ownerId, 'U123ABC');
    assert.equal(r.text, 'Do it');
    assert.equal(r.priority, 'low');
  });

  test('mentions inside the description stay part of the text', () => {
    const r = parseActionAdd('Pair with <@U999ZZZ|carol> on the failover drill <@U123ABC> due:2026-12-01');
    assert.equal(r.text, 'Pair with <@U999ZZZ|carol> on the failover drill');
    assert.equal(r.ownerId, 'U123ABC');
    assert.equal(r.due, '2026-12-01');
  });

  test('option-like words inside the description are not options', () => {
    const r = parseActionAdd('Set priority:high on runbook alerts in the pager config');
    assert.equal(r.text, 'Set priority:high on runbook alerts in the pager config');
    assert.equal(r.priority, null);
    assert.equal(r.category, null);
  });

  test('scanning stops at the first non-option word from the end', () => {
    const r = parseActionAdd('Fix guardrail gaps now priority:high');
    assert.equal(r.text, 'Fix guardrail gaps now');
    assert.equal(r.category, null);
    assert.equal(r.priority, 'high');
  });

  test('whitespace inside the description is kept as typed', () => {
    const r = parseActionAdd('Step 1:  check\n  step 2: verify \t <@U1AB>');
    assert.equal(r.text, 'Step 1:  check\n  step 2: verify');
    assert.equal(r.ownerId, 'U1AB');
  });

  test('bare category words, case-insensitive: they set the category and, next to the description, stay in it', () => {
    for (const [word, category] of [
      ['guardrail', 'guardrail'],
      ['Observability', 'observability'],
      ['OWNERSHIP', 'ownership'],
      ['runbook', 'runbook'],
      ['Process', 'process'],
    ] as const) {
      assert.equal(parseActionAdd(`Document the thing ${word}`).category, category, word);
      assert.equal(parseActionAdd(`Document the thing ${word}`).text, `Document the thing ${word}`, 'no word is lost');
      assert.equal(
        parseActionAdd(`Document the thing due:2026-12-01 ${word}`).text,
        'Document the thing',
        'after another option: only an option',
      );
    }
    for (const [input, text, category] of [
      ['Write the deploy runbook', 'Write the deploy runbook', 'runbook'],
      ['Improve the on-call process', 'Improve the on-call process', 'process'],
      ['Add capacity guardrail <@U1AB>', 'Add capacity guardrail', 'guardrail'],
    ] as const) {
      const r = parseActionAdd(input);
      assert.deepEqual([r.text, r.category], [text, category], input);
    }
  });

  test('category: and priority: options are case-insensitive', () => {
    const r = parseActionAdd('Do it Category:Runbook PRIORITY:Medium');
    assert.equal(r.category, 'runbook');
    assert.equal(r.priority, 'medium');
  });

  test('a description that is only a category word is the description', () => {
    assert.deepEqual(parseActionAdd('runbook'), {
      text: 'runbook',
      ownerId: null,
      due: null,
      category: null,
      priority: null,
    });
    const r = parseActionAdd('Runbook priority:high');
    assert.equal(r.text, 'Runbook');
    assert.equal(r.category, null);
    assert.equal(r.priority, 'high');
  });

  test('the first word is never consumed, even when it and the next are category words', () => {
    const r = parseActionAdd('Process runbook');
    assert.equal(r.text, 'Process runbook');
    assert.equal(r.category, 'runbook');
  });

  test('an option that would be the whole description is refused with the usage', () => {
    throwsAppError(() => parseActionAdd('<@U123ABC>'), USAGE);
    throwsAppError(() => parseActionAdd('<@U123ABC> due:2026-12-01'), USAGE);
    throwsAppError(() => parseActionAdd('due:2026-12-01'), USAGE);
    throwsAppError(() => parseActionAdd('priority:high'), USAGE);
    throwsAppError(() => parseActionAdd('category:runbook priority:low'), USAGE);
  });

  test('empty description → usage', () => {
    throwsAppError(() => parseActionAdd(''), USAGE);
    throwsAppError(() => parseActionAdd('   \n '), USAGE);
  });

  test('repeated options say which is repeated', () => {
    throwsAppError(() => parseActionAdd('Fix it <@U1AB> <@U2CD>'), /owner twice/);
    throwsAppError(
      () => parseActionAdd('Fix it due:2026-12-01 due:2026-12-02'),
      /due date twice/,
      /due:2026-12-01/,
      /due:2026-12-02/,
    );
    throwsAppError(() => parseActionAdd('Fix it priority:high priority:low'), /priority twice/);
    throwsAppError(() => parseActionAdd('Fix it category:runbook process'), /category twice/);
  });

  test('a bare category word before the options, once a category is given, ends the description instead', () => {
    assert.deepEqual(parseActionAdd('Fix it guardrail priority:low runbook'), {
      text: 'Fix it guardrail',
      ownerId: null,
      due: null,
      category: 'runbook',
      priority: 'low',
    });
    assert.deepEqual(parseActionAdd('Write the capacity runbook due:2099-02-01 runbook'), {
      text: 'Write the capacity runbook',
      ownerId: null,
      due: '2099-02-01',
      category: 'runbook',
      priority: null,
    });
  });

  test('a repeat is caught even with other options between', () => {
    throwsAppError(() => parseActionAdd('Fix it priority:high <@U1AB> due:2026-12-01 priority:low'), /priority twice/);
  });

  test('due dates that are not YYYY-MM-DD explain the form', () => {
    for (const word of ['due:tomorrow', 'due:1/12/2026', 'due:2026-1-5', 'due:', 'DUE:next-week']) {
      throwsAppError(() => parseActionAdd(`Fix it ${word}`), /YYYY-MM-DD/, /e\.g\. `due:2026-12-01`/);
    }
  });

  test('due dates that do not exist say so', () => {
    // 9999-12-31 and 0001-01-01 too: the bot's one rule for a day (years 1970 to 9998, src/domain/time.ts).
    for (const word of [
      'due:2026-02-30',
      'due:2026-13-01',
      'due:2027-02-29',
      'due:2026-04-31',
      'due:9999-12-31',
      'due:0001-01-01',
    ]) {
      throwsAppError(() => parseActionAdd(`Fix it ${word}`), /not a real calendar date from 1970 to 9998/);
    }
    assert.equal(parseActionAdd('Fix it due:2028-02-29').due, '2028-02-29');
  });

  test('an invalid due date is refused even when it is the only word', () => {
    throwsAppError(() => parseActionAdd('due:2026-02-30'), /not a real calendar date/);
  });

  test('unknown category lists the categories', () => {
    throwsAppError(
      () => parseActionAdd('Fix it category:foo'),
      /`foo`/,
      /guardrail, observability, ownership, runbook or process/,
    );
    throwsAppError(() => parseActionAdd('Fix it category:'), /guardrail, observability, ownership, runbook or process/);
  });

  test('unknown priority lists the priorities', () => {
    throwsAppError(() => parseActionAdd('Fix it priority:urgent'), /`urgent`/, /high, medium or low/);
  });

  test('description longer than ACTION_TEXT_MAX is refused; exactly the maximum is fine', () => {
    const max = 'x'.repeat(ACTION_TEXT_MAX);
    assert.equal(parseActionAdd(`${max} priority:low`).text, max);
    throwsAppError(() => parseActionAdd(`${max}y priority:low`), new RegExp(`at most ${ACTION_TEXT_MAX} characters`));
  });

  test('errors are AppError with code invalid_input', () => {
    assert.throws(
      () => parseActionAdd(''),
      (e: unknown) => e instanceof AppError && e.code === 'invalid_input',
    );
  });
});

describe('parseActionsFilter', () => {
  test('empty → mine', () => {
    assert.equal(parseActionsFilter(undefined), 'mine');
    assert.equal(parseActionsFilter(''), 'mine');
    assert.equal(parseActionsFilter('  '), 'mine');
  });
  test('each filter, case-insensitive', () => {
    for (const f of ACTION_FILTERS) {
      assert.equal(parseActionsFilter(f), f);
      assert.equal(parseActionsFilter(f.toUpperCase()), f);
    }
  });
  test('anything else lists the choices', () => {
    throwsAppError(() => parseActionsFilter('everyone'), /`everyone`/, /mine, team, overdue or all/);
  });
});

describe('parseActionsArgs: a filter, then where the items live', () => {
  test('nothing: mine, wherever they live; a filter alone keeps its meaning', () => {
    assert.deepEqual(parseActionsArgs([]), { filter: 'mine' });
    for (const f of ACTION_FILTERS) assert.deepEqual(parseActionsArgs([f.toUpperCase()]), { filter: f });
  });
  test('each place, after a filter, alone (mine), or before the filter; case does not matter', () => {
    const places = { 'in:github': 'github', 'in:jira': 'jira', 'in:slack': 'slack', pending: 'pending' } as const;
    assert.deepEqual(TRACKER_FILTERS, ['github', 'jira', 'slack', 'pending']);
    for (const [word, tracker] of Object.entries(places)) {
      assert.deepEqual(parseActionsArgs(['team', word]), { filter: 'team', tracker });
      assert.deepEqual(parseActionsArgs([word.toUpperCase()]), { filter: 'mine', tracker });
      assert.deepEqual(parseActionsArgs([word, 'all']), { filter: 'all', tracker });
    }
  });
  test('a bad word is named, with the choices of both', () => {
    throwsAppError(
      () => parseActionsArgs(['team', 'in:trello']),
      /`in:trello` is not a filter/,
      /mine, team, overdue or all/,
      /in:github, in:jira, in:slack or pending/,
    );
    throwsAppError(() => parseActionsArgs(['everyone']), /`everyone`/, /mine, team, overdue or all/);
  });
  test('twice the same kind, or more than two words, is refused', () => {
    throwsAppError(() => parseActionsArgs(['team', 'all']), /two filters/, /\[mine\|team\|overdue\|all\]/);
    throwsAppError(() => parseActionsArgs(['in:jira', 'pending']), /two places/);
    throwsAppError(() => parseActionsArgs(['team', 'in:jira', 'now']), /at most a filter and where/);
  });
});

describe('parseActionRef', () => {
  test('ACT-12, act-12 or 12', () => {
    assert.equal(parseActionRef('ACT-12'), 12);
    assert.equal(parseActionRef('act-7'), 7);
    assert.equal(parseActionRef(' 3 '), 3);
  });
  test('anything else says how to name an item', () => {
    for (const bad of ['ACT-0', 'ACT-', 'INC-12', 'ACT-12x', 'ACT-1234567890', '-1', 'twelve'])
      throwsAppError(
        () => parseActionRef(bad),
        new RegExp(`\`${bad.replace(/[-]/g, '\\-')}\` is not an action item`),
        /ACT-12/,
      );
    throwsAppError(() => parseActionRef(undefined), /^Name the item/);
  });
});

describe('parsePeriod', () => {
  test('empty → default', () => {
    assert.equal(parsePeriod(undefined), 90);
    assert.equal(parsePeriod(''), 90);
    assert.equal(parsePeriod('', 30), 30);
    assert.equal(parsePeriod(undefined, 7), 7);
  });
  test('days and weeks', () => {
    assert.equal(parsePeriod('90d'), 90);
    assert.equal(parsePeriod('1d'), 1);
    assert.equal(parsePeriod('730d'), 730);
    assert.equal(parsePeriod('3w'), 21);
    assert.equal(parsePeriod('104w'), 728);
    assert.equal(parsePeriod('30D'), 30);
    assert.equal(parsePeriod(' 2W '), 14);
  });
  test('out of bounds or malformed → AppError with an example', () => {
    for (const w of ['0d', '731d', '0w', '105w', 'abc', '90', 'd', '-5d', '1.5d', '90 d', '10m', '99999999d']) {
      throwsAppError(() => parsePeriod(w), /90d/, /730d/);
    }
  });
});

describe('calendarDate', () => {
  test('the date in the given zone', () => {
    assert.equal(calendarDate(new Date('2026-11-24T23:30:00Z'), 'UTC'), '2026-11-24');
    assert.equal(calendarDate(new Date('2026-11-24T23:30:00Z'), 'Asia/Tokyo'), '2026-11-25');
    assert.equal(calendarDate(new Date('2026-11-25T03:00:00Z'), 'America/Los_Angeles'), '2026-11-24');
  });
  test('on the day British clocks go forward (2026-03-29)', () => {
    const at = new Date('2026-03-29T00:30:00Z');
    assert.equal(calendarDate(at, 'Europe/London'), '2026-03-29');
    assert.equal(calendarDate(at, 'America/New_York'), '2026-03-28');
    // 23:30 UTC on the 29th is 00:30 BST on the 30th.
    assert.equal(calendarDate(new Date('2026-03-29T23:30:00Z'), 'Europe/London'), '2026-03-30');
    assert.equal(calendarDate(new Date('2026-03-28T23:30:00Z'), 'Europe/London'), '2026-03-28');
  });
  test('around American DST changes', () => {
    // 2026-03-08: New York goes from EST (-5) to EDT (-4) at 07:00 UTC.
    assert.equal(calendarDate(new Date('2026-03-08T04:30:00Z'), 'America/New_York'), '2026-03-07');
    assert.equal(calendarDate(new Date('2026-03-09T03:59:00Z'), 'America/New_York'), '2026-03-08');
    assert.equal(calendarDate(new Date('2026-03-09T04:00:00Z'), 'America/New_York'), '2026-03-09');
    // 2026-11-01: back to EST.
    assert.equal(calendarDate(new Date('2026-11-02T04:30:00Z'), 'America/New_York'), '2026-11-01');
    assert.equal(calendarDate(new Date('2026-11-02T05:00:00Z'), 'America/New_York'), '2026-11-02');
  });
});

describe('addDays and daysBetween', () => {
  test('addDays across DST, month, year and leap day', () => {
    assert.equal(addDays('2026-03-28', 2), '2026-03-30');
    assert.equal(addDays('2026-10-24', 2), '2026-10-26');
    assert.equal(addDays('2026-01-31', 1), '2026-02-01');
    assert.equal(addDays('2026-12-31', 1), '2027-01-01');
    assert.equal(addDays('2027-01-01', -1), '2026-12-31');
    assert.equal(addDays('2028-02-28', 1), '2028-02-29');
    assert.equal(addDays('2028-02-29', 1), '2028-03-01');
    assert.equal(addDays('2026-02-28', 1), '2026-03-01');
    assert.equal(addDays('2026-11-24', 0), '2026-11-24');
    assert.equal(addDays('2026-11-24', 90), '2027-02-22');
  });
  test('addDays refuses what is not a calendar date', () => {
    assert.throws(() => addDays('2026-02-30', 1));
    assert.throws(() => addDays('2026-11-24', 1.5));
  });
  test('daysBetween', () => {
    assert.equal(daysBetween('2026-11-01', '2026-11-25'), 24);
    assert.equal(daysBetween('2026-11-25', '2026-11-01'), -24);
    assert.equal(daysBetween('2026-03-28', '2026-03-30'), 2);
    assert.equal(daysBetween('2026-12-31', '2027-01-01'), 1);
    assert.equal(daysBetween('2028-02-01', '2028-03-01'), 29);
    assert.equal(daysBetween('2026-02-01', '2026-03-01'), 28);
    assert.equal(daysBetween('2026-06-01', '2026-06-01'), 0);
  });
  test('addDays and daysBetween agree', () => {
    for (const n of [-400, -1, 0, 1, 13, 366, 1000])
      assert.equal(daysBetween('2026-03-29', addDays('2026-03-29', n)), n);
  });
});

describe('isOverdue and matchesFilter', () => {
  const TODAY = '2026-11-24';
  test('isOverdue: open, with a due date before today', () => {
    assert.equal(isOverdue({ status: 'open', due: '2026-11-23' }, TODAY), true);
    assert.equal(isOverdue({ status: 'open', due: '2026-11-24' }, TODAY), false);
    assert.equal(isOverdue({ status: 'open', due: '2026-11-25' }, TODAY), false);
    assert.equal(isOverdue({ status: 'open', due: null }, TODAY), false);
    assert.equal(isOverdue({ status: 'done', due: '2026-01-01' }, TODAY), false);
  });

  const items = {
    mineOpen: { status: 'open', due: '2026-12-01', ownerId: 'UME' },
    mineOverdue: { status: 'open', due: '2026-11-01', ownerId: 'UME' },
    mineDone: { status: 'done', due: '2026-11-01', ownerId: 'UME' },
    otherOpen: { status: 'open', due: null, ownerId: 'UOTHER' },
    otherOverdue: { status: 'open', due: '2026-11-23', ownerId: 'UOTHER' },
    unowned: { status: 'open', due: '2026-11-24', ownerId: null },
    otherDone: { status: 'done', due: null, ownerId: 'UOTHER' },
  } as const;
  const matching = (filter: ActionFilter) =>
    Object.entries(items)
      .filter(([, item]) => matchesFilter(item, filter, 'UME', TODAY))
      .map(([name]) => name);

  test('mine: open items owned by the viewer', () => {
    assert.deepEqual(matching('mine'), ['mineOpen', 'mineOverdue']);
  });
  test('team: every open item', () => {
    assert.deepEqual(matching('team'), ['mineOpen', 'mineOverdue', 'otherOpen', 'otherOverdue', 'unowned']);
  });
  test('overdue: open and overdue, whoever owns them', () => {
    assert.deepEqual(matching('overdue'), ['mineOverdue', 'otherOverdue']);
  });
  test('all: every item, open and done', () => {
    assert.deepEqual(matching('all'), Object.keys(items));
  });
});

describe('sortBacklog', () => {
  type Row = Pick<ActionItem, 'status' | 'due' | 'priority' | 'number'>;
  const TODAY = '2026-11-24';
  const row = (number: number, status: Row['status'], due: string | null, priority: Row['priority']): Row => ({
    number,
    status,
    due,
    priority,
  });

  test('open before done; overdue first; due ascending, none last; priority; number', () => {
    const rows: Row[] = [
      row(1, 'done', '2026-01-01', 'high'),
      row(2, 'open', null, 'high'),
      row(3, 'open', '2026-12-10', 'low'),
      row(4, 'open', '2026-11-24', 'low'),
      row(5, 'open', '2026-11-20', 'low'),
      row(6, 'open', '2026-11-01', 'low'),
      row(7, 'open', '2026-12-10', 'high'),
      row(8, 'open', '2026-12-10', 'high'),
      row(9, 'open', null, 'medium'),
      row(10, 'done', null, 'low'),
      row(11, 'done', '2026-12-01', 'low'),
      row(12, 'open', '2026-11-01', 'high'),
    ];
    assert.deepEqual(
      sortBacklog(rows, TODAY).map((r) => r.number),
      [12, 6, 5, 4, 7, 8, 3, 2, 9, 1, 11, 10],
    );
  });

  test('returns a new array and leaves the input alone', () => {
    const rows: Row[] = [row(2, 'open', null, 'low'), row(1, 'open', '2026-11-01', 'low')];
    const sorted = sortBacklog(rows, TODAY);
    assert.notEqual(sorted, rows);
    assert.deepEqual(
      rows.map((r) => r.number),
      [2, 1],
    );
    assert.deepEqual(
      sorted.map((r) => r.number),
      [1, 2],
    );
  });

  test('keeps the extra fields of the items', () => {
    const rows = [{ ...row(1, 'open', null, 'low'), text: 'a' }];
    assert.equal(sortBacklog(rows, TODAY)[0]!.text, 'a');
  });

  test('"today" decides what is overdue', () => {
    const rows = [
      row(1, 'open', '2026-11-30', 'low'),
      row(2, 'open', '2026-11-20', 'low'),
      row(3, 'open', null, 'high'),
    ];
    assert.deepEqual(
      sortBacklog(rows, TODAY).map((r) => r.number),
      [2, 1, 3],
    );
    assert.deepEqual(
      sortBacklog(rows, '2026-11-01').map((r) => r.number),
      [2, 1, 3],
    );
  });
});

describe('reminderFor', () => {
  type Item = Parameters<typeof reminderFor>[0];
  const TODAY = '2026-11-24';
  const NOW = new Date('2026-11-24T09:00:00Z');
  const daysAgo = (d: number) => new Date(NOW.getTime() - d * 24 * 3600_000);
  const item = (over: Partial<Item> = {}): Item => ({
    status: 'open',
    ownerId: 'UOWNER',
    due: TODAY,
    snoozedUntil: null,
    dueRemindedAt: null,
    overdueRemindedAt: null,
    ...over,
  });

  test('due today, not yet reminded → due', () => {
    assert.equal(reminderFor(item(), TODAY, NOW), 'due');
  });
  test('due today, already reminded → none', () => {
    assert.equal(reminderFor(item({ dueRemindedAt: daysAgo(0) }), TODAY, NOW), null);
  });
  test('due in the future → none', () => {
    assert.equal(reminderFor(item({ due: '2026-11-25' }), TODAY, NOW), null);
  });
  test('done, no owner or no due date → none', () => {
    assert.equal(reminderFor(item({ status: 'done' }), TODAY, NOW), null);
    assert.equal(reminderFor(item({ status: 'done', due: '2026-11-01' }), TODAY, NOW), null);
    assert.equal(reminderFor(item({ ownerId: null }), TODAY, NOW), null);
    assert.equal(reminderFor(item({ ownerId: null, due: '2026-11-01' }), TODAY, NOW), null);
    assert.equal(reminderFor(item({ due: null }), TODAY, NOW), null);
  });
  test('overdue and never reminded → overdue; after the due-day reminder, a week after it', () => {
    assert.equal(reminderFor(item({ due: '2026-11-23' }), TODAY, NOW), 'overdue', 'first seen overdue');
    assert.equal(
      reminderFor(item({ due: '2026-11-23', dueRemindedAt: daysAgo(1) }), TODAY, NOW),
      null,
      'the day after the due-day reminder: not yet',
    );
    assert.equal(
      reminderFor(item({ due: '2026-11-18', dueRemindedAt: daysAgo(7) }), TODAY, NOW),
      'overdue',
      'a week after it',
    );
  });
  test('overdue reminded 6 days ago → none; 7 days ago (exactly) or more → overdue', () => {
    const due = '2026-11-01';
    assert.equal(reminderFor(item({ due, overdueRemindedAt: daysAgo(6) }), TODAY, NOW), null);
    assert.equal(
      reminderFor(
        item({ due, overdueRemindedAt: new Date(NOW.getTime() - OVERDUE_REMINDER_INTERVAL_MS + 1) }),
        TODAY,
        NOW,
      ),
      null,
    );
    assert.equal(reminderFor(item({ due, overdueRemindedAt: daysAgo(7) }), TODAY, NOW), 'overdue');
    assert.equal(reminderFor(item({ due, overdueRemindedAt: daysAgo(20) }), TODAY, NOW), 'overdue');
  });
  test('snoozed until tomorrow → none, whether due or overdue', () => {
    assert.equal(reminderFor(item({ snoozedUntil: '2026-11-25' }), TODAY, NOW), null);
    assert.equal(reminderFor(item({ due: '2026-11-01', snoozedUntil: '2026-11-25' }), TODAY, NOW), null);
  });
  test('snoozed until today or earlier → reminders allowed', () => {
    assert.equal(reminderFor(item({ snoozedUntil: TODAY }), TODAY, NOW), 'due');
    assert.equal(reminderFor(item({ due: '2026-11-01', snoozedUntil: TODAY }), TODAY, NOW), 'overdue');
    assert.equal(reminderFor(item({ due: '2026-11-01', snoozedUntil: '2026-11-10' }), TODAY, NOW), 'overdue');
  });
});
