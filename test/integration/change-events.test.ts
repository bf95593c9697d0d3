// Change events through the running bot: POST /changes (bearer token, JSON, each field validated,
// one record per change whatever the retries) and GitHub's deployment_status and pull_request
// webhooks (signature, GitHub's schema, one record per deployment or pull request).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, beforeEach, describe, test } from 'node:test';
import { payloadValidator } from '../../src/github/webhook-route.ts';
import { staticCatalog } from '../../src/ports/service-catalog.ts';
import { useTestBot, type TestBot } from '../support/bot.ts';
import { deploymentStatusPayload, FakeCodeHost, pullRequestClosedPayload, signGitHub } from '../support/changes.ts';
import { catalogOf, catalogService } from '../support/catalog.ts';
import { testDatabases } from '../support/databases.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';

const TOKEN = 'change-events-token-0123456789';
const SECRET = 'github-webhook-secret-123';

const catalog = staticCatalog(
  catalogOf(
    catalogService('ehr-api', {
      title: 'EHR API',
      owner: 'group:default/platform',
      system: 'ehr',
      githubProjectSlug: 'Codertocat/Hello-World',
    }),
    catalogService('pharmacy', { owner: 'group:default/pharmacy-team', system: 'dispensing' }),
  ),
);

describe('GitHub fixtures', () => {
  test("the payloads the tests send are valid against GitHub's official schemas", () => {
    const cases: [string, string, Record<string, unknown>][] = [
      ['deployment_status', 'created', deploymentStatusPayload()],
      ['deployment_status', 'created', deploymentStatusPayload({ state: 'failure', deploymentId: 7 })],
      ['pull_request', 'closed', pullRequestClosedPayload()],
      ['pull_request', 'closed', pullRequestClosedPayload({ merged: true, number: 9 })],
      ['pull_request', 'closed', pullRequestClosedPayload({ merged: true, repo: 'acme/unknown-repo' })],
    ];
    for (const [event, action, payload] of cases) {
      const valid = payloadValidator(event, action)!;
      assert.ok(valid(payload), `${event}.${action}: ${JSON.stringify(valid.errors?.slice(0, 2))}`);
    }
  });
});

