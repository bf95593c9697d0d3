// showAllowances on a real database with a PagerDuty history that is down: what the answer says
// about the cached figures is about the month asked for, not about the days read around it (a
// night or a local day across the month's start or end is judged on all of it).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OnCallPerson } from '../../src/domain/on-call-load.ts';
import { parsePayRules } from '../../src/domain/pay-rules.ts';
import { windowsCovering } from '../../src/domain/sync-windows.ts';
import type { OnCallHistory, OnCallWindow } from '../../src/ports/on-call-history.ts';
import { OnCallUnavailable } from '../../src/ports/on-call-provider.ts';
import { showAllowances } from '../../src/services/on-call/show-allowances.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { TestClock, testDeps } from '../support/deps.ts';

const DAY = 24 * 3_600_000;

/** PagerDuty in an outage: every fetch fails. */
class DownHistory implements OnCallHistory {
  fetches = 0;
  async findScope() {
    return null;
  }
  async fetchWindow(): Promise<OnCallWindow> {
    this.fetches++;
    throw new OnCallUnavailable('PagerDuty answered 503');
  }
}

const RULES = `
currency: GBP
region: england-and-wales
defaults:
  standby: { per: hour, weekday: 1.00, weekend: 2.00, publicHoliday: 3.00 }
`;

const ANN: OnCallPerson = { id: 'PANN', name: 'Ann Example', email: null, timeZone: 'Europe/London' };

for (const database of testDatabases()) {
  describe(`showAllowances while PagerDuty is down (${database.name})`, () => {
    const env = useTestStore(database);

    test('the month all cached: no day of it is said to have no data, though the days around it are not cached', async () => {
      // February 2027 begins on a Monday, so its weeks (the cache's windows) are exactly the month;
      // the days read either side of it are in other weeks, never fetched.
      const from = new Date('2027-02-01T00:00:00Z');
      const to = new Date('2027-03-01T00:00:00Z');
      const history = new DownHistory();
      const deps = testDeps({
        db: env.db(),
        clock: new TestClock(new Date('2027-03-02T12:00:00Z')),
        history,
        settings: { payRules: parsePayRules(RULES), oncallLeads: ['ULEAD'] },
      });
      for (const w of windowsCovering(from, to)) {
        const stretch = {
          userId: ANN.id,
          scheduleId: 'S1',
          escalationPolicyId: null,
          level: 1,
          start: w.start,
          end: new Date(w.start.getTime() + DAY),
        };
        await deps.loadCache.saveWindow('all', w, { people: [ANN], stretches: [stretch], pages: [] }, w.end);
      }
      const a = await showAllowances(deps, { userId: 'ULEAD', month: null, query: null });
      assert.equal(a.period.key, '2027-02');
      assert.ok(history.fetches > 0, 'PagerDuty was asked');
      assert.match(a.sync.failed ?? '', /PagerDuty did not answer/);
      assert.deepEqual(a.sync.missingDays, { current: 0, previous: 0 });
      assert.equal(a.report.people.length, 1);
      assert.equal(a.report.people[0]!.onCallHours, 4 * 24, 'the first day of each of the four weeks');
    });
  });
}
