// Declaring with the service catalog through the running bot (signed Slack requests, the Slack
// stand-in, the PagerDuty adapter against the PagerDuty fake), on both databases: the fast path's
// --service by title invites that service's on-call (by the catalog's PagerDuty service id), tells
// the owning team in its channel, and the pinned summary shows the owner, criticality, runbook,
// dashboard and the changes recorded in the 24 hours before with their approvers; an unknown service
// is refused with suggestions and nothing recorded; the form's service search answers Slack;
// `--service=` and `/incident freeze` read a service of several words; the form presets SEV2 and
// Clinical impact when a patient-facing service is chosen.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { staticCatalog } from '../../src/ports/service-catalog.ts';
import { DECLARE_MODAL } from '../../src/slack/ids.ts';
import { BROADCAST_CHANNEL, useTestBot } from '../support/bot.ts';
import { aService, catalogOf } from '../support/catalog.ts';
import { testDatabases } from '../support/databases.ts';
import { startPagerDutyFake, type PagerDutyFake } from '../support/pagerduty-fake.ts';
import { blockSuggestionBody, declareModalValues, postSigned } from '../support/slack-requests.ts';

const HOUR = 3600_000;
const EHR = aService({
  name: 'ehr-api',
  title: 'EHR API',
  system: 'ehr',
  owner: 'group:default/clinical-systems',
  ownerName: 'Clinical systems',
  slackChannel: '#clinical-systems',
  pagerDutyServiceId: 'PSVC1',
  clinicalCriticality: 'patient-facing',
  links: [
    { url: 'https://runbooks.example.org/ehr-api', title: 'EHR API runbook', kind: 'runbook' },
    { url: 'https://grafana.example.org/d/ehr-api', title: 'EHR API dashboard', kind: 'dashboard' },
  ],
});
const LABS = aService({ name: 'lab-results', title: 'Lab results', system: 'ehr' });

