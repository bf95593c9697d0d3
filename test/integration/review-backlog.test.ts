// Post-incident reviews and the guardrail backlog end to end: signed requests to the running app,
// its WebClient talking to the Slack stand-in, on embedded PGlite and (when TEST_DATABASE_URL is
// set) a real PostgreSQL server. The bot's clock is moved to test due dates and weekly reminders.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import {
  ACTION_ITEM_ACTIONS,
  ACTION_LIST_ACTIONS,
  REVIEW_ACTIONS,
  REVIEW_MODAL,
  reviewInputId,
} from '../../src/slack/ids.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { postEvent } from '../support/slack-requests.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';

const USERS = ['UALICE', 'UBOB', 'UCAROL'];
const DAY = 24 * 3600_000;
const B = REVIEW_MODAL.blocks;

/** state.values as Slack sends the review form (only the fields given). */
function reviewValues(v: {
  clinical?: string;
  data?: string;
  detection?: string;
  factors?: string[];
  wentWell?: string;
  actionText?: string;
  actionOwner?: string;
  actionDue?: string;
  actionCategory?: string;
}) {
  const text = (value: string | undefined) => ({ type: 'plain_text_input', value: value ?? null });
  const select = (value: string | undefined) => ({
    type: 'static_select',
    selected_option: value ? { text: { type: 'plain_text', text: value }, value } : null,
  });
  const values: Record<string, Record<string, unknown>> = {
    [B.usersAffected]: { [reviewInputId(B.usersAffected)]: text(undefined) },
    [B.clinicalImpact]: { [reviewInputId(B.clinicalImpact)]: text(v.clinical) },
    [B.dataImpact]: { [reviewInputId(B.dataImpact)]: text(v.data) },
    [B.detection]: { [reviewInputId(B.detection)]: select(v.detection) },
    [B.detectionNote]: { [reviewInputId(B.detectionNote)]: text(undefined) },
    [B.factors]: {
      [reviewInputId(B.factors)]: {
        type: 'checkboxes',
        selected_options: (v.factors ?? []).map((value) => ({ text: { type: 'plain_text', text: value }, value })),
      },
    },
    [B.otherFactors]: { [reviewInputId(B.otherFactors)]: text(undefined) },
    [B.wentWell]: { [reviewInputId(B.wentWell)]: text(v.wentWell) },
    [B.wasHard]: { [reviewInputId(B.wasHard)]: text(undefined) },
    [B.actionText]: { [reviewInputId(B.actionText)]: text(v.actionText) },
    [B.actionOwner]: { [reviewInputId(B.actionOwner)]: { type: 'users_select', selected_user: v.actionOwner ?? null } },
    [B.actionDue]: { [reviewInputId(B.actionDue)]: { type: 'datepicker', selected_date: v.actionDue ?? null } },
    [B.actionCategory]: { [reviewInputId(B.actionCategory)]: select(v.actionCategory ?? 'guardrail') },
    [B.actionPriority]: { [reviewInputId(B.actionPriority)]: select('medium') },
  };
  return values;
}

