import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  COMMANDER_NUDGE_MINUTES,
  DEFAULT_REMINDER_CADENCE,
  dueReminders,
  latestUpdateReminderDue,
  nextReminderAt,
  parseCommanderCadence,
  parseUpdateCadence,
  type ReminderCadence,
  UPDATE_INTERVAL_MINUTES,
} from '../../src/domain/reminders.ts';
import { AppError } from '../../src/domain/errors.ts';
import { SEVERITIES } from '../../src/domain/severity.ts';
import { anIncident } from '../support/fixtures.ts';

const declaredAt = new Date('2026-11-24T14:05:00Z');
const at = (minutes: number) => new Date(declaredAt.getTime() + minutes * 60_000);
/** An incident with a commander, so only the update reminder matters. */
const commanded = (overrides: Parameters<typeof anIncident>[0] = {}) =>
  anIncident({ createdAt: declaredAt, lastUpdateAt: declaredAt, roles: { COMMANDER: 'UALICE' }, ...overrides });
const kinds = (r: { kind: string }[]) => r.map((x) => x.kind);

describe('update reminder', () => {
  test('intervals by severity: 30 min at SEV1, 60 at SEV2, 120 at SEV3 and SEV4', () => {
    assert.deepEqual(UPDATE_INTERVAL_MINUTES, { SEV1: 30, SEV2: 60, SEV3: 120, SEV4: 120 });
  });

  for (const severity of SEVERITIES) {
    const interval = UPDATE_INTERVAL_MINUTES[severity];
    test(`${severity}: due ${interval} min after the last update, not a minute before`, () => {
      const incident = commanded({ severity });
      assert.deepEqual(dueReminders(incident, at(interval - 1)), []);
      assert.deepEqual(nextReminderAt(incident, at(interval - 1)), at(interval));
      assert.deepEqual(dueReminders(incident, at(interval)), [
        { kind: 'update-reminder', dueAt: at(interval), minutesSinceUpdate: interval },
      ]);
    });
  }

  test('repeats every interval while no update comes', () => {
    const incident = commanded({ severity: 'SEV1' });
    assert.deepEqual(dueReminders(incident, at(65)), [
      { kind: 'update-reminder', dueAt: at(60), minutesSinceUpdate: 65 },
    ]);
    const sent = { ...incident, updateReminderDueAt: at(60) };
    assert.deepEqual(dueReminders(sent, at(89)), []);
    assert.deepEqual(nextReminderAt(sent, at(65)), at(90));
    assert.deepEqual(
      dueReminders(sent, at(90)).map((r) => r.dueAt),
      [at(90)],
    );
  });

  test('each due time is sent at most once', () => {
    const incident = commanded({ severity: 'SEV2', updateReminderDueAt: at(60) });
    assert.deepEqual(dueReminders(incident, at(60)), []);
    assert.deepEqual(dueReminders(incident, at(119)), []);
    assert.deepEqual(nextReminderAt(incident, at(60)), at(120));
  });

  test('after downtime only the latest missed due time is sent, not a burst', () => {
    const incident = commanded({ severity: 'SEV1' });
    assert.deepEqual(dueReminders(incident, at(200)), [
      { kind: 'update-reminder', dueAt: at(180), minutesSinceUpdate: 200 },
    ]);
  });

  test('a status update restarts the count', () => {
    const incident = commanded({ severity: 'SEV1', updateReminderDueAt: at(30), lastUpdateAt: at(40) });
    assert.deepEqual(dueReminders(incident, at(60)), []);
    assert.deepEqual(nextReminderAt(incident, at(60)), at(70));
    assert.deepEqual(
      dueReminders(incident, at(70)).map((r) => r.dueAt),
      [at(70)],
    );
  });

  test('a due but unsent reminder is the next check, so it runs at once', () => {
    assert.deepEqual(nextReminderAt(commanded({ severity: 'SEV1' }), at(45)), at(30));
  });
});