for (const database of testDatabases()) {
  describe(`change events (${database.name})`, () => {
    const codeHost = new FakeCodeHost();
    const env = useTestBot(database, {
      users: [],
      catalog,
      codeHost,
      env: { CHANGE_EVENTS_TOKEN: TOKEN, GITHUB_WEBHOOK_SECRET: SECRET },
    });
    let app: TestBot;
    before(() => ({ app } = env));
    beforeEach(async () => {
      await app.bot.db.prisma.changeEvent.deleteMany();
      codeHost.asked.length = 0;
      codeHost.approvalsOf.clear();
      codeHost.failing = false;
    });
    const stored = () => app.bot.db.prisma.changeEvent.findMany({ orderBy: { occurredAt: 'asc' } });

    async function postChange(body: unknown, o: { token?: string | null; contentType?: string; raw?: string } = {}) {
      const res = await fetch(`${app.url}/changes`, {
        method: 'POST',
        headers: {
          'content-type': o.contentType ?? 'application/json',
          ...(o.token === null ? {} : { authorization: `Bearer ${o.token ?? TOKEN}` }),
        },
        body: o.raw ?? JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    }

    async function deliver(event: string, payload: unknown, o: { signature?: string | null; id?: string } = {}) {
      const body = JSON.stringify(payload);
      const res = await fetch(`${app.url}/github/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': event,
          'x-github-delivery': o.id ?? crypto.randomUUID(),
          ...(o.signature === null ? {} : { 'x-hub-signature-256': o.signature ?? signGitHub(body, SECRET) }),
        },
        body,
      });
      await app.bot.idle();
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }

    describe('POST /changes', () => {
      test('201 with the change as stored: the catalog service, its system and owner', async () => {
        const res = await postChange({
          id: 'deploy-4711',
          service: 'EHR API',
          summary: 'Raise the connection pool to 50',
          version: '2026.12.05-1',
          environment: 'production',
          author: 'alice',
          approvers: ['bob', 'carol'],
          url: 'https://ci.example.org/runs/4711',
          occurred_at: '2026-12-05T10:00:00+01:00',
          kind: 'change',
        });
        assert.equal(res.status, 201);
        assert.equal(res.body.service_known, true);
        assert.equal(res.body.service_name, 'ehr-api');
        assert.equal(res.body.system, 'ehr');
        assert.equal(res.body.owner, 'group:default/platform');
        assert.equal(res.body.occurred_at, '2026-12-05T09:00:00.000Z');
        assert.deepEqual(res.body.approvers, ['bob', 'carol']);
        assert.equal(res.body.kind, 'change');
        assert.equal(res.body.duplicate, false);
        const rows = await stored();
        assert.equal(rows.length, 1);
        // The id is scoped by the service, environment and kind: sha256 of the four.
        assert.equal(
          rows[0]!.sourceKey,
          `api:${createHash('sha256')
            .update(JSON.stringify(['EHR API', 'production', 'change', 'deploy-4711']))
            .digest('hex')}`,
        );
        assert.equal(rows[0]!.source, 'api');
        assert.equal(rows[0]!.service, 'EHR API');
      });

      test('the same id again is answered 200 with the first record, and nothing more is stored', async () => {
        const first = await postChange({ id: 'x-1', service: 'ehr-api', summary: 'one', version: '1.0' });
        const again = await postChange({ id: 'x-1', service: 'ehr-api', summary: 'one', version: '1.0' });
        assert.equal(first.status, 201);
        assert.equal(again.status, 200);
        assert.equal(again.body.duplicate, true);
        assert.equal(again.body.id, first.body.id);
        assert.equal(again.body.summary, 'one');
        assert.equal((await stored()).length, 1);
      });

      test('the same id for another service is another change; with other content it is refused 409, nothing echoed', async () => {
        // Two pipelines using $GITHUB_RUN_NUMBER as their id do not collide.
        const ehr = await postChange({
          id: '42',
          service: 'ehr-api',
          summary: 'EHR deploy',
          occurred_at: '2026-12-05T08:00:00Z',
        });
        const pharmacy = await postChange({ id: '42', service: 'pharmacy', summary: 'Pharmacy deploy' });
        assert.equal(ehr.status, 201);
        assert.equal(pharmacy.status, 201);
        assert.notEqual(pharmacy.body.id, ehr.body.id);
        for (const other of [
          { summary: 'Something else' },
          { version: '9.9' },
          { occurred_at: '2026-12-05T08:01:00Z' },
        ]) {
          const res = await postChange({
            id: '42',
            service: 'ehr-api',
            summary: 'EHR deploy',
            occurred_at: '2026-12-05T08:00:00Z',
            ...other,
          });
          assert.equal(res.status, 409, JSON.stringify(other));
          assert.match(String(res.body.error), /this id was recorded already for another change/);
          assert.deepEqual(Object.keys(res.body), ['error'], 'nothing of the stored change is answered');
          assert.doesNotMatch(JSON.stringify(res.body), /EHR deploy/);
        }
        // The same content without occurred_at (a retry of a body that had none) is the same change.
        const retried = await postChange({ id: '42', service: 'pharmacy', summary: 'Pharmacy deploy' });
        assert.equal(retried.status, 200);
        assert.equal((await stored()).length, 2);
      });

      test('one run deploying staging then production with the same id is two changes; another kind is another too', async () => {
        // The docs advise `id: $GITHUB_RUN_ID`: one run may deploy staging, then production, the same version.
        const body = { id: '9001', service: 'ehr-api', summary: 'Deploy 2.1', version: '2.1' };
        const staging = await postChange({ ...body, environment: 'staging' });
        const production = await postChange({ ...body, environment: 'production' });
        const noEnvironment = await postChange(body);
        const asChange = await postChange({ ...body, environment: 'production', kind: 'change' });
        for (const res of [staging, production, noEnvironment, asChange]) assert.equal(res.status, 201);
        assert.equal(production.body.environment, 'production');
        assert.equal(production.body.duplicate, false);
        assert.equal(new Set([staging, production, noEnvironment, asChange].map((r) => r.body.id)).size, 4);
        // Each retried is its own duplicate; the same key with other content is still 409.
        const retried = await postChange({ ...body, environment: 'production' });
        assert.equal(retried.status, 200);
        assert.equal(retried.body.id, production.body.id);
        assert.equal(retried.body.environment, 'production');
        const other = await postChange({ ...body, environment: 'production', version: '2.2' });
        assert.equal(other.status, 409);
        assert.equal((await stored()).length, 4);
      });

      test('github_deployment_id: the change is the deployment GitHub reports, once whichever comes first', async () => {
        const res = await postChange({
          service: 'ehr-api',
          summary: 'Deploy via Actions',
          github_deployment_id: 145988746,
        });
        assert.equal(res.status, 201);
        assert.equal((await stored())[0]!.sourceKey, 'github:deployment_status:145988746');
        const hook = await deliver('deployment_status', deploymentStatusPayload({ deploymentId: 145988746 }));
        assert.equal(hook.status, 202);
        assert.equal((await stored()).length, 1, 'GitHub reporting the same deployment adds nothing');
        // GitHub first, then the pipeline: a duplicate answered with the id only (nothing of GitHub's record).
        await deliver('deployment_status', deploymentStatusPayload({ deploymentId: 777 }));
        const late = await postChange({ service: 'ehr-api', summary: 'Deploy via Actions', github_deployment_id: 777 });
        assert.equal(late.status, 200);
        assert.deepEqual(Object.keys(late.body).sort(), ['duplicate', 'flagged', 'id', 'source']);
        assert.equal(late.body.source, 'github');
        assert.equal((await stored()).length, 2);
        for (const bad of [0, -1, 1.5, '12', null]) {
          const r = await postChange({ service: 'ehr-api', summary: 'x', github_deployment_id: bad });
          assert.equal(r.status, 400, String(bad));
          assert.match(String(r.body.problems), /github_deployment_id/);
        }
      });

      test('without an id, a retry of the same content is recorded once (with or without occurred_at)', async () => {
        const body = { service: 'pharmacy', summary: 'Deploy 1.2.3', version: '1.2.3' };
        assert.equal((await postChange(body)).status, 201);
        assert.equal((await postChange(body)).status, 200);
        const timed = { ...body, occurred_at: '2026-12-05T08:00:00Z' };
        assert.equal((await postChange(timed)).status, 201);
        assert.equal((await postChange(timed)).status, 200);
        assert.equal((await postChange({ ...body, version: '1.2.4' })).status, 201, 'other content is another change');
        assert.equal((await stored()).length, 3);
      });

      test('kind defaults to deploy and occurred_at to now', async () => {
        const before = Date.now();
        const res = await postChange({ service: 'pharmacy', summary: 'Deploy' });
        assert.equal(res.body.kind, 'deploy');
        const at = Date.parse(res.body.occurred_at);
        assert.ok(at >= before - 1000 && at <= Date.now() + 1000);
      });

      test('an unknown service is stored and answered as unknown, not dropped', async () => {
        const res = await postChange({ service: 'billing-v2', summary: 'Deploy 7' });
        assert.equal(res.status, 201);
        assert.equal(res.body.service_known, false);
        assert.equal(res.body.service_name, null);
        const [row] = await stored();
        assert.equal(row!.service, 'billing-v2');
        assert.equal(row!.serviceName, null);
      });

      test('400 names each problem, and nothing is stored', async () => {
        const cases: [Record<string, unknown>, RegExp][] = [
          [{ summary: 'x' }, /service: service must be text/],
          [{ service: '', summary: 'x' }, /service: service is required/],
          [{ service: 'a'.repeat(201), summary: 'x' }, /service: service can be at most 200/],
          [{ service: 'a' }, /summary: summary must be text/],
          [{ service: 'a', summary: '   ' }, /summary: summary is required/],
          [{ service: 'a', summary: 'x'.repeat(1001) }, /summary: summary can be at most 1000/],
          [{ service: 'a', summary: 'x', version: 'v'.repeat(201) }, /version: version can be at most 200/],
          [{ service: 'a', summary: 'x', environment: 3 }, /environment: environment must be text/],
          [{ service: 'a', summary: 'x', author: ['a'] }, /author: author must be text/],
          [{ service: 'a', summary: 'x', approvers: 'bob' }, /approvers: approvers must be a list/],
          [{ service: 'a', summary: 'x', approvers: Array(21).fill('b') }, /approvers: approvers can list at most 20/],
          [{ service: 'a', summary: 'x', approvers: [''] }, /approvers\.0: an approver cannot be empty/],
          [{ service: 'a', summary: 'x', url: 'javascript:alert(1)' }, /url: url must be an http or https URL/],
          [{ service: 'a', summary: 'x', url: 'ftp://example.org/x' }, /url: url must be an http or https URL/],
          [
            { service: 'a', summary: 'x', occurred_at: '2026-12-05 10:00' },
            /occurred_at: occurred_at must be an ISO 8601/,
          ],
          [
            { service: 'a', summary: 'x', occurred_at: '2026-12-05T10:00:00' },
            /occurred_at: occurred_at must be an ISO 8601/,
          ],
          [{ service: 'a', summary: 'x', occurred_at: '2099-01-01T00:00:00Z' }, /occurred_at is in the future/],
          [{ service: 'a', summary: 'x', occurred_at: '1969-01-01T00:00:00Z' }, /occurred_at is before 2000/],
          [{ service: 'a', summary: 'x', kind: 'merge' }, /kind: kind must be deploy or change/],
          [{ service: 'a', summary: 'x', id: 'has space' }, /id: id must be printable ASCII/],
          [{ service: 'a', summary: 'x', occured_at: '2026-12-05T10:00:00Z' }, /unknown field occured_at/],
        ];
        for (const [body, problem] of cases) {
          const res = await postChange(body);
          assert.equal(res.status, 400, JSON.stringify(body).slice(0, 100));
          assert.match((res.body.problems as string[]).join(' | '), problem);
        }
        const two = await postChange({ service: '', summary: '' });
        assert.equal(two.body.problems.length, 2, 'every problem at once');
        const deep = await postChange(null, { raw: `${'['.repeat(100)}${']'.repeat(100)}` });
        assert.equal(deep.status, 400);
        assert.match(deep.body.error, /nested too deeply/);
        for (const raw of ['not json', '[1,2]', '"text"', 'null', '{"service":"a","summary":"x"']) {
          const res = await postChange(null, { raw });
          assert.equal(res.status, 400, raw);
        }
        assert.equal((await stored()).length, 0);
      });

      test('401 without the bearer token or with a wrong one; 415 for a body that is not JSON; 413 over 1 MB', async () => {
        const body = { service: 'a', summary: 'x' };
        assert.equal((await postChange(body, { token: null })).status, 401);
        assert.equal((await postChange(body, { token: `${TOKEN}x` })).status, 401);
        assert.equal((await postChange(body, { token: 'short' })).status, 401);
        const basic = await fetch(`${app.url}/changes`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Basic ${TOKEN}` },
          body: JSON.stringify(body),
        });
        assert.equal(basic.status, 401);
        assert.equal(
          (await postChange(null, { contentType: 'application/x-www-form-urlencoded', raw: 'service=a' })).status,
          415,
        );
        assert.equal((await postChange(null, { contentType: 'text/plain', raw: JSON.stringify(body) })).status, 415);
        const huge = await fetch(`${app.url}/changes`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({ service: 'a', summary: 'x'.repeat(1024 * 1024 + 10) }),
        }).catch(() => null);
        // The 413 is answered, then the connection closed: a client still sending may see the close instead.
        if (huge) assert.equal(huge.status, 413);
        assert.equal((await stored()).length, 0);
      });

      test('a change during a freeze is answered flagged, and noted on the freezing incident', async () => {
        const { incident } = await app.bot.deps.store.createIfAbsent(
          declaring({ declaration: aDeclaration({ affectedService: 'ehr-api' }), declareKey: 'freeze-e2e' }),
        );
        const freeze = await app.bot.db.prisma.changeFreeze.create({
          data: {
            incidentId: incident.id,
            scope: 'ehr-api',
            reason: 'test',
            startedBy: 'UBOB',
            startedAt: new Date(Date.now() - 60_000),
          },
        });
        try {
          const res = await postChange({ service: 'EHR API', summary: 'Deploy during the freeze' });
          assert.equal(res.status, 201);
          assert.equal(res.body.flagged, true);
          const flagged = await app.bot.db.prisma.timelineEntry.count({
            where: { incidentId: incident.id, kind: 'freeze_change_flagged' },
          });
          assert.equal(flagged, 1);
        } finally {
          await app.bot.db.prisma.changeFreeze.update({
            where: { id: freeze.id },
            data: { endedAt: new Date(), endedBy: 'UBOB' },
          });
        }
      });

      test('text the database cannot store is cleaned, not a crash', async () => {
        const res = await postChange({ service: 'pharmacy', summary: 'bad \u0000 byte \ud800 here' });
        assert.equal(res.status, 201);
        assert.equal(res.body.summary, 'bad  byte \ufffd here');
      });
    });

    describe('GitHub webhooks', () => {
      test('unsigned or wrongly signed deliveries get 401 and store nothing', async () => {
        const payload = deploymentStatusPayload();
        assert.equal((await deliver('deployment_status', payload, { signature: null })).status, 401);
        assert.equal(
          (await deliver('deployment_status', payload, { signature: signGitHub('{}', SECRET) })).status,
          401,
        );
        assert.equal(
          (
            await deliver('deployment_status', payload, {
              signature: signGitHub(JSON.stringify(payload), 'other-secret'),
            })
          ).status,
          401,
        );
        assert.equal((await stored()).length, 0);
      });

      test("a payload that does not match GitHub's schema gets 400 and stores nothing", async () => {
        const payload = deploymentStatusPayload();
        delete payload.deployment.id;
        assert.equal((await deliver('deployment_status', payload)).status, 400);
        const pr = pullRequestClosedPayload({ merged: true });
        pr.pull_request.merged = 'yes';
        assert.equal((await deliver('pull_request', pr)).status, 400);
        assert.equal((await stored()).length, 0);
      });

      test('a successful deployment is a deploy change, recorded once across redeliveries and statuses', async () => {
        const payload = deploymentStatusPayload({ deploymentId: 555 });
        const id = crypto.randomUUID();
        assert.equal((await deliver('deployment_status', payload, { id })).status, 202);
        assert.equal((await deliver('deployment_status', payload, { id })).status, 202, 'redelivered');
        await deliver('deployment_status', deploymentStatusPayload({ deploymentId: 555, statusId: 99 }));
        const rows = await stored();
        assert.equal(rows.length, 1);
        const row = rows[0]!;
        assert.equal(row.sourceKey, 'github:deployment_status:555');
        assert.equal(row.source, 'github');
        assert.equal(row.kind, 'deploy');
        assert.equal(row.service, 'Codertocat/Hello-World');
        assert.equal(row.serviceName, 'ehr-api', 'matched by the catalog’s github.com/project-slug');
        assert.equal(row.system, 'ehr');
        assert.equal(row.owner, 'group:default/platform');
        assert.equal(row.environment, 'production');
        assert.equal(row.version, 'master (f95f852bd8fc)');
        assert.equal(row.author, 'Codertocat');
        assert.equal(row.url, 'https://api.github.com/repos/Codertocat/Hello-World/deployments/145988746');
        assert.equal(row.occurredAt.toISOString(), payload.deployment_status.created_at.replace('Z', '.000Z'));
      });

      test('a deployment status other than success is ignored', async () => {
        for (const state of ['pending', 'in_progress', 'failure', 'error', 'queued']) {
          assert.equal((await deliver('deployment_status', deploymentStatusPayload({ state }))).status, 202);
        }
        assert.equal((await stored()).length, 0);
      });

      test('a merged pull request is a merge change with its approvers from the code host', async () => {
        codeHost.approvalsOf.set('Codertocat/Hello-World#2', [
          { login: 'reviewer-1', at: new Date('2019-05-15T15:00:00Z') },
          { login: 'reviewer-2', at: null },
        ]);
        const payload = pullRequestClosedPayload({ merged: true });
        assert.equal((await deliver('pull_request', payload)).status, 202);
        await deliver('pull_request', payload);
        assert.deepEqual(codeHost.asked[0], { repository: 'Codertocat/Hello-World', number: 2, installationId: 1 });
        const rows = await stored();
        assert.equal(rows.length, 1);
        const row = rows[0]!;
        assert.equal(row.sourceKey, 'github:pull_request:Codertocat/Hello-World#2');
        assert.equal(row.kind, 'merge');
        assert.equal(row.summary, 'Update the README with new information.');
        assert.equal(row.author, 'Codertocat');
        assert.equal(row.url, 'https://github.com/Codertocat/Hello-World/pull/2');
        assert.deepEqual(row.approvers, ['reviewer-1', 'reviewer-2']);
        assert.equal(row.serviceName, 'ehr-api');
        assert.equal(row.occurredAt.toISOString(), '2019-05-15T15:21:18.000Z');
      });

      test('a failure of the code host records the merge without approvers', async () => {
        codeHost.failing = true;
        await deliver('pull_request', pullRequestClosedPayload({ merged: true, number: 3 }));
        const [row] = await stored();
        assert.deepEqual(row!.approvers, []);
      });

      test('a pull request closed without merging is ignored', async () => {
        assert.equal((await deliver('pull_request', pullRequestClosedPayload())).status, 202);
        assert.equal((await stored()).length, 0);
        assert.equal(codeHost.asked.length, 0);
      });

      test("with a catalog, a repository is its service only by its full project slug (another owner's same-named repository is unknown)", async () => {
        await deliver('pull_request', pullRequestClosedPayload({ merged: true, repo: 'acme/unknown-repo' }));
        await deliver('pull_request', pullRequestClosedPayload({ merged: true, repo: 'acme/pharmacy' }));
        await deliver(
          'pull_request',
          pullRequestClosedPayload({ merged: true, repo: 'attacker/Hello-World', number: 5 }),
        );
        await deliver(
          'pull_request',
          pullRequestClosedPayload({ merged: true, repo: 'Codertocat/Hello-World', number: 6 }),
        );
        const rows = await app.bot.db.prisma.changeEvent.findMany({ orderBy: { service: 'asc' } });
        assert.deepEqual(
          rows.map((r) => [r.service, r.serviceName]),
          [
            ['Codertocat/Hello-World', 'ehr-api'],
            ['acme/pharmacy', null],
            ['acme/unknown-repo', null],
            ['attacker/Hello-World', null],
          ],
        );
      });

      test('a merge into a branch other than the default branch is ignored', async () => {
        const res = await deliver('pull_request', pullRequestClosedPayload({ merged: true, baseRef: 'feature/x' }));
        assert.equal(res.status, 202);
        assert.equal(res.body.status, 'ignored');
        assert.equal((await stored()).length, 0);
        const merged = await deliver('pull_request', pullRequestClosedPayload({ merged: true }));
        assert.equal(merged.body.status, 'accepted');
        assert.equal((await stored()).length, 1);
      });

      test('a signed event named like an Object property (constructor, __proto__, toString) is ignored, not a crash', async () => {
        for (const event of ['constructor', '__proto__', 'tostring', 'hasownproperty']) {
          const res = await deliver(event, { action: 'created' });
          assert.equal(res.status, 202, event);
          assert.equal(res.body.status, 'ignored');
        }
      });

      test('a failure while handling is answered 500 (GitHub can redeliver), and the redelivery records it', async () => {
        const record = app.bot.deps.changes.record.bind(app.bot.deps.changes);
        app.bot.deps.changes.record = async () => {
          throw new Error('database down (test)');
        };
        try {
          const failed = await deliver('deployment_status', deploymentStatusPayload({ deploymentId: 31 }));
          assert.equal(failed.status, 500);
          assert.match(String(failed.body.error), /redeliver/);
        } finally {
          app.bot.deps.changes.record = record;
        }
        const again = await deliver('deployment_status', deploymentStatusPayload({ deploymentId: 31 }));
        assert.equal(again.status, 202);
        assert.equal((await stored()).length, 1);
      });
    });
  });
}