for (const database of testDatabases()) {
  describe(`post-incident review and action items (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    let seq = 0;
    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs) };

    /** Every ask of the on-call system (a near miss must page and invite nobody). */
    const onCallAsked: string[] = [];
    const env = useTestBot(database, {
      users: USERS.map((id) => ({ id, name: id.slice(1).toLowerCase(), tz: 'Europe/London' })),
      env: { TZ_DEFAULT: 'Europe/London' },
      clock,
      onCall: {
        onCall: async (query) => {
          onCallAsked.push(`oncall ${query}`);
          return null;
        },
        page: async (target) => {
          onCallAsked.push(`page ${JSON.stringify(target)}`);
          return null;
        },
        resolvePaged: async (id) => void onCallAsked.push(`resolve ${id}`),
      },
    });
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      offsetMs = 0;
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: USERS });
    });

    async function run(text: string, user: string, channelId: string) {
      const id = `r${++seq}`;
      const triggerId = slack.triggerId(user);
      const res = await app.command(text, { responseUrl: slack.responseUrl(id), userId: user, channelId, triggerId });
      assert.equal(res.status, 200);
      await app.bot.idle();
      const responses = slack.responses.filter((r) => r.id === id);
      return {
        ack: res.json() as { text?: string } | undefined,
        told: responses.map((r) => String(r.body.text)),
        responses,
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
    const reviewPosts = (channelId: string) =>
      slack.messages.filter(
        (m) =>
          m.channel === channelId &&
          JSON.stringify(m.blocks ?? []).includes(REVIEW_ACTIONS.edit) &&
          /review/i.test(m.text ?? ''),
      );
    const dmsTo = (user: string) =>
      slack.messages.filter(
        (m) => slack.channels.get(m.channel)?.is_im && slack.channels.get(m.channel)!.members.has(user),
      );
    const itemsOf = (i: Incident) => app.bot.deps.reviews.actionItemsOf(i.id);

    test('resolving posts the review in the channel and shares it as a Markdown file', async () => {
      const i = await declare('sev2 Prescriptions not printing');
      await run('resolve printer queue drained', 'UALICE', i.channelId!);
      const posts = reviewPosts(i.channelId!);
      assert.equal(posts.length, 1, 'one review message');
      assert.match(JSON.stringify(posts[0]!.blocks), /Prescriptions not printing/);
      const file = slack.files.find((f) => f.channels.includes(i.channelId!));
      assert.ok(file?.completed, 'the Markdown file was uploaded and shared');
      assert.equal(file.filename, `inc-${i.number}-review.md`);
      const md = file.content.toString('utf8');
      assert.match(md, new RegExp(`INC-${i.number}`));
      assert.match(md, /## Timeline/);
      assert.match(md, /Resolved: printer queue drained/);
      assert.equal(file.length, Buffer.byteLength(md), 'the declared length is the bytes sent');
      const stored = await app.bot.deps.reviews.findReview(i.id);
      assert.equal(stored?.postedTs, posts[0]!.ts, 'the posted review is remembered, to be redrawn');
    });

    test('/incident review opens the form and posts the review; the form saves, adds an action item and redraws it', async () => {
      const i = await declare('sev3 Bed board stale');
      const { told } = await run('review', 'UBOB', i.channelId!);
      assert.deepEqual(told, [], 'nothing to say privately');
      const view = slack.views.at(-1)!;
      assert.equal(view.view.callback_id, REVIEW_MODAL.callbackId);
      assert.deepEqual(JSON.parse(String(view.view.private_metadata)), {
        incidentId: i.id,
        channelId: i.channelId,
        basedOn: null,
      });
      const posted = reviewPosts(i.channelId!);
      assert.equal(posted.length, 1, 'posted for everyone to see');
      assert.equal(slack.files.length, 1);

      const res = await app.submitView({
        viewId: view.id,
        callbackId: REVIEW_MODAL.callbackId,
        userId: 'UBOB',
        privateMetadata: String(view.view.private_metadata),
        values: reviewValues({
          clinical: 'Ward staff could not see bed states for 20 minutes',
          data: 'None',
          detection: 'staff-report',
          factors: ['observability-gap', 'missing-guardrail'],
          wentWell: 'Fast rollback',
          actionText: 'Alert on bed board staleness',
          actionOwner: 'UCAROL',
          actionDue: '2099-01-31',
          actionCategory: 'observability',
        }),
      });
      assert.equal(res.status, 200);
      assert.equal(res.body, '', 'the form closes');
      await app.bot.idle();

      const stored = await app.bot.deps.reviews.findReview(i.id);
      assert.equal((stored?.input.impact as { dataImpact?: string } | undefined)?.dataImpact, 'None');
      assert.deepEqual((stored?.input.contributingFactors ?? []).map((f) => f.factor).sort(), [
        'missing-guardrail',
        'observability-gap',
      ]);
      const [item, ...more] = await itemsOf(i);
      assert.equal(more.length, 0);
      assert.equal(item!.text, 'Alert on bed board staleness');
      assert.equal(item!.ownerId, 'UCAROL');
      assert.equal(item!.due, '2099-01-31');
      assert.equal(item!.category, 'observability');
      assert.equal(item!.createdBy, 'UBOB');

      // Redrawn in place, not posted twice, and shared again as a file.
      assert.equal(reviewPosts(i.channelId!).length, 1);
      const redrawn = slack.messages.find((m) => m.ts === posted[0]!.ts)!;
      assert.match(JSON.stringify(redrawn.blocks), /Ward staff could not see bed states/);
      assert.match(JSON.stringify(redrawn.blocks), /Alert on bed board staleness/);
      assert.equal(slack.files.length, 2);
      assert.match(slack.files[1]!.content.toString('utf8'), /Observability gap/);
      assert.ok(
        dmsTo('UCAROL').some((m) => /ACT-\d+/.test(m.text ?? '')),
        'the owner is told directly',
      );
      const kinds = (await app.bot.deps.store.timeline(i.id)).map((e) => e.kind);
      assert.ok(kinds.includes('review_updated') && kinds.includes('action_item_added'), 'both on the timeline');

      // Opening the form again shows what was saved.
      await run('review', 'UALICE', i.channelId!);
      assert.match(JSON.stringify(slack.views.at(-1)!.view), /Ward staff could not see bed states/);

      // Someone who opened the form before that save cannot overwrite it: told, and given their text back.
      const stale = await app.submitView({
        viewId: 'VSTALE',
        callbackId: REVIEW_MODAL.callbackId,
        userId: 'UCAROL',
        privateMetadata: String(view.view.private_metadata),
        values: reviewValues({ clinical: 'Nothing clinical', data: 'None', wentWell: 'Carol’s notes' }),
      });
      assert.equal(stale.status, 200);
      await app.bot.idle();
      const kept = await app.bot.deps.reviews.findReview(i.id);
      assert.equal(
        (kept?.input.impact as { clinicalImpact?: string } | undefined)?.clinicalImpact,
        'Ward staff could not see bed states for 20 minutes',
      );
      const toldCarol = dmsTo('UCAROL')
        .map((m) => m.text ?? '')
        .join('\n');
      assert.match(toldCarol, /Someone else saved this review after you opened the form/);
      assert.match(toldCarol, /Went well: Carol’s notes/, 'what she wrote is given back');
    });

    test('an invalid form shows its problems beside the fields and saves nothing', async () => {
      const i = await declare('sev3 Lab feed delayed');
      await run('review', 'UBOB', i.channelId!);
      const view = slack.views.at(-1)!;
      const before = (await app.bot.deps.store.timeline(i.id)).length;
      const res = await app.submitView({
        viewId: view.id,
        callbackId: REVIEW_MODAL.callbackId,
        userId: 'UBOB',
        privateMetadata: String(view.view.private_metadata),
        values: reviewValues({ clinical: 'Results late', actionText: 'Fix the feed', actionDue: '2001-01-01' }),
      });
      const body = res.json() as { response_action: string; errors: Record<string, string> };
      assert.equal(body.response_action, 'errors');
      assert.match(body.errors[B.dataImpact] ?? '', /data impact/i);
      await app.bot.idle();
      assert.equal(await app.bot.deps.reviews.findReview(i.id).then((r) => r?.input.impact ?? null), null);
      assert.equal((await itemsOf(i)).length, 0);
      assert.equal((await app.bot.deps.store.timeline(i.id)).length, before, 'nothing recorded');

      const past = await app.submitView({
        viewId: view.id,
        callbackId: REVIEW_MODAL.callbackId,
        userId: 'UBOB',
        privateMetadata: String(view.view.private_metadata),
        values: reviewValues({ actionText: 'Fix the feed', actionDue: '2001-01-01' }),
      });
      const pastBody = past.json() as { errors: Record<string, string> };
      assert.match(pastBody.errors[B.actionDue] ?? '', /in the past/);
      assert.equal((await itemsOf(i)).length, 0);
    });

    test('/incident action add records an item with defaults, tells the channel and the owner; bad input changes nothing', async () => {
      const i = await declare('sev2 Theatre list missing');
      const { told } = await run(
        'action add Add a canary for the theatre list export <@UBOB|bob> due:2099-03-01 runbook priority:high',
        'UALICE',
        i.channelId!,
      );
      assert.equal(told.length, 1);
      assert.match(told[0]!, /Added ACT-\d+/);
      const [item] = await itemsOf(i);
      assert.equal(item!.text, 'Add a canary for the theatre list export');
      assert.deepEqual(
        [item!.ownerId, item!.due, item!.category, item!.priority],
        ['UBOB', '2099-03-01', 'runbook', 'high'],
      );
      assert.ok(
        slack.messages.some((m) => m.channel === i.channelId && /added action item \*ACT-\d+\*/.test(m.text ?? '')),
      );
      assert.ok(dmsTo('UBOB').some((m) => /gave you action item/.test(m.text ?? '')));

      // Defaults: the author owns it, due in 30 days (medium), guardrail.
      await run('action add Document the export job', 'UCAROL', i.channelId!);
      const second = (await itemsOf(i))[1]!;
      const due = new Date(clock.now().getTime() + 30 * DAY).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
      assert.deepEqual(
        [second.ownerId, second.due, second.category, second.priority],
        ['UCAROL', due, 'guardrail', 'medium'],
      );

      for (const [text, why] of [
        ['action add Fix it due:2026-02-30', /calendar date/],
        ['action add Fix it due:2001-01-01', /in the past/],
        ['action add', /what should be done|Write it as/i],
        ['action remove 3', /Write it as/],
      ] as const) {
        const r = await run(text, 'UALICE', i.channelId!);
        assert.match([r.ack?.text ?? '', ...r.told].join(' '), why, text);
      }
      assert.equal((await itemsOf(i)).length, 2, 'nothing added by bad input');
      const outside = await run('action add Something', 'UALICE', 'CGENERAL');
      assert.match(outside.told.join(' '), /only works in an incident channel/);
    });

    test('/incident actions lists the backlog; complete, reassign and snooze work from its controls, for those allowed', async () => {
      const i = await declare('sev3 Discharge letters late');
      await run('action add Retry letters on failure <@UBOB|bob> due:2099-05-01', 'UALICE', i.channelId!);
      await run(
        'action add Dashboard for letter queue <@UCAROL|carol> due:2099-04-01 observability',
        'UALICE',
        i.channelId!,
      );
      const [retry, dashboard] = await itemsOf(i);

      const mine = await run('actions', 'UBOB', 'CGENERAL');
      const mineJson = JSON.stringify(mine.responses[0]!.body.blocks);
      assert.match(mineJson, /Retry letters on failure/);
      assert.doesNotMatch(mineJson, /Dashboard for letter queue/, 'mine: only UBOB’s');
      assert.ok(mineJson.includes(`${ACTION_ITEM_ACTIONS.blockPrefix}${retry!.id}`), 'controls carry the item id');
      const team = JSON.stringify((await run('actions team', 'UBOB', 'CGENERAL')).responses[0]!.body.blocks);
      assert.ok(team.indexOf('Dashboard for letter queue') < team.indexOf('Retry letters'), 'sooner due first');
      const bad = await run('actions everything', 'UBOB', 'CGENERAL');
      assert.match(bad.ack?.text ?? '', /mine.*team.*overdue.*all/);

      const click = async (
        user: string,
        actionId: string,
        itemId: string,
        extra: { selectedValue?: string; selectedUser?: string } = {},
      ) => {
        const id = `c${++seq}`;
        await app.clickAction({
          userId: user,
          channelId: 'D0000000001',
          messageTs: '1.1',
          responseUrl: slack.responseUrl(id),
          blockId: `${ACTION_ITEM_ACTIONS.blockPrefix}${itemId}`,
          actionId,
          ...(actionId === ACTION_ITEM_ACTIONS.complete ? { value: itemId } : {}),
          ...extra,
        });
        await app.bot.idle();
        return slack.responses
          .filter((r) => r.id === id)
          .map((r) => String(r.body.text))
          .join(' ');
      };

      // Someone who neither owns it, added it nor commands the incident is told who can.
      assert.match(await click('UCAROL', ACTION_ITEM_ACTIONS.complete, retry!.id), /Only .*<@UBOB>.* can complete/);
      assert.equal((await app.bot.deps.reviews.findActionItem(retry!.id))!.status, 'open');

      assert.match(await click('UBOB', ACTION_ITEM_ACTIONS.complete, retry!.id), /ACT-\d+ is done/);
      const done = (await app.bot.deps.reviews.findActionItem(retry!.id))!;
      assert.equal(done.status, 'done');
      assert.equal(done.completedBy, 'UBOB');
      assert.match(await click('UBOB', ACTION_ITEM_ACTIONS.complete, retry!.id), /already done/);

      assert.match(
        await click('UCAROL', ACTION_ITEM_ACTIONS.reassign, dashboard!.id, { selectedUser: 'UBOB' }),
        /now belongs to <@UBOB>/,
      );
      assert.equal((await app.bot.deps.reviews.findActionItem(dashboard!.id))!.ownerId, 'UBOB');
      assert.match(
        await click('UBOB', ACTION_ITEM_ACTIONS.snooze, dashboard!.id, { selectedValue: '14' }),
        /No reminders about ACT-\d+ until/,
      );
      assert.ok((await app.bot.deps.reviews.findActionItem(dashboard!.id))!.snoozedUntil);
      assert.match(
        await click('UBOB', ACTION_ITEM_ACTIONS.snooze, dashboard!.id, { selectedValue: '3' }),
        /Snooze for 7, 14, 30 days/,
      );

      const kinds = (await app.bot.deps.store.timeline(i.id)).map((e) => e.kind);
      for (const k of ['action_item_completed', 'action_item_reassigned', 'action_item_snoozed'])
        assert.ok(kinds.includes(k), k);
      const all = JSON.stringify((await run('actions all', 'UBOB', 'CGENERAL')).responses[0]!.body.blocks);
      assert.match(all, /Retry letters on failure/, 'all includes done items');
    });

    test('a done item: its Reopen button in `actions all` and `/incident action reopen|done ACT-n` change it, for those allowed; `in:slack` lists it', async () => {
      const i = await declare('sev3 Lab labels misprinted');
      await run('action add Check the label template <@UBOB|bob> due:2099-06-01', 'UALICE', i.channelId!);
      const [item] = await itemsOf(i);
      const ref = `ACT-${item!.number}`;
      const done = await run(`action done ${ref}`, 'UBOB', 'CGENERAL');
      assert.match(String(done.responses[0]!.body.text), new RegExp(`${ref} is done`));
      assert.equal((await app.bot.deps.reviews.findActionItem(item!.id))!.status, 'done');

      // The listing of every item shows the done one with a Reopen button carrying its id.
      const all = (await run('actions all in:slack', 'UBOB', 'CGENERAL')).responses[0]!.body;
      assert.match(String(all.text), /^All action items only in Slack: \d+/);
      const reopenButton = (all.blocks as { block_id?: string; elements?: { action_id: string; value?: string }[] }[])
        .find((b) => b.block_id === `${ACTION_ITEM_ACTIONS.blockPrefix}${item!.id}`)
        ?.elements?.map((e) => [e.action_id, e.value]);
      assert.deepEqual(reopenButton, [[ACTION_ITEM_ACTIONS.reopen, item!.id]]);

      const click = async (user: string) => {
        const id = `r${++seq}`;
        await app.clickAction({
          userId: user,
          channelId: 'D0000000001',
          messageTs: '1.1',
          responseUrl: slack.responseUrl(id),
          blockId: `${ACTION_ITEM_ACTIONS.blockPrefix}${item!.id}`,
          actionId: ACTION_ITEM_ACTIONS.reopen,
          value: item!.id,
        });
        await app.bot.idle();
        return slack.responses
          .filter((r) => r.id === id)
          .map((r) => String(r.body.text))
          .join(' ');
      };
      assert.match(await click('UCAROL'), new RegExp(`Only .*<@UBOB>.* can reopen ${ref}`));
      assert.equal((await app.bot.deps.reviews.findActionItem(item!.id))!.status, 'done');
      assert.match(await click('UBOB'), new RegExp(`${ref} is open again`));
      assert.equal((await app.bot.deps.reviews.findActionItem(item!.id))!.status, 'open');
      assert.match(await click('UBOB'), new RegExp(`${ref} is open already`));

      // By command too: done, then reopened by whoever added it.
      await run(`action done ${ref}`, 'UBOB', 'CGENERAL');
      const again = await run(`action reopen ${ref}`, 'UALICE', 'CGENERAL');
      assert.match(String(again.responses[0]!.body.text), new RegExp(`${ref} is open again`));
      const kinds = (await app.bot.deps.store.timeline(i.id)).map((e) => e.kind);
      assert.equal(kinds.filter((k) => k === 'action_item_reopened').length, 2);
      const bad = await run('action reopen INC-3', 'UBOB', 'CGENERAL');
      assert.match(bad.ack?.text ?? '', /`INC-3` is not an action item/);
    });

    test('/incident actions pages: the Next button posts the page after the last item shown, and a forged one is ignored', async () => {
      const i = await declare('sev3 Ward printers offline');
      const OWNER = 'UDAVE';
      for (let k = 1; k <= 23; k++) {
        await app.bot.deps.reviews.addActionItem(
          i.id,
          {
            text: `Printer fix ${String(k).padStart(2, '0')}`,
            ownerId: OWNER,
            due: null,
            category: 'runbook',
            priority: 'medium',
          },
          { by: 'UALICE', at: new Date() },
        );
      }
      const first = (await run('actions', OWNER, 'CGENERAL')).responses[0]!.body;
      const blocks = first.blocks as { type: string; block_id?: string; elements?: { value?: string }[] }[];
      const texts = JSON.stringify(blocks).match(/Printer fix \d+/g)!;
      assert.equal(texts.length, 20);
      assert.equal(texts[19], 'Printer fix 20');
      assert.match(JSON.stringify(blocks), /… and 3 more\./);
      const next = blocks.find((b) => b.block_id === ACTION_LIST_ACTIONS.blockId)!.elements![0]!.value!;
      const press = async (value: string) => {
        const id = `n${++seq}`;
        await app.clickAction({
          userId: OWNER,
          channelId: 'CGENERAL',
          messageTs: '1.1',
          responseUrl: slack.responseUrl(id),
          blockId: ACTION_LIST_ACTIONS.blockId,
          actionId: ACTION_LIST_ACTIONS.more,
          value,
        });
        await app.bot.idle();
        return slack.responses.filter((r) => r.id === id);
      };
      const [second] = await press(next);
      const page2 = JSON.stringify(second!.body.blocks);
      assert.deepEqual(page2.match(/Printer fix \d+/g), ['Printer fix 21', 'Printer fix 22', 'Printer fix 23']);
      assert.match(page2, /\(23, 21–23\)/, 'the header says which ones');
      assert.ok(!page2.includes(ACTION_LIST_ACTIONS.more), 'the last page has no Next button');
      assert.deepEqual(await press('{"f":"all","s":0,"c":{"s":"open","d":null,"p":"medium","n":"1 OR 1=1"}}'), []);
      assert.deepEqual(await press('not json'), [], 'nothing answered to a value the bot did not make');
    });

    test('the App Home tab shows the person’s items and the team’s overdue ones, and its controls redraw it', async () => {
      const i = await declare('sev3 Pharmacy stock wrong');
      await run('action add Reconcile stock nightly <@UBOB|bob> due:2099-06-01', 'UALICE', i.channelId!);
      const [item] = await itemsOf(i);
      const res = await postEvent(app.url, {
        type: 'app_home_opened',
        user: 'UBOB',
        channel: 'D0000000002',
        tab: 'home',
        event_ts: '1.1',
      });
      assert.equal(res.status, 200);
      await slack.waitFor(() => slack.views.find((v) => v.user === 'UBOB' && v.view.type === 'home'));
      let home = slack.views.find((v) => v.user === 'UBOB' && v.view.type === 'home')!;
      assert.match(JSON.stringify(home.view), /Reconcile stock nightly/);

      await app.clickAction({
        userId: 'UBOB',
        channelId: '',
        messageTs: '',
        responseUrl: '',
        blockId: `${ACTION_ITEM_ACTIONS.blockPrefix}${item!.id}`,
        actionId: ACTION_ITEM_ACTIONS.complete,
        value: item!.id,
        inHome: true,
      });
      await app.bot.idle();
      assert.equal((await app.bot.deps.reviews.findActionItem(item!.id))!.status, 'done');
      home = slack.views.find((v) => v.user === 'UBOB' && v.view.type === 'home')!;
      assert.doesNotMatch(JSON.stringify(home.view), /Reconcile stock nightly/, 'redrawn without the done item');
    });

    test('owners get a direct message when an item falls due, then weekly while overdue, unless snoozed', async () => {
      const i = await declare('sev3 Appointment SMS duplicated');
      await run('action add Deduplicate SMS sends <@UBOB|bob> due:2099-01-10', 'UALICE', i.channelId!);
      const [item] = await itemsOf(i);
      // Items of earlier tests fall due too: count this one's.
      const ref = `ACT-${item!.number}`;
      const reminders = () =>
        dmsTo('UBOB').filter(
          (m) => (m.text ?? '').startsWith(`${ref} `) && /is due today|is overdue/.test(m.text ?? ''),
        );
      const at = (iso: string) => (offsetMs = new Date(iso).getTime() - Date.now());

      at('2099-01-09T12:00:00Z');
      await app.bot.remindActionOwnersNow();
      assert.equal(reminders().length, 0, 'not due yet');
      at('2099-01-10T09:00:00Z');
      // Two replicas sweeping at once, then another sweep: the claim lets one message through.
      await Promise.all([app.bot.remindActionOwnersNow(), app.bot.remindActionOwnersNow()]);
      await app.bot.remindActionOwnersNow();
      assert.equal(reminders().length, 1, 'once on the day, however often and concurrently the sweep runs');
      assert.match(reminders()[0]!.text!, /is due today/);
      assert.ok(
        JSON.stringify(reminders()[0]!.blocks).includes(`${ACTION_ITEM_ACTIONS.blockPrefix}${item!.id}`),
        'with its controls',
      );
      at('2099-01-11T09:00:00Z');
      await app.bot.remindActionOwnersNow();
      assert.equal(reminders().length, 1, 'the day after: nothing (weekly from the due day)');
      at('2099-01-17T09:30:00Z');
      await app.bot.remindActionOwnersNow();
      assert.equal(reminders().length, 2, 'a week after the due day: overdue');
      assert.match(reminders()[1]!.text!, /is overdue by 7 days/);
      at('2099-01-23T09:00:00Z');
      await app.bot.remindActionOwnersNow();
      assert.equal(reminders().length, 2, 'six days later: nothing');
      at('2099-01-24T10:00:00Z');
      await app.bot.remindActionOwnersNow();
      assert.equal(reminders().length, 3, 'a week later: again');

      // A transient failure is sent by the next sweep.
      at('2099-01-31T10:00:00Z');
      slack.failNext('chat.postMessage', { error: 'fatal_error', times: 50 });
      await app.bot.remindActionOwnersNow();
      assert.equal(reminders().length, 3);
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      await app.bot.remindActionOwnersNow();
      assert.equal(reminders().length, 1, 'retried');
      const sent = () => reminders().length + 3;

      // Snoozed: nothing until the snooze ends.
      await app.bot.deps.reviews.snoozeActionItem(item!.id, '2099-02-15', { by: 'UBOB', at: clock.now() });
      at('2099-02-08T10:00:00Z');
      await app.bot.remindActionOwnersNow();
      assert.equal(sent(), 4);
      at('2099-02-15T10:00:00Z');
      await app.bot.remindActionOwnersNow();
      assert.equal(sent(), 5);
      // Done: never again.
      await app.bot.deps.reviews.completeActionItem(item!.id, { by: 'UBOB', at: clock.now() });
      at('2099-03-15T10:00:00Z');
      await app.bot.remindActionOwnersNow();
      assert.equal(sent(), 5);
    });

    test('a near miss gets a channel, an announcement saying so and its review, and pages nobody', async () => {
      onCallAsked.length = 0;
      const { told } = await run(
        'declare near-miss Wrong ward list nearly published --service=ehr',
        'UALICE',
        'CGENERAL',
      );
      const n = Number(/INC-(\d+)/.exec(told.join(' '))?.[1]);
      const i = (await app.bot.deps.store.findByNumber(n))!;
      assert.equal(i.nearMiss, true);
      assert.equal(i.status, 'RESOLVED', 'never active');
      assert.ok(i.channelId);
      const announcement = slack.messages.find((m) => m.channel === BROADCAST_CHANNEL);
      assert.match(announcement?.text ?? '', /near miss recorded/);
      assert.equal(reviewPosts(i.channelId!).length, 1, 'its review is posted at once');
      assert.match(JSON.stringify(reviewPosts(i.channelId!)[0]!.blocks), /Near miss/);
      assert.equal(
        (await app.bot.deps.store.listActive()).some((a) => a.id === i.id),
        false,
        'no reminders',
      );
      assert.equal(onCallAsked.join(', '), '', 'PagerDuty was not asked who is on call for ehr, nor paged');
      const entries = await app.bot.deps.store.timeline(i.id);
      assert.ok(!entries.some((e) => e.kind === 'on_call_invited'));
      assert.ok(
        entries.some((e) => e.kind === 'status_changed' && e.data?.to === 'RESOLVED'),
        'resolved on the timeline as it was recorded',
      );
      assert.match(told.join(' '), /Recorded near miss INC-\d+.*Nobody was paged/);
      const reopen = await run('reopen', 'UALICE', i.channelId!);
      assert.match(reopen.told.join(' '), /near miss cannot be reopened/);
      // A regular incident on the same service does ask PagerDuty: the check above can fail.
      await declare('sev3 EHR slow --service=ehr');
      assert.ok(onCallAsked.some((a) => a.startsWith('oncall ehr')));
      const md = slack.files.find((f) => f.channels.includes(i.channelId!))!.content.toString('utf8');
      assert.match(md, /near miss/i);
    });

    test('reminders follow the team’s calendar day in summer time, from 09:00', async () => {
      const i = await declare('sev3 Clinic letters misfiled');
      await run('action add Check letter routing <@UBOB|bob> due:2099-07-10', 'UALICE', i.channelId!);
      const [bobs] = await itemsOf(i);
      const dueToday = () =>
        dmsTo('UBOB').filter((m) => (m.text ?? '').startsWith(`ACT-${bobs!.number} is due today`)).length;
      const at = (iso: string) => (offsetMs = new Date(iso).getTime() - Date.now());
      at('2099-07-09T23:30:00Z'); // 00:30 BST on the 10th: the day, but before 09:00
      await app.bot.remindActionOwnersNow();
      at('2099-07-10T07:59:00Z'); // 08:59 BST
      await app.bot.remindActionOwnersNow();
      assert.equal(dueToday(), 0);
      at('2099-07-10T08:00:00Z'); // 09:00 BST (08:00 UTC)
      await app.bot.remindActionOwnersNow();
      assert.equal(dueToday(), 1, 'at 09:00 team time, on the team’s date');
    });

    test('/incident guardrails counts contributing factors, recurring services and the backlog', async () => {
      for (const title of ['Lab feed down', 'Lab feed slow']) {
        const i = await declare(`sev3 ${title} --service=LabFeed`);
        await app.bot.deps.reviews.saveReviewInput(
          i.id,
          { contributingFactors: [{ factor: 'observability-gap' }] },
          { by: 'UALICE', at: clock.now() },
        );
        await run('action add Alert on feed lag', 'UALICE', i.channelId!);
      }
      const { responses } = await run('guardrails 30d', 'UCAROL', 'CGENERAL');
      const text = JSON.stringify(responses[0]!.body);
      assert.match(text, /Observability gap/);
      assert.match(text, /LabFeed/);
      assert.match(text, /30 days/);
      const bad = await run('guardrails forever', 'UCAROL', 'CGENERAL');
      assert.match(bad.ack?.text ?? '', /90d|days/);
    });
  });
}
