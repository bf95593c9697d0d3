// The wellbeing sweep on a real database (PGlite, and PostgreSQL when TEST_DATABASE_URL is set)
// with a fake PagerDuty history: the leads' direct messages after a bad night and the weekly check,
// each sent once however many replicas sweep at once, retried after a transient Slack failure, not
// after a permanent one, and nothing at all when the feature is off.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TZDate } from '@date-fns/tz';
import type { OnCallPerson, OnCallStretch, PageEvent } from '../../src/domain/on-call-load.ts';
import { PgWellbeingAlerts } from '../../src/db/pg-wellbeing-alerts.ts';
import { ChatError } from '../../src/ports/chat-platform.ts';
import type { WellbeingAlertKey } from '../../src/ports/wellbeing-alerts.ts';
import type { LoadScope, OnCallHistory, OnCallWindow } from '../../src/ports/on-call-history.ts';
import { OnCallUnavailable } from '../../src/ports/on-call-provider.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { sendWellbeingAlerts } from '../../src/services/on-call/send-wellbeing-alerts.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';

const H = 3_600_000;
const DAY = 24 * H;
const LONDON = 'Europe/London';
const local = (y: number, mo: number, d: number, h = 0, mi = 0) =>
  new Date(new TZDate(y, mo - 1, d, h, mi, LONDON).getTime());

/** A PagerDuty history from fixed data; `down` makes it fail like an outage. Counts its fetches. */
class FakeHistory implements OnCallHistory {
  down = false;
  fetches = 0;
  readonly people: OnCallPerson[];
  readonly stretches: OnCallStretch[];
  readonly pages: PageEvent[];
  constructor(people: OnCallPerson[], stretches: OnCallStretch[], pages: PageEvent[]) {
    this.people = people;
    this.stretches = stretches;
    this.pages = pages;
  }
  async findScope(): Promise<LoadScope | null> {
    return null;
  }
  async fetchWindow(_scope: LoadScope, since: Date, until: Date): Promise<OnCallWindow> {
    this.fetches++;
    if (this.down) throw new OnCallUnavailable('PagerDuty answered 503');
    const stretches = this.stretches
      .filter((s) => s.start < until && s.end > since)
      .map((s) => ({
        ...s,
        start: new Date(Math.max(s.start.getTime(), since.getTime())),
        end: new Date(Math.min(s.end.getTime(), until.getTime())),
      }));
    const ids = new Set(stretches.map((s) => s.userId));
    return {
      people: this.people.filter((p) => ids.has(p.id)),
      stretches,
      pages: this.pages.filter((p) => p.at >= since && p.at < until),
    };
  }
}

const ALICE: OnCallPerson = { id: 'PALICE', name: 'Alice Example', email: 'ualice@example.org', timeZone: LONDON };
const BOB: OnCallPerson = { id: 'PBOB', name: 'Bob Example', email: 'nobody@elsewhere.test', timeZone: LONDON };
const onCall = (userId: string, start: Date, end: Date): OnCallStretch => ({
  userId,
  scheduleId: 'PSCH1',
  escalationPolicyId: 'PEP1',
  level: 1,
  start,
  end,
});
const page = (id: string, userId: string, at: Date, incidentId = `I-${id}`): PageEvent => ({
  id,
  incidentId,
  userId,
  at,
  kind: 'assigned',
  serviceId: null,
});

const LEADS = ['ULEAD1', 'ULEAD2'];
/** Only the bad nights: thresholds nobody passes, and one person (no fairness figure). */
const NIGHTS_ONLY: NonNullable<ServiceDeps['settings']['wellbeing']> = {
  enabled: true,
  maxIncidentsPerShift: 100,
  maxOnCallShare: 1,
};