describe('GitHub without a catalog, with GITHUB_ALLOWED_OWNERS', () => {
  const [database] = testDatabases();
  const env = useTestBot(database!, {
    users: [],
    env: { GITHUB_WEBHOOK_SECRET: SECRET, GITHUB_ALLOWED_OWNERS: 'Acme' },
  });
  async function deliver(event: string, payload: unknown) {
    const body = JSON.stringify(payload);
    const res = await fetch(`${env.app.url}/github/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': crypto.randomUUID(),
        'x-hub-signature-256': signGitHub(body, SECRET),
      },
      body,
    });
    await env.app.bot.idle();
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  test("an allowed owner's repository is stored under its name (meeting a free-text incident on it); another owner's is ignored, nothing stored", async () => {
    const ours = await deliver('pull_request', pullRequestClosedPayload({ merged: true, repo: 'acme/billing' }));
    assert.deepEqual([ours.status, ours.body.status], [202, 'accepted']);
    const theirs = await deliver('pull_request', pullRequestClosedPayload({ merged: true, repo: 'attacker/billing' }));
    assert.deepEqual([theirs.status, theirs.body.status], [202, 'ignored']);
    const deploy = await deliver('deployment_status', deploymentStatusPayload({ repo: 'attacker/billing' }));
    assert.deepEqual([deploy.status, deploy.body.status], [202, 'ignored']);
    const rows = await env.app.bot.db.prisma.changeEvent.findMany();
    assert.deepEqual(
      rows.map((r) => [r.service, r.serviceName]),
      [['acme/billing', 'billing']],
    );
  });
});

describe('POST /changes without CHANGE_EVENTS_TOKEN', () => {
  const [database] = testDatabases();
  const env = useTestBot(database!, { users: [] });
  test('answers 404', async () => {
    const res = await fetch(`${env.app.url}/changes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer anything-at-all-0123' },
      body: JSON.stringify({ service: 'a', summary: 'x' }),
    });
    assert.equal(res.status, 404);
    assert.equal(await env.app.bot.db.prisma.changeEvent.count(), 0);
  });
});
