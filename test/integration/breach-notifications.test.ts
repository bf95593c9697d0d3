// Breach notifications end to end through the running bot (signed slash commands and button presses
// against the Slack stand-in), on both databases: a responder drafts the ICO report (the Markdown
// uploaded to the incident channel, the NHS number typed in the title redacted), someone without the
// role presses Approve and is refused privately with nothing changed, the data protection officer
// approves with the button, the commander records it sent; the timeline and the audit trail say who
// did each step. The Withdraw button is refused for a non-approver before any form opens, and opens
// the reason form for the DPO.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import { BREACH_NOTIFICATION_ACTIONS, BREACH_WITHDRAW_MODAL } from '../../src/slack/ids.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import type { SlackStandIn, StandInMessage } from '../support/slack-standin.ts';

const USERS = ['UALICE', 'UBOB', 'UDPO', 'UMALLORY'];
const NHS = '943 476 5919';

for (const database of testDatabases()) {
  describe(`breach notifications end to end (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    let seq = 0;
    const env = useTestBot(database, {
      users: USERS.map((id) => ({ id, name: id.slice(1).toLowerCase(), tz: 'Europe/London' })),
      env: { TZ_DEFAULT: 'Europe/London', BREACH_REGIMES: 'uk-gdpr,dspt' },
    });
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: USERS });
    });

    async function run(text: string, user: string, channelId: string) {
      const id = `n${++seq}`;
      const res = await app.command(text, { responseUrl: slack.responseUrl(id), userId: user, channelId });
      assert.equal(res.status, 200);
      await app.bot.idle();
      const responses = slack.responses.filter((r) => r.id === id);
      for (const r of responses) assert.equal(r.body.response_type, 'ephemeral', 'told privately');
      return responses.map((r) => String(r.body.text));
    }
    async function press(message: StandInMessage, actionId: string, user: string) {
      const id = `p${++seq}`;
      const block = (
        message.blocks as { type: string; block_id?: string; elements?: { action_id: string; value: string }[] }[]
      ).find((b) => b.block_id === BREACH_NOTIFICATION_ACTIONS.blockId)!;
      const button = block.elements!.find((e) => e.action_id === actionId)!;
      const res = await app.clickAction({
        userId: user,
        channelId: message.channel,
        messageTs: message.ts,
        responseUrl: slack.responseUrl(id),
        blockId: BREACH_NOTIFICATION_ACTIONS.blockId,
        actionId,
        value: button.value,
      });
      assert.equal(res.status, 200);
      await app.bot.idle();
      return slack.responses.filter((r) => r.id === id).map((r) => String(r.body.text));
    }
    async function declare(text: string): Promise<Incident> {
      const told = await run(`declare ${text}`, 'UALICE', 'CGENERAL');
      const n = Number(/INC-(\d+)/.exec(told.join(' '))?.[1]);
      const incident = await app.bot.deps.store.findByNumber(n);
      assert.ok(incident?.provisionedAt, `declared: ${told.join(' ')}`);
      for (const u of USERS) slack.channels.get(incident.channelId!)!.members.add(u);
      return incident;
    }
    const noticesIn = (channel: string) =>
      slack.messages.filter(
        (m) => m.channel === channel && !m.ephemeralTo && /the notification to \*/.test(m.text ?? ''),
      );
    const latestIco = async (i: Incident) =>
      (await app.bot.deps.breachNotifications.latest(i.id, 'uk-gdpr', 'regulator'))!;

    test('drafted by a responder, refused for someone without the role, approved by the DPO with the button, recorded sent by the commander', async () => {
      const incident = await declare(`sev2 Letter for ${NHS} sent to the wrong address --breach`);
      const channel = incident.channelId!;
      assert.deepEqual(await run('role dpo <@UDPO>', 'UALICE', channel), []);

      assert.deepEqual(await run('breach draft ico', 'UBOB', channel), []);
      const file = slack.files.find(
        (f) => f.channels.includes(channel) && f.filename === `INC-${incident.number}-ico-v1.md`,
      );
      assert.ok(file?.completed, 'the draft is shared in the incident channel');
      const markdown = file.content.toString('utf8');
      assert.match(markdown, /# Personal data breach report to the ICO/);
      assert.match(markdown, /\\\[redacted NHS number\\\]/);
      assert.ok(!markdown.includes(NHS), 'no NHS number in the draft');
      const drafted = noticesIn(channel).at(-1)!;
      assert.match(drafted.text!, /<@UBOB> drafted the notification to \*the ICO \(UK GDPR\)\*/);

      // Mallory is in the channel but holds no role: refused privately, nothing changes.
      const refused = await press(drafted, BREACH_NOTIFICATION_ACTIONS.approve, 'UMALLORY');
      assert.equal(refused.length, 1);
      assert.match(
        refused[0]!,
        /Only the incident commander, <@UALICE>, or the data protection officer, <@UDPO> can approve the notification to the ICO/,
      );
      assert.equal((await latestIco(incident)).state, 'draft');
      assert.equal(noticesIn(channel).length, 1);
      // The same with the slash command.
      const typed = await run('breach approve ico', 'UMALLORY', channel);
      assert.match(typed.join(' '), /Only the incident commander/);

      assert.deepEqual(await press(drafted, BREACH_NOTIFICATION_ACTIONS.approve, 'UDPO'), []);
      const approved = await latestIco(incident);
      assert.deepEqual([approved.state, approved.approvedBy], ['approved', 'UDPO']);
      assert.match(noticesIn(channel).at(-1)!.text!, /<@UDPO> approved the notification/);
      // Pressed again: it is approved already.
      assert.match(
        (await press(drafted, BREACH_NOTIFICATION_ACTIONS.approve, 'UDPO')).join(' '),
        /only a draft can be approved/,
      );

      assert.deepEqual(await run('breach sent ico ICO case 0042', 'UALICE', channel), []);
      const sent = await latestIco(incident);
      assert.deepEqual([sent.state, sent.sentBy, sent.reference], ['sent', 'UALICE', 'ICO case 0042']);
      assert.match(noticesIn(channel).at(-1)!.text!, /<@UALICE> recorded the notification .* as sent/);
      // The ICO report sent is the regulator notified: the 72-hour clock stops.
      assert.equal((await app.bot.deps.store.findById(incident.id))!.breachNotifiedBy, 'UALICE');

      const timeline = (await app.bot.deps.store.timeline(incident.id)).filter((e) =>
        e.kind.startsWith('breach_notification'),
      );
      assert.deepEqual(
        timeline.map((e) => [e.kind, e.actorId]),
        [
          ['breach_notification_drafted', 'UBOB'],
          ['breach_notification_approved', 'UDPO'],
          ['breach_notification_sent', 'UALICE'],
        ],
      );
      const trail = await app.bot.deps.audit.read(incident.id);
      const steps = trail.entries.filter((e) => e.action.startsWith('breach_notification.'));
      assert.deepEqual(
        steps.map((e) => [e.action, e.actor, e.after?.state ?? null]),
        [
          ['breach_notification.insert', 'UBOB', 'draft'],
          ['breach_notification.update', 'UDPO', 'approved'],
          ['breach_notification.update', 'UALICE', 'sent'],
        ],
      );
      assert.deepEqual(trail.problems, []);
    });

    test('Withdraw: refused before any form for someone without the role; the DPO gives the reason in a form', async () => {
      const incident = await declare('sev3 Export sent to the wrong trust --breach');
      const channel = incident.channelId!;
      await run('role dpo <@UDPO>', 'UALICE', channel);
      await run('breach draft dspt', 'UBOB', channel);
      const drafted = noticesIn(channel).at(-1)!;
      const viewsBefore = slack.views.length;

      const refused = await press(drafted, BREACH_NOTIFICATION_ACTIONS.withdraw, 'UMALLORY');
      assert.match(refused.join(' '), /can withdraw the notification to NHS England through the DSPT/);
      assert.equal(slack.views.length, viewsBefore, 'no form opened');

      assert.deepEqual(await press(drafted, BREACH_NOTIFICATION_ACTIONS.withdraw, 'UDPO'), []);
      const form = slack.views.at(-1)!;
      assert.equal(form.view.callback_id, BREACH_WITHDRAW_MODAL.callbackId);
      const empty = await app.submitView({
        viewId: form.id,
        callbackId: BREACH_WITHDRAW_MODAL.callbackId,
        userId: 'UDPO',
        privateMetadata: String(form.view.private_metadata),
        values: {
          [BREACH_WITHDRAW_MODAL.block]: { [BREACH_WITHDRAW_MODAL.action]: { type: 'plain_text_input', value: ' ' } },
        },
      });
      assert.equal((empty.json() as { response_action?: string }).response_action, 'errors');
      const res = await app.submitView({
        viewId: form.id,
        callbackId: BREACH_WITHDRAW_MODAL.callbackId,
        userId: 'UDPO',
        privateMetadata: String(form.view.private_metadata),
        values: {
          [BREACH_WITHDRAW_MODAL.block]: {
            [BREACH_WITHDRAW_MODAL.action]: {
              type: 'plain_text_input',
              value: 'Reported by the receiving trust already.',
            },
          },
        },
      });
      assert.equal(res.status, 200);
      await app.bot.idle();
      const n = (await app.bot.deps.breachNotifications.latest(incident.id, 'dspt', 'dspt'))!;
      assert.deepEqual(
        [n.state, n.withdrawnBy, n.withdrawReason],
        ['withdrawn', 'UDPO', 'Reported by the receiving trust already.'],
      );
      assert.match(noticesIn(channel).at(-1)!.text!, /<@UDPO> withdrew the notification/);
    });
  });
}