for (const database of testDatabases()) {
  describe(`wellbeing messages to the on-call leads (${database.name})`, () => {
    const env = useTestStore(database);
    let week = 0;

    /** A fresh week (each test its own nights and weeks on the one database): Alice on call, paged at night. */
    function scenario(opts: { settings?: Partial<ServiceDeps['settings']>; person?: OnCallPerson } = {}) {
      week += 1;
      // Wednesdays in 2027, a week apart per test; the night is Tuesday's.
      const wed = (h: number, mi = 0) => local(2027, 3, 3 + 7 * week, h, mi);
      const history = new FakeHistory(
        [opts.person ?? ALICE],
        [onCall('PALICE', new Date(wed(0).getTime() - 40 * DAY), new Date(wed(0).getTime() + 2 * DAY))],
        [
          page(`LE${week}a`, 'PALICE', wed(2, 10)),
          page(`LE${week}b`, 'PALICE', wed(4, 45)),
          page(`LE${week}c`, 'PALICE', wed(10, 0)), // the day: not the night's
        ],
      );
      const clock = new TestClock(wed(6, 59));
      const replica = (chat = new FakeChat()) => ({
        chat,
        deps: testDeps({
          db: env.db(),
          chat,
          clock,
          history,
          settings: { oncallLeads: LEADS, wellbeing: NIGHTS_ONLY, ...opts.settings },
        }),
      });
      return { wed, history, clock, replica };
    }

    test('the morning after a night with pages each lead gets one message, even with two replicas sweeping at once', async () => {
      const { wed, clock, replica } = scenario({
        settings: { payRules: { defaults: { timeOffInLieu: { hoursPerInterruptedNight: 2 } } } as never },
      });
      const a = replica();
      const b = replica();
      assert.deepEqual(await sendWellbeingAlerts(a.deps), [], '06:59: the night has not ended');
      assert.deepEqual(a.chat.directMessages, []);

      // PagerDuty's copy is from 06:59, and fresh for ten minutes: the night's end is not known yet.
      clock.set(wed(7, 5));
      assert.deepEqual(await sendWellbeingAlerts(a.deps), []);
      clock.set(wed(7, 10));
      const [sentA, sentB] = await Promise.all([sendWellbeingAlerts(a.deps), sendWellbeingAlerts(b.deps)]);
      const dms = [...a.chat.directMessages, ...b.chat.directMessages];
      assert.deepEqual(dms.map((m) => m.userId).sort(), LEADS, 'each lead once, from one replica or the other');
      assert.equal(sentA.length + sentB.length, 2);
      const text = dms[0]!.text;
      assert.match(text, /\*Alice Example\* \(<@UALICE>\) was paged 2 times in the night of Tue/);
      assert.match(text, /22:00–07:00 Europe\/London\): 02:10, 04:45\./);
      assert.match(text, /cover for them today, or time off/);
      assert.match(text, /2 hours of time off in lieu/);

      clock.set(wed(9));
      assert.deepEqual(await sendWellbeingAlerts(a.deps), [], 'a later sweep sends nothing again');
      assert.deepEqual(await sendWellbeingAlerts(b.deps), []);
      assert.equal(a.chat.directMessages.length + b.chat.directMessages.length, 2);
    });

    test('a transient Slack failure is retried by the next sweep; the lead reached is not told twice', async () => {
      const { wed, clock, replica } = scenario();
      const r = replica();
      let failing = true;
      r.chat.before = (method, args) => {
        if (method === 'directMessage' && args[0] === 'ULEAD2' && failing) throw new ChatError('ratelimited');
      };
      clock.set(wed(7, 30));
      await sendWellbeingAlerts(r.deps);
      assert.deepEqual(
        r.chat.directMessages.map((m) => m.userId),
        ['ULEAD1'],
      );
      failing = false;
      clock.set(wed(7, 45));
      // Another replica's sweep picks it up.
      const other = replica();
      await sendWellbeingAlerts(other.deps);
      assert.deepEqual(
        other.chat.directMessages.map((m) => m.userId),
        ['ULEAD2'],
      );
      await sendWellbeingAlerts(r.deps);
      assert.deepEqual(
        r.chat.directMessages.map((m) => m.userId),
        ['ULEAD1'],
        'nothing more',
      );
    });

    test('a permanent Slack failure (a deactivated lead) is not tried again', async () => {
      const { wed, clock, replica } = scenario();
      const r = replica();
      const tries: string[] = [];
      r.chat.before = (method, args) => {
        if (method !== 'directMessage') return;
        tries.push(args[0] as string);
        if (args[0] === 'ULEAD2') throw new ChatError('account_inactive');
      };
      for (const [h, mi] of [
        [7, 15],
        [7, 30],
        [9, 0],
      ] as const) {
        clock.set(wed(h, mi));
        await sendWellbeingAlerts(r.deps);
      }
      assert.deepEqual(tries, ['ULEAD1', 'ULEAD2'], 'each tried once');
    });

    test('off, without leads or without PagerDuty: nothing is sent and PagerDuty is not asked', async () => {
      const { wed, clock, history } = scenario();
      clock.set(wed(8));
      for (const settings of [
        { oncallLeads: LEADS, wellbeing: { ...NIGHTS_ONLY, enabled: false } },
        { oncallLeads: LEADS, wellbeing: null },
        { oncallLeads: [], wellbeing: NIGHTS_ONLY },
      ]) {
        const chat = new FakeChat();
        const deps = testDeps({ db: env.db(), chat, clock, history, settings });
        assert.deepEqual(await sendWellbeingAlerts(deps), []);
        assert.deepEqual(chat.calls, []);
      }
      const chat = new FakeChat();
      const deps = testDeps({
        db: env.db(),
        chat,
        clock,
        history: null,
        settings: { oncallLeads: LEADS, wellbeing: NIGHTS_ONLY },
      });
      assert.deepEqual(await sendWellbeingAlerts(deps), []);
      assert.deepEqual(chat.calls, []);
      assert.equal(history.fetches, 0);
    });

    test('while PagerDuty is down nothing is told about a night it has not given us; once back, the night is sent', async () => {
      const { wed, clock, history, replica } = scenario();
      const r = replica();
      history.down = true;
      clock.set(wed(7, 30));
      assert.deepEqual(await sendWellbeingAlerts(r.deps), []);
      assert.equal(r.chat.directMessages.length, 0);
      history.down = false;
      clock.set(wed(7, 45));
      await sendWellbeingAlerts(r.deps);
      assert.deepEqual(r.chat.directMessages.map((m) => m.userId).sort(), LEADS);
      assert.match(r.chat.directMessages[0]!.text, /paged 2 times/);
    });

    test('the message goes through the PHI guard (names come from PagerDuty)', async () => {
      const { wed, clock, replica } = scenario({ person: { ...ALICE, name: 'Alice 943 476 5919' } });
      const r = replica();
      clock.set(wed(8));
      await sendWellbeingAlerts(r.deps);
      assert.equal(r.chat.directMessages.length, 2);
      for (const m of r.chat.directMessages) {
        assert.doesNotMatch(m.text, /943 476 5919/);
        assert.match(m.text, /\*Alice \[redacted NHS number\]\* \(<@UALICE>\) was paged/);
      }
    });

    test('a night more than a day old (the bot was down) is not sent', async () => {
      const { wed, clock, replica } = scenario();
      const r = replica();
      clock.set(new Date(wed(7).getTime() + DAY));
      await sendWellbeingAlerts(r.deps);
      assert.deepEqual(
        r.chat.directMessages.filter((m) => /night of/.test(m.text)),
        [],
      );
    });
  });

  describe(`the weekly wellbeing check (${database.name})`, () => {
    const env = useTestStore(database);

    test('one message per lead on Monday from 09:00, once across replicas, not again that week', async () => {
      // Monday 7 June 2027 (no clock change in the eight weeks before): Alice on call the whole
      // four weeks (100 %), paged for three incidents in one night; Bob a little, before and now.
      const monday = local(2027, 6, 7);
      const from = new Date(monday.getTime() - 28 * DAY);
      const t = local(2027, 5, 20, 1);
      const history = new FakeHistory(
        [ALICE, BOB],
        [
          onCall('PALICE', from, monday),
          onCall('PBOB', new Date(from.getTime() - 28 * DAY), new Date(from.getTime() - 20 * DAY)),
          onCall('PBOB', new Date(from.getTime() - 20 * DAY), new Date(from.getTime() - 14 * DAY)),
          onCall('PBOB', local(2027, 5, 25, 9), local(2027, 5, 25, 17)),
          onCall('PALICE', new Date(from.getTime() - 14 * DAY), from),
        ],
        [
          page('W1', 'PALICE', t, 'PI1'),
          page('W2', 'PALICE', new Date(t.getTime() + H), 'PI2'),
          page('W3', 'PALICE', new Date(t.getTime() + 3 * H), 'PI3'),
          page('W4', 'PBOB', new Date(from.getTime() - 25 * DAY), 'PI4'),
          page('W5', 'PALICE', new Date(from.getTime() - 10 * DAY), 'PI5'),
        ],
      );
      const clock = new TestClock(local(2027, 6, 7, 8, 59));
      const settings = {
        oncallLeads: LEADS,
        wellbeing: { enabled: true, maxIncidentsPerShift: 2, maxOnCallShare: 0.25 },
      };
      const a = { chat: new FakeChat() };
      const b = { chat: new FakeChat() };
      const depsA = testDeps({ db: env.db(), chat: a.chat, clock, history, settings });
      const depsB = testDeps({ db: env.db(), chat: b.chat, clock, history, settings });
      await sendWellbeingAlerts(depsA);
      assert.deepEqual(a.chat.directMessages, [], 'Monday 08:59: not yet');

      clock.set(local(2027, 6, 7, 9, 0));
      await Promise.all([sendWellbeingAlerts(depsA), sendWellbeingAlerts(depsB)]);
      const weekly = [...a.chat.directMessages, ...b.chat.directMessages].filter((m) => /four weeks/.test(m.text));
      assert.deepEqual(weekly.map((m) => m.userId).sort(), LEADS, 'one message per lead');
      const text = weekly[0]!.text;
      assert.match(text, /the four weeks 10 May – 6 Jun/);
      assert.match(
        text,
        /\*Alice Example\* \(<@UALICE>\): 3 incidents within 12 hours \(Thu 20 May 01:00 – Thu 20 May 04:00 Europe\/London\), more than 2 in a shift/,
      );
      assert.match(text, /\*Alice Example\* \(<@UALICE>\): on call 100 % of the time, more than 25 %/);
      assert.doesNotMatch(text, /\*Bob Example\*: on call/, 'Bob was on call 8 hours of four weeks');
      assert.match(text, /spread less evenly: fairness \(Gini, 0 = even\) 0\.50, was 0\.00/);

      const fetches = history.fetches;
      clock.set(local(2027, 6, 9, 12));
      await sendWellbeingAlerts(depsA);
      await sendWellbeingAlerts(depsB);
      const after = [...a.chat.directMessages, ...b.chat.directMessages].filter((m) => /four weeks/.test(m.text));
      assert.equal(after.length, 2, 'not again that week');
      assert.ok(history.fetches - fetches <= 2, 'and the eight weeks are not fetched again (only the nights’ days)');
    });
  });
}

