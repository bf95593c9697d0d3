// Private incidents through the running bot: signed requests (as Slack sends them, or forged with a
// private incident's channel id), the real WebClient talking to the Slack stand-in, PagerDuty as
// its fake. Everything UEVE (not a member of the private channel) could be shown is collected:
// answers to her response URLs, her direct messages, the views opened or published for her and the
// files sent to her. None of it may hold the private incident's title, description, service,
// timeline or action item text; a member (UBOB) sees them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import { PRIVATE_INCIDENT_REFUSAL } from '../../src/domain/access.ts';
import {
  ACTION_ITEM_ACTIONS,
  DECLARE_MODAL,
  INCIDENT_MODALS,
  PAGERDUTY_ACTIONS,
  REVIEW_ACTIONS,
  REVIEW_MODAL,
  SUMMARY_ACTIONS,
  TIMELINE_ACTIONS,
} from '../../src/slack/ids.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { startPagerDutyFake, type PagerDutyFake } from '../support/pagerduty-fake.ts';
import { declareModalValues, postEvent } from '../support/slack-requests.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';

const TITLE = 'Safeguarding referral lost';
const DESCRIPTION = 'Referral for the Hartley family never reached social care';
const SERVICE = 'referrals-api';
const NOTE = 'Duty social worker called back';
const ACTION = 'Add delivery receipts to referrals';
const UPDATE = 'Referral resent by hand';
const SECRETS = [TITLE, DESCRIPTION, SERVICE, NOTE, ACTION, UPDATE, 'Hartley'];

const HOUR = 3600_000;
const DAY = 24 * HOUR;

function assertNoSecrets(text: string, what: string) {
  for (const s of SECRETS)
    assert.ok(!text.toLowerCase().includes(s.toLowerCase()), `${what} must not show "${s}": ${text.slice(0, 300)}`);
}

