// The PHI/PII guard in use, end to end: signed requests to the running bot, its WebClient talking to
// the Slack stand-in. What leaves an incident channel (the broadcast announcement and updates, the
// clinical-safety alert, the channel name, PagerDuty pages, direct messages, the review message and
// its Markdown file) is redacted; the incident channel and the record keep what people wrote; the
// author is warned privately without the PHI being repeated.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import type { PageTarget, PagedIncident } from '../../src/ports/on-call-provider.ts';
import { REVIEW_ACTIONS, REVIEW_MODAL, reviewInputId } from '../../src/slack/ids.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';
import { declareModalValues } from '../support/slack-requests.ts';
import { DECLARE_MODAL } from '../../src/slack/ids.ts';

const USERS = ['UALICE', 'UBOB'];
const CLINICAL = 'CCLINICAL';
/** A valid NHS number (modulus 11 check digit 9), and the same with a wrong check digit. */
const NHS = '943 476 5919';
const NOT_NHS = '943 476 5918';
const EMAIL = 'jo.bloggs@example.nhs.uk';
const PHONE = '07700 900123';
const B = REVIEW_MODAL.blocks;

/** Each digit of every script Unicode has (CLDR numbering systems), and its value. */
const DIGIT_VALUE = new Map<string, string>();
for (const system of Intl.supportedValuesOf('numberingSystem')) {
  const format = new Intl.NumberFormat('en', { numberingSystem: system, useGrouping: false });
  for (let d = 0; d <= 9; d++) DIGIT_VALUE.set(format.format(d), String(d));
}

/** `text` as a reader takes it: any script's digits as ASCII, invisible characters and separators gone. */
const asRead = (text: string) =>
  [...text.normalize('NFKC')]
    .map((c) => DIGIT_VALUE.get(c) ?? c)
    .join('')
    .replace(/[\p{Cf}\s./_-]/gu, '');

/** No form of the NHS number, email or phone number in `text`. */
function assertClean(text: string, what: string) {
  for (const secret of [NHS, NHS.replace(/ /g, ''), NHS.replace(/ /g, '-'), EMAIL, PHONE, PHONE.replace(/ /g, '')]) {
    assert.ok(!text.includes(secret), `${what} must not contain ${secret}: ${text.slice(0, 400)}`);
  }
}