describe('commander nudge', () => {
  test(`due ${COMMANDER_NUDGE_MINUTES} min after declaring when no commander is set`, () => {
    const incident = anIncident({ createdAt: declaredAt, lastUpdateAt: declaredAt, severity: 'SEV1', roles: {} });
    assert.equal(COMMANDER_NUDGE_MINUTES, 10);
    assert.deepEqual(dueReminders(incident, at(9)), []);
    assert.deepEqual(nextReminderAt(incident, at(0)), at(10));
    assert.deepEqual(dueReminders(incident, at(10)), [
      { kind: 'commander-nudge', dueAt: at(10), minutesSinceDeclared: 10 },
    ]);
  });

  test('not when a commander is set', () => {
    const incident = commanded({ severity: 'SEV4' });
    assert.deepEqual(dueReminders(incident, at(10)), []);
    assert.deepEqual(nextReminderAt(incident, at(10)), at(120));
  });

  test('once: not again after it was sent', () => {
    const incident = anIncident({
      createdAt: declaredAt,
      lastUpdateAt: declaredAt,
      severity: 'SEV3',
      roles: {},
      commanderNudgedAt: at(10),
    });
    assert.deepEqual(dueReminders(incident, at(50)), []);
    assert.deepEqual(nextReminderAt(incident, at(50)), at(120));
  });

  test('with an update reminder due at the same check, both are due', () => {
    const incident = anIncident({ createdAt: declaredAt, lastUpdateAt: declaredAt, severity: 'SEV1', roles: {} });
    assert.deepEqual(kinds(dueReminders(incident, at(31))), ['update-reminder', 'commander-nudge']);
    assert.deepEqual(nextReminderAt(incident, at(31)), at(10));
  });
});

describe('no reminders', () => {
  for (const status of ['RESOLVED', 'CLOSED'] as const) {
    test(`when ${status.toLowerCase()}`, () => {
      const incident = anIncident({
        createdAt: declaredAt,
        lastUpdateAt: declaredAt,
        severity: 'SEV1',
        roles: {},
        status,
      });
      assert.deepEqual(dueReminders(incident, at(600)), []);
      assert.equal(nextReminderAt(incident, at(600)), null);
    });
  }

  test('before the incident has its channel', () => {
    const incident = anIncident({
      createdAt: declaredAt,
      lastUpdateAt: declaredAt,
      severity: 'SEV1',
      roles: {},
      channelId: null,
    });
    assert.deepEqual(dueReminders(incident, at(600)), []);
    assert.equal(nextReminderAt(incident, at(600)), null);
  });
});

test('UTC instants: a daylight saving change makes no difference (London, 25 Oct 2026)', () => {
  // 00:40Z is 01:40 BST; 01:40Z is 01:40 GMT: 60 minutes apart on the clock face twice.
  const lastUpdateAt = new Date('2026-10-25T00:40:00Z');
  const incident = commanded({ severity: 'SEV2', createdAt: lastUpdateAt, lastUpdateAt });
  assert.deepEqual(nextReminderAt(incident, lastUpdateAt), new Date('2026-10-25T01:40:00Z'));
  assert.deepEqual(dueReminders(incident, new Date('2026-10-25T01:40:00Z')).length, 1);
});

describe('custom cadences (REMINDER_UPDATE_MINUTES, REMINDER_COMMANDER_MINUTES)', () => {
  const cadence: ReminderCadence = {
    updateMinutes: { SEV1: 15, SEV2: 45, SEV3: 240, SEV4: null },
    commanderMinutes: 5,
  };

  test('the defaults are the built-in 30/60/120/120 and 10 minutes', () => {
    assert.deepEqual(DEFAULT_REMINDER_CADENCE, {
      updateMinutes: { SEV1: 30, SEV2: 60, SEV3: 120, SEV4: 120 },
      commanderMinutes: 10,
    });
  });

  for (const [severity, minutes] of [
    ['SEV1', 15],
    ['SEV2', 45],
    ['SEV3', 240],
  ] as const) {
    test(`${severity} every ${minutes} min: due then, not a minute before, and again ${minutes} min later`, () => {
      const incident = commanded({ severity });
      assert.deepEqual(dueReminders(incident, at(minutes - 1), cadence), []);
      assert.deepEqual(nextReminderAt(incident, at(minutes - 1), cadence), at(minutes));
      assert.deepEqual(dueReminders(incident, at(minutes), cadence), [
        { kind: 'update-reminder', dueAt: at(minutes), minutesSinceUpdate: minutes },
      ]);
      const sent = { ...incident, updateReminderDueAt: at(minutes) };
      assert.deepEqual(nextReminderAt(sent, at(minutes), cadence), at(2 * minutes));
      assert.deepEqual(latestUpdateReminderDue(sent, at(2 * minutes + 1), cadence), at(2 * minutes));
    });
  }

  test('off for a severity: never an update reminder, and nothing to check for one', () => {
    const incident = commanded({ severity: 'SEV4' });
    assert.deepEqual(dueReminders(incident, at(10_000), cadence), []);
    assert.equal(latestUpdateReminderDue(incident, at(10_000), cadence), null);
    assert.equal(
      nextReminderAt(incident, at(0), cadence),
      null,
      'a commanded SEV4 with update reminders off has nothing due',
    );
  });

  test('off for a severity: the commander nudge still comes', () => {
    const incident = anIncident({ createdAt: declaredAt, lastUpdateAt: declaredAt, severity: 'SEV4', roles: {} });
    assert.deepEqual(nextReminderAt(incident, at(0), cadence), at(5));
    assert.deepEqual(dueReminders(incident, at(5), cadence), [
      { kind: 'commander-nudge', dueAt: at(5), minutesSinceDeclared: 5 },
    ]);
    assert.equal(nextReminderAt({ ...incident, commanderNudgedAt: at(5) }, at(5), cadence), null);
  });

  test('the commander nudge after its own minutes, or never when off', () => {
    const incident = anIncident({ createdAt: declaredAt, lastUpdateAt: declaredAt, severity: 'SEV2', roles: {} });
    assert.deepEqual(dueReminders(incident, at(4), cadence), []);
    assert.deepEqual(kinds(dueReminders(incident, at(5), cadence)), ['commander-nudge']);
    const noNudge: ReminderCadence = { ...cadence, commanderMinutes: null };
    assert.deepEqual(dueReminders(incident, at(44), noNudge), []);
    assert.deepEqual(nextReminderAt(incident, at(0), noNudge), at(45), 'the next check is the update reminder');
    assert.deepEqual(kinds(dueReminders(incident, at(45), noNudge)), ['update-reminder']);
  });

  test('everything off: the breach clock still runs', () => {
    const allOff: ReminderCadence = {
      updateMinutes: { SEV1: null, SEV2: null, SEV3: null, SEV4: null },
      commanderMinutes: null,
    };
    const incident = anIncident({ createdAt: declaredAt, lastUpdateAt: declaredAt, severity: 'SEV1', roles: {} });
    assert.equal(nextReminderAt(incident, at(0), allOff), null);
    const breach = { ...incident, dataBreach: true, breachAwareAt: declaredAt };
    assert.deepEqual(nextReminderAt(breach, at(0), allOff), at(24 * 60));
    assert.deepEqual(kinds(dueReminders(breach, at(24 * 60), allOff)), ['breach-reminder']);
  });
});

