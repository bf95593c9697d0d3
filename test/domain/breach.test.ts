import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BREACH_CLOCK_POINTS,
  BREACH_REMINDER_HOURS,
  breachClock,
  breachDeadline,
  checkAwareness,
  dueBreachReminder,
  formatSpan,
  nextBreachReminderAt,
  parseAwareness,
  resolveAwareness,
} from '../../src/domain/breach.ts';
import { parseIncidentCommand } from '../../src/domain/command.ts';
import { parseDeclaration } from '../../src/domain/declaration.ts';
import { AppError } from '../../src/domain/errors.ts';
import { dueReminders, nextReminderAt } from '../../src/domain/reminders.ts';
import { anIncident } from '../support/fixtures.ts';

const HOUR = 3_600_000;
const awareAt = new Date('2026-11-24T14:05:00Z');
const at = (hours: number) => new Date(awareAt.getTime() + hours * HOUR);
const breach = (overrides: Parameters<typeof anIncident>[0] = {}) =>
  anIncident({ dataBreach: true, breachAwareAt: awareAt, roles: { COMMANDER: 'UBOB' }, ...overrides });

function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    return err.userMessage;
  }
  assert.fail('expected an AppError');
}

describe('breach clock', () => {
  test('the deadline is 72 hours of elapsed time after awareness; reminders at 24, 48 and 66 hours', () => {
    assert.deepEqual([...BREACH_REMINDER_HOURS], [24, 48, 66]);
    assert.deepEqual([...BREACH_CLOCK_POINTS], [24, 48, 66, 72]);
    assert.deepEqual(breachDeadline(awareAt), new Date('2026-11-27T14:05:00Z'));
  });

  test('across a daylight-saving change the deadline is still exactly 72 hours later (wall clock moves by one hour)', () => {
    // London leaves BST at 02:00 on Sunday 25 October 2026: 72 elapsed hours end at 09:00 GMT, not 10:00.
    const aware = resolveAwareness(
      parseAwareness('2026-10-24T10:00'),
      'Europe/London',
      new Date('2026-10-24T12:00:00Z'),
    );
    assert.equal(aware.toISOString(), '2026-10-24T09:00:00.000Z', '10:00 BST');
    const deadline = breachDeadline(aware);
    assert.equal(deadline.getTime() - aware.getTime(), 72 * HOUR);
    assert.equal(deadline.toISOString(), '2026-10-27T09:00:00.000Z', '09:00 GMT on the Tuesday');
    // And into summer time (29 March 2026, clocks forward at 01:00 GMT): 72 h from 10:00 GMT end at 11:00 BST.
    const spring = resolveAwareness(
      parseAwareness('2026-03-28T10:00'),
      'Europe/London',
      new Date('2026-03-28T12:00:00Z'),
    );
    assert.equal(breachDeadline(spring).toISOString(), '2026-03-31T10:00:00.000Z');
    // The reminders are elapsed hours too.
    const s = breach({ breachAwareAt: aware });
    assert.deepEqual(
      dueBreachReminder(s, new Date(aware.getTime() + 24 * HOUR))?.dueAt,
      new Date('2026-10-25T09:00:00Z'),
    );
  });

  test('each point is due once, at its time and not a minute before; only while the regulator is not notified', () => {
    let s = breach();
    assert.equal(dueBreachReminder(s, new Date(at(24).getTime() - 60_000)), null);
    assert.deepEqual(nextBreachReminderAt(s, at(1)), at(24));
    assert.deepEqual(dueBreachReminder(s, at(24)), { hours: 24, dueAt: at(24), deadline: at(72) });
    s = { ...s, breachRemindedHours: 24 };
    assert.equal(dueBreachReminder(s, at(30)), null, 'sent: not again');
    assert.deepEqual(nextBreachReminderAt(s, at(30)), at(48));
    assert.equal(dueBreachReminder(s, at(48))?.hours, 48);
    s = { ...s, breachRemindedHours: 48 };
    assert.equal(dueBreachReminder(s, at(66))?.hours, 66);
    s = { ...s, breachRemindedHours: 66 };
    assert.deepEqual(nextBreachReminderAt(s, at(67)), at(72), 'the deadline itself is the last point');
    assert.equal(dueBreachReminder(s, at(72))?.hours, 72);
    s = { ...s, breachRemindedHours: 72 };
    assert.equal(dueBreachReminder(s, at(500)), null);
    assert.equal(nextBreachReminderAt(s, at(500)), null, 'nothing more after the deadline notice');
    const notified = breach({ breachNotifiedAt: at(30), breachNotifiedBy: 'UBOB', breachRemindedHours: 24 });
    assert.equal(dueBreachReminder(notified, at(48)), null);
    assert.equal(nextBreachReminderAt(notified, at(30)), null);
    assert.equal(dueBreachReminder(breach({ dataBreach: false }), at(48)), null, 'turned off');
    assert.equal(dueBreachReminder(breach({ channelId: null }), at(48)), null, 'no channel to post in yet');
  });

  test('points missed (an old awareness time, or downtime) are not sent in a burst: only the latest', () => {
    assert.deepEqual(dueBreachReminder(breach(), at(50)), { hours: 48, dueAt: at(48), deadline: at(72) });
    assert.equal(dueBreachReminder(breach(), at(24 * 20))?.hours, 72);
    assert.equal(dueBreachReminder(breach({ breachRemindedHours: 24 }), at(67))?.hours, 66);
  });

  test('the breach clock outlives resolving: reminders go on in a resolved incident until it is notified', () => {
    const resolved = breach({ status: 'RESOLVED', resolvedAt: at(2) });
    assert.deepEqual(dueReminders(resolved, at(25)), [
      { kind: 'breach-reminder', hours: 24, dueAt: at(24), deadline: at(72) },
    ]);
    assert.deepEqual(nextReminderAt(resolved, at(3)), at(24));
    assert.equal(nextReminderAt({ ...resolved, breachNotifiedAt: at(3) }, at(3)), null);
  });

  test('alongside the update reminders, the earliest check wins', () => {
    // SEV2: update reminders hourly from the declaration; awareness two days before declaring.
    const declared = at(47.5);
    const i = breach({ createdAt: declared, lastUpdateAt: declared, breachRemindedHours: 24 });
    assert.deepEqual(nextReminderAt(i, declared), at(48), 'the 48 h point comes before the first update reminder');
    assert.deepEqual(
      dueReminders(i, at(48.5)).map((r) => r.kind),
      ['breach-reminder', 'update-reminder'],
    );
  });

  test('the summary clock: running, overdue, notified (on time or late)', () => {
    assert.deepEqual(breachClock(breach(), at(31)), { state: 'running', awareAt, deadline: at(72), leftMs: 41 * HOUR });
    assert.deepEqual(breachClock(breach(), at(75)), {
      state: 'overdue',
      awareAt,
      deadline: at(72),
      overdueMs: 3 * HOUR,
    });
    assert.equal(
      breachClock(breach({ breachNotifiedAt: at(70), breachNotifiedBy: 'UBOB' }), at(80))?.state,
      'notified',
    );
    assert.equal(
      (breachClock(breach({ breachNotifiedAt: at(70), breachNotifiedBy: 'UBOB' }), at(80)) as { late: boolean }).late,
      false,
    );
    assert.equal(
      (breachClock(breach({ breachNotifiedAt: at(73), breachNotifiedBy: 'UBOB' }), at(80)) as { late: boolean }).late,
      true,
    );
    assert.equal(breachClock(anIncident(), at(1)), null, 'not a breach');
  });

  test('time left, for people: rounded down, hours from 10 h, hours and minutes below', () => {
    assert.equal(formatSpan(41 * HOUR + 59 * 60_000), '41 h');
    assert.equal(formatSpan(3 * HOUR + 20 * 60_000 + 59_000), '3 h 20 min');
    assert.equal(formatSpan(2 * HOUR), '2 h');
    assert.equal(formatSpan(25 * 60_000), '25 min');
    assert.equal(formatSpan(30_000), 'less than a minute');
  });
});

