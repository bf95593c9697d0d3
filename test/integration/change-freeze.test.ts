// Change freezes end to end through the running bot, on both databases: the commander freezes a
// service with a signed slash command, GET /api/freeze answers 423 for it (200 for another), a signed
// deployment_protection_rule webhook is rejected through the code host, an override lets exactly one
// deployment through, and the timeline and the audit trail show the override, who approved it and
// the deployment it let through. A SEV1 freezes every service; a non-commander is refused; a bad
// token gets 401 and a bad query 400.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import { EMPTY_CATALOG } from '../../src/domain/catalog.ts';
import type { Incident } from '../../src/domain/incident.ts';
import { staticCatalog } from '../../src/ports/service-catalog.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { gitHubPayload, postGitHubWebhook } from '../support/github-payloads.ts';
import { RecordingCodeHost } from '../support/recording-code-host.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';

const USERS = ['UALICE', 'UBOB'];
const TOKEN = 'change-events-token-0123456789';
const SECRET = 'github-webhook-secret-123';

function protectionRule(deploymentId: number, repository = 'acme/ehr-api', environment = 'production') {
  return gitHubPayload('deployment_protection_rule$requested', {
    action: 'requested',
    environment,
    event: 'deployment',
    deployment_callback_url: `https://api.github.com/repos/${repository}/actions/runs/${deploymentId}/deployment_protection_rule`,
    deployment: {
      id: deploymentId,
      sha: 'abc123',
      ref: 'main',
      environment,
      creator: { login: 'octocat' },
    },
    repository: { full_name: repository, name: repository.split('/')[1] },
    installation: { id: 42 },
  });
}