for (const database of testDatabases()) {
  describe(`private incidents: nothing of them for non-members, through any command (${database.name})`, () => {
    let pd: PagerDutyFake;
    let offsetMs = 0;
    const start = Date.now();
    before(async () => {
      pd = await startPagerDutyFake({
        state: {
          users: [
            { id: 'PALICE', name: 'Alice Example', email: 'alice@example.org', timeZone: 'Europe/London' },
            { id: 'PEVE', name: 'Eve Example', email: 'eve@example.org', timeZone: 'Europe/London' },
          ],
          escalationPolicies: [{ id: 'PEP1', name: 'Platform' }],
          teams: [{ id: 'PTEAM1', name: 'Platform team' }],
          schedules: [{ id: 'PSCH1', name: 'Platform primary', teamIds: ['PTEAM1'] }],
          oncalls: [
            {
              userId: 'PALICE',
              escalationPolicyId: 'PEP1',
              level: 1,
              scheduleId: 'PSCH1',
              start: new Date(start - 10 * DAY).toISOString(),
              end: new Date(start + 10 * DAY).toISOString(),
            },
          ],
          logEntries: [
            {
              id: 'LE1',
              type: 'assign_log_entry',
              createdAt: new Date(start - 2 * DAY).toISOString(),
              incidentId: 'PI1',
              serviceId: 'PS1',
              assigneeIds: ['PALICE'],
            },
          ],
        },
      });
    });
    after(() => pd?.close());
    const env = useTestBot(database, {
      users: [
        { id: 'UALICE', name: 'alice', email: 'alice@example.org', tz: 'Europe/London' },
        { id: 'UBOB', name: 'bob', email: 'bob@example.org', tz: 'Europe/London' },
        { id: 'UEVE', name: 'eve', email: 'eve@example.org', tz: 'Europe/London' },
      ],
      clock: { now: () => new Date(Date.now() + offsetMs) },
      get env() {
        return { PAGERDUTY_TOKEN: pd.token, PAGERDUTY_API_URL: pd.url, TZ_DEFAULT: 'Europe/London' };
      },
    });
    let slack: SlackStandIn;
    let app: TestBot;
    let incident: Incident;
    let itemId: string;
    let seq = 0;

    async function run(text: string, user: string, channelId: string) {
      const id = `${user}-${++seq}`;
      const res = await app.command(text, {
        responseUrl: slack.responseUrl(id),
        userId: user,
        channelId,
        triggerId: slack.triggerId(user),
      });
      assert.equal(res.status, 200);
      await app.bot.idle();
      const responses = slack.responses.filter((r) => r.id === id);
      return {
        ack: res.json() as { text?: string } | undefined,
        told: responses.map((r) => String(r.body.text)),
        json: JSON.stringify(responses.map((r) => r.body)),
      };
    }
    async function click(
      user: string,
      o: {
        blockId: string;
        actionId: string;
        value?: string;
        selectedValue?: string;
        selectedUser?: string;
        inHome?: boolean;
        channelId?: string;
      },
    ) {
      const id = `${user}-${++seq}`;
      const res = await app.clickAction({
        userId: user,
        channelId: o.channelId ?? incident.channelId!,
        messageTs: incident.summaryTs!,
        responseUrl: slack.responseUrl(id),
        ...o,
      });
      assert.equal(res.status, 200);
      await app.bot.idle();
      return slack.responses.filter((r) => r.id === id).map((r) => String(r.body.text));
    }
    const dmsTo = (user: string) =>
      slack.messages.filter(
        (m) => slack.channels.get(m.channel)?.is_im && slack.channels.get(m.channel)!.members.has(user),
      );
    /** Everything UEVE could have been shown. */
    function everythingEveSaw(): string {
      const responses = slack.responses.filter((r) => r.id.startsWith('UEVE-')).map((r) => r.body);
      const dms = dmsTo('UEVE').map((m) => ({ text: m.text, blocks: m.blocks }));
      const views = slack.views.filter((v) => v.user === 'UEVE').map((v) => v.view);
      const files = slack.files.filter(
        (f) =>
          f.user === 'UEVE' ||
          f.channels.some((c) => slack.channels.get(c)?.is_im && slack.channels.get(c)!.members.has('UEVE')),
      );
      return JSON.stringify({
        responses,
        dms,
        views,
        files: files.map((f) => ({ title: f.title, comment: f.initialComment, content: f.content.toString('utf8') })),
      });
    }
    /** What the record and the private channel hold, to prove a refused request changed nothing. */
    async function state() {
      const i = (await app.bot.deps.store.findById(incident.id))!;
      return {
        status: i.status,
        severity: i.severity,
        roles: i.roles,
        clinical: i.clinicalImpact,
        entries: (await app.bot.deps.store.timeline(incident.id)).length,
        posted: slack.messages.filter((m) => m.channel === incident.channelId).length,
        review: JSON.stringify((await app.bot.deps.reviews.findReview(incident.id))?.input ?? null),
        item: JSON.stringify(await app.bot.deps.reviews.findActionItem(itemId)),
      };
    }

    before(async () => {
      ({ slack, app } = env);
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['UALICE', 'UBOB', 'UEVE'] });
      // Declared through the form: private, with a description and a service.
      await app.command('', {
        responseUrl: slack.responseUrl('modal'),
        triggerId: slack.triggerId('UALICE'),
        userId: 'UALICE',
        channelId: 'CGENERAL',
      });
      await app.bot.idle();
      const form = slack.views.at(-1)!;
      await app.submitView({
        viewId: form.id,
        callbackId: DECLARE_MODAL.callbackId,
        userId: 'UALICE',
        privateMetadata: String(form.view.private_metadata),
        values: declareModalValues({
          title: TITLE,
          severity: 'SEV2',
          description: DESCRIPTION,
          service: SERVICE,
          flags: ['private'],
        }),
      });
      await app.bot.idle();
      const n = Number(
        /INC-(\d+)/.exec(String(slack.responses.filter((r) => r.id === 'modal').at(-1)?.body.text))?.[1],
      );
      incident = (await app.bot.deps.store.findByNumber(n))!;
      assert.ok(incident?.isPrivate && incident.provisionedAt, 'declared a private incident');
      const channel = slack.channels.get(incident.channelId!)!;
      assert.equal(channel.is_private, true);
      channel.members.add('UBOB');
      assert.ok(!channel.members.has('UEVE'));
      await run('role commander <@UALICE|alice>', 'UALICE', incident.channelId!);
      await run(`note ${NOTE}`, 'UALICE', incident.channelId!);
      await run(`update ${UPDATE}`, 'UALICE', incident.channelId!);
      await run(`action add ${ACTION} due:2099-01-10`, 'UALICE', incident.channelId!);
      itemId = (await app.bot.deps.reviews.actionItemsOf(incident.id))[0]!.id;
      assert.ok(itemId);
    });

    test('the in-channel commands, sent with its channel id by a non-member, are refused and change nothing', async () => {
      const before = await state();
      for (const text of [
        'timeline',
        `update ${UPDATE} again`,
        'note hello',
        'status monitoring',
        'sev 1',
        'role scribe <@UEVE|eve>',
        'clinical on',
        'resolve',
        'close',
        'reopen',
        'action add Something',
        'page <@UALICE|alice> help',
      ]) {
        const { told } = await run(text, 'UEVE', incident.channelId!);
        assert.deepEqual(told, [PRIVATE_INCIDENT_REFUSAL], text);
      }
      assert.deepEqual(await state(), before, 'nothing changed, nothing posted');
      assert.equal(pd.state.incidents.length, 0, 'nobody was paged');
      assertNoSecrets(everythingEveSaw(), 'what the non-member was shown');
    });

    test('a member reads the timeline', async () => {
      const { json } = await run('timeline', 'UBOB', incident.channelId!);
      assert.ok(json.includes(TITLE), 'the title');
      assert.ok(json.includes(NOTE) && json.includes(UPDATE), 'the timeline entries');
    });

    test('the review: /incident review and its button open nothing for a non-member; a member gets the form', async () => {
      const before = await state();
      const views = slack.views.length;
      assert.deepEqual((await run('review', 'UEVE', incident.channelId!)).told, [PRIVATE_INCIDENT_REFUSAL]);
      assert.deepEqual(await click('UEVE', { blockId: SUMMARY_ACTIONS.blockId, actionId: REVIEW_ACTIONS.edit }), [
        PRIVATE_INCIDENT_REFUSAL,
      ]);
      assert.equal(slack.views.length, views, 'no form opened');
      // A forged submission of the review form.
      await app.submitView({
        viewId: 'VFORGED',
        callbackId: REVIEW_MODAL.callbackId,
        userId: 'UEVE',
        privateMetadata: JSON.stringify({ incidentId: incident.id, channelId: incident.channelId, basedOn: null }),
        values: {},
      });
      await app.bot.idle();
      assert.deepEqual(await state(), before, 'nothing saved, nothing posted');
      assert.ok(
        dmsTo('UEVE').some((m) => m.text === PRIVATE_INCIDENT_REFUSAL),
        'told by direct message (a form has no response URL)',
      );

      await run('review', 'UBOB', incident.channelId!);
      const form = slack.views.at(-1)!;
      assert.equal(form.user, 'UBOB');
      assert.equal(form.view.callback_id, REVIEW_MODAL.callbackId);
      assert.ok(JSON.stringify(form.view).includes(TITLE), 'the member’s form names the incident');
      assertNoSecrets(everythingEveSaw(), 'what the non-member was shown');
    });

    test('the summary’s buttons and forms do nothing for a non-member', async () => {
      const before = await state();
      const views = slack.views.length;
      const A = SUMMARY_ACTIONS;
      for (const o of [
        { blockId: A.blockId, actionId: A.timeline },
        { blockId: A.blockId, actionId: `${A.statusPrefix}monitoring`, value: 'MONITORING' },
        { blockId: A.blockId, actionId: A.resolve },
        { blockId: A.blockId, actionId: A.severity, selectedValue: 'SEV1' },
        { blockId: A.blockId, actionId: A.update },
        { blockId: A.blockId, actionId: A.note },
        { blockId: A.blockId, actionId: A.role },
        { blockId: PAGERDUTY_ACTIONS.blockId, actionId: PAGERDUTY_ACTIONS.resolveLinked },
        // The timeline's page buttons, from any page edge.
        ...[TIMELINE_ACTIONS.older, TIMELINE_ACTIONS.newer].map((actionId) => ({
          blockId: TIMELINE_ACTIONS.blockId,
          actionId,
          value: JSON.stringify({ at: new Date().toISOString(), id: '00000000-0000-4000-8000-000000000000' }),
        })),
      ]) {
        assert.deepEqual(await click('UEVE', o), [PRIVATE_INCIDENT_REFUSAL], o.actionId);
      }
      assert.equal(slack.views.length, views, 'no form opened');
      // Forged submissions of the summary's forms.
      const M = INCIDENT_MODALS;
      const meta = JSON.stringify({ channelId: incident.channelId });
      await app.submitView({
        viewId: 'VU',
        callbackId: M.update.callbackId,
        userId: 'UEVE',
        privateMetadata: meta,
        values: { [M.update.block]: { [M.update.action]: { type: 'plain_text_input', value: 'forged update' } } },
      });
      await app.submitView({
        viewId: 'VN',
        callbackId: M.note.callbackId,
        userId: 'UEVE',
        privateMetadata: meta,
        values: { [M.note.block]: { [M.note.action]: { type: 'plain_text_input', value: 'forged note' } } },
      });
      await app.bot.idle();
      assert.deepEqual(await state(), before, 'nothing changed, nothing posted');
      assert.ok(!slack.messages.some((m) => /forged/.test(m.text ?? '')), 'no forged text posted anywhere');
      assertNoSecrets(everythingEveSaw(), 'what the non-member was shown');

      // The same button works for a member.
      const [timeline] = await click('UBOB', { blockId: A.blockId, actionId: A.timeline });
      assert.ok(timeline !== PRIVATE_INCIDENT_REFUSAL);
      assert.ok(
        JSON.stringify(slack.responses.filter((r) => r.id.startsWith('UBOB-')).map((r) => r.body)).includes(NOTE),
      );
    });

    test('action item listings and the Home tab: a non-member sees that an item exists, never its text or the title; a member sees it', async () => {
      offsetMs = new Date('2099-02-01T12:00:00Z').getTime() - Date.now(); // the item is overdue
      try {
        for (const filter of ['all', 'team', 'overdue', 'mine']) {
          const { json } = await run(`actions ${filter}`, 'UEVE', 'CGENERAL');
          assertNoSecrets(json, `actions ${filter} for a non-member`);
          if (filter !== 'mine')
            assert.match(json, /private incident/, `actions ${filter}: the item is listed as a private incident's`);
        }
        const member = await run('actions all', 'UBOB', 'CGENERAL');
        assert.ok(member.json.includes(ACTION), 'a member sees the text');

        for (const user of ['UEVE', 'UBOB']) {
          await postEvent(app.url, {
            type: 'app_home_opened',
            user,
            channel: `D${user}`,
            tab: 'home',
            event_ts: '1.1',
          });
          await slack.waitFor(() => slack.views.find((v) => v.user === user && v.view.type === 'home'));
        }
        const home = (user: string) =>
          JSON.stringify(slack.views.filter((v) => v.user === user && v.view.type === 'home').at(-1)!.view);
        assertNoSecrets(home('UEVE'), 'the non-member’s Home tab');
        assert.match(home('UEVE'), /private incident/);
        assert.ok(home('UBOB').includes(ACTION), 'the member’s Home tab shows the text');
      } finally {
        offsetMs = 0;
      }
      assertNoSecrets(everythingEveSaw(), 'what the non-member was shown');
    });

    test('action item controls: a non-member cannot complete, reassign or snooze, and is told nothing of it', async () => {
      const before = await state();
      const blockId = `${ACTION_ITEM_ACTIONS.blockPrefix}${itemId}`;
      const where = { channelId: 'D0000000001' };
      assert.deepEqual(
        await click('UEVE', { ...where, blockId, actionId: ACTION_ITEM_ACTIONS.complete, value: itemId }),
        [PRIVATE_INCIDENT_REFUSAL],
      );
      assert.deepEqual(
        await click('UEVE', { ...where, blockId, actionId: ACTION_ITEM_ACTIONS.reassign, selectedUser: 'UEVE' }),
        [PRIVATE_INCIDENT_REFUSAL],
      );
      assert.deepEqual(
        await click('UEVE', { ...where, blockId, actionId: ACTION_ITEM_ACTIONS.snooze, selectedValue: '7' }),
        [PRIVATE_INCIDENT_REFUSAL],
      );
      // From the Home tab (no response URL): refused by direct message.
      const dms = dmsTo('UEVE').length;
      await click('UEVE', {
        channelId: '',
        blockId,
        actionId: ACTION_ITEM_ACTIONS.complete,
        value: itemId,
        inHome: true,
      });
      assert.equal(dmsTo('UEVE').length, dms + 1);
      assert.equal(dmsTo('UEVE').at(-1)!.text, PRIVATE_INCIDENT_REFUSAL);
      assert.deepEqual(await state(), before, 'the item is unchanged');
      assertNoSecrets(everythingEveSaw(), 'what the non-member was shown');
    });

    test('reports across incidents (guardrails, load, on call) never show a private incident’s text', async () => {
      const guardrails = await run('guardrails 30d', 'UEVE', 'CGENERAL');
      assert.match(guardrails.json, /incident/i, 'the report was given');
      assertNoSecrets(guardrails.json, 'the guardrail report');

      const load = await run('load 30d', 'UEVE', 'CGENERAL');
      assert.match(load.json, /Alice Example/, 'the load report was given');
      assert.match(load.json, /Incidents worked/, 'with incident work from our records');
      const files = slack.files.filter((f) =>
        f.channels.some((c) => slack.channels.get(c)?.is_im && slack.channels.get(c)!.members.has('UEVE')),
      );
      assert.ok(
        files.some((f) => f.filename.endsWith('.csv')),
        'the CSV went to the asker',
      );
      const oncall = await run('oncall', 'UEVE', 'CGENERAL');
      assert.match(oncall.json, /Alice Example|alice/i);
      assertNoSecrets(JSON.stringify([load.json, oncall.json]), 'the load and on-call answers');
      assertNoSecrets(everythingEveSaw(), 'what the non-member was shown (the load files included)');
    });

    test('the broadcast channel never had any of it', () => {
      const broadcast = JSON.stringify(slack.messages.filter((m) => m.channel === BROADCAST_CHANNEL));
      assertNoSecrets(broadcast, 'the broadcast channel');
    });
  });
}