describe('parsing the cadence settings', () => {
  const message = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      assert.ok(err instanceof AppError, String(err));
      return err.userMessage;
    }
    assert.fail('expected an AppError');
  };

  test('per severity, in any order and spelling; unlisted severities keep their default; blank keeps all', () => {
    assert.deepEqual(parseUpdateCadence('SEV1=30,SEV2=60,SEV3=120,SEV4=off'), {
      SEV1: 30,
      SEV2: 60,
      SEV3: 120,
      SEV4: null,
    });
    assert.deepEqual(parseUpdateCadence(' sev3 = 90 ; 1=15 ; Sev-4=OFF '), {
      SEV1: 15,
      SEV2: 60,
      SEV3: 90,
      SEV4: null,
    });
    assert.deepEqual(parseUpdateCadence(''), UPDATE_INTERVAL_MINUTES);
    assert.deepEqual(parseUpdateCadence('SEV2=10080'), { ...UPDATE_INTERVAL_MINUTES, SEV2: 10080 });
  });

  test('the commander nudge: minutes or off', () => {
    assert.equal(parseCommanderCadence('10'), 10);
    assert.equal(parseCommanderCadence(' 1 '), 1);
    assert.equal(parseCommanderCadence('off'), null);
    assert.equal(parseCommanderCadence('Off'), null);
  });

  test('anything else is refused, naming the entry', () => {
    const cases: [string, RegExp][] = [
      ['SEV1=0', /`SEV1=0`: the minutes must be a whole number from 1 to 10080/],
      ['SEV1=-5', /`SEV1=-5`: the minutes must be/],
      ['SEV2=1.5', /`SEV2=1.5`: the minutes must be/],
      ['SEV2=1e3', /`SEV2=1e3`: the minutes must be/],
      ['SEV2=10081', /`SEV2=10081`: the minutes must be/],
      ['SEV2=', /`SEV2=`: the minutes must be/],
      ['SEV2=never', /`SEV2=never`: the minutes must be/],
      ['SEV5=10', /`SEV5` is not a severity/],
      ['P1=10', /`P1` is not a severity/],
      ['=10', /`` is not a severity/],
      ['SEV1', /`SEV1` has no `=`/],
      ['SEV1:30', /`SEV1:30` has no `=`/],
      ['SEV1=30,sev1=40', /gives SEV1 twice/],
      [`SEV1=${'9'.repeat(500)}`, /the minutes must be/],
    ];
    for (const [text, expected] of cases) {
      const m = message(() => parseUpdateCadence(text));
      assert.match(m, expected, text);
      assert.ok(m.length < 200, `a short message: ${m}`);
    }
    for (const text of ['0', '-1', '2.5', 'ten', '', '10081', '10 minutes']) {
      assert.match(
        message(() => parseCommanderCadence(text)),
        /is not a number of minutes: write a whole number from 1 to 10080 \(a week\), or `off`/,
        text,
      );
    }
  });
});
