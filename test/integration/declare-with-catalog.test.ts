// Declaring with the service catalog through the running bot (signed Slack requests, the Slack
// stand-in, the PagerDuty adapter against the PagerDuty fake), on both databases: the fast path's
// --service by title invites that service's on-call (by the catalog's PagerDuty service id), tells
// the owning team in its channel, and the pinned summary shows the owner, criticality, runbook,
// dashboard and the changes recorded in the 24 hours before with their approvers; an unknown service
// is refused with suggestions and nothing recorded; the form's service search answers Slack.
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
      const { res, told } = await command('declare sev2 Wards cannot log in --service=EHR APJ');
      assert.equal(res.status, 200);
      const ack = res.json() as { response_type: string; text: string };
      assert.equal(ack.response_type, 'ephemeral');
      assert.match(ack.text, /`EHR APJ` is not a service in the service catalog, so nothing was declared/);
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
      assert.match(answer.errors[DECLARE_MODAL.blocks.service]!, /Did you mean `lab-results`/);
    });
  });
}