for (const database of testDatabases()) {
  describe(`change freeze end to end (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    let seq = 0;
    const codeHost = new RecordingCodeHost();
    const env = useTestBot(database, {
      users: USERS.map((id) => ({ id, name: id.slice(1).toLowerCase(), tz: 'Europe/London' })),
      env: { CHANGE_EVENTS_TOKEN: TOKEN, GITHUB_WEBHOOK_SECRET: SECRET },
      codeHost,
    });
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: USERS });
    });

    async function run(text: string, user: string, channelId: string) {
      const id = `r${++seq}`;
      const res = await app.command(text, { responseUrl: slack.responseUrl(id), userId: user, channelId });
      assert.equal(res.status, 200);
      await app.bot.idle();
      const responses = slack.responses.filter((r) => r.id === id);
      for (const r of responses) assert.equal(r.body.response_type, 'ephemeral', 'told privately');
      return {
        ack: res.json() as { text?: string; response_type?: string } | undefined,
        told: responses.map((r) => String(r.body.text)),
      };
    }
    async function declare(text: string): Promise<Incident> {
      const { told } = await run(`declare ${text}`, 'UALICE', 'CGENERAL');
      const n = Number(/INC-(\d+)/.exec(told.join(' '))?.[1]);
      const incident = await app.bot.deps.store.findByNumber(n);
      assert.ok(incident?.provisionedAt, `declared: ${told.join(' ')}`);
      for (const u of USERS) slack.channels.get(incident.channelId!)!.members.add(u);
      return incident;
    }
    async function freezeApi(query: string, token: string | null = TOKEN) {
      const res = await fetch(`${app.url}/api/freeze${query}`, {
        headers: token === null ? {} : { authorization: `Bearer ${token}` },
      });
      return {
        status: res.status,
        cache: res.headers.get('cache-control'),
        body: (await res.json()) as Record<string, unknown>,
      };
    }
    async function webhook(payload: unknown, deliveryId?: string) {
      const before = codeHost.reviews.length;
      const res = await postGitHubWebhook(app.url, SECRET, 'deployment_protection_rule', payload, deliveryId);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      await app.bot.idle();
      assert.equal(codeHost.reviews.length, before + 1, 'GitHub was answered once');
      return codeHost.reviews.at(-1)!;
    }
    const postedIn = (channel: string) =>
      slack.messages.filter((m) => m.channel === channel && !m.ephemeralTo).map((m) => m.text ?? '');

    test('a freeze answers 423, the protection rule rejects, an override lets exactly one deployment through, on the timeline and the audit trail', async () => {
      const incident = await declare('sev2 EHR API database failover');
      const channel = incident.channelId!;
      const ref = `INC-${incident.number}`;

      // Only the commander (here the declarer) may freeze: anyone else is told privately, nothing changes.
      const refused = await run('freeze on ehr-api DB failover in progress', 'UBOB', channel);
      assert.equal(refused.told.length, 1);
      assert.match(refused.told[0]!, /Only the declarer .*<@UALICE>, can freeze changes/);
      assert.equal((await freezeApi('?service=ehr-api')).status, 200);

      const started = await run('freeze on ehr-api DB failover in progress', 'UALICE', channel);
      assert.deepEqual(started.told, []);
      assert.ok(postedIn(channel).some((t) => /<@UALICE> froze changes to \*ehr-api\*/.test(t)));
      assert.ok(postedIn(BROADCAST_CHANNEL).some((t) => /froze changes to \*ehr-api\*/.test(t)));

      const frozen = await freezeApi('?service=ehr-api');
      assert.equal(frozen.status, 423);
      assert.equal(frozen.cache, 'no-store');
      assert.equal(frozen.body.frozen, true);
      assert.equal(frozen.body.service, 'ehr-api');
      assert.equal(frozen.body.incident, ref);
      assert.equal(frozen.body.reason, 'DB failover in progress');
      assert.deepEqual(
        (frozen.body.freezes as { incident: string; scope: string; kind: string }[]).map((f) => [
          f.incident,
          f.scope,
          f.kind,
        ]),
        [[ref, 'ehr-api', 'manual']],
      );
      const other = await freezeApi('?service=billing');
      assert.equal(other.status, 200);
      assert.deepEqual(other.body, { frozen: false, service: 'billing' });

      // The protection rule: rejected through the callback URL, and held on the timeline.
      const rejected = await webhook(protectionRule(1001));
      assert.equal(rejected.state, 'rejected');
      assert.equal(rejected.installationId, 42);
      assert.equal(rejected.environment, 'production');
      assert.match(rejected.callbackUrl, /\/runs\/1001\/deployment_protection_rule$/);
      assert.equal(
        rejected.comment,
        `Change freeze on ehr-api by ${ref} (see the incident channel). Ask its commander for \`/incident freeze override ehr-api <reason>\`.`,
      );
      assert.ok(postedIn(channel).some((t) => /A deployment of \*ehr-api\* was held by the change freeze/.test(t)));

      // A non-commander cannot override; the commander can, once.
      const noOverride = await run('freeze override ehr-api hotfix', 'UBOB', channel);
      assert.match(noOverride.told[0]!, /can let a deployment through the freeze/);
      await run('freeze override ehr-api Hotfix for the failover script', 'UALICE', channel);
      assert.ok(postedIn(channel).some((t) => /<@UALICE> let \*one\* deployment of \*ehr-api\* through/.test(t)));
      // GET is safe: it says an override waits, and uses nothing.
      const withOverride = await freezeApi('?service=ehr-api');
      assert.equal(withOverride.status, 200);
      assert.deepEqual(withOverride.body.override, { incident: ref, reason: 'Hotfix for the failover script' });
      assert.equal((await freezeApi('?service=ehr-api')).status, 200, 'still there after a GET');

      const approved = await webhook(protectionRule(1002), 'delivery-1002');
      assert.equal(approved.state, 'approved');
      assert.equal(
        approved.comment,
        `Change freeze on ehr-api: let through by an override from ${ref} (see the incident channel).`,
      );
      // GitHub redelivers the same webhook: approved again, no second override used (there is none anyway).
      assert.equal((await webhook(protectionRule(1002), 'delivery-1002-again')).state, 'approved');
      assert.equal((await webhook(protectionRule(1003))).state, 'rejected', 'the next deployment is held again');
      assert.equal((await freezeApi('?service=ehr-api')).status, 423);

      // The timeline: the override, who approved it, and the deployment it let through.
      const timeline = await app.bot.deps.store.timeline(incident.id);
      const freezeEntries = timeline.filter((e) => e.kind.startsWith('freeze'));
      assert.deepEqual(
        freezeEntries.map((e) => e.kind),
        [
          'freeze_started',
          'freeze_deployment_rejected',
          'freeze_override',
          'freeze_override_used',
          'freeze_deployment_rejected',
        ],
      );
      const override = freezeEntries.find((e) => e.kind === 'freeze_override')!;
      assert.equal(override.actorId, 'UALICE');
      assert.match(override.text, /Override approved by <@UALICE>: one deployment of ehr-api/);
      const used = freezeEntries.find((e) => e.kind === 'freeze_override_used')!;
      assert.match(
        used.text,
        /github deployment 1002 \(acme\/ehr-api, production\) by octocat went through the freeze on ehr-api, as <@UALICE> approved: Hotfix for the failover script/,
      );

      // The audit trail: the freeze, the override and its use, with who and through what; intact.
      const trail = await app.bot.deps.audit.read(incident.id);
      assert.deepEqual(trail.problems, []);
      const audited = trail.entries.filter((e) => /^(change_freeze|freeze_override)\./.test(e.action));
      assert.deepEqual(
        audited.map((e) => [e.action, e.actor, e.via]),
        [
          ['change_freeze.insert', 'UALICE', '/incident freeze'],
          ['freeze_override.insert', 'UALICE', '/incident freeze'],
          ['freeze_override.update', 'github', 'webhook deployment_protection_rule'],
        ],
      );
      assert.equal(audited[1]!.after?.approved_by, 'UALICE');
      assert.equal(audited[2]!.after?.used_by, 'github deployment 1002 (acme/ehr-api, production)');
      assert.ok(
        trail.entries.some(
          (e) =>
            e.action === 'timeline_entry.insert' && e.after?.kind === 'freeze_override_used' && e.actor === 'github',
        ),
      );

      // The pipeline reports the deployment the override let through (github_deployment_id): the same
      // override, no second one used, not flagged; GitHub's own report of it is the same change.
      const report = async (deploymentId: number) => {
        const res = await fetch(`${app.url}/changes`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ service: 'ehr-api', summary: 'Hotfix deploy', github_deployment_id: deploymentId }),
        });
        await app.bot.idle();
        return { status: res.status, body: (await res.json()) as Record<string, any> };
      };
      const reported = await report(1002);
      assert.equal(reported.status, 201);
      assert.equal(reported.body.flagged, false);
      const row = await app.bot.db.prisma.changeEvent.findUniqueOrThrow({ where: { id: reported.body.id } });
      assert.equal(row.sourceKey, 'github:deployment_status:1002');
      const usedOverride = await app.bot.db.prisma.freezeOverride.findFirstOrThrow({
        where: { usedBy: { startsWith: 'github deployment 1002' } },
      });
      assert.equal(row.overrideId, usedOverride.id, 'let through by the override the protection rule used');
      // The held deployment 1003, reported anyway: flagged.
      assert.equal((await report(1003)).body.flagged, true);

      // `/incident freeze` shows it; the commander lifts it; the API answers 200 again.
      const shown = await run('freeze', 'UBOB', channel);
      assert.match(shown.told[0]!, /\*ehr-api\*: DB failover in progress/);
      await run('freeze off', 'UALICE', channel);
      assert.equal((await freezeApi('?service=ehr-api')).status, 200);
      assert.equal((await webhook(protectionRule(1004))).state, 'approved');
    });

    test('a SEV1 freezes every service; resolving it lifts the freeze', async () => {
      const incident = await declare('sev1 Whole EHR down');
      for (const service of ['ehr-api', 'billing', 'anything']) {
        const res = await freezeApi(`?service=${service}`);
        assert.equal(res.status, 423, service);
        assert.equal(res.body.incident, `INC-${incident.number}`);
        assert.match(String(res.body.reason), /^SEV1 INC-\d+ is in progress: Whole EHR down$/);
      }
      assert.equal((await webhook(protectionRule(2001, 'acme/billing'))).state, 'rejected');
      // A staging deployment is not held (FREEZE_ENVIRONMENTS defaults to production).
      const staging = await webhook(protectionRule(2002, 'acme/billing', 'staging'));
      assert.equal(staging.state, 'approved');
      assert.equal(staging.comment, 'The change freeze does not apply to the staging environment.');
      // A manual freeze too; resolving ends it on the record and says so where it was announced.
      await run('freeze on lab-api Lab results wrong', 'UALICE', incident.channelId!);
      await run('resolve fixed', 'UALICE', incident.channelId!);
      assert.equal((await freezeApi('?service=billing')).status, 200);
      assert.equal((await freezeApi('?service=lab-api')).status, 200);
      const ended = new RegExp(
        `change freeze of \\*INC-${incident.number}\\* on \\*lab-api\\* ended: the incident was resolved by <@UALICE>`,
      );
      assert.ok(
        postedIn(BROADCAST_CHANNEL).some((t) => ended.test(t)),
        postedIn(BROADCAST_CHANNEL).join('\n'),
      );
      assert.ok(postedIn(incident.channelId!).some((t) => ended.test(t)));
      const timeline = await app.bot.deps.store.timeline(incident.id);
      assert.equal(timeline.filter((e) => e.kind === 'freeze_ended' && e.actorId === 'UALICE').length, 1);
    });

    test("a private incident's freeze gives its reference and a generic reason, never its title", async () => {
      const incident = await declare('sev2 Ward 7 records exposed --private');
      await run('freeze on lab-api Ward 7 patient data', 'UALICE', incident.channelId!);
      const res = await freezeApi('?service=lab-api');
      assert.equal(res.status, 423);
      assert.equal(res.body.incident, `INC-${incident.number}`);
      assert.ok(!JSON.stringify(res.body).includes('Ward 7'), JSON.stringify(res.body));
      assert.ok(!postedIn(BROADCAST_CHANNEL).some((t) => t.includes('lab-api')), 'no broadcast');
      await run('freeze off all', 'UALICE', incident.channelId!);
    });

    test('GET /api/freeze: 401 without the right token, 400 for a bad query naming the problem, only GET', async () => {
      for (const token of [null, 'wrong-token-0123456789', `${TOKEN}x`, '']) {
        const res = await freezeApi('?service=ehr-api', token);
        assert.equal(res.status, 401, String(token));
      }
      const basic = await fetch(`${app.url}/api/freeze?service=ehr-api`, {
        headers: { authorization: `Basic ${TOKEN}` },
      });
      assert.equal(basic.status, 401);
      for (const [query, problem] of [
        ['', /service is required/],
        ['?service=', /service is required/],
        ['?service=%20%20', /service is required/],
        [`?service=${'a'.repeat(201)}`, /at most 200/],
        ['?service=a&service=b', /more than once/],
        ['?service=ehr-api&deploy=1&x=2', /unknown query parameters: deploy, x/],
        ['?service=ehr%00api', /control characters/],
      ] as const) {
        const res = await freezeApi(query);
        assert.equal(res.status, 400, query);
        assert.match(String(res.body.error), problem, query);
      }
      const post = await fetch(`${app.url}/api/freeze?service=ehr-api`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.notEqual(post.status, 200);
    });
  });

  // Backstage down when the bot started: the catalog is configured but not read, so services are
  // taken as typed everywhere, and a repository is its name (its owner allowed), as without one.
  describe(`change freeze with a catalog not read yet (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    const codeHost = new RecordingCodeHost();
    const env = useTestBot(database, {
      users: USERS.map((id) => ({ id, name: id.slice(1).toLowerCase(), tz: 'Europe/London' })),
      env: { CHANGE_EVENTS_TOKEN: TOKEN, GITHUB_WEBHOOK_SECRET: SECRET },
      codeHost,
      catalog: staticCatalog({ ...EMPTY_CATALOG, source: 'backstage', loadedAt: null }),
    });
    before(() => ({ slack, app } = env));

    test('a freeze on ehr-api rejects the protection rule for acme/ehr-api, and GET /api/freeze?service=acme/ehr-api is 423', async () => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: USERS });
      await app.command('declare sev2 EHR API database failover --service=ehr-api', {
        responseUrl: slack.responseUrl('d'),
        userId: 'UALICE',
        channelId: 'CGENERAL',
      });
      await app.bot.idle();
      const n = Number(/INC-(\d+)/.exec(slack.responses.map((r) => String(r.body.text)).join(' '))?.[1]);
      const incident = await app.bot.deps.store.findByNumber(n);
      assert.ok(incident?.channelId);
      const res = await app.command('freeze on ehr-api DB failover in progress', {
        responseUrl: slack.responseUrl('f'),
        userId: 'UALICE',
        channelId: incident.channelId,
      });
      assert.equal(res.status, 200);
      await app.bot.idle();
      assert.deepEqual(
        (await app.bot.deps.freezes.ofIncident(incident.id)).freezes.map((f) => f.scope),
        ['ehr-api'],
      );

      const get = await fetch(`${app.url}/api/freeze?service=acme/ehr-api`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(get.status, 423);
      const body = (await get.json()) as { service: string; incident: string };
      assert.equal(body.service, 'ehr-api');
      assert.equal(body.incident, `INC-${incident.number}`);

      const posted = await postGitHubWebhook(app.url, SECRET, 'deployment_protection_rule', protectionRule(7001));
      assert.equal(posted.status, 202);
      await app.bot.idle();
      const review = codeHost.reviews.at(-1)!;
      assert.equal(review.state, 'rejected');
      assert.match(review.comment, new RegExp(`^Change freeze on ehr-api by INC-${incident.number}`));
      const held = (await app.bot.deps.store.timeline(incident.id)).filter(
        (e) => e.kind === 'freeze_deployment_rejected',
      );
      assert.equal(held.length, 1);
    });
  });
}