for (const database of testDatabases()) {
  describe(`declaring with the service catalog, end to end (${database.name})`, () => {
    let pd: PagerDutyFake;
    const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
    before(async () => {
      pd = await startPagerDutyFake({
        state: {
          users: [{ id: 'PU2', name: 'Bob Oncall', email: 'bob@example.org' }],
          escalationPolicies: [{ id: 'PEP1', name: 'Clinical systems escalation' }],
          // PagerDuty's name differs from the catalog's: the catalog's service id decides.
          services: [{ id: 'PSVC1', name: 'EHR production', escalationPolicyId: 'PEP1' }],
          oncalls: [{ userId: 'PU2', escalationPolicyId: 'PEP1', level: 1, start: iso(-HOUR), end: iso(8 * HOUR) }],
        },
      });
    });
    after(() => pd?.close());
    const env = useTestBot(database, {
      users: [
        { id: 'UALICE', name: 'alice', email: 'alice@example.org' },
        { id: 'UBOB', name: 'bob', email: 'bob@example.org' },
      ],
      catalog: staticCatalog(catalogOf(EHR, LABS)),
      get env() {
        return { PAGERDUTY_TOKEN: pd.token, PAGERDUTY_API_URL: pd.url };
      },
    });
    beforeEach(() => {
      env.slack.reset();
      env.slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      env.slack.addChannel({ id: 'CCLINSYS', name: 'clinical-systems' });
    });
    let seq = 0;

    async function command(text: string) {
      const { slack, app } = env;
      const id = `r${++seq}`;
      const res = await app.command(text, { responseUrl: slack.responseUrl(id) });
      await app.bot.idle();
      const told = slack.responses
        .filter((r) => r.id === id)
        .map((r) => String(r.body.text))
        .join(' ');
      return { res, told };
    }

    test('a declare by the service’s title invites its on-call, tells the owning team, and the summary shows the service and its changes', async () => {
      const { slack, app } = env;
      const deps = app.bot.deps;
      const now = Date.now();
      // Changes in the 24 hours before (one to the service's system), and one too old to show.
      await deps.changes.record(
        {
          sourceKey: `test:${randomUUID()}`,
          source: 'api',
          kind: 'deploy',
          service: 'ehr-api',
          serviceName: 'ehr-api',
          system: 'ehr',
          owner: EHR.owner,
          environment: 'production',
          version: 'v7.1.0',
          summary: 'Login session changes',
          author: 'dev-ann',
          approvers: ['lead-carol'],
          url: 'https://github.com/acme/ehr-api/pull/71',
          occurredAt: new Date(now - 2 * HOUR),
        },
        new Date(now - 2 * HOUR),
      );
      await deps.changes.record(
        {
          sourceKey: `test:${randomUUID()}`,
          source: 'api',
          kind: 'deploy',
          service: 'ehr-api',
          serviceName: 'ehr-api',
          system: 'ehr',
          owner: null,
          environment: 'production',
          version: 'v6.0.0',
          summary: 'Too old to show',
          author: 'dev-ann',
          approvers: [],
          url: null,
          occurredAt: new Date(now - 30 * HOUR),
        },
        new Date(now - 30 * HOUR),
      );

      const { res, told } = await command('declare sev2 Wards cannot log in --service=EHR API');
      assert.equal(res.status, 200);
      const number = Number(/Declared INC-(\d+)/.exec(told)?.[1]);
      assert.ok(number, told);
      // Patient-facing at SEV2 without --clinical: declared, with the advice.
      assert.match(told, /EHR API is patient-facing: mark clinical impact/);
      const incident = (await deps.store.findByNumber(number))!;
      assert.equal(incident.affectedService, 'ehr-api');
      assert.equal(incident.serviceOwner, 'group:default/clinical-systems');

      // The on-call of the catalog's PagerDuty service, by its id, is invited.
      assert.equal(pd.requestsTo('/services/PSVC1').length, 1);
      assert.deepEqual(pd.requestsTo('/oncalls').at(-1)?.query['escalation_policy_ids[]'], ['PEP1']);
      assert.ok(slack.channels.get(incident.channelId!)!.members.has('UBOB'));

      // The owning team is told in its channel, with a link to the incident channel.
      const notice = slack.messages.find((m) => m.channel === 'CCLINSYS');
      assert.match(
        notice?.text ?? '',
        new RegExp(
          `INC-${number}\\* \\(SEV2\\) affects \\*EHR API\\*, which Clinical systems owns: Wards cannot log in in <#${incident.channelId}>`,
        ),
      );
      const timeline = await deps.store.timeline(incident.id);
      assert.ok(timeline.some((e) => e.kind === 'owner_notified'));

      // The pinned summary: owner, criticality, runbook, dashboard, and the recent change with its approver.
      const summary = slack.messages.find((m) => m.channel === incident.channelId && m.ts === incident.summaryTs);
      const blocks = JSON.stringify(summary?.blocks);
      assert.match(blocks, /\*Owner:\* Clinical systems \(#clinical-systems\)/);
      assert.match(blocks, /\*Clinical criticality:\* :hospital: Patient-facing/);
      assert.match(blocks, /<https:\/\/runbooks.example.org\/ehr-api\|EHR API runbook>/);
      assert.match(blocks, /<https:\/\/grafana.example.org\/d\/ehr-api\|EHR API dashboard>/);
      assert.match(blocks, /`v7.1.0` Login session changes> · by dev-ann · approved by lead-carol/);
      assert.doesNotMatch(blocks, /Too old to show/);
      assert.ok(slack.pins.some((p) => p.channel === incident.channelId && p.ts === incident.summaryTs));
    });

    test('an unknown service is refused privately with suggestions, and nothing is recorded or held', async () => {
      const { app } = env;
      const before = await app.bot.deps.store.listActive();
      const { res, told } = await command('declare sev2 Wards cannot log in --service="EHR APJ"');
      assert.equal(res.status, 200);
      const ack = res.json() as { response_type: string; text: string };
      assert.equal(ack.response_type, 'ephemeral');
      assert.match(ack.text, /`EHR APJ` is not a service in the service catalog, so nothing was declared/);
      assert.match(ack.text, /quoted when it has spaces/);
      assert.match(ack.text, /Did you mean `ehr-api` \(EHR API\)/);
      assert.equal(told, '');
      assert.equal((await app.bot.deps.store.listActive()).length, before.length);
      assert.deepEqual(await app.bot.intake.unrecorded(new Date(Date.now() + HOUR), 10), []);
    });

    test('the form searches the catalog (block_suggestion) and declares the service chosen', async () => {
      const { slack, app } = env;
      const ask = (value: string, o: { actionId?: string } = {}) =>
        postSigned(
          app.url,
          blockSuggestionBody({
            callbackId: DECLARE_MODAL.callbackId,
            blockId: DECLARE_MODAL.blocks.service,
            actionId: o.actionId ?? DECLARE_MODAL.actions.service,
            value,
          }),
        );
      const all = await ask('');
      assert.equal(all.status, 200);
      assert.deepEqual(
        (all.json() as { options: { value: string }[] }).options.map((o) => o.value),
        ['ehr-api', 'lab-results'],
      );
      // Another menu's search (none is the bot's) is answered at once, with nothing.
      const other = await ask('lab', { actionId: 'someone_elses_select' });
      assert.equal(other.status, 200);
      assert.deepEqual(other.json(), { options: [] });
      const lab = (await ask('lab')).json() as { options: { text: { text: string }; value: string }[] };
      assert.deepEqual(lab.options, [
        { text: { type: 'plain_text', text: 'Lab results (lab-results)', emoji: true }, value: 'lab-results' },
      ]);

      // The form opened by `/incident` searches the catalog.
      await command('');
      const opened = slack.views.at(-1)?.view as { blocks: { block_id?: string; element?: { type: string } }[] };
      assert.equal(
        opened.blocks.find((b) => b.block_id === DECLARE_MODAL.blocks.service)?.element?.type,
        'external_select',
      );

      // Submitted with the service chosen in the search.
      const values: Record<string, Record<string, unknown>> = declareModalValues({
        title: 'Lab results delayed',
        severity: 'SEV3',
      });
      values[DECLARE_MODAL.blocks.service] = {
        [DECLARE_MODAL.actions.service]: {
          type: 'external_select',
          selected_option: { text: { type: 'plain_text', text: 'Lab results (lab-results)' }, value: 'lab-results' },
        },
      };
      const viewId = `V${randomUUID().slice(0, 8).toUpperCase()}`;
      const submitted = await app.submitView({ viewId, callbackId: DECLARE_MODAL.callbackId, values });
      assert.equal(submitted.status, 200);
      await app.bot.idle();
      const declared = (await app.bot.deps.store.listActive()).find((i) => i.title === 'Lab results delayed');
      assert.equal(declared?.affectedService, 'lab-results');
      assert.equal(declared?.serviceOwner, 'group:default/platform');

      // A service the catalog no longer knows stays in the form, with the suggestions.
      values[DECLARE_MODAL.blocks.service] = {
        [DECLARE_MODAL.actions.service]: {
          type: 'external_select',
          selected_option: { text: { type: 'plain_text', text: 'Gone' }, value: 'lab-resultz' },
        },
      };
      const refused = await app.submitView({ viewId: `${viewId}X`, callbackId: DECLARE_MODAL.callbackId, values });
      const answer = refused.json() as { response_action: string; errors: Record<string, string> };
      assert.equal(answer.response_action, 'errors');
      // Worded for the form: no command syntax under a form field.
      assert.match(
        answer.errors[DECLARE_MODAL.blocks.service]!,
        /^lab-resultz is not a service in the service catalog\. Did you mean lab-results \(Lab results\)\? Pick one from the list, or clear the field\.$/,
      );
      assert.doesNotMatch(answer.errors[DECLARE_MODAL.blocks.service]!, /--service|Declare again|`/);
    });

    test('--service= takes one word, or a quoted name, or (with the catalog) the longest run of words naming a service; the rest is the title', async () => {
      const { app } = env;
      const declared = async (text: string) => {
        const { told } = await command(text);
        const number = Number(/Declared INC-(\d+)/.exec(told)?.[1]);
        assert.ok(number, told);
        return (await app.bot.deps.store.findByNumber(number))!;
      };
      // The case: the title is not eaten by the service.
      let i = await declared('declare sev2 --service=EHR API returning 500s --clinical');
      assert.deepEqual([i.affectedService, i.title], ['ehr-api', 'returning 500s']);
      i = await declared('declare sev3 --service=lab-results Lab feed slow');
      assert.deepEqual([i.affectedService, i.title], ['lab-results', 'Lab feed slow']);
      i = await declared('declare sev3 Results delayed --service="Lab results" --private');
      assert.deepEqual([i.affectedService, i.title, i.isPrivate], ['lab-results', 'Results delayed', true]);
      // Slack's smart quotes.
      i = await declared('declare sev3 --service=“Lab results” Feed stuck');
      assert.deepEqual([i.affectedService, i.title], ['lab-results', 'Feed stuck']);
      // A title left empty by the service is refused in the ack, and nothing is declared.
      const before = (await app.bot.deps.store.listActive()).length;
      const { res } = await command('declare sev2 --service=EHR API');
      assert.match((res.json() as { text: string }).text, /The title is empty/);
      assert.equal((await app.bot.deps.store.listActive()).length, before);
    });

    test('/incident freeze on <service> <reason>: a quoted service, or the longest run of words naming a catalog service', async () => {
      const { app, slack } = env;
      const { told } = await command('declare sev2 Lab feed slow --service=lab-results --clinical');
      const number = Number(/Declared INC-(\d+)/.exec(told)?.[1]);
      const incident = (await app.bot.deps.store.findByNumber(number))!;
      const inChannel = (text: string) =>
        app.command(text, { channelId: incident.channelId!, responseUrl: slack.responseUrl(`f${++seq}`) });
      await inChannel('freeze on EHR API Failover in progress');
      await app.bot.idle();
      await inChannel('freeze on “Lab results” Feed rebuilt');
      await app.bot.idle();
      await inChannel('freeze override Lab results Hotfix for the feed');
      await app.bot.idle();
      const { freezes, overrides } = await app.bot.deps.freezes.ofIncident(incident.id);
      assert.deepEqual(
        freezes.map((f) => [f.scope, f.reason]),
        [
          ['ehr-api', 'Failover in progress'],
          ['lab-results', 'Feed rebuilt'],
        ],
      );
      assert.deepEqual(
        overrides.map((o) => [o.service, o.reason]),
        [['lab-results', 'Hotfix for the feed']],
      );
      // `off` with a service of several words: all of them must name it.
      await inChannel('freeze off EHR API');
      await app.bot.idle();
      assert.deepEqual(
        (await app.bot.deps.freezes.ofIncident(incident.id)).freezes.map((f) => f.scope),
        ['lab-results'],
      );
      const refused = await inChannel('freeze off EHR API now');
      assert.match((refused.json() as { text: string }).text, /`now` is not right here/);
    });

    test('choosing a patient-facing service in the form redraws it with SEV2 and Clinical impact, keeping what was typed', async () => {
      const { slack, app } = env;
      await command('');
      const opened = slack.views.at(-1)!;
      const service = (opened.view as { blocks: { block_id?: string; dispatch_action?: boolean }[] }).blocks.find(
        (b) => b.block_id === DECLARE_MODAL.blocks.service,
      );
      assert.equal(service?.dispatch_action, true);
      const values: Record<string, Record<string, unknown>> = declareModalValues({
        title: 'Wards cannot log in',
        severity: 'SEV4',
        description: 'Since 09:00',
        flags: [DECLARE_MODAL.flagValues.private],
      });
      values[DECLARE_MODAL.blocks.service] = {
        [DECLARE_MODAL.actions.service]: {
          type: 'external_select',
          selected_option: { text: { type: 'plain_text', text: 'EHR API (ehr-api)' }, value: 'ehr-api' },
        },
      };
      const body = {
        type: 'block_actions',
        user: { id: 'UALICE', username: 'alice', name: 'alice', team_id: 'T0001' },
        api_app_id: 'A0001',
        token: 'deprecated-verification-token',
        container: { type: 'view', view_id: opened.id },
        trigger_id: '1.2.3',
        team: { id: 'T0001', domain: 'healthtech' },
        view: {
          ...(opened.view as object),
          id: opened.id,
          hash: (opened.view as { hash: string }).hash,
          state: { values },
        },
        actions: [
          {
            type: 'external_select',
            block_id: DECLARE_MODAL.blocks.service,
            action_id: DECLARE_MODAL.actions.service,
            selected_option: { text: { type: 'plain_text', text: 'EHR API (ehr-api)' }, value: 'ehr-api' },
            action_ts: '1700000000.000100',
          },
        ],
      };
      const res = await postSigned(app.url, `payload=${encodeURIComponent(JSON.stringify(body))}`);
      assert.equal(res.status, 200);
      await app.bot.idle();
      const view = slack.views.find((v) => v.id === opened.id)!.view as {
        blocks: { block_id: string; element: Record<string, unknown>; hint?: { text: string } }[];
      };
      const block = (base: string) =>
        view.blocks.find((b) => b.block_id === base || b.block_id.startsWith(`${base}.`))!;
      assert.equal((block(DECLARE_MODAL.blocks.severity).element.initial_option as { value: string }).value, 'SEV2');
      assert.notEqual(block(DECLARE_MODAL.blocks.severity).block_id, DECLARE_MODAL.blocks.severity);
      // Clinical impact is revised (a new block id); Private incident keeps its block, so Slack keeps
      // what the person ticked there, even after Slack sent the state this redraw was made from.
      assert.deepEqual(
        (block(DECLARE_MODAL.blocks.flags).element.initial_options as { value: string }[]).map((o) => o.value),
        [DECLARE_MODAL.flagValues.clinical],
      );
      assert.equal(block(DECLARE_MODAL.blocks.flags).block_id, `${DECLARE_MODAL.blocks.flags}.1`);
      const privacy = view.blocks.find((b) => b.block_id === DECLARE_MODAL.blocks.private)!;
      assert.deepEqual(
        (privacy.element.initial_options as { value: string }[]).map((o) => o.value),
        [DECLARE_MODAL.flagValues.private],
      );
      assert.ok(view.blocks.some((b) => b.block_id === DECLARE_MODAL.blocks.breach));
      assert.equal(block(DECLARE_MODAL.blocks.title).element.initial_value, 'Wards cannot log in');
      assert.equal(block(DECLARE_MODAL.blocks.description).element.initial_value, 'Since 09:00');
      assert.equal((block(DECLARE_MODAL.blocks.service).element.initial_option as { value: string }).value, 'ehr-api');
      assert.match(
        block(DECLARE_MODAL.blocks.service).hint!.text,
        /EHR API is patient-facing: severity set to at least SEV2/,
      );

      // Submitted as Slack sends the redrawn form: Private incident in its own block, Clinical impact
      // in the revised one. Both count.
      const ticked = (value: string) => ({
        type: 'checkboxes',
        selected_options: [{ text: { type: 'plain_text', text: value }, value }],
      });
      const submitted: Record<string, Record<string, unknown>> = {
        ...declareModalValues({ title: 'Wards cannot log in (redrawn)', description: 'Since 09:00' }),
        [DECLARE_MODAL.blocks.service]: values[DECLARE_MODAL.blocks.service]!,
        [DECLARE_MODAL.blocks.private]: { [DECLARE_MODAL.actions.private]: ticked(DECLARE_MODAL.flagValues.private) },
        [`${DECLARE_MODAL.blocks.flags}.1`]: {
          [DECLARE_MODAL.actions.flags]: ticked(DECLARE_MODAL.flagValues.clinical),
        },
        [`${DECLARE_MODAL.blocks.severity}.1`]: {
          [DECLARE_MODAL.actions.severity]: {
            type: 'static_select',
            selected_option: { text: { type: 'plain_text', text: 'SEV2' }, value: 'SEV2' },
          },
        },
      };
      delete submitted[DECLARE_MODAL.blocks.flags];
      delete submitted[DECLARE_MODAL.blocks.severity];
      const res2 = await app.submitView({ viewId: opened.id, callbackId: DECLARE_MODAL.callbackId, values: submitted });
      assert.equal(res2.status, 200);
      assert.equal(res2.body, '', 'the form closes');
      await app.bot.idle();
      const declared = (await app.bot.deps.store.listActive()).find((i) => i.title === 'Wards cannot log in (redrawn)');
      assert.deepEqual(
        [declared?.isPrivate, declared?.clinicalImpact, declared?.severity, declared?.affectedService],
        [true, true, 'SEV2', 'ehr-api'],
      );

      // A form drawn before the flags had a block each (all three in `flags`) is read as before.
      const older: Record<string, Record<string, unknown>> = {
        ...declareModalValues({ title: 'Older form', severity: 'SEV3' }),
        [DECLARE_MODAL.blocks.flags]: {
          [DECLARE_MODAL.actions.flags]: {
            type: 'checkboxes',
            selected_options: [DECLARE_MODAL.flagValues.private, DECLARE_MODAL.flagValues.clinical].map((value) => ({
              text: { type: 'plain_text', text: value },
              value,
            })),
          },
        },
      };
      const res3 = await app.submitView({
        viewId: `${opened.id}OLD`,
        callbackId: DECLARE_MODAL.callbackId,
        values: older,
      });
      assert.equal(res3.status, 200);
      await app.bot.idle();
      const old = (await app.bot.deps.store.listActive()).find((i) => i.title === 'Older form');
      assert.deepEqual([old?.isPrivate, old?.clinicalImpact], [true, true]);
    });
  });
}
