// Issue 16's proof in one journey through the running bot, on both databases, with nothing of the
// feature replaced: the catalog read from a folder (CATALOG_PATH) holding valid and invalid
// entities, PagerDuty through its adapter against the PagerDuty fake, change events through
// POST /changes and GitHub's signed deployment_status webhook, the freeze through
// `/incident freeze` and GET /api/freeze, and GitHub's deployment protection rule answered through
// the code host. A declare invites the owning team's on-call; a deploy shows in the pinned summary;
// a freeze answers 423 and a protection rule is rejected; an override lets exactly one deployment
// through.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import { BROADCAST_CHANNEL, commandsTo, useTestBot } from '../support/bot.ts';
import { deploymentStatusPayload } from '../support/changes.ts';
import { testDatabases } from '../support/databases.ts';
import { gitHubPayload, postGitHubWebhook } from '../support/github-payloads.ts';
import { startPagerDutyFake, type PagerDutyFake } from '../support/pagerduty-fake.ts';
import { RecordingCodeHost } from '../support/recording-code-host.ts';

const TOKEN = 'journey-change-events-token-0123';
const SECRET = 'journey-github-webhook-secret';
const HOUR = 3600_000;

const CATALOG = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: clinical-systems
  title: Clinical systems
  annotations:
    slack.com/channel: "#clinical-systems"
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ehr-api
  title: EHR API
  annotations:
    pagerduty.com/service-id: PSVC001
    incident-bot/clinical-criticality: patient-facing
    github.com/project-slug: acme/ehr-api
  links:
    - url: https://runbooks.example.org/ehr-api
      title: EHR API runbook
      type: runbook
spec:
  type: service
  lifecycle: production
  owner: group:default/clinical-systems
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: "Not a valid name!"
spec:
  type: service
  lifecycle: production
  owner: group:default/clinical-systems
`;

function protectionRule(deploymentId: number) {
  return gitHubPayload('deployment_protection_rule$requested', {
    action: 'requested',
    environment: 'production',
    event: 'deployment',
    deployment_callback_url: `https://api.github.com/repos/acme/ehr-api/actions/runs/${deploymentId}/deployment_protection_rule`,
    deployment: {
      id: deploymentId,
      sha: 'abc123',
      ref: 'main',
      environment: 'production',
      creator: { login: 'octocat' },
    },
    repository: { full_name: 'acme/ehr-api', name: 'ehr-api' },
    installation: { id: 42 },
  });
}