for (const database of testDatabases()) {
  describe(`PHI/PII guard on what leaves the incident channel (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    let seq = 0;
    let offsetMs = 0;
    const pages: { target: PageTarget; input: { title: string; details: string } }[] = [];
    const env = useTestBot(database, {
      users: USERS.map((id) => ({
        id,
        name: id.slice(1).toLowerCase(),
        email: `${id.slice(1).toLowerCase()}@example.org`,
      })),
      env: { CLINICAL_SAFETY_CHANNEL: CLINICAL },
      clock: { now: () => new Date(Date.now() + offsetMs) },
      onCall: {
        onCall: async () => null,
        page: async (target, input): Promise<PagedIncident> => {
          pages.push({ target, input });
          return {
            id: `PINC${pages.length}`,
            number: pages.length,
            title: input.title,
            htmlUrl: null,
            status: 'triggered',
          };
        },
        resolvePaged: async () => {},
      },
    });
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      slack.reset();
      offsetMs = 0;
      pages.length = 0;
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: CLINICAL, name: 'clinical-safety' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: USERS });
    });

    async function run(text: string, user: string, channelId: string) {
      const id = `p${++seq}`;
      const res = await app.command(text, {
        responseUrl: slack.responseUrl(id),
        userId: user,
        channelId,
        triggerId: slack.triggerId(user),
      });
      assert.equal(res.status, 200);
      await app.bot.idle();
      return {
        ack: res.json() as { text?: string } | undefined,
        told: slack.responses.filter((r) => r.id === id).map((r) => String(r.body.text)),
      };
    }
    async function declare(text: string, user = 'UALICE'): Promise<{ incident: Incident; told: string[] }> {
      const { told } = await run(`declare ${text}`, user, 'CGENERAL');
      const n = Number(/INC-(\d+)/.exec(told.join(' '))?.[1]);
      const incident = await app.bot.deps.store.findByNumber(n);
      assert.ok(incident?.provisionedAt, `declared: ${told.join(' ')}`);
      for (const u of USERS) slack.channels.get(incident.channelId!)!.members.add(u);
      return { incident, told };
    }
    /** Everything posted in a channel (text and blocks), as one string per message. */
    const postedIn = (channel: string) =>
      slack.messages
        .filter((m) => m.channel === channel && !m.ephemeralTo)
        .map((m) => `${m.text ?? ''} ${JSON.stringify(m.blocks ?? [])}`);
    const dmsTo = (user: string) =>
      slack.messages
        .filter((m) => slack.channels.get(m.channel)?.is_im && slack.channels.get(m.channel)!.members.has(user))
        .map((m) => `${m.text ?? ''} ${JSON.stringify(m.blocks ?? [])}`);

    test('declaring: the announcement and the channel name are redacted, the channel and the record keep it, the declarer is warned', async () => {
      const title = `Results for ${NHS} emailed to ${EMAIL}`;
      const { incident, told } = await declare(`sev2 ${title} --clinical`);

      assert.equal(incident.title, title, 'the record keeps the title as written');
      const announcement = postedIn(BROADCAST_CHANNEL).find((t) => t.includes(`INC-${incident.number}`));
      assert.ok(announcement, 'announced');
      assertClean(announcement, 'the announcement');
      assert.match(announcement, /Results for \[redacted NHS number\] emailed to \[redacted email address\]/);

      const alert = postedIn(CLINICAL).find((t) => t.includes(`INC-${incident.number}`));
      assert.ok(alert, 'clinical safety alerted');
      assertClean(alert, 'the clinical-safety alert');
      assert.match(alert, /\[redacted NHS number\]/);

      const channel = slack.channels.get(incident.channelId!)!;
      assert.equal(channel.name, incident.channelName);
      assert.equal(
        channel.name,
        `inc-${incident.number}-results-for-redacted-nhs-number-emailed-to-redacted-email-address`,
      );
      assertClean(channel.name, 'the channel name');

      const summary = slack.messages.find((m) => m.channel === incident.channelId && m.ts === incident.summaryTs);
      assert.ok(
        JSON.stringify(summary?.blocks).includes(NHS),
        'the pinned summary in the incident channel keeps the NHS number',
      );
      assert.ok(JSON.stringify(summary?.blocks).includes(EMAIL), 'and the email address');

      const warning = told.find((t) => t.includes(':shield:'));
      assert.ok(warning, `the declarer is warned: ${told.join(' | ')}`);
      assert.match(
        warning,
        /I removed an NHS number and an email address before posting this outside the incident channel/,
      );
      assert.match(warning, new RegExp(`the announcement in <#${BROADCAST_CHANNEL}>`));
      assert.match(warning, new RegExp(`the clinical-safety alert in <#${CLINICAL}>`));
      assert.match(warning, /the channel name/);
      assertClean(warning, 'the warning');
      assert.equal(told.filter((t) => t.includes(':shield:')).length, 1, 'warned once');
    });

    test('declaring with disguised identifiers: fullwidth, dotted and zero-width-joined NHS numbers and a fullwidth ＠ email are redacted in the announcement and the channel name', async () => {
      const disguised = ['９４３４７６５９１９', '943.476.5919', '943\u200b476\u200b5919'];
      const email = 'jo.bloggs＠example.nhs.uk';
      const title = `Letters ${disguised.join(' ')} to ${email}`;
      const { incident, told } = await declare(`sev2 ${title} --clinical`);
      assert.equal(incident.title, title, 'the record keeps the title as written');

      const outside = [...postedIn(BROADCAST_CHANNEL), ...postedIn(CLINICAL)].filter((t) =>
        t.includes(`INC-${incident.number}`),
      );
      assert.equal(outside.length, 2, 'announced, and the clinical-safety team alerted');
      for (const posted of outside) {
        assert.match(
          posted,
          /Letters \[redacted NHS number\] \[redacted NHS number\] \[redacted NHS number\] to \[redacted email address\]/,
        );
        for (const written of [...disguised, email, 'jo.bloggs', NHS])
          assert.ok(!posted.includes(written), `must not contain ${written}: ${posted.slice(0, 300)}`);
        assert.ok(
          !asRead(posted).includes('9434765919'),
          `no NHS number in any digits or with any separators: ${posted.slice(0, 300)}`,
        );
      }

      const channel = slack.channels.get(incident.channelId!)!;
      assert.equal(channel.name, incident.channelName);
      const prefix = `inc-${incident.number}-`;
      const slug = 'letters-redacted-nhs-number-redacted-nhs-number-redacted-nhs-number-to-redacted-email-address';
      assert.equal(channel.name, prefix + slug.slice(0, 80 - prefix.length).replace(/-+$/, ''));
      assert.ok(!asRead(channel.name).includes('9434765919'));

      const warning = told.find((t) => t.includes(':shield:'));
      assert.ok(warning, `the declarer is warned: ${told.join(' | ')}`);
      assert.match(warning, /I removed 3 NHS numbers and an email address/);
      assert.match(warning, /the channel name/);
      for (const written of [...disguised, email]) assert.ok(!warning.includes(written), 'the warning repeats nothing');
    });

    test('declaring through the form: the description and the service are redacted outside the channel too', async () => {
      await app.command('', {
        responseUrl: slack.responseUrl('form'),
        triggerId: slack.triggerId('UALICE'),
        userId: 'UALICE',
        channelId: 'CGENERAL',
      });
      await app.bot.idle();
      const form = slack.views.at(-1)!;
      const res = await app.submitView({
        viewId: form.id,
        callbackId: DECLARE_MODAL.callbackId,
        userId: 'UALICE',
        privateMetadata: String(form.view.private_metadata),
        values: declareModalValues({
          title: 'Referral letters bouncing',
          severity: 'SEV3',
          description: `Bounces from ${EMAIL}`,
          service: `Ward line ${PHONE}`,
          flags: ['clinical'],
        }),
      });
      assert.equal(res.status, 200);
      await app.bot.idle();
      const told = slack.responses.filter((r) => r.id === 'form').map((r) => String(r.body.text));
      const incident = (await app.bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(told.join(' '))?.[1])))!;
      assert.equal(incident.description, `Bounces from ${EMAIL}`, 'the record keeps the description');
      assert.equal(incident.affectedService, `Ward line ${PHONE}`, 'and the service');
      const announcement = postedIn(BROADCAST_CHANNEL).find((t) => t.includes(`INC-${incident.number}`))!;
      assert.match(announcement, /Affected service: Ward line \[redacted phone number\]/);
      for (const t of [...postedIn(BROADCAST_CHANNEL), ...postedIn(CLINICAL)])
        assertClean(t, 'a message outside the channel');
      const warning = told.find((t) => t.includes(':shield:'));
      assert.ok(warning, `warned through the form's response URL: ${told.join(' | ')}`);
      assert.match(warning, /I removed an email address and a phone number/);
      assertClean(warning, 'the warning');
    });

    test('an NHS number with a wrong check digit is not redacted, and nobody is warned', async () => {
      const { incident, told } = await declare(`sev3 Order ${NOT_NHS} stuck`);
      const announcement = postedIn(BROADCAST_CHANNEL).find((t) => t.includes(`INC-${incident.number}`))!;
      assert.ok(announcement.includes(`Order ${NOT_NHS} stuck`), announcement);
      assert.ok(!told.some((t) => t.includes(':shield:')), 'no warning');
      assert.equal(incident.channelName, `inc-${incident.number}-order-943-476-5918-stuck`);
    });

    test('/incident update: the broadcast copy is redacted, the channel copy kept, the author warned privately', async () => {
      const { incident } = await declare('sev2 Ward phones down');
      const { told } = await run(`update Call the ward on ${PHONE} for results`, 'UBOB', incident.channelId!);

      assert.ok(
        postedIn(incident.channelId!).some((t) => t.includes(`Call the ward on ${PHONE} for results`)),
        'kept in the incident channel',
      );
      const broadcast = postedIn(BROADCAST_CHANNEL).find((t) => t.includes('Call the ward on'));
      assert.ok(broadcast, 'copied to the broadcast channel');
      assertClean(broadcast, 'the broadcast update');
      assert.match(broadcast, /Call the ward on \[redacted phone number\] for results/);
      const entry = (await app.bot.deps.store.timeline(incident.id)).find((e) => e.kind === 'status_update');
      assert.equal(entry?.text, `Update: Call the ward on ${PHONE} for results`, 'the record keeps it');

      assert.equal(told.length, 1, `told once, through the command's response URL: ${told.join(' | ')}`);
      assert.match(
        told[0]!,
        new RegExp(`Your update was shared in <#${BROADCAST_CHANNEL}>\\. I removed a phone number`),
      );
      assertClean(told[0]!, 'the warning');
      assert.deepEqual(dmsTo('UBOB'), [], 'no direct message needed');

      const plain = await run('update All phones back', 'UBOB', incident.channelId!);
      assert.deepEqual(plain.told, [], 'nothing redacted: nothing said');
    });

    test('a severity reason and a resolution summary are redacted in the broadcast channel', async () => {
      const { incident } = await declare('sev2 Discharge letters');
      const sev = await run(`sev 1 letters sent to ${EMAIL}`, 'UALICE', incident.channelId!);
      const broadcast = postedIn(BROADCAST_CHANNEL).filter((t) => t.includes(`INC-${incident.number}`));
      assert.ok(broadcast.some((t) => t.includes('[redacted email address]')));
      for (const t of broadcast) assertClean(t, 'a broadcast notice');
      assert.match(
        sev.told.join(' '),
        /Your reason for the severity change was shared in .*I removed an email address/,
      );
      const res = await run(`resolve patient ${NHS} contacted`, 'UALICE', incident.channelId!);
      assert.match(res.told.join(' '), /Your resolution summary was shared in .*I removed an NHS number/);
      for (const t of postedIn(BROADCAST_CHANNEL)) assertClean(t, 'a broadcast notice');
      assert.ok(
        postedIn(incident.channelId!).some((t) => t.includes(`patient ${NHS} contacted`)),
        'the incident channel keeps it',
      );
    });

    test('the review message and its Markdown file are redacted; the review form’s author is warned', async () => {
      const { incident } = await declare(`sev3 Letters for ${NHS}`);
      await run(`update Ring ${PHONE} about it`, 'UALICE', incident.channelId!);
      await run('note A note without identifiers', 'UALICE', incident.channelId!);
      await run(`resolve mailed ${EMAIL}`, 'UALICE', incident.channelId!);
      const review = slack.messages.find(
        (m) =>
          m.channel === incident.channelId &&
          m.ts !== incident.summaryTs &&
          JSON.stringify(m.blocks ?? []).includes(REVIEW_ACTIONS.edit) &&
          /review/i.test(m.text ?? ''),
      );
      assert.ok(review, 'review posted');
      const reviewJson = JSON.stringify(review.blocks);
      assertClean(reviewJson, 'the review message');
      assert.match(reviewJson, /\[redacted NHS number\]/);
      const file = slack.files.find(
        (f) => f.channels.includes(incident.channelId!) && f.filename === `inc-${incident.number}-review.md`,
      );
      assert.ok(file?.completed, 'the Markdown file was shared');
      const md = file.content.toString('utf8');
      assertClean(md, 'the review Markdown');
      assert.match(md, /Letters for \[redacted NHS number\]/);
      assert.match(md, /Ring \[redacted phone number\] about it/);
      assert.match(md, /mailed \[redacted email address\]/);
      assert.match(md, /A note without identifiers/);

      // The form: what the person typed is posted redacted, and they are told.
      const trigger = slack.triggerId('UBOB');
      await app.command('review', {
        responseUrl: slack.responseUrl('rv'),
        userId: 'UBOB',
        channelId: incident.channelId!,
        triggerId: trigger,
      });
      await app.bot.idle();
      const form = slack.views.at(-1)!;
      const text = (value: string | null) => ({ type: 'plain_text_input', value });
      const none = (block: string) => ({ [reviewInputId(block)]: text(null) });
      const res = await app.submitView({
        viewId: form.id,
        callbackId: REVIEW_MODAL.callbackId,
        userId: 'UBOB',
        privateMetadata: String(form.view.private_metadata),
        values: {
          [B.usersAffected]: none(B.usersAffected),
          [B.clinicalImpact]: {
            [reviewInputId(B.clinicalImpact)]: text(`Patient ${NHS} (DOB 12/03/1984) got a late letter`),
          },
          [B.dataImpact]: { [reviewInputId(B.dataImpact)]: text('None') },
          [B.detection]: { [reviewInputId(B.detection)]: { type: 'static_select', selected_option: null } },
          [B.detectionNote]: none(B.detectionNote),
          [B.factors]: { [reviewInputId(B.factors)]: { type: 'checkboxes', selected_options: [] } },
          [B.otherFactors]: none(B.otherFactors),
          [B.wentWell]: { [reviewInputId(B.wentWell)]: text('Fast triage') },
          [B.wasHard]: none(B.wasHard),
          [B.actionText]: none(B.actionText),
          [B.actionOwner]: { [reviewInputId(B.actionOwner)]: { type: 'users_select', selected_user: null } },
          [B.actionDue]: { [reviewInputId(B.actionDue)]: { type: 'datepicker', selected_date: null } },
          [B.actionCategory]: {
            [reviewInputId(B.actionCategory)]: {
              type: 'static_select',
              selected_option: { text: { type: 'plain_text', text: 'guardrail' }, value: 'guardrail' },
            },
          },
          [B.actionPriority]: {
            [reviewInputId(B.actionPriority)]: {
              type: 'static_select',
              selected_option: { text: { type: 'plain_text', text: 'medium' }, value: 'medium' },
            },
          },
        },
      });
      assert.equal(res.status, 200);
      assert.equal(res.body, '', `the form was accepted: ${res.body}`);
      await app.bot.idle();
      const stored = await app.bot.deps.reviews.findReview(incident.id);
      assert.match(
        JSON.stringify(stored?.input),
        /Patient 943 476 5919 \(DOB 12\/03\/1984\)/,
        'the record keeps what was typed',
      );
      const redrawn = slack.messages.find((m) => m.channel === incident.channelId && m.ts === review.ts)!;
      assert.match(
        JSON.stringify(redrawn.blocks),
        /Patient \[redacted NHS number\] \(DOB \[redacted date of birth\]\)/,
      );
      const files = slack.files.filter(
        (f) => f.channels.includes(incident.channelId!) && f.filename === `inc-${incident.number}-review.md`,
      );
      const latest = files.at(-1)!.content.toString('utf8');
      assert.match(latest, /Patient \[redacted NHS number\] \(DOB \[redacted date of birth\]\)/);
      assert.ok(!latest.includes('12/03/1984'));
      const told = dmsTo('UBOB').join(' ');
      assert.match(told, /Saved the review/);
      assert.match(told, /:shield: Your review input is posted .*I removed an NHS number and a date of birth/);
      assert.ok(!told.includes('12/03/1984') && !told.includes(NHS), 'the warning repeats nothing');
    });

    test('a PagerDuty page carries its title and message redacted; the pager is warned', async () => {
      const { incident } = await declare(`sev2 Bloods for ${NHS}`);
      const { told } = await run(`page <@UBOB|bob> call ${PHONE}`, 'UALICE', incident.channelId!);
      const sent = pages.at(-1)!.input;
      assert.equal(sent.title, `INC-${incident.number} SEV2: Bloods for [redacted NHS number]`);
      assert.match(sent.details, /^call \[redacted phone number\]\nSlack: #inc-\d+-bloods-for-redacted-nhs-number$/);
      assertClean(JSON.stringify(sent), 'the page');
      assert.match(told.join(' '), /Your page was sent to PagerDuty\. I removed an NHS number and a phone number/);
      assertClean(told.join(' '), 'the warning');
    });

    test('action items: the owner’s direct message and reminders are redacted, the author warned; the channel keeps the text', async () => {
      const { incident } = await declare('sev3 Pharmacy labels');
      const { told } = await run(
        `action add Call ${PHONE} back <@UBOB|bob> due:2099-05-01`,
        'UALICE',
        incident.channelId!,
      );
      assert.ok(
        postedIn(incident.channelId!).some((t) => t.includes(`Call ${PHONE} back`)),
        'the channel notice keeps it',
      );
      const dm = dmsTo('UBOB').find((t) => t.includes('gave you action item'));
      assert.ok(dm, 'the owner is told');
      assertClean(dm, 'the owner’s direct message');
      assert.match(dm, /Call \[redacted phone number\] back/);
      assert.match(told.join(' '), /ACT-\d+ is shown outside the incident channel .*I removed a phone number/);
      assertClean(told.join(' '), 'the warning');

      const list = await run('actions mine', 'UBOB', 'CGENERAL');
      const [item] = await app.bot.deps.reviews.actionItemsOf(incident.id);
      assert.equal(item!.text, `Call ${PHONE} back`, 'the record keeps it');
      const listed = JSON.stringify(slack.responses.filter((r) => r.body.blocks).map((r) => r.body.blocks));
      assert.ok(list.told.length >= 1);
      assertClean(listed, 'the listing');
      assert.match(listed, /Call \[redacted phone number\] back/);

      // The day it falls due, its owner is reminded by direct message: redacted too.
      offsetMs = new Date('2099-05-01T10:00:00Z').getTime() - Date.now();
      await app.bot.remindActionOwnersNow();
      const reminder = dmsTo('UBOB').find((t) => t.includes('is due today'));
      assert.ok(reminder, 'reminded');
      assertClean(reminder, 'the reminder');
      assert.match(reminder, /Call \[redacted phone number\] back/);
    });
  });
}
