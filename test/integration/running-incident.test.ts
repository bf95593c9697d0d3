// Running an incident from its channel: every subcommand, refused transitions, who may do what,
// the summary's buttons, SEV1 change freeze and clinical impact. Signed requests to the running
// app; Slack is the stateful stand-in; the database is PGlite and, when set, PostgreSQL.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import { INCIDENT_MODALS, SUMMARY_ACTIONS, TIMELINE_ACTIONS } from '../../src/slack/ids.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';

const CLINICAL = 'CCLINICAL';
const USERS = ['UALICE', 'UBOB', 'UCAROL', 'UDAVE'];

for (const database of testDatabases()) {
  describe(`running an incident (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    let seq = 0;
    /** The bot's clock runs this far ahead of real time (reminder tests move it). */
    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs) };

    const env = useTestBot(database, {
      users: USERS.map((id) => ({ id, name: id.slice(1).toLowerCase(), tz: 'Europe/London' })),
      env: { CLINICAL_SAFETY_CHANNEL: CLINICAL, CLINICAL_SAFETY_GROUP: 'S0CSO' },
      clock,
    });
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      offsetMs = 0;
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: CLINICAL, name: 'clinical-safety' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: USERS });
    });

    /** Runs `/incident <text>` as `user` in `channel`; returns the ack and what the user was told privately. */
    async function run(text: string, user: string, channelId: string) {
      const id = `r${++seq}`;
      const res = await app.command(text, { responseUrl: slack.responseUrl(id), userId: user, channelId });
      assert.equal(res.status, 200);
      await app.bot.idle();
      const told = slack.responses.filter((r) => r.id === id).map((r) => String(r.body.text));
      return {
        ack: res.json() as { text?: string; response_type?: string } | undefined,
        told,
        responses: slack.responses.filter((r) => r.id === id),
      };
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
    const summaryOf = (i: Incident) =>
      JSON.stringify(slack.messages.find((m) => m.channel === i.channelId && m.ts === i.summaryTs)?.blocks);

    test('outside an incident channel every incident subcommand says where it works, and changes nothing', async () => {
      for (const text of [
        'status investigating',
        'update all good',
        'sev 1',
        'role scribe <@UBOB|bob>',
        'note hi',
        'timeline',
        'resolve',
        'close',
        'reopen',
        'clinical on',
      ]) {
        const { told } = await run(text, 'UALICE', 'CGENERAL');
        assert.equal(told.length, 1, text);
        assert.match(told[0]!, /only works in an incident channel/, text);
      }
      assert.equal(slack.callsTo('chat.postMessage').length, 0);
    });

    test('status moves along the lifecycle; each change updates the pinned summary and the timeline', async () => {
      const i = await declare('sev3 Lab results slow');
      const { ack } = await run('status investigating looking at the queue', 'UBOB', i.channelId!);
      assert.equal(ack, undefined, 'an empty ack: the channel notice says it');
      let now = await reload(i);
      assert.equal(now.status, 'INVESTIGATING');
      assert.ok(summaryOf(now).includes('*Status*\\nInvestigating'), 'summary updated by chat.update');
      assert.ok(slack.callsTo('chat.update').some((a) => a.ts === i.summaryTs));
      assert.ok(
        postedIn(i.channelId!).some((t) => /<@UBOB> moved \*INC-\d+\* from Declared to \*Investigating\*/.test(t)),
      );
      await run('status identified', 'UBOB', i.channelId!);
      await run('status monitoring fix deployed', 'UCAROL', i.channelId!);
      now = await reload(i);
      assert.equal(now.status, 'MONITORING');
      const timeline = await app.bot.deps.store.timeline(i.id);
      assert.deepEqual(
        timeline.filter((e) => e.kind === 'status_changed').map((e) => [e.actorId, e.data?.from, e.data?.to]),
        [
          ['UBOB', 'DECLARED', 'INVESTIGATING'],
          ['UBOB', 'INVESTIGATING', 'IDENTIFIED'],
          ['UCAROL', 'IDENTIFIED', 'MONITORING'],
        ],
      );
      // Summary buttons follow the state: from monitoring, investigating and identified are offered.
      const actions = JSON.parse(summaryOf(now)).find(
        (b: { block_id?: string }) => b.block_id === SUMMARY_ACTIONS.blockId,
      );
      assert.deepEqual(
        actions.elements.map((e: { action_id: string }) => e.action_id),
        [
          'incident_status_investigating',
          'incident_status_identified',
          'incident_resolve',
          'incident_update_open',
          'incident_role_open',
          'incident_severity',
          'incident_note_open',
          'incident_timeline',
        ],
      );
    });

    test('refused transitions say what is allowed and change nothing', async () => {
      const i = await declare('sev3 Refusals');
      await run('status investigating', 'UALICE', i.channelId!);
      const investigating = await reload(i);
      const cases: [string, RegExp][] = [
        ['status investigating', /already investigating/],
        ['close', /cannot go to closed/],
        ['reopen', /Only a resolved or closed incident can be reopened/],
        ['sev 3', /already SEV3/],
        ['clinical off', /already off/],
      ];
      for (const [text, expected] of cases) {
        const { told } = await run(text, 'UALICE', i.channelId!);
        assert.match(told.join(' '), expected, text);
      }
      assert.equal((await reload(i)).updatedAt.getTime(), investigating.updatedAt.getTime(), 'refusals write nothing');
      await run('resolve done', 'UALICE', i.channelId!);
      const before = await reload(i);
      for (const [text, expected] of [
        ['status monitoring', /is resolved\..*reopen it with `\/incident reopen/],
        ['update still here', /This incident is resolved/],
        ['resolve', /already resolved/],
      ] as [string, RegExp][]) {
        const { told } = await run(text, 'UALICE', i.channelId!);
        assert.match(told.join(' '), expected, text);
      }
      const afterRefusals = await reload(i);
      assert.equal(afterRefusals.status, 'RESOLVED');
      assert.equal(afterRefusals.updatedAt.getTime(), before.updatedAt.getTime(), 'nothing written');
      await run('close', 'UALICE', i.channelId!);
      assert.match((await run('status investigating', 'UALICE', i.channelId!)).told.join(' '), /is closed\..*reopen/);
      assert.match((await run('close', 'UALICE', i.channelId!)).told.join(' '), /already closed/);
      assert.match(
        (await run('reopen', 'UBOB', i.channelId!)).told.join(' '),
        /Only the declarer .* can reopen the incident/,
      );
      assert.equal((await reload(i)).status, 'CLOSED');
      await run('reopen the fix did not hold', 'UALICE', i.channelId!);
      const reopened = await reload(i);
      assert.equal(reopened.status, 'INVESTIGATING');
      assert.equal(reopened.resolvedAt, null);
      assert.ok(postedIn(BROADCAST_CHANNEL).some((t) => /reopened \*INC-/.test(t)));
    });

    test('only the commander (or, without one, the declarer) changes severity, resolves and closes; anyone adds notes', async () => {
      const i = await declare('sev3 Authority');
      let { told } = await run('role commander <@UBOB|bob>', 'UBOB', i.channelId!);
      assert.match(
        told.join(' '),
        /Only the declarer .* can assign the Commander role/,
        'nobody takes command unasked',
      );
      ({ told } = await run('sev 2', 'UBOB', i.channelId!));
      assert.match(told.join(' '), /Only the declarer \(no commander is set yet\), <@UALICE>, can change the severity/);
      ({ told } = await run('role commander <@UCAROL|carol>', 'UBOB', i.channelId!));
      assert.match(told.join(' '), /Only the declarer .* can assign the Commander role/);
      await run('role commander <@UCAROL|carol>', 'UALICE', i.channelId!);
      assert.equal((await reload(i)).roles.COMMANDER, 'UCAROL');
      ({ told } = await run('sev 2', 'UALICE', i.channelId!));
      assert.match(told.join(' '), /Only the incident commander, <@UCAROL>, can change the severity/);
      ({ told } = await run('resolve', 'UBOB', i.channelId!));
      assert.match(told.join(' '), /Only the incident commander, <@UCAROL>, can resolve/);
      // Anyone may take a vacant supporting role for themselves, not hand it to someone else.
      await run('role scribe <@UBOB|bob>', 'UBOB', i.channelId!);
      assert.equal((await reload(i)).roles.SCRIBE, 'UBOB');
      ({ told } = await run('role ops <@UDAVE|dave>', 'UBOB', i.channelId!));
      assert.match(told.join(' '), /can assign the Ops role/);
      ({ told } = await run('role scribe <@UDAVE|dave>', 'UDAVE', i.channelId!));
      assert.match(told.join(' '), /can assign the Scribe role/, 'a held role is not taken by oneself');
      // The commander reassigns roles, and hands over command.
      await run('role scribe <@UDAVE|dave>', 'UCAROL', i.channelId!);
      assert.equal((await reload(i)).roles.SCRIBE, 'UDAVE');
      assert.ok(
        (await app.bot.deps.store.timeline(i.id)).some(
          (e) => e.kind === 'role_assigned' && e.data?.previous === 'UBOB',
        ),
      );
      ({ told } = await run('note customers called the helpdesk', 'UDAVE', i.channelId!));
      assert.deepEqual(told, []);
      assert.ok(
        (await app.bot.deps.store.timeline(i.id)).some(
          (e) => e.kind === 'note' && e.actorId === 'UDAVE' && e.text === 'customers called the helpdesk',
        ),
      );
      await run('sev 2 wider than we thought', 'UCAROL', i.channelId!);
      assert.equal((await reload(i)).severity, 'SEV2');
      assert.ok(
        postedIn(BROADCAST_CHANNEL).some((t) => /changed \*INC-\d+\* severity from SEV3 to \*SEV2 \(High\)\*/.test(t)),
      );
      await run('resolve', 'UCAROL', i.channelId!);
      ({ told } = await run('close', 'UBOB', i.channelId!));
      assert.match(told.join(' '), /can close/);
      await run('close', 'UCAROL', i.channelId!);
      assert.equal((await reload(i)).status, 'CLOSED');
      assert.ok(summaryOf(await reload(i)).includes('incident_reopen'), 'a closed summary offers reopen');
    });

    test('updates go to the channel and the broadcast channel, never broadcast for private incidents', async () => {
      const pub = await declare('sev2 Public one');
      await run('update Rolling back the release', 'UBOB', pub.channelId!);
      assert.ok(postedIn(pub.channelId!).some((t) => t.includes('Rolling back the release')));
      assert.ok(postedIn(BROADCAST_CHANNEL).some((t) => t.includes('Rolling back the release')));
      const before = (await reload(pub)).lastUpdateAt;
      assert.ok(before.getTime() > pub.lastUpdateAt.getTime(), 'an update resets the reminder clock');
      const priv = await declare('sev2 Private one --private');
      await run('update Secret progress', 'UALICE', priv.channelId!);
      assert.ok(postedIn(priv.channelId!).some((t) => t.includes('Secret progress')));
      assert.ok(!postedIn(BROADCAST_CHANNEL).some((t) => t.includes('Secret progress') || t.includes('Private one')));
    });

    test('a SEV1 announces a change freeze until resolved, also when escalated later', async () => {
      const i = await declare('sev1 Theatre scheduling down');
      assert.ok((await reload(i)).freezeActive);
      assert.ok(postedIn(BROADCAST_CHANNEL).some((t) => /Change freeze\*: SEV1 \*INC-\d+\*/.test(t)));
      assert.ok(summaryOf(await reload(i)).includes('Change freeze in effect'));
      await run('resolve', 'UALICE', i.channelId!);
      assert.equal((await reload(i)).freezeActive, false);
      assert.ok(postedIn(BROADCAST_CHANNEL).some((t) => /change freeze for \*INC-\d+\* is lifted/.test(t)));

      const j = await declare('sev2 Escalates later');
      const esc = await run('sev 1 wards affected', 'UALICE', j.channelId!);
      assert.ok((await reload(j)).freezeActive, `escalation: ${JSON.stringify(esc)}`);
      await run('sev 2', 'UALICE', j.channelId!);
      assert.equal((await reload(j)).freezeActive, false, 'leaving SEV1 lifts the freeze');
      const privateSev1 = await declare('sev1 Secret SEV1 --private');
      assert.ok((await reload(privateSev1)).freezeActive);
      const freezeTexts = postedIn(BROADCAST_CHANNEL).filter((t) => /Change freeze/.test(t));
      assert.ok(
        freezeTexts.some((t) => /a SEV1 incident is in progress/.test(t)),
        'a private SEV1 freezes without detail',
      );
      assert.ok(!postedIn(BROADCAST_CHANNEL).some((t) => t.includes('Secret SEV1')));
    });

    test('clinical impact requires a clinical safety officer and alerts the clinical-safety channel once', async () => {
      const declared = await declare('sev2 Prescribing errors --clinical');
      assert.ok(
        postedIn(CLINICAL).some((t) =>
          /^<!subteam\^S0CSO> :hospital: \*INC-\d+\* \(SEV2\) has \*clinical impact\* and needs a clinical safety officer/.test(
            t,
          ),
        ),
      );
      assert.ok(summaryOf(await reload(declared)).includes('Clinical safety officer required'));
      let { told } = await run('resolve', 'UALICE', declared.channelId!);
      assert.match(told.join(' '), /a clinical safety officer must be assigned and sign it off before it is resolved/);
      await run('role clinical-safety <@UDAVE|dave>', 'UALICE', declared.channelId!);
      ({ told } = await run('resolve', 'UALICE', declared.channelId!));
      assert.match(told.join(' '), /the clinical safety officer, <@UDAVE>, must sign it off before it is resolved/);
      assert.equal((await reload(declared)).status, 'DECLARED');
      ({ told } = await run('clinical signoff', 'UDAVE', declared.channelId!));
      assert.match(told.join(' '), /^Signed off\. ACT-\d+ \(review the hazard log\) is yours/);
      ({ told } = await run('resolve', 'UALICE', declared.channelId!));
      assert.deepEqual(told, []);
      assert.equal((await reload(declared)).status, 'RESOLVED');

      const later = await declare('sev3 Turns clinical later');
      const alertsBefore = postedIn(CLINICAL).length;
      await run('clinical on', 'UBOB', later.channelId!);
      assert.equal(postedIn(CLINICAL).length, alertsBefore + 1);
      ({ told } = await run('clinical off', 'UBOB', later.channelId!));
      assert.match(told.join(' '), /can clear clinical impact/);
      await run('clinical off', 'UALICE', later.channelId!);
      await run('clinical on', 'UALICE', later.channelId!);
      assert.equal(postedIn(CLINICAL).length, alertsBefore + 1, 'alerted once per incident');
    });

    test('the summary buttons and severity menu act like the commands, with the same rules', async () => {
      const i = await declare('sev3 Buttons');
      const click = async (user: string, actionId: string, extra: { value?: string; selectedValue?: string } = {}) => {
        const id = `b${++seq}`;
        const res = await app.clickAction({
          userId: user,
          channelId: i.channelId!,
          messageTs: i.summaryTs!,
          responseUrl: slack.responseUrl(id),
          blockId: SUMMARY_ACTIONS.blockId,
          actionId,
          ...extra,
        });
        assert.equal(res.status, 200);
        await app.bot.idle();
        return slack.responses.filter((r) => r.id === id);
      };
      await click('UBOB', 'incident_status_investigating', { value: 'INVESTIGATING' });
      assert.equal((await reload(i)).status, 'INVESTIGATING');
      const refused = await click('UBOB', SUMMARY_ACTIONS.severity, { selectedValue: 'SEV1' });
      assert.match(String(refused[0]?.body.text), /Only the declarer/);
      assert.equal(refused[0]?.body.response_type, 'ephemeral');
      await click('UALICE', SUMMARY_ACTIONS.severity, { selectedValue: 'SEV2' });
      assert.equal((await reload(i)).severity, 'SEV2');
      const timeline = await click('UBOB', SUMMARY_ACTIONS.timeline);
      assert.ok(JSON.stringify(timeline[0]?.body.blocks).includes('Investigating'), 'timeline shown privately');
      assert.match(
        String((await click('UBOB', SUMMARY_ACTIONS.resolve))[0]?.body.text),
        /Only the declarer .* can resolve/,
      );
      assert.equal((await reload(i)).status, 'INVESTIGATING');
      const menu = (await reload(i)).summaryTs;
      assert.ok(
        slack.callsTo('chat.update').filter((a) => a.ts === menu).length > 0,
        'a refused menu choice redraws the summary',
      );
      await click('UALICE', SUMMARY_ACTIONS.resolve);
      assert.equal((await reload(i)).status, 'RESOLVED');
      assert.match(String((await click('UBOB', SUMMARY_ACTIONS.close))[0]?.body.text), /can close/);
      await click('UALICE', SUMMARY_ACTIONS.close);
      assert.equal((await reload(i)).status, 'CLOSED');
      assert.match(String((await click('UBOB', SUMMARY_ACTIONS.reopen))[0]?.body.text), /can reopen/);
      await click('UALICE', SUMMARY_ACTIONS.reopen);
      assert.equal((await reload(i)).status, 'INVESTIGATING');
    });

    test('reminders through the running bot: due by severity, once, postponed by an update, stopped by resolving', {
      timeout: 60_000,
    }, async () => {
      const i = await declare('sev1 Reminder drill');
      const reminders = () => postedIn(i.channelId!).filter((t) => /No status update on|no incident commander/.test(t));
      // The queue's job runs sendReminders (pg-boss delivery is tested in reminder-queue.test.ts);
      // here it is called directly, at the bot's injected time.
      const { sendReminders } = await import('../../src/services/incident/send-reminders.ts');
      offsetMs = 9 * 60_000;
      assert.deepEqual(await sendReminders(app.bot.deps, i.id), [], 'nothing due after 9 minutes');
      offsetMs = 11 * 60_000;
      assert.deepEqual(
        (await sendReminders(app.bot.deps, i.id)).map((r) => r.kind),
        ['commander-nudge'],
      );
      assert.ok(reminders().some((t) => /no incident commander for 11 minutes\. <@UALICE>, hand the role/.test(t)));
      offsetMs = 29 * 60_000;
      assert.deepEqual(
        await sendReminders(app.bot.deps, i.id),
        [],
        'no update reminder before 30 minutes at SEV1, no second nudge',
      );
      offsetMs = 31 * 60_000;
      assert.deepEqual(
        (await sendReminders(app.bot.deps, i.id)).map((r) => r.kind),
        ['update-reminder'],
      );
      assert.ok(
        reminders().some((t) => /No status update on \*INC-\d+\* for 31 minutes\. <@UALICE>, please post one/.test(t)),
      );
      // A second check of the same due time (another replica, a retried job) sends nothing more.
      assert.deepEqual(await sendReminders(app.bot.deps, i.id), []);
      assert.equal(reminders().length, 2);
      // An update postpones the next reminder by the SEV1 interval.
      await run('update Still rolling back', 'UALICE', i.channelId!);
      offsetMs += 20 * 60_000;
      assert.deepEqual(await sendReminders(app.bot.deps, i.id), []);
      offsetMs += 11 * 60_000;
      assert.deepEqual(
        (await sendReminders(app.bot.deps, i.id)).map((r) => r.kind),
        ['update-reminder'],
      );
      // Resolving stops them.
      await run('resolve', 'UALICE', i.channelId!);
      offsetMs += 5 * 3600_000;
      assert.deepEqual(await sendReminders(app.bot.deps, i.id), []);
      assert.equal(reminders().length, 3);
    });

    test('the summary forms post updates, add notes and assign roles, with the same rules', async () => {
      const i = await declare('sev2 Forms');
      const openForm = async (user: string, actionId: string) => {
        const before = slack.views.length;
        const res = await app.clickAction({
          userId: user,
          channelId: i.channelId!,
          messageTs: i.summaryTs!,
          responseUrl: slack.responseUrl(`f${++seq}`),
          blockId: SUMMARY_ACTIONS.blockId,
          actionId,
        });
        assert.equal(res.status, 200);
        await app.bot.idle();
        assert.equal(slack.views.length, before + 1, `${actionId} opened a form`);
        return slack.views.at(-1)!;
      };
      const submit = async (
        user: string,
        view: { id: string; view: Record<string, unknown> },
        values: Record<string, Record<string, unknown>>,
      ) => {
        const res = await app.submitView({
          viewId: view.id,
          callbackId: String(view.view.callback_id),
          userId: user,
          values,
          privateMetadata: String(view.view.private_metadata),
        });
        await app.bot.idle();
        return res;
      };
      const M = INCIDENT_MODALS;
      const update = await openForm('UBOB', SUMMARY_ACTIONS.update);
      assert.equal(update.view.callback_id, M.update.callbackId);
      const empty = await submit('UBOB', update, {
        [M.update.block]: { [M.update.action]: { type: 'plain_text_input', value: '  ' } },
      });
      assert.deepEqual(empty.json(), {
        response_action: 'errors',
        errors: { [M.update.block]: 'Write something first.' },
      });
      await submit('UBOB', update, {
        [M.update.block]: { [M.update.action]: { type: 'plain_text_input', value: 'Failover complete' } },
      });
      assert.ok(postedIn(BROADCAST_CHANNEL).some((t) => t.includes('Failover complete')));

      const note = await openForm('UDAVE', SUMMARY_ACTIONS.note);
      await submit('UDAVE', note, {
        [M.note.block]: { [M.note.action]: { type: 'plain_text_input', value: 'Ward 7 reports OK' } },
      });
      assert.ok(
        (await app.bot.deps.store.timeline(i.id)).some((e) => e.kind === 'note' && e.text === 'Ward 7 reports OK'),
      );

      const roleValues = (role: string, user: string) => ({
        [M.role.roleBlock]: {
          [M.role.roleAction]: {
            type: 'static_select',
            selected_option: { text: { type: 'plain_text', text: role }, value: role },
          },
        },
        [M.role.userBlock]: { [M.role.userAction]: { type: 'users_select', selected_user: user } },
      });
      const refused = await openForm('UBOB', SUMMARY_ACTIONS.role);
      await submit('UBOB', refused, roleValues('COMMANDER', 'UBOB'));
      assert.ok(
        slack.messages.some(
          (m) => m.channel.startsWith('D') && /Only the declarer .* can assign the Commander role/.test(m.text ?? ''),
        ),
        'refusal sent privately',
      );
      assert.equal((await reload(i)).roles.COMMANDER, undefined);
      const role = await openForm('UALICE', SUMMARY_ACTIONS.role);
      await submit('UALICE', role, roleValues('COMMANDER', 'UCAROL'));
      assert.equal((await reload(i)).roles.COMMANDER, 'UCAROL');
    });

    test('/incident timeline shows entries and durations privately', async () => {
      const i = await declare('sev2 Timeline view');
      await run('status investigating', 'UBOB', i.channelId!);
      await run('note first clue', 'UBOB', i.channelId!);
      const { responses } = await run('timeline', 'UBOB', i.channelId!);
      assert.equal(responses.length, 1);
      assert.equal(responses[0]!.body.response_type, 'ephemeral');
      const blocks = JSON.stringify(responses[0]!.body.blocks);
      for (const part of ['first clue', 'Investigating', 'acknowledge'])
        assert.ok(blocks.toLowerCase().includes(part.toLowerCase()), part);
    });

    test('/incident timeline of a long incident: the latest page, then Older and Newer replace it privately', async () => {
      const i = await declare('sev2 Long timeline');
      const start = Date.now() - 3600_000;
      for (let n = 1; n <= 45; n++)
        await app.bot.deps.store.addTimelineEntry(i.id, {
          occurredAt: new Date(start + n * 60_000),
          kind: 'note',
          actorId: 'UBOB',
          text: `clue ${n}.`,
        });
      type Button = { action_id: string; value: string };
      const buttonsOf = (body: Record<string, unknown>) =>
        (body.blocks as { type: string; elements?: Button[] }[])
          .filter((b) => b.type === 'actions')
          .flatMap((b) => b.elements ?? []);
      const { responses } = await run('timeline', 'UBOB', i.channelId!);
      const latest = JSON.stringify(responses[0]!.body.blocks);
      assert.ok(latest.includes('clue 45.') && !latest.includes('clue 5.'), 'the latest page');
      const total = (await app.bot.deps.store.timeline(i.id)).length;
      assert.ok(total > 45);
      assert.equal(String(responses[0]!.body.text), `INC-${i.number} timeline: ${total} entries`, 'all are counted');
      const [older] = buttonsOf(responses[0]!.body);
      assert.equal(older?.action_id, TIMELINE_ACTIONS.older);

      const press = async (user: string, button: Button) => {
        const id = `p${++seq}`;
        const res = await app.clickAction({
          userId: user,
          channelId: i.channelId!,
          messageTs: i.summaryTs!,
          responseUrl: slack.responseUrl(id),
          blockId: TIMELINE_ACTIONS.blockId,
          actionId: button.action_id,
          value: button.value,
        });
        assert.equal(res.status, 200);
        await app.bot.idle();
        return slack.responses.filter((r) => r.id === id);
      };
      const [page] = await press('UBOB', older!);
      assert.equal(page?.body.replace_original, true, 'the page replaces the reply');
      assert.equal(page?.body.response_type, 'ephemeral');
      const text = JSON.stringify(page?.body.blocks);
      assert.ok(text.includes('clue 5.') && !text.includes('clue 45.'), text.slice(0, 300));
      const newer = buttonsOf(page!.body).find((b) => b.action_id === TIMELINE_ACTIONS.newer)!;
      const [back] = await press('UBOB', newer);
      assert.ok(JSON.stringify(back?.body.blocks).includes('clue 45.'), 'Newer: back to the latest');
    });

    test('malformed subcommands are answered in the ack with how to write them', async () => {
      const i = await declare('sev4 Syntax');
      for (const [text, expected] of [
        [
          'role commander bob',
          /Write it as `\/incident role <commander\|comms\|scribe\|ops\|clinical-safety\|dpo> @user`/,
        ],
        ['sev 9', /`9` is not right here\. Write it as `\/incident sev <1-4> \[reason\]`/],
        ['status fixed', /Write it as `\/incident status/],
        ['update', /Write it as `\/incident update <message>`/],
        ['clinical maybe', /`\/incident clinical <on\|off\|signoff \[note\]>`/],
        [
          'hazard add HAZ-1 Wrong dose before:often/major',
          /`often` is not a likelihood: use very low, low, medium, high or very high/,
        ],
      ] as [string, RegExp][]) {
        const { ack, told } = await run(text, 'UALICE', i.channelId!);
        assert.equal(ack?.response_type, 'ephemeral', text);
        assert.match(ack!.text!, expected, text);
        assert.deepEqual(told, []);
      }
    });
  });
}