for (const database of testDatabases()) {
  describe(`ownership and change, one journey (${database.name})`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journey-catalog-'));
    fs.writeFileSync(path.join(dir, 'catalog-info.yaml'), CATALOG);
    let pd: PagerDutyFake;
    const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
    before(async () => {
      pd = await startPagerDutyFake({
        state: {
          users: [{ id: 'PU2', name: 'Bob Oncall', email: 'bob@example.org' }],
          escalationPolicies: [{ id: 'PEP1', name: 'Clinical systems escalation' }],
          services: [{ id: 'PSVC001', name: 'EHR production', escalationPolicyId: 'PEP1' }],
          oncalls: [{ userId: 'PU2', escalationPolicyId: 'PEP1', level: 1, start: iso(-HOUR), end: iso(8 * HOUR) }],
        },
      });
    });
    after(async () => {
      await pd?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const codeHost = new RecordingCodeHost();
    const env = useTestBot(database, {
      users: [
        { id: 'UALICE', name: 'alice', email: 'alice@example.org' },
        { id: 'UBOB', name: 'bob', email: 'bob@example.org' },
      ],
      codeHost,
      get env() {
        return {
          CATALOG_PATH: dir,
          CHANGE_EVENTS_TOKEN: TOKEN,
          GITHUB_WEBHOOK_SECRET: SECRET,
          PAGERDUTY_TOKEN: pd.token,
          PAGERDUTY_API_URL: pd.url,
        };
      },
    });
    const run = commandsTo(env, 'r');
    const command = (text: string, channelId = 'CGENERAL') => run(text, 'UALICE', channelId);
    const freezeApi = async () => {
      const res = await fetch(`${env.app.url}/api/freeze?service=ehr-api`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    async function protect(deploymentId: number) {
      const before = codeHost.reviews.length;
      const res = await postGitHubWebhook(
        env.app.url,
        SECRET,
        'deployment_protection_rule',
        protectionRule(deploymentId),
      );
      assert.equal(res.status, 202, JSON.stringify(res.body));
      await env.app.bot.idle();
      assert.equal(codeHost.reviews.length, before + 1, 'GitHub was answered once');
      return codeHost.reviews.at(-1)!.state;
    }
    const summaryOf = (incident: Incident) =>
      JSON.stringify(
        env.slack.messages.find((m) => m.channel === incident.channelId && m.ts === incident.summaryTs)?.blocks,
      );

    test('catalog folder → declare → deploys on the summary → freeze, rejection, one override', async () => {
      const { slack, app } = env;
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['UALICE', 'UBOB'] });
      slack.addChannel({ id: 'CCLINSYS', name: 'clinical-systems' });

      // The catalog folder was read at start: the valid service is there, the invalid entity was
      // skipped and is reported.
      const service = await command('service ehr-api');
      assert.match(service, /EHR API/);
      assert.match(service, /Clinical systems/);
      assert.match(service, /catalog has 1 problem/i);

      // Declare: the owning team's on-call (by the catalog's PagerDuty service id) is invited and the
      // team is told in its channel.
      const askedBefore = pd.requestsTo('/services/PSVC001').length;
      assert.ok(askedBefore >= 1, '/incident service asked PagerDuty who is on call for the service');
      const declared = await command('declare sev2 Wards cannot log in --service=ehr-api --clinical');
      const number = Number(/INC-(\d+)/.exec(declared)?.[1]);
      const incident = (await app.bot.deps.store.findByNumber(number))!;
      assert.ok(incident?.provisionedAt, declared);
      assert.equal(incident.affectedService, 'ehr-api');
      assert.equal(incident.serviceOwner, 'group:default/clinical-systems');
      assert.equal(pd.requestsTo('/services/PSVC001').length, askedBefore + 1);
      assert.ok(slack.channels.get(incident.channelId!)!.members.has('UBOB'), 'the on-call is invited');
      assert.ok(slack.messages.some((m) => m.channel === 'CCLINSYS' && /INC-\d+/.test(m.text ?? '')));

      // Deploys reported by a pipeline and by GitHub show on the pinned summary.
      const posted = await fetch(`${app.url}/changes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'journey-1',
          service: 'ehr-api',
          summary: 'Roll back the session store',
          version: 'v7.2.1',
          author: 'dev-ann',
          approvers: ['lead-carol'],
          environment: 'staging',
        }),
      });
      assert.equal(posted.status, 201, await posted.clone().text());
      const hook = await postGitHubWebhook(
        app.url,
        SECRET,
        'deployment_status',
        deploymentStatusPayload({ state: 'success', deploymentId: 555, statusId: 556, repo: 'acme/ehr-api' }),
      );
      assert.ok([200, 201, 202].includes(hook.status), JSON.stringify(hook.body));
      await app.bot.idle();
      const summary = summaryOf((await app.bot.deps.store.findById(incident.id))!);
      assert.match(summary, /Roll back the session store/);
      assert.match(summary, /approved by lead-carol/);
      assert.match(summary, /acme\/ehr-api|ehr-api/);
      assert.equal(
        await app.bot.db.prisma.changeEvent.count({ where: { serviceName: 'ehr-api' } }),
        2,
        'both deploys are the catalog service’s',
      );

      // A freeze: the pipeline is told 423 and GitHub's protection rule is rejected.
      assert.equal((await freezeApi()).status, 200);
      await command('freeze on ehr-api Session store rollback in progress', incident.channelId!);
      assert.ok(
        slack.messages.some(
          (m) => m.channel === incident.channelId && /freeze/i.test(m.text ?? '') && /ehr-api/.test(m.text ?? ''),
        ),
        'the incident channel is told of the freeze',
      );
      const frozen = await freezeApi();
      assert.equal(frozen.status, 423);
      assert.equal(frozen.body.incident, `INC-${number}`);
      assert.equal(await protect(7001), 'rejected');

      // The commander's override lets exactly one deployment through, then the freeze holds again.
      await command('freeze override ehr-api Hotfix for the login loop', incident.channelId!);
      assert.equal(await protect(7002), 'approved');
      assert.equal(await protect(7003), 'rejected');
      const timeline = await app.bot.deps.store.timeline(incident.id);
      const overrideUsed = timeline.find((e) => /7002/.test(e.text));
      assert.ok(
        overrideUsed,
        `the deployment let through is on the timeline: ${timeline.map((e) => e.kind).join(', ')}`,
      );

      // All of it is on the incident's audit trail, which verifies.
      const audit = await app.bot.deps.audit.read(incident.id);
      assert.deepEqual(audit.problems, []);
      assert.ok(audit.entries.some((e) => e.action === 'change_freeze.insert'));
      assert.ok(
        audit.entries.some((e) => e.action === 'freeze_override.update'),
        'the override used',
      );
    });
  });
}
