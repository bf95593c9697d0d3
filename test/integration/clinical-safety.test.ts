// Clinical safety (DCB0129 / DCB0160) end to end: hazards linked with their risk before and after,
// the clinical safety officer's sign-off (nobody else's, the commander's included), resolve refused
// without it, the sign-off void on reopen and given again, one hazard-log review item, the summary
// and the posted review. Signed requests to the running app; Slack is the stateful stand-in; the
// database is PGlite and, when set, PostgreSQL.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import { currentSignoff } from '../../src/domain/clinical-safety.ts';
import type { Incident } from '../../src/domain/incident.ts';
import { INCIDENT_MODALS, SUMMARY_ACTIONS } from '../../src/slack/ids.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';

const CLINICAL = 'CCLINICAL';
const USERS = ['UALICE', 'UBOB', 'UCAROL', 'UDAVE'];

for (const database of testDatabases()) {
  describe(`clinical safety through the bot (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    let seq = 0;
    const env = useTestBot(database, {
      users: USERS.map((id) => ({ id, name: id.slice(1).toLowerCase(), tz: 'Europe/London' })),
      env: { CLINICAL_SAFETY_CHANNEL: CLINICAL, CLINICAL_SAFETY_GROUP: 'S0CSO' },
    });
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: CLINICAL, name: 'clinical-safety' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: USERS });
    });

    async function run(text: string, user: string, channelId: string) {
      const id = `c${++seq}`;
      const res = await app.command(text, { responseUrl: slack.responseUrl(id), userId: user, channelId });
      assert.equal(res.status, 200);
      await app.bot.idle();
      const ack = res.json() as { text?: string } | undefined;
      const told = slack.responses.filter((r) => r.id === id).map((r) => String(r.body.text));
      return [...(ack?.text ? [ack.text] : []), ...told].join(' ');
    }
    const reload = async (i: Incident) => (await app.bot.deps.store.findById(i.id))!;
    const postedIn = (channel: string) =>
      slack.messages.filter((m) => m.channel === channel && !m.ephemeralTo).map((m) => m.text ?? '');
    const summaryOf = (i: Incident) =>
      JSON.stringify(slack.messages.find((m) => m.channel === i.channelId && m.ts === i.summaryTs)?.blocks);

    test('hazards, the sign-off only by the officer, resolve refused without it, void on reopen, one review item', async () => {
      const told = await run('declare sev2 Wrong doses shown on ward --clinical', 'UALICE', 'CGENERAL');
      const incident = await app.bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(told)?.[1]));
      assert.ok(incident?.channelId, told);
      const i = incident;
      const ch = i.channelId!;
      for (const u of USERS) slack.channels.get(ch)!.members.add(u);
      await run('role commander <@UBOB|bob>', 'UALICE', ch);
      assert.match(await run('role clinical-safety <@UCAROL|carol>', 'UCAROL', ch), /Only the incident commander/);
      await run('role clinical-safety <@UCAROL|carol>', 'UBOB', ch);

      assert.equal(await run('hazard add HAZ-012 Wrong dose displayed before:high/major', 'UBOB', ch), '');
      assert.ok(
        postedIn(ch).some((t) =>
          /<@UBOB> linked hazard \*HAZ-012\* \(Wrong dose displayed\) on \*INC-\d+\*: risk 4 → not assessed/.test(t),
        ),
      );
      let summary = summaryOf(await reload(i));
      assert.ok(summary.includes('Hazard *HAZ-012* Wrong dose displayed: risk 4 → not assessed'), summary);
      assert.ok(summary.includes('Clinical safety sign-off required'));
      assert.match(
        await run('hazard add HAZ-013 Other before:low/minor', 'UDAVE', ch),
        /Only the commander and the clinical safety officer/,
      );
      assert.match(
        await run('hazard add HAZ-013 Other before:seldom/minor', 'UBOB', ch),
        /`seldom` is not a likelihood/,
      );

      assert.match(
        await run('clinical signoff', 'UBOB', ch),
        /Only the clinical safety officer, <@UCAROL>, can sign off/,
      );
      assert.match(await run('clinical signoff', 'UCAROL', ch), /Assess the residual risk of HAZ-012 first/);
      await run('hazard update HAZ-012 after:low/major', 'UCAROL', ch);
      assert.match(await run('resolve', 'UBOB', ch), /<@UCAROL>, must sign it off before it is resolved/);
      assert.equal((await reload(i)).status, 'DECLARED');

      assert.match(
        await run('clinical signoff Controls verified on ward 3', 'UCAROL', ch),
        /^Signed off\. ACT-\d+ \(review the hazard log\) is yours/,
      );
      assert.ok(postedIn(ch).some((t) => /<@UCAROL>, the clinical safety officer, \*signed off\*/.test(t)));
      summary = summaryOf(await reload(i));
      assert.ok(summary.includes('Clinical safety signed off by <@UCAROL>'), summary);
      assert.ok(summary.includes('risk 4 → 3'));
      assert.equal(await run('resolve', 'UBOB', ch), '');
      assert.equal((await reload(i)).status, 'RESOLVED');
      const reviewPosted = JSON.stringify(slack.messages.filter((m) => m.channel === ch).map((m) => m.blocks));
      assert.ok(reviewPosted.includes('Clinical safety (DCB0129 / DCB0160)'), 'the posted review has the section');
      assert.ok(reviewPosted.includes('*HAZ-012* Wrong dose displayed: High × Major = *4* → Low × Major = *3*'));
      assert.ok(reviewPosted.includes('*Signed off* by <@UCAROL>'));

      await run('reopen doses wrong again', 'UBOB', ch);
      summary = summaryOf(await reload(i));
      assert.ok(summary.includes('Clinical safety sign-off required'), 'void on reopen');
      const timeline = await app.bot.deps.store.timeline(i.id);
      assert.ok(timeline.some((e) => e.kind === 'clinical_signoff_voided' && /the incident was reopened/.test(e.text)));
      assert.match(await run('resolve', 'UBOB', ch), /must sign it off before it is resolved/);
      // The summary's button: shown while no sign-off is in force; anyone but the officer is refused privately.
      assert.ok(summary.includes(SUMMARY_ACTIONS.clinicalSignoff), 'the sign-off button is offered');
      const click = async (user: string) => {
        const id = `b${++seq}`;
        const res = await app.clickAction({
          userId: user,
          channelId: ch,
          messageTs: i.summaryTs!,
          responseUrl: slack.responseUrl(id),
          blockId: SUMMARY_ACTIONS.blockId,
          actionId: SUMMARY_ACTIONS.clinicalSignoff,
        });
        assert.equal(res.status, 200);
        await app.bot.idle();
        return slack.responses
          .filter((r) => r.id === id)
          .map((r) => String(r.body.text))
          .join(' ');
      };
      assert.match(await click('UBOB'), /Only the clinical safety officer, <@UCAROL>, can sign off/);
      assert.equal(currentSignoff(await app.bot.deps.store.clinicalRecord(i.id)), null);
      assert.equal(await click('UCAROL'), '');
      assert.equal(currentSignoff(await app.bot.deps.store.clinicalRecord(i.id))?.signedBy, 'UCAROL');
      assert.ok(!summaryOf(await reload(i)).includes(SUMMARY_ACTIONS.clinicalSignoff), 'no button once signed off');
      assert.match(await run('clinical signoff', 'UCAROL', ch), /signed off INC-\d+ already/);
      await run('resolve', 'UBOB', ch);
      assert.equal(await run('close', 'UBOB', ch), '');
      assert.equal((await reload(i)).status, 'CLOSED');

      const items = await app.bot.deps.reviews.actionItemsOf(i.id);
      assert.deepEqual(
        items.map((a) => [
          a.ownerId,
          a.priority,
          a.category,
          /^Review the hazard log after INC-\d+ \(HAZ-012\)/.test(a.text),
        ]),
        [['UCAROL', 'high', 'process', true]],
        'one review item for two sign-offs',
      );
      // Nothing of the hazards leaves the incident channel.
      for (const channel of [CLINICAL, BROADCAST_CHANNEL])
        assert.ok(!postedIn(channel).some((t) => t.includes('Wrong dose displayed') || t.includes('HAZ-012')), channel);
      assert.deepEqual((await app.bot.deps.audit.verify(i.id)).problems, []);
    });

    test('the summary’s Link hazard form: selects for the matrix, refusals shown at their field, the same checks as the command', async () => {
      const told = await run('declare sev3 Observations chart blank --clinical', 'UALICE', 'CGENERAL');
      const i = (await app.bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(told)?.[1])))!;
      const ch = i.channelId!;
      for (const u of USERS) slack.channels.get(ch)!.members.add(u);
      assert.ok(summaryOf(await reload(i)).includes(SUMMARY_ACTIONS.hazard), 'offered with clinical impact');
      const open = async (user: string) => {
        const id = `f${++seq}`;
        const res = await app.clickAction({
          userId: user,
          channelId: ch,
          messageTs: i.summaryTs!,
          responseUrl: slack.responseUrl(id),
          blockId: SUMMARY_ACTIONS.blockId,
          actionId: SUMMARY_ACTIONS.hazard,
        });
        assert.equal(res.status, 200);
        await app.bot.idle();
        return slack.views.at(-1)!;
      };
      const form = await open('UALICE');
      assert.equal(form.view.callback_id, INCIDENT_MODALS.hazard.callbackId);
      const H = INCIDENT_MODALS.hazard;
      const options = JSON.stringify(form.view.blocks);
      assert.ok(
        options.includes('"value":"very-high"') && options.includes('"value":"catastrophic"'),
        'the matrix words',
      );
      const submit = (
        fields: { id?: string; title?: string; bl?: string; bs?: string; al?: string; as?: string },
        user = 'UALICE',
      ) => {
        const sel = (v?: string) => ({ type: 'static_select', selected_option: v ? { value: v } : null });
        return app.submitView({
          viewId: form.id,
          callbackId: H.callbackId,
          userId: user,
          privateMetadata: String(form.view.private_metadata),
          values: {
            [H.idBlock]: { [`${H.idBlock}_input`]: { type: 'plain_text_input', value: fields.id ?? '' } },
            [H.titleBlock]: { [`${H.titleBlock}_input`]: { type: 'plain_text_input', value: fields.title ?? '' } },
            [H.beforeLikelihoodBlock]: { [`${H.beforeLikelihoodBlock}_input`]: sel(fields.bl) },
            [H.beforeSeverityBlock]: { [`${H.beforeSeverityBlock}_input`]: sel(fields.bs) },
            [H.afterLikelihoodBlock]: { [`${H.afterLikelihoodBlock}_input`]: sel(fields.al) },
            [H.afterSeverityBlock]: { [`${H.afterSeverityBlock}_input`]: sel(fields.as) },
          },
        });
      };
      const errorsOf = async (res: Awaited<ReturnType<typeof submit>>) =>
        (res.json() as { response_action?: string; errors?: Record<string, string> }).errors ?? {};
      let errors = await errorsOf(
        await submit({ id: '9-lives', title: 'Blank chart', bl: 'high', bs: 'major', al: 'low' }),
      );
      assert.deepEqual(Object.keys(errors).sort(), [H.afterSeverityBlock].sort(), JSON.stringify(errors));
      errors = await errorsOf(await submit({ id: '9-lives', title: 'Blank chart', bl: 'high', bs: 'major' }));
      assert.match(errors[H.idBlock] ?? '', /not a hazard id: use letters, digits and dashes/);
      errors = await errorsOf(await submit({}));
      assert.deepEqual(
        Object.keys(errors).sort(),
        [H.idBlock, H.titleBlock, H.beforeLikelihoodBlock, H.beforeSeverityBlock].sort(),
      );
      assert.deepEqual((await app.bot.deps.store.clinicalRecord(i.id)).hazards, [], 'nothing linked by a refused form');

      const ok = await submit({
        id: 'haz-31',
        title: 'Observations  chart blank',
        bl: 'medium',
        bs: 'considerable',
        al: 'low',
        as: 'considerable',
      });
      assert.equal(ok.status, 200);
      await app.bot.idle();
      const [h] = (await app.bot.deps.store.clinicalRecord(i.id)).hazards;
      assert.deepEqual(
        [h?.hazardId, h?.title, h?.before, h?.after, h?.linkedBy],
        [
          'HAZ-31',
          'Observations chart blank',
          { likelihood: 'medium', severity: 'considerable' },
          { likelihood: 'low', severity: 'considerable' },
          'UALICE',
        ],
      );
      assert.ok(summaryOf(await reload(i)).includes('risk 3 → 2'));
      // Anyone else's submission is refused privately by the same service.
      const dmsTo = (user: string) =>
        slack.messages
          .filter((m) => slack.channels.get(m.channel)?.is_im && slack.channels.get(m.channel)!.members.has(user))
          .map((m) => m.text ?? '');
      await submit({ id: 'HAZ-32', title: 'Other', bl: 'low', bs: 'minor' }, 'UDAVE');
      await app.bot.idle();
      assert.equal((await app.bot.deps.store.clinicalRecord(i.id)).hazards.length, 1);
      assert.match(dmsTo('UDAVE').join(' '), /Only the commander and the clinical safety officer/, 'told privately');
    });
  });
}
