// Personal-data breaches through the running bot: declaring with --breach (and from the form), the
// 72-hour regulator clock on the pinned summary, reminders at 24, 48 and 66 hours (and when the
// deadline passes) each posted once, `/incident breach notified` stopping them, and bad input refused
// with nothing changed. Signed requests to the real app; Slack is the stateful stand-in; the bot's
// clock is moved ahead of real time. The database is PGlite and, when set, PostgreSQL.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, beforeEach, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import { formatInZone } from '../../src/domain/time.ts';
import { DECLARE_MODAL } from '../../src/slack/ids.ts';
import { sendReminders } from '../../src/services/incident/send-reminders.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { declareModalValues } from '../support/slack-requests.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';

const USERS = ['UALICE', 'UBOB', 'UCAROL', 'UDAVE'];
const HOUR = 3_600_000;
const TZ = 'Europe/London';

for (const database of testDatabases()) {
  describe(`data breach (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    let seq = 0;
    /** The bot's clock runs this far ahead of real time. */
    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs) };

    const env = useTestBot(database, {
      // Alice types local times in New York; the team's zone (TZ_DEFAULT) is London.
      users: USERS.map((id) => ({
        id,
        name: id.slice(1).toLowerCase(),
        tz: id === 'UALICE' ? 'America/New_York' : TZ,
      })),
      env: { TZ_DEFAULT: TZ },
      clock,
    });
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      offsetMs = 0;
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: USERS });
    });

    async function run(text: string, user: string, channelId: string) {
      const id = `b${++seq}`;
      const res = await app.command(text, { responseUrl: slack.responseUrl(id), userId: user, channelId });
      assert.equal(res.status, 200);
      await app.bot.idle();
      const told = slack.responses.filter((r) => r.id === id).map((r) => String(r.body.text));
      return { ack: res.json() as { text?: string } | undefined, told };
    }
    async function declare(text: string, user = 'UALICE'): Promise<Incident> {
      const { told } = await run(`declare ${text}`, user, 'CGENERAL');
      const n = Number(/INC-(\d+)/.exec(told.join(' '))?.[1]);
      const incident = await app.bot.deps.store.findByNumber(n);
      assert.ok(incident?.provisionedAt, `declared: ${told.join(' ')}`);
      for (const u of USERS) slack.channels.get(incident.channelId!)!.members.add(u);
      return incident;
    }
    const reload = async (i: Incident) => (await app.bot.deps.store.findById(i.id))!;
    const postedIn = (channel: string) =>
      slack.messages.filter((m) => m.channel === channel && !m.ephemeralTo).map((m) => m.text ?? '');
    const breachReminders = (i: Incident) => postedIn(i.channelId!).filter((t) => /\*Data breach\*:/.test(t));
    const summaryOf = (i: Incident) =>
      JSON.stringify(slack.messages.find((m) => m.channel === i.channelId && m.ts === i.summaryTs)?.blocks);
    const count = async () => await app.bot.db.prisma.incident.count();
    /** Sends what is due at the bot's clock, through the use case the queue's jobs run. */
    const remind = async (i: Incident) =>
      (await sendReminders(app.bot.deps, i.id))
        .filter((r) => r.kind === 'breach-reminder')
        .map((r) => (r as { hours: number }).hours);

    test('declaring with --breach starts the clock at the declare time and shows it on the summary, not in the broadcast', async () => {
      const i = await declare('sev2 Discharge letters sent to the wrong patients --breach');
      assert.equal(i.dataBreach, true);
      assert.ok(
        i.breachAwareAt && Math.abs(i.breachAwareAt.getTime() - i.createdAt.getTime()) < 1000,
        'aware when declared',
      );
      const deadline = new Date(i.breachAwareAt.getTime() + 72 * HOUR);
      assert.ok(
        summaryOf(i).includes(`regulator notification due *${formatInZone(deadline, TZ)}* (in 71 h)`),
        summaryOf(i),
      );
      assert.ok(
        !postedIn(BROADCAST_CHANNEL).some((t) => /breach|regulator/i.test(t)),
        'the broadcast says nothing of a breach',
      );
      const entry = (await app.bot.deps.store.timeline(i.id)).find((e) => e.kind === 'data_breach');
      assert.ok(entry, 'the timeline records the breach');
      assert.equal(entry.occurredAt.getTime(), i.breachAwareAt.getTime());
    });

    test('reminders at 24, 48 and 66 hours and at the deadline, once each, mentioning the commander; they outlive resolving; notifying stops them', {
      timeout: 60_000,
    }, async () => {
      const i = await declare('sev2 Patient list emailed outside the trust --breach');
      offsetMs = 23 * HOUR + 59 * 60_000;
      assert.deepEqual(await remind(i), [], 'nothing a minute before 24 hours');
      offsetMs = 24 * HOUR + 60_000;
      assert.deepEqual(await remind(i), [24]);
      assert.deepEqual(await remind(i), [], 'sent once');
      assert.equal(breachReminders(i).length, 1);
      assert.match(
        breachReminders(i)[0]!,
        /24 hours since becoming aware of \*INC-\d+\*.*\(in 47 h\)\. <@UALICE>, once it is done record it with `\/incident breach notified/,
        'the declarer while no commander is set',
      );
      assert.ok(summaryOf(await reload(i)).includes('(in 47 h)'), 'the summary counts down');

      await run('role commander <@UBOB|bob>', 'UALICE', i.channelId!);
      offsetMs = 48 * HOUR + 60_000;
      // Two checks at once (two replicas, or a job delivered twice): the compare-and-set lets one send it.
      const both = await Promise.all([remind(i), remind(i)]);
      assert.deepEqual(both.flat(), [48]);
      assert.match(breachReminders(i).at(-1)!, /48 hours since becoming aware.*<@UBOB>, once it is done/);

      // Resolving does not stop the legal clock.
      await run('resolve service restored', 'UBOB', i.channelId!);
      offsetMs = 66 * HOUR + 60_000;
      assert.deepEqual(await remind(i), [66]);
      assert.deepEqual(await remind(i), []);
      offsetMs = 72 * HOUR + 60_000;
      assert.deepEqual(await remind(i), [72]);
      assert.match(breachReminders(i).at(-1)!, /the 72-hour deadline to notify the regulator of \*INC-\d+\* passed/);
      offsetMs = 75 * HOUR + 60_000;
      assert.ok(summaryOf(await reload(i)).includes('overdue by'), 'redrawn as overdue at the deadline');
      assert.equal(breachReminders(i).length, 4, 'one each at 24, 48, 66 and 72 hours');
      assert.equal((await reload(i)).breachRemindedHours, 72);

      // Only the commander (or the DPO: none here) records the notification; a refusal changes nothing.
      // (`ico` names the obligation since regimes came; the reference follows it.)
      const unchanged = await reload(i);
      const { told } = await run('breach notified ico ICO case IC-0042', 'UCAROL', i.channelId!);
      assert.match(
        told.join(' '),
        /Only the incident commander <@UBOB> or the data protection officer \(none assigned yet.*can record that a breach notification was made/,
      );
      assert.equal((await reload(i)).updatedAt.getTime(), unchanged.updatedAt.getTime());
      assert.equal((await reload(i)).breachNotifiedAt, null);

      await run('breach notified ico ICO case IC-0042', 'UBOB', i.channelId!);
      const notified = await reload(i);
      assert.equal(notified.breachNotifiedBy, 'UBOB');
      assert.ok(notified.breachNotifiedAt);
      assert.ok(
        summaryOf(notified).includes(
          `regulator notified ${formatInZone(notified.breachNotifiedAt, TZ)} by <@UBOB> (after the 72-hour deadline)`,
        ),
      );
      const entry = (await app.bot.deps.store.timeline(i.id)).find((e) => e.kind === 'breach_notified');
      assert.equal(entry?.actorId, 'UBOB');
      assert.equal(entry?.data?.reference, 'ICO case IC-0042');
      assert.ok(
        postedIn(i.channelId!).some((t) =>
          /<@UBOB> recorded that the regulator was notified.*\n> ICO case IC-0042/s.test(t),
        ),
      );
      assert.match((await run('breach notified again', 'UBOB', i.channelId!)).told.join(' '), /already recorded/);
      assert.ok(!postedIn(BROADCAST_CHANNEL).some((t) => /breach|regulator/i.test(t)));
    });

    test('notifying before the deadline stops the remaining reminders', async () => {
      const i = await declare('sev3 Scan results visible to another practice --breach');
      offsetMs = 25 * HOUR;
      assert.deepEqual(await remind(i), [24]);
      await run('breach notified', 'UALICE', i.channelId!);
      const notified = await reload(i);
      assert.ok(
        summaryOf(notified).includes(`regulator notified ${formatInZone(notified.breachNotifiedAt!, TZ)} by <@UALICE>`),
      );
      assert.ok(!summaryOf(notified).includes('after the 72-hour deadline'));
      for (const h of [49, 67, 80]) {
        offsetMs = h * HOUR;
        assert.deepEqual(await remind(i), [], `nothing at ${h} h`);
      }
      assert.equal(breachReminders(i).length, 1);
    });

    test('an awareness time long enough ago that several points passed: only the latest is sent, by the queue itself', {
      timeout: 30_000,
    }, async () => {
      const aware = new Date(Date.now() - 50 * HOUR);
      const iso = `${aware.toISOString().slice(0, 16)}Z`;
      const i = await declare(`sev2 Backup tape lost in transit --aware=${iso}`);
      assert.equal((await reload(i)).breachAwareAt?.toISOString(), `${iso.slice(0, 16)}:00.000Z`);
      // The declare scheduled a check due at once: the running pg-boss worker sends the 48-hour one.
      const deadline = Date.now() + 20_000;
      while (breachReminders(i).length === 0 && Date.now() < deadline) await sleep(200);
      assert.equal(breachReminders(i).length, 1, 'sent by the queue');
      assert.match(breachReminders(i)[0]!, /48 hours since becoming aware/);
      assert.equal((await reload(i)).breachRemindedHours, 48);
      assert.deepEqual(await remind(i), [], 'not the 24-hour one after it');
    });

    test("a local --aware time is read in the declarer's own Slack time zone", async () => {
      // Two hours ago, written as New York wall-clock time (Alice's zone).
      const aware = new Date(Math.floor((Date.now() - 2 * HOUR) / 60_000) * 60_000);
      const local = formatLocal(aware, 'America/New_York');
      const i = await declare(`sev2 Referral sent to wrong clinic --breach --aware=${local}`);
      assert.equal((await reload(i)).breachAwareAt?.toISOString(), aware.toISOString());
    });

    test('bad input gets a clear private message and changes nothing', async () => {
      const n = await count();
      let r = await run('declare sev2 Leak --aware=last-tuesday', 'UALICE', 'CGENERAL');
      assert.match(String(r.ack?.text), /`last-tuesday` is not an awareness time I can read/);
      const future = `${new Date(Date.now() + 3 * HOUR).toISOString().slice(0, 16)}Z`;
      r = await run(`declare sev2 Leak --breach --aware=${future}`, 'UALICE', 'CGENERAL');
      assert.match(r.told.join(' '), /is in the future/);
      const old = `${new Date(Date.now() - 31 * 24 * HOUR).toISOString().slice(0, 16)}Z`;
      r = await run(`declare sev2 Leak --breach --aware=${old}`, 'UALICE', 'CGENERAL');
      assert.match(r.told.join(' '), /more than 30 days ago/);
      r = await run('declare near-miss Nearly sent the list --breach', 'UALICE', 'CGENERAL');
      assert.match(String(r.ack?.text), /near miss cannot be a personal data breach/);
      assert.equal(await count(), n, 'no incident recorded');

      const i = await declare('sev3 Wrong letter template');
      const before = await reload(i);
      for (const [text, user, expected] of [
        ['breach notified', 'UALICE', /not marked as a personal data breach/],
        ['breach off', 'UALICE', /not marked as a personal data breach/],
        ['breach on --aware=soon', 'UBOB', /`soon` is not an awareness time I can read/],
        [`breach on --aware=${future}`, 'UBOB', /is in the future/],
        ['breach sideways', 'UBOB', /Write it as `\/incident breach on/],
      ] as [string, string, RegExp][]) {
        const { ack, told } = await run(text, user, i.channelId!);
        assert.match([ack?.text ?? '', ...told].join(' '), expected, text);
      }
      const after = await reload(i);
      assert.equal(after.updatedAt.getTime(), before.updatedAt.getTime(), 'nothing written');
      assert.equal(after.dataBreach, false);
    });

    test('anyone turns a breach on later (with an awareness time); only the commander turns it off', async () => {
      const i = await declare('sev3 Shared drive permissions wrong');
      const aware = `${new Date(Date.now() - 30 * HOUR).toISOString().slice(0, 16)}Z`;
      await run(`breach on --aware=${aware}`, 'UDAVE', i.channelId!);
      const on = await reload(i);
      assert.equal(on.dataBreach, true);
      assert.equal(on.breachAwareAt?.toISOString(), `${aware.slice(0, 16)}:00.000Z`);
      assert.ok(summaryOf(on).includes('(in 41 h)'), summaryOf(on));
      assert.ok(
        postedIn(i.channelId!).some((t) => /<@UDAVE> marked \*INC-\d+\* as a \*personal data breach\*/.test(t)),
      );
      assert.match((await run('breach on', 'UBOB', i.channelId!)).told.join(' '), /already a personal data breach/);
      const { told } = await run('breach off', 'UDAVE', i.channelId!);
      assert.match(
        told.join(' '),
        /Only the declarer \(no commander is set yet\), <@UALICE>, can turn off the data breach/,
      );
      assert.equal((await reload(i)).dataBreach, true);
      // Turning it off needs a reason (on the timeline and the audit trail).
      assert.match(
        (await run('breach off', 'UALICE', i.channelId!)).told.join(' '),
        /Give the reason it is not a personal data breach: `\/incident breach off <reason>`/,
      );
      assert.equal((await reload(i)).dataBreach, true);
      await run('breach off drive was shared with our own team only', 'UALICE', i.channelId!);
      const off = await reload(i);
      const offEntry = (await app.bot.deps.store.timeline(i.id)).filter((e) => e.kind === 'data_breach').at(-1);
      assert.equal(offEntry?.data?.reason, 'drive was shared with our own team only');
      assert.match(offEntry?.text ?? '', /Reason: drive was shared with our own team only/);
      assert.equal(off.dataBreach, false);
      assert.ok(!summaryOf(off).includes('Data breach'));
      offsetMs = 50 * HOUR;
      assert.deepEqual(await remind(i), [], 'no reminders once it is off');
      assert.ok(!postedIn(BROADCAST_CHANNEL).some((t) => /breach|regulator/i.test(t)));
    });

    test('a private breach stays out of the broadcast channel', async () => {
      const i = await declare('sev2 Safeguarding records exposed --private --breach');
      offsetMs = 24 * HOUR + 60_000;
      assert.deepEqual(await remind(i), [24]);
      await run('breach notified ICO IC-9', 'UALICE', i.channelId!);
      assert.ok(
        !postedIn(BROADCAST_CHANNEL).some((t) => /Safeguarding|breach|regulator|INC-/i.test(t)),
        postedIn(BROADCAST_CHANNEL).join('\n'),
      );
      assert.equal(breachReminders(i).length, 1);
    });

    test('the declare form: the breach checkbox and an awareness time; a future time is shown in the form and nothing is created', async () => {
      const n = await count();
      const withAware = (seconds: number | null, flags: string[]) => ({
        ...declareModalValues({ title: 'Appointment letters misaddressed', severity: 'SEV2', flags }),
        [DECLARE_MODAL.blocks.breachAware]: {
          [DECLARE_MODAL.actions.breachAware]: { type: 'datetimepicker', selected_date_time: seconds },
        },
      });
      const bad = await app.submitView({
        viewId: 'VBREACH1',
        callbackId: DECLARE_MODAL.callbackId,
        values: withAware(Math.floor((Date.now() + 2 * HOUR) / 1000), ['breach']),
      });
      assert.equal(bad.json().response_action, 'errors');
      assert.match(bad.json().errors[DECLARE_MODAL.blocks.breachAware], /is in the future/);
      await app.bot.idle();
      assert.equal(await count(), n, 'nothing created');

      const aware = Math.floor((Date.now() - 5 * HOUR) / 1000);
      const ok = await app.submitView({
        viewId: 'VBREACH2',
        callbackId: DECLARE_MODAL.callbackId,
        privateMetadata: JSON.stringify({ responseUrl: slack.responseUrl('breachform'), channelId: 'CGENERAL' }),
        values: withAware(aware, ['breach']),
      });
      assert.equal(ok.status, 200);
      await app.bot.idle();
      const created = (await app.bot.db.prisma.incident.findFirst({
        where: { title: 'Appointment letters misaddressed' },
      }))!;
      assert.equal(created.dataBreach, true);
      assert.equal(created.breachAwareAt?.getTime(), aware * 1000);
      const incident = (await app.bot.deps.store.findById(created.id))!;
      assert.ok(summaryOf(incident).includes('(in 66 h)'), summaryOf(incident));

      // Ticked without a time: aware when declared.
      await app.submitView({
        viewId: 'VBREACH3',
        callbackId: DECLARE_MODAL.callbackId,
        values: {
          ...withAware(null, ['breach']),
          [DECLARE_MODAL.blocks.title]: {
            [DECLARE_MODAL.actions.title]: { type: 'plain_text_input', value: 'Fax to wrong number' },
          },
        },
      });
      await app.bot.idle();
      const ticked = (await app.bot.db.prisma.incident.findFirst({ where: { title: 'Fax to wrong number' } }))!;
      assert.equal(ticked.dataBreach, true);
      assert.ok(ticked.breachAwareAt && Math.abs(ticked.breachAwareAt.getTime() - ticked.createdAt.getTime()) < 1000);
    });
  });
}

/** `YYYY-MM-DDTHH:MM` as the wall clock reads in `timeZone`. */
function formatLocal(date: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}