describe('awareness time', () => {
  const now = new Date('2026-11-30T15:00:00Z');

  test('a local date and time is read in the given zone; with Z or an offset it is that instant', () => {
    assert.equal(
      resolveAwareness(parseAwareness('2026-11-30T09:30'), 'America/New_York', now).toISOString(),
      '2026-11-30T14:30:00.000Z',
    );
    assert.equal(
      resolveAwareness(parseAwareness('2026-11-30T09:30'), 'Europe/London', now).toISOString(),
      '2026-11-30T09:30:00.000Z',
    );
    assert.equal(
      resolveAwareness(parseAwareness('2026-11-30T09:30Z'), 'Asia/Tokyo', now).toISOString(),
      '2026-11-30T09:30:00.000Z',
    );
    assert.equal(
      resolveAwareness(parseAwareness('2026-11-30T10:30+01:00'), 'UTC', now).toISOString(),
      '2026-11-30T09:30:00.000Z',
    );
    assert.equal(
      resolveAwareness(parseAwareness('2026-11-30T10:30:15+0100'), 'UTC', now).toISOString(),
      '2026-11-30T09:30:15.000Z',
    );
  });

  test('HH:MM alone is today in the zone', () => {
    // 15:00 UTC is 00:00 on 1 December in Tokyo: "08:00" there is in the future, in London it is this morning.
    assert.equal(
      resolveAwareness(parseAwareness('08:00'), 'Europe/London', now).toISOString(),
      '2026-11-30T08:00:00.000Z',
    );
    assert.match(
      userError(() => resolveAwareness(parseAwareness('08:00'), 'Asia/Tokyo', now)),
      /in the future/,
    );
  });

  test('a time in the future, or more than 30 days back, is refused saying why', () => {
    assert.match(
      userError(() => resolveAwareness(parseAwareness('2026-11-30T15:01Z'), 'UTC', now)),
      /is in the future/,
    );
    assert.match(
      userError(() => resolveAwareness(parseAwareness('2026-10-30T14:59Z'), 'UTC', now)),
      /more than 30 days ago/,
    );
    assert.doesNotThrow(() => resolveAwareness(parseAwareness('2026-10-31T15:00Z'), 'UTC', now));
    assert.doesNotThrow(() => checkAwareness(now, now), 'now itself is fine');
  });

  test('unreadable times say how to write them; impossible dates and hours are refused', () => {
    for (const bad of [
      'yesterday',
      '2026-11-31T10:00',
      '2026-11-30T25:00',
      '2026-11-30',
      '10:61',
      '',
      '2026-11-30T10:00+25',
    ]) {
      assert.match(
        userError(() => parseAwareness(bad)),
        /not an awareness time I can read.*--aware=2026-11-30T14:05/s,
        bad,
      );
    }
  });

  test('a local time the clocks skipped is refused; one that happened twice is read as the first (earlier deadline)', () => {
    const spring = new Date('2026-03-29T12:00:00Z');
    assert.match(
      userError(() => resolveAwareness(parseAwareness('2026-03-29T01:30'), 'Europe/London', spring)),
      /does not exist in Europe\/London/,
    );
    const autumn = new Date('2026-10-25T12:00:00Z');
    assert.equal(
      resolveAwareness(parseAwareness('2026-10-25T01:30'), 'Europe/London', autumn).toISOString(),
      '2026-10-25T00:30:00.000Z',
    );
  });
});

