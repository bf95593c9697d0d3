// The service catalog end to end, through the running bot on both databases: a catalog folder
// (CATALOG_PATH) with valid and invalid entities; the bot starts anyway, `/incident service ehr-api`
// answers with the owner, criticality, links and incidents (a private one as its reference only)
// and says the catalog has problems; an unknown name gets suggestions.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';

const GROUPS = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: platform
  title: Platform Team
  annotations:
    slack.com/channel: C0PLATFORM
spec:
  type: team
  children: []
`;
const SERVICES = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ehr-api
  title: EHR API
  description: The electronic health record's API.
  annotations:
    pagerduty.com/service-id: PEHR123
    incident-bot/clinical-criticality: patient-facing
  links:
    - url: https://runbooks.example.org/ehr-api
      title: EHR API runbook
      type: runbook
    - url: https://grafana.example.org/d/ehr
      title: EHR latency
      type: dashboard
spec:
  type: service
  lifecycle: production
  owner: platform
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: Bad Name!
spec:
  type: service
  lifecycle: production
  owner: platform
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: lab-results
  annotations:
    incident-bot/clinical-criticality: very
spec:
  type: service
  lifecycle: production
  owner: platform
`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-e2e-'));
fs.mkdirSync(path.join(dir, 'teams'));
fs.writeFileSync(path.join(dir, 'teams', 'platform.yaml'), GROUPS);
fs.writeFileSync(path.join(dir, 'services.yaml'), SERVICES);
fs.writeFileSync(path.join(dir, 'broken.json'), '{"kind": ');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

for (const database of testDatabases()) {
  describe(`/incident service with a catalog folder (${database.name})`, () => {
    const env = useTestBot(database, {
      users: [
        { id: 'UALICE', name: 'alice', email: 'alice@example.org' },
        { id: 'UBOB', name: 'bob', email: 'bob@example.org' },
      ],
      env: { CATALOG_PATH: dir },
    });
    let slack: SlackStandIn;
    let app: TestBot;
    let seq = 0;
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
    });

    async function command(text: string, userId = 'UALICE') {
      const id = `r${++seq}`;
      const res = await app.command(text, { responseUrl: slack.responseUrl(id), userId });
      await app.bot.idle();
      const told = slack.responses.filter((r) => r.id === id);
      return {
        res,
        text: told.map((r) => String(r.body.text)).join(' '),
        blocks: JSON.stringify(told.map((r) => r.body.blocks ?? [])),
      };
    }

    test('the bot started with the valid entities; the invalid ones are its problems', () => {
      const catalog = app.bot.deps.catalog.current();
      assert.equal(catalog.source, 'file');
      assert.deepEqual(
        catalog.services.map((s) => s.name),
        ['ehr-api', 'lab-results'],
      );
      assert.deepEqual(
        catalog.problems.map((p) => p.source).sort(),
        ['broken.json', 'services.yaml#2', 'services.yaml#3'].sort(),
      );
    });

    test('/incident service ehr-api: owner, criticality, links, incidents (private hidden) and the problems', async () => {
      const open = await command('declare sev2 EHR logins failing --service=ehr-api');
      assert.equal(open.res.status, 200);
      await command('declare sev1 Patient records exposed --private --service=ehr-api');
      const answer = await command('service ehr-api', 'UBOB');
      assert.equal(answer.res.status, 200);
      assert.match(answer.text, /EHR API: owned by Platform Team/);
      const b = answer.blocks;
      assert.match(b, /EHR API \(ehr-api\)/);
      assert.match(b, /\*Owner:\* Platform Team · <#C0PLATFORM>/);
      assert.match(b, /Patient-facing/);
      assert.match(b, /<https:\/\/runbooks.example.org\/ehr-api\|EHR API runbook>/);
      assert.match(b, /<https:\/\/grafana.example.org\/d\/ehr\|EHR latency>/);
      assert.match(b, /PagerDuty is not configured/);
      assert.match(b, /EHR logins failing/);
      // The private incident is neither listed nor counted for a non-member: not even its reference.
      assert.doesNotMatch(b, /\(private\)|:lock:/);
      assert.doesNotMatch(b, /Patient records exposed/);
      assert.equal(b.match(/\*INC-\d+\*/g)?.length, 2, 'the public incident, open and recent');
      assert.match(b, /Incidents in the last 90 days:\* 1/);
      assert.match(b, /The catalog has 3 problems/);
      assert.match(b, /services.yaml#2: component:default\/bad name!: .*metadata.name/);
      // The declarer is in the private incident's channel: she sees its title.
      const member = await command('service EHR API', 'UALICE');
      assert.match(member.blocks, /:lock: Patient records exposed/);
      assert.match(member.blocks, /Incidents in the last 90 days:\* 2/);
    });

    test('an unknown name: suggestions and the problems, privately', async () => {
      const answer = await command('service ehr', 'UBOB');
      assert.match(answer.text, /No service in the catalog is called `ehr`\. Did you mean `ehr-api` \(EHR API\)/);
      assert.match(answer.text, /The catalog has 3 problems/);
      const none = await command('service', 'UBOB');
      assert.match(String(none.res.json().text), /\/incident service <name>/);
    });
  });
}