for (const database of testDatabases()) {
  describe(`wellbeing claims (${database.name})`, () => {
    const env = useTestStore(database);

    test('a claim is won once; an abandoned one is taken over after its lease; a settled one never; a release frees only its own', async () => {
      const alerts = new PgWellbeingAlerts(env.db().pool);
      const key = (recipient: string): WellbeingAlertKey => ({
        kind: 'bad-night',
        subject: 'PALICE',
        period: '2027-03-02',
        recipient,
      });
      const t0 = new Date('2027-03-03T07:10:00Z');
      const at = (min: number) => new Date(t0.getTime() + min * 60_000);
      assert.deepEqual(await alerts.claim([key('U1'), key('U2'), key('U1')], t0, at(-10)), [key('U1'), key('U2')]);
      assert.deepEqual(await alerts.claim([key('U1'), key('U3')], at(1), at(-9)), [key('U3')], 'U1 is held');
      // U2's sender died: after the lease another replica takes it; the first one's release then frees nothing.
      await alerts.settle([key('U1')], t0, at(1), null);
      assert.deepEqual(await alerts.claim([key('U1'), key('U2')], at(11), at(1)), [key('U2')], 'U1 was sent');
      await alerts.release([key('U2')], t0);
      assert.deepEqual(await alerts.claim([key('U2')], at(12), at(2)), [], 'still held by the taker');
      await alerts.release([key('U2')], at(11));
      assert.deepEqual(await alerts.claim([key('U2')], at(13), at(3)), [key('U2')], 'released: claimed again');
      // Given up (a permanent failure): settled, never taken again.
      await alerts.settle([key('U3')], at(1), at(2), 'account_inactive');
      assert.deepEqual(await alerts.claim([key('U3')], at(60), at(50)), []);
    });
  });
}