describe('breach commands', () => {
  test('declare takes --breach and --aware= anywhere after the severity (an awareness time implies a breach)', () => {
    const cmd = parseIncidentCommand(
      'declare sev2 Patient letters sent to wrong addresses --breach --aware=2026-11-30T09:30',
    );
    assert.equal(cmd.kind, 'declare');
    assert.ok(cmd.kind === 'declare');
    assert.equal(cmd.declaration.title, 'Patient letters sent to wrong addresses');
    assert.equal(cmd.declaration.dataBreach, true);
    assert.deepEqual(cmd.breachAware, {
      kind: 'local',
      date: { y: 2026, m: 11, d: 30 },
      hour: 9,
      minute: 30,
      text: '2026-11-30T09:30',
    });
    const implied = parseIncidentCommand('declare sev3 --aware=08:15 Export emailed out');
    assert.ok(implied.kind === 'declare' && implied.declaration.dataBreach === true);
    const plain = parseIncidentCommand('declare sev2 Payments down');
    assert.ok(plain.kind === 'declare' && !('dataBreach' in plain.declaration) && !('breachAware' in plain));
    assert.match(
      userError(() => parseIncidentCommand('declare sev2 Leak --aware=last-tuesday')),
      /not an awareness time I can read/,
    );
  });

  test('a near miss cannot be a breach', () => {
    const cmd = parseIncidentCommand('declare near-miss Almost sent the list --breach');
    assert.ok(cmd.kind === 'declare');
    assert.match(
      userError(() => parseDeclaration(cmd.declaration)),
      /near miss cannot be a personal data breach/,
    );
  });

  test('/incident breach on [--aware=…] | off | notified [reference]', () => {
    assert.deepEqual(parseIncidentCommand('breach on'), { kind: 'breach-on', aware: null });
    assert.deepEqual(parseIncidentCommand('breach ON --aware=2026-11-30T09:30Z'), {
      kind: 'breach-on',
      aware: { kind: 'instant', at: new Date('2026-11-30T09:30:00Z'), text: '2026-11-30T09:30Z' },
    });
    // The reason is required: the parse keeps none as null, for the usage where the incident is known.
    assert.deepEqual(parseIncidentCommand('breach off'), { kind: 'breach-off', reason: null });
    assert.deepEqual(parseIncidentCommand('breach off  wrong  drive '), { kind: 'breach-off', reason: 'wrong  drive' });
    assert.deepEqual(parseIncidentCommand('breach notified'), {
      kind: 'breach-notified',
      reference: null,
      obligation: null,
    });
    assert.deepEqual(parseIncidentCommand('breach notified  case  IC-123456 '), {
      kind: 'breach-notified',
      reference: 'case  IC-123456',
      obligation: null,
    });
    // A first word naming an obligation says which notification was made.
    assert.deepEqual(parseIncidentCommand('breach notified ICO case IC-1'), {
      kind: 'breach-notified',
      reference: 'case IC-1',
      obligation: 'ico',
    });
    assert.deepEqual(parseIncidentCommand('breach notified hhs-log'), {
      kind: 'breach-notified',
      reference: null,
      obligation: 'hhs-log',
    });
    assert.deepEqual(parseIncidentCommand('breach assess'), { kind: 'breach-assess' });
    assert.match(
      userError(() => parseIncidentCommand('breach')),
      /\/incident breach on \[--aware=YYYY-MM-DDTHH:MM\]\|assess\|off <reason>\|notified \[ico\|individuals/,
    );
    assert.match(
      userError(() => parseIncidentCommand('breach maybe')),
      /`maybe` is not right here/,
    );
    assert.match(
      userError(() => parseIncidentCommand('breach on now')),
      /only `--aware=/,
    );
    assert.match(
      userError(() => parseIncidentCommand('breach assess now')),
      /`now` is not right here/,
    );
    assert.match(
      userError(() => parseIncidentCommand(`breach notified ${'x'.repeat(301)}`)),
      /at most 300 characters/,
    );
  });
});
