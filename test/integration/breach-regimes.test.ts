// The breach assessment and the regimes through the running bot (BREACH_REGIMES=uk-gdpr,hipaa,dspt):
// `/incident breach assess` and its form (errors on the fields, the decision refused to anyone but the
// commander or the DPO), the summary's line per obligation, `/incident breach notified <obligation>`,
// the regimes' reminders sent once by two sweeps at once, 499 and 500 people, a HIPAA discovery on
// 31 December and the year-end list. Signed requests to the real app; Slack is the stand-in; the
// bot's clock is moved. PGlite and, when set, PostgreSQL.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import { remindBreachObligations } from '../../src/services/incident/remind-breach-obligations.ts';
import { BREACH_ASSESSMENT_MODAL as M, breachInputId } from '../../src/slack/ids.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';

const USERS = ['UALICE', 'UBOB', 'UCAROL', 'UDPO'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TZ = 'Europe/London';

/** The form's values as Slack sends them. */
function formValues(f: {
  categories?: string[];
  people?: string;
  estimated?: boolean;
  state?: string;
  likelihood?: string;
  severity?: string;
  contained?: boolean;
  containment?: string;
  decision?: string;
  reason?: string;
}): Record<string, Record<string, unknown>> {
  const B = M.blocks;
  const v = (block: string, value: unknown) => ({ [block]: { [breachInputId(block)]: value } });
  const opt = (value: string | undefined) => ({ selected_option: value === undefined ? null : { value } });
  return {
    ...v(B.categories, { type: 'checkboxes', selected_options: (f.categories ?? []).map((value) => ({ value })) }),
    ...v(B.people, { type: 'number_input', value: f.people ?? null }),
    ...v(B.estimated, {
      type: 'checkboxes',
      selected_options: f.estimated ? [{ value: M.estimatedValue }] : [],
    }),
    ...v(B.mostInOneState, { type: 'number_input', value: f.state ?? null }),
    ...v(B.likelihood, { type: 'static_select', ...opt(f.likelihood) }),
    ...v(B.severity, { type: 'static_select', ...opt(f.severity) }),
    ...v(B.contained, {
      type: 'radio_buttons',
      ...opt(f.contained === undefined ? undefined : f.contained ? 'yes' : 'no'),
    }),
    ...v(B.containment, { type: 'plain_text_input', value: f.containment ?? '' }),
    ...v(B.decision, { type: 'radio_buttons', ...opt(f.decision ?? M.decisions.undecided) }),
    ...v(B.reason, { type: 'plain_text_input', value: f.reason ?? '' }),
  };
}

const FACTS = {
  categories: ['health', 'identity'],
  people: '450',
  estimated: true,
  likelihood: 'likely',
  severity: 'significant',
  contained: true,
  containment: 'Mailbox rule removed; recipients asked to delete.',
};

for (const database of testDatabases()) {
  describe(`breach assessment and regimes (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    let seq = 0;
    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs) };

    const env = useTestBot(database, {
      users: USERS.map((id) => ({ id, name: id.slice(1).toLowerCase(), tz: TZ })),
      env: { TZ_DEFAULT: TZ, BREACH_REGIMES: 'uk-gdpr,hipaa,dspt' },
      clock,
    });
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      offsetMs = 0;
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: USERS });
    });

    async function run(text: string, user: string, channelId: string, triggerId?: string) {
      const id = `r${++seq}`;
      const res = await app.command(text, {
        responseUrl: slack.responseUrl(id),
        userId: user,
        channelId,
        ...(triggerId ? { triggerId } : {}),
      });
      assert.equal(res.status, 200);
      await app.bot.idle();
      const told = slack.responses.filter((r) => r.id === id).map((r) => String(r.body.text));
      return { ack: res.json() as { text?: string } | undefined, told };
    }
    async function declare(text: string): Promise<Incident> {
      const { told } = await run(`declare ${text}`, 'UALICE', 'CGENERAL');
      const n = Number(/INC-(\d+)/.exec(told.join(' '))?.[1]);
      const incident = await app.bot.deps.store.findByNumber(n);
      assert.ok(incident?.provisionedAt, `declared: ${told.join(' ')}`);
      for (const u of USERS) slack.channels.get(incident.channelId!)!.members.add(u);
      return incident;
    }
    const reload = async (i: Incident) => (await app.bot.deps.store.findById(i.id))!;
    const postedIn = (channel: string) =>
      slack.messages.filter((m) => m.channel === channel && !m.ephemeralTo).map((m) => m.text ?? '');
    const summaryOf = async (i: Incident) => {
      const r = await reload(i);
      return JSON.stringify(slack.messages.find((m) => m.channel === r.channelId && m.ts === r.summaryTs)?.blocks);
    };

    /** Opens the form as `user` (asserting it opened) and submits `values`: the ack's errors, if any. */
    async function assess(i: Incident, user: string, values: Record<string, Record<string, unknown>>) {
      const before = slack.views.length;
      const { told } = await run('breach assess', user, i.channelId!, slack.triggerId(user));
      assert.equal(slack.views.length, before + 1, `the form opened: ${told.join(' ')}`);
      const form = slack.views.at(-1)!;
      assert.equal(form.view.callback_id, M.callbackId);
      const res = await app.submitView({
        viewId: form.id,
        callbackId: M.callbackId,
        userId: user,
        privateMetadata: String(form.view.private_metadata),
        values,
      });
      assert.equal(res.status, 200);
      await app.bot.idle();
      return (res.json() as { response_action?: string; errors?: Record<string, string> } | undefined)?.errors ?? null;
    }

    test('the form: only for a breach, errors on its fields, the decision the commander’s or the DPO’s, recorded with its before and after', async () => {
      const plain = await declare('sev3 Printer offline');
      const refused = await run('breach assess', 'UALICE', plain.channelId!, slack.triggerId('UALICE'));
      assert.match(refused.told.join(' '), /not marked as a personal data breach, so there is nothing to assess/);

      const i = await declare('sev2 Clinic letters sent to the wrong addresses --breach');
      // Nothing chosen: each required field says so, nothing is recorded.
      const empty = await assess(i, 'UCAROL', formValues({ people: '-3' }));
      assert.ok(empty, 'errors');
      assert.match(empty[M.blocks.categories]!, /at least one kind of personal data/);
      assert.equal(empty[M.blocks.likelihood], 'Choose one.');
      assert.equal(empty[M.blocks.contained], 'Choose one.');
      assert.match(empty[M.blocks.people]!, /cannot be negative/);
      // More in one state than in all; a decision without its reason.
      const numbers = await assess(
        i,
        'UALICE',
        formValues({ ...FACTS, state: '451', decision: M.decisions.notReportable }),
      );
      assert.match(numbers![M.blocks.mostInOneState]!, /More people in one state than affected in all/);
      assert.match(numbers![M.blocks.reason]!, /reason the breach is not reportable/);
      assert.equal(await app.bot.deps.store.breachAssessment(i.id), null, 'nothing recorded');

      // Anyone in the channel records the facts; a decision from someone else is refused on the form.
      assert.equal(await assess(i, 'UCAROL', formValues(FACTS)), null);
      const drafted = (await app.bot.deps.store.breachAssessment(i.id))!;
      assert.deepEqual([drafted.peopleAffected, drafted.reportable, drafted.assessedBy], [450, null, 'UCAROL']);
      const decided = await assess(
        i,
        'UCAROL',
        formValues({ ...FACTS, decision: M.decisions.reportable, reason: 'Health data of 450 patients' }),
      );
      assert.match(decided![M.blocks.decision]!, /Only the incident commander or the data protection officer decides/);
      await run('role dpo <@UCAROL>', 'UCAROL', i.channelId!);
      assert.equal((await reload(i)).roles.DPO, undefined, 'the DPO role is given by the commander, not taken');
      await run('role dpo <@UDPO>', 'UALICE', i.channelId!);
      assert.equal(
        await assess(
          i,
          'UDPO',
          formValues({ ...FACTS, decision: M.decisions.reportable, reason: 'Health data of 450 patients' }),
        ),
        null,
      );
      const recorded = (await app.bot.deps.store.breachAssessment(i.id))!;
      assert.deepEqual(
        [recorded.reportable, recorded.reason, recorded.assessedBy],
        [true, 'Health data of 450 patients', 'UDPO'],
      );
      assert.equal((await reload(i)).breachReportable, true);
      const entries = (await app.bot.deps.store.timeline(i.id)).filter((e) => e.kind === 'breach_assessed');
      assert.equal(entries.length, 2);
      const last = entries.at(-1)!;
      assert.equal((last.data!.before as { reportable: unknown }).reportable, null);
      assert.equal((last.data!.after as { reportable: unknown }).reportable, true);
      assert.match(last.text, /reportable\. Reason: Health data of 450 patients/);
      assert.ok(
        postedIn(i.channelId!).some((t) => /<@UDPO> assessed the breach of \*INC-\d+\* as \*reportable\*/.test(t)),
      );
      // On the audit trail, and intact.
      const trail = await app.bot.deps.audit.read(i.id);
      assert.ok(trail.entries.some((e) => e.action === 'breach_assessment.insert'));
      assert.ok(trail.entries.some((e) => e.action === 'breach_assessment.update'));
      assert.deepEqual((await app.bot.deps.audit.verify(i.id)).problems, []);
      // The form opens prefilled.
      await run('breach assess', 'UBOB', i.channelId!, slack.triggerId('UBOB'));
      const prefilled = JSON.stringify(slack.views.at(-1)!.view);
      assert.ok(prefilled.includes('"initial_value":"450"'), prefilled);
      assert.ok(prefilled.includes('Health data of 450 patients'));
      assert.ok(prefilled.includes(M.blocks.mostInOneState), 'HIPAA configured: the state question is asked');

      // The summary: the ICO's clock, the assessment, and a line per other obligation.
      const summary = await summaryOf(i);
      assert.match(summary, /regulator notification due/);
      assert.match(summary, /\*Breach assessment\*: \*reportable\* · reason: Health data of 450 patients/);
      assert.match(summary, /\*UK GDPR\* · the people affected: without undue delay · required/);
      assert.match(
        summary,
        /\*HIPAA\* · the individuals affected: due by the end of \d{4}-\d{2}-\d{2} \(in 60 days\) · required/,
      );
      assert.match(
        summary,
        /\*HIPAA\* · HHS's annual breach log: due by the end of \d{4}-03-0?1|\*HIPAA\* · HHS's annual breach log: due by the end of \d{4}-02-29/,
      );
      assert.match(summary, /\*NHS DSPT\* · NHS England \(through the DSPT\): due by .* \(in 7[01] h\) · required/);
      assert.doesNotMatch(summary, /HHS \(the Secretary\)|prominent media/, 'fewer than 500: the annual log only');

      // Recording the notifications made: the commander or the DPO only, per obligation.
      const { told } = await run('breach notified dspt DSPT-77', 'UBOB', i.channelId!);
      assert.match(
        told.join(' '),
        /Only the incident commander <@UALICE> or the data protection officer <@UDPO> can record/,
      );
      assert.match(
        (await run('breach notified hhs', 'UDPO', i.channelId!)).told.join(' '),
        /has no `hhs` notification.*`hhs-log`/,
      );
      await run('breach notified dspt DSPT-77', 'UDPO', i.channelId!);
      const after = await summaryOf(i);
      assert.match(
        after,
        /:white_check_mark: \*NHS DSPT\* · NHS England \(through the DSPT\): notified .* by <@UDPO> · ref\. DSPT-77/,
      );
      assert.match(
        (await run('breach notified dspt again', 'UALICE', i.channelId!)).told.join(' '),
        /already recorded/,
      );
      const notices = await app.bot.deps.store.breachNotices(i.id);
      assert.deepEqual(
        notices.filter((n) => n.notifiedAt).map((n) => [n.regime, n.kind, n.notifiedBy, n.reference]),
        [['dspt', 'dspt', 'UDPO', 'DSPT-77']],
      );
      // No word: the first regime's regulator, the ICO (as before regimes).
      await run('breach notified IC-1', 'UALICE', i.channelId!);
      assert.equal((await reload(i)).breachNotifiedBy, 'UALICE');
      assert.ok(!postedIn(BROADCAST_CHANNEL).some((t) => /breach|regulator|assess/i.test(t)));

      // The review shows the decision with its reason and the obligations with their notified times.
      const { reviewOf } = await import('../../src/services/review/review-of.ts');
      const { reviewToMarkdown } = await import('../../src/domain/review-markdown.ts');
      const md = reviewToMarkdown(await reviewOf(app.bot.deps, await reload(i)));
      assert.match(md, /## Personal data breach: assessment and notifications/);
      assert.match(md, /\*\*Decision\*\*: reportable\. Reason: Health data of 450 patients/);
      assert.match(
        md,
        /\| NHS DSPT \| NHS England \(through the DSPT\) \(NHS DSPT incident reporting\) \| .* \| required \| .* by UDPO \| DSPT-77 \|/,
      );
      assert.match(md, /\| UK GDPR \| the ICO \(UK GDPR Art\. 33\) \| .* \| required \| .* by UALICE \| IC-1 \|/);
      // So does the evidence pack (`/incident evidence`).
      await run('evidence', 'UBOB', i.channelId!);
      const pack = slack.files.find((f) => f.completed && f.filename === `inc-${i.number}-evidence.md`);
      assert.ok(pack, 'the evidence sent');
      const evidence = pack.content.toString('utf8');
      assert.match(evidence, /## Personal data breach: assessment and notifications/);
      assert.match(evidence, /\*\*Decision\*\*: reportable\. Reason: Health data of 450 patients/);
      assert.match(evidence, /\| NHS DSPT \| .* by UDPO \| DSPT-77 \|/);
    });

    test('499 and 500 people: HHS and the media at once from 500 (in one state), the annual log below', async () => {
      const i = await declare('sev2 Portal showed other patients results --breach');
      await assess(
        i,
        'UALICE',
        formValues({ ...FACTS, people: '499', state: '499', decision: M.decisions.reportable, reason: 'r' }),
      );
      let s = await summaryOf(i);
      assert.match(s, /HHS's annual breach log/);
      assert.doesNotMatch(s, /HHS \(the Secretary\)|prominent media/);
      await assess(
        i,
        'UALICE',
        formValues({ ...FACTS, people: '500', state: '500', decision: M.decisions.reportable, reason: 'r' }),
      );
      s = await summaryOf(i);
      assert.match(s, /\*HIPAA\* · HHS \(the Secretary\): due by the end of/);
      assert.match(s, /\*HIPAA\* · prominent media outlets in the state: due by the end of/);
      assert.doesNotMatch(s, /annual breach log/);
      // 500 in all but at most 499 in one state: HHS, no media.
      await assess(
        i,
        'UALICE',
        formValues({ ...FACTS, people: '500', state: '499', decision: M.decisions.reportable, reason: 'r' }),
      );
      s = await summaryOf(i);
      assert.match(s, /HHS \(the Secretary\)/);
      assert.doesNotMatch(s, /prominent media/);
      // Not reportable: no obligation, no clock.
      await assess(
        i,
        'UALICE',
        formValues({ ...FACTS, decision: M.decisions.notReportable, reason: 'Encrypted at rest; key not exposed' }),
      );
      s = await summaryOf(i);
      assert.match(s, /\*not reportable\* · reason: Encrypted at rest; key not exposed/);
      assert.match(s, /No notification is required/);
      assert.doesNotMatch(s, /regulator notification due|HIPAA/);
      assert.match((await run('breach notified', 'UALICE', i.channelId!)).told.join(' '), /assessed as not reportable/);
    });

    test('reminders per regime: two sweeps at once send each once; notified or not reportable stops them', async () => {
      const i = await declare('sev2 Referral spreadsheet shared publicly --breach');
      await assess(i, 'UALICE', formValues({ ...FACTS, decision: M.decisions.reportable, reason: 'Health data' }));
      const deps = app.bot.deps;
      const sweepTwice = async () => {
        const [a, b] = await Promise.all([remindBreachObligations(deps), remindBreachObligations(deps)]);
        await app.bot.idle();
        return a.reminders + b.reminders;
      };
      const reminders = () => postedIn(i.channelId!).filter((t) => /\*Data breach\*:/.test(t));
      offsetMs = 23 * HOUR;
      assert.equal(await sweepTwice(), 0, 'nothing before 24 hours');
      offsetMs = 24 * HOUR + 60_000;
      assert.equal(await sweepTwice(), 1, 'the DSPT reminder, once (the ICO has its own clock)');
      assert.match(reminders().at(-1)!, /NHS England \(through the DSPT\) must be notified of \*INC-\d+\* by/);
      assert.equal(await sweepTwice(), 0);
      offsetMs = 72 * HOUR + 60_000;
      assert.equal(await sweepTwice(), 1, 'overdue, once (48 and 66 missed: only the latest)');
      assert.match(reminders().at(-1)!, /the deadline to notify NHS England \(through the DSPT\) .* passed/);
      // HIPAA's 60 days: 14 days before the last day, then 3 days before; notifying the people stops it.
      offsetMs = 47 * DAY;
      assert.equal(await sweepTwice(), 1, "the individuals' reminder, once");
      assert.match(
        reminders().at(-1)!,
        /the individuals affected must be notified of \*INC-\d+\* by \*the end of \d{4}-\d{2}-\d{2}\* \(45 CFR 164\.404/,
      );
      await run('breach notified individuals letters posted', 'UALICE', i.channelId!);
      const made = (await deps.store.breachNotices(i.id))
        .filter((n) => n.notifiedAt)
        .map((n) => `${n.regime}:${n.kind}`);
      assert.deepEqual(
        made.sort(),
        ['hipaa:individuals', 'uk-gdpr:individuals'],
        'one letter to the people meets both',
      );
      offsetMs = 58 * DAY;
      assert.equal(await sweepTwice(), 0, 'notified: no more reminders');
      await assess(
        i,
        'UALICE',
        formValues({ ...FACTS, decision: M.decisions.notReportable, reason: 'Recalled unopened' }),
      );
      offsetMs = 61 * DAY;
      assert.equal(await sweepTwice(), 0, 'not reportable: nothing more');
    });

    test('a breach turned on again after a not-reportable decision needs a new decision: the clocks run again', async () => {
      const i = await declare('sev2 Discharge summaries emailed to the wrong GP --breach');
      await assess(
        i,
        'UALICE',
        formValues({ ...FACTS, decision: M.decisions.notReportable, reason: 'Recalled unopened' }),
      );
      assert.equal((await reload(i)).breachReportable, false);
      assert.match(await summaryOf(i), /No notification is required/);
      await run('breach off Recalled unopened, confirmed by the GP practice', 'UALICE', i.channelId!);
      // Found again: a new awareness time, a new breach to decide on.
      offsetMs = 2 * HOUR;
      await run('breach on', 'UBOB', i.channelId!);
      const again = await reload(i);
      assert.equal(again.dataBreach, true);
      assert.equal(again.breachReportable, null, 'the earlier "not reportable" does not stop the new clock');
      const a = (await app.bot.deps.store.breachAssessment(i.id))!;
      assert.deepEqual(
        [a.reportable, a.peopleAffected],
        [null, 450],
        'the facts stay, the decision is to be made again',
      );
      assert.doesNotMatch(await summaryOf(i), /No notification is required/);
      const entry = (await app.bot.deps.store.timeline(i.id)).filter((e) => e.kind === 'data_breach').at(-1)!;
      assert.match(entry.text, /earlier decision \(not reportable\) .*decided again/);
      assert.equal((entry.data!.previousDecision as { reportable: unknown }).reportable, false);
      // The clocks run: the DSPT's reminder at 24 hours, and the ICO's notification may be recorded.
      offsetMs = 2 * HOUR + 24 * HOUR + 60_000;
      assert.equal((await remindBreachObligations(app.bot.deps)).reminders, 1);
      const { told } = await run('breach notified ico IC-77', 'UALICE', i.channelId!);
      assert.doesNotMatch(told.join(' '), /not reportable/);
      assert.ok((await reload(i)).breachNotifiedAt, 'the ICO notification recorded');
      assert.deepEqual((await app.bot.deps.audit.verify(i.id)).problems, []);
    });
  });

  describe(`HIPAA year-end list (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    let seq = 0;
    /** The bot's clock: 00:30 on 1 January 2027 in London (UTC then). */
    let nowMs = Date.parse('2027-01-01T00:30:00Z');
    const clock = { now: () => new Date(nowMs) };
    const env = useTestBot(database, {
      users: USERS.map((id) => ({ id, name: id.slice(1).toLowerCase(), tz: TZ })),
      env: { TZ_DEFAULT: TZ, BREACH_REGIMES: 'uk-gdpr,hipaa,dspt' },
      clock,
    });
    before(() => {
      ({ slack, app } = env);
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: USERS });
    });
    async function run(text: string, user: string, channelId: string) {
      const id = `y${++seq}`;
      await app.command(text, { responseUrl: slack.responseUrl(id), userId: user, channelId });
      await app.bot.idle();
      return slack.responses.filter((r) => r.id === id).map((r) => String(r.body.text));
    }
    async function declare(text: string): Promise<Incident> {
      const told = await run(`declare ${text}`, 'UALICE', 'CGENERAL');
      const incident = await app.bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(told.join(' '))?.[1]));
      assert.ok(incident?.channelId, told.join(' '));
      for (const u of USERS) slack.channels.get(incident.channelId)!.members.add(u);
      return incident;
    }
    const dmsTo = (user: string) =>
      slack.messages
        .filter((m) => slack.channels.get(m.channel)?.is_im && slack.channels.get(m.channel)!.members.has(user))
        .map((m) => m.text ?? '');
    async function assessed(i: Incident, people: string) {
      const values = formValues({ ...FACTS, people, state: people, decision: M.decisions.reportable, reason: 'r' });
      const { assessBreach } = await import('../../src/services/incident/assess-breach.ts');
      const { assessmentFromModal } = await import('../../src/slack/listeners/views/breach-assessment-form.ts');
      await assessBreach(app.bot.deps, {
        channelId: i.channelId!,
        userId: 'UALICE',
        assessment: assessmentFromModal(values),
      });
    }

    test('a discovery at 23:30 on 31 December is on that year’s list, due 1 March; sent once to its commander and DPO', async () => {
      const dec31 = await declare('sev3 Lab results posted to the wrong portal --breach --aware=2026-12-31T23:30');
      assert.equal(dec31.breachAwareAt?.toISOString(), '2026-12-31T23:30:00.000Z');
      await run('role dpo <@UDPO>', 'UALICE', dec31.channelId!);
      await assessed(dec31, '12');
      const jan1 = await declare('sev3 Appointment list misfiled --breach --aware=2027-01-01T00:05');
      await assessed(jan1, '30');
      const large = await declare('sev3 Whole clinic list exposed --breach --aware=2026-12-31T22:00');
      await assessed(large, '500');
      // An exercise of the breach flow: never on the list of breaches to log with HHS.
      const drill = await declare('drill sev3 Tabletop: letters misaddressed --breach --aware=2026-12-30T10:00');
      await assessed(drill, '20');
      const drawn = (await app.bot.deps.store.findById(dec31.id))!;
      const summary = JSON.stringify(
        slack.messages.find((m) => m.channel === drawn.channelId && m.ts === drawn.summaryTs)?.blocks,
      );
      // 60 calendar days from 31 December: the end of 1 March 2027 (not a leap year).
      assert.match(summary, /\*HIPAA\* · the individuals affected: due by the end of 2027-03-01/);
      assert.match(summary, /\*HIPAA\* · HHS's annual breach log: due by the end of 2027-03-01/);

      const [a, b] = await Promise.all([remindBreachObligations(app.bot.deps), remindBreachObligations(app.bot.deps)]);
      await app.bot.idle();
      assert.equal(a.yearEnd + b.yearEnd, 2, 'the commander and the DPO, by one sweep of the two');
      const alice = dmsTo('UALICE');
      assert.equal(alice.length, 1, alice.join('\n'));
      assert.match(
        alice[0]!,
        /HIPAA year-end\*: 1 breach discovered in 2026 affecting fewer than 500 people goes on HHS's annual breach log/,
      );
      assert.match(alice[0]!, new RegExp(`\\*INC-${dec31.number}\\*: 12 people affected`));
      assert.match(alice[0]!, /Due by the end of \*2027-03-01\*/);
      assert.doesNotMatch(
        alice[0]!,
        new RegExp(`INC-(${jan1.number}|${large.number})\\b`),
        '1 January is next year’s; 500 went to HHS at once',
      );
      assert.doesNotMatch(alice[0]!, new RegExp(`INC-${drill.number}\\b`), 'a drill is never logged with HHS');
      assert.doesNotMatch(alice[0]!, /Lab results/, 'references only, no titles');
      assert.equal(dmsTo('UDPO').length, 1);
      nowMs += 15 * 60_000;
      await remindBreachObligations(app.bot.deps);
      assert.equal(dmsTo('UALICE').length, 1, 'once a year');
    });
  });
}
