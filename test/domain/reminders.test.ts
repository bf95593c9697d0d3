import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  COMMANDER_NUDGE_MINUTES,
  dueReminders,
  nextReminderAt,
  UPDATE_INTERVAL_MINUTES,
} from '../../src/domain/reminders.ts';
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
    assert.deepEqual(dueReminders(incident, at(65)), [{ kind: 'update-reminder', dueAt: at(60), minutesSinceUpdate: 65 }]);
    const sent = { ...incident, updateReminderDueAt: at(60) };
    assert.deepEqual(dueReminders(sent, at(89)), []);
    assert.deepEqual(nextReminderAt(sent, at(65)), at(90));
    assert.deepEqual(dueReminders(sent, at(90)).map((r) => r.dueAt), [at(90)]);
  });

  test('each due time is sent at most once', () => {
    const incident = commanded({ severity: 'SEV2', updateReminderDueAt: at(60) });
    assert.deepEqual(dueReminders(incident, at(60)), []);
    assert.deepEqual(dueReminders(incident, at(119)), []);
    assert.deepEqual(nextReminderAt(incident, at(60)), at(120));
  });

  test('after downtime only the latest missed due time is sent, not a burst', () => {
    const incident = commanded({ severity: 'SEV1' });
    assert.deepEqual(dueReminders(incident, at(200)), [{ kind: 'update-reminder', dueAt: at(180), minutesSinceUpdate: 200 }]);
  });

  test('a status update restarts the count', () => {
    const incident = commanded({ severity: 'SEV1', updateReminderDueAt: at(30), lastUpdateAt: at(40) });
    assert.deepEqual(dueReminders(incident, at(60)), []);
    assert.deepEqual(nextReminderAt(incident, at(60)), at(70));
    assert.deepEqual(dueReminders(incident, at(70)).map((r) => r.dueAt), [at(70)]);
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
    assert.deepEqual(dueReminders(incident, at(10)), [{ kind: 'commander-nudge', dueAt: at(10), minutesSinceDeclared: 10 }]);
  });

  test('not when a commander is set', () => {
    const incident = commanded({ severity: 'SEV4' });
    assert.deepEqual(dueReminders(incident, at(10)), []);
    assert.deepEqual(nextReminderAt(incident, at(10)), at(120));
  });

  test('once: not again after it was sent', () => {
    const incident = anIncident({ createdAt: declaredAt, lastUpdateAt: declaredAt, severity: 'SEV3', roles: {}, commanderNudgedAt: at(10) });
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
      const incident = anIncident({ createdAt: declaredAt, lastUpdateAt: declaredAt, severity: 'SEV1', roles: {}, status });
      assert.deepEqual(dueReminders(incident, at(600)), []);
      assert.equal(nextReminderAt(incident, at(600)), null);
    });
  }

  test('before the incident has its channel', () => {
    const incident = anIncident({ createdAt: declaredAt, lastUpdateAt: declaredAt, severity: 'SEV1', roles: {}, channelId: null });
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
