// Issue 17's proof through the running bot, on both databases, with the real adapters pointed at
// local stand-ins: GitHub Issues through the GitHub App (test/support/github-standin.ts) and signed
// `issues` webhooks through POST /github/webhook. An action item added in Slack opens one issue in
// its team's repository (the catalog's Group); closing it in GitHub completes the item (timeline,
// audit); a redelivery changes nothing; reopening, reassigning and snoozing in Slack reach GitHub;
// assigning in GitHub reassigns in Slack; a GitHub outage keeps the item, tells the owner and the
// channel once, and the retry opens exactly one issue. Then the same through Jira Cloud (the adapter
// against test/support/jira-standin.ts, signed jira:issue_updated deliveries to POST /jira/webhook),
// for a private incident, whose issue carries only its references.
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import { ACTION_ITEM_ACTIONS } from '../../src/slack/ids.ts';
import { BROADCAST_CHANNEL, commandsTo, useTestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { TestClock } from '../support/deps.ts';
import { gitHubPayload, gitHubUser as ghUser, postGitHubWebhook } from '../support/github-payloads.ts';
import { startJiraStandIn, type StandInIssue } from '../support/jira-standin.ts';
import { startGitHubStandin, type GitHubStandin, type StandinIssue } from '../support/github-standin.ts';

const SECRET = 'tracker-journey-webhook-secret';
const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();

const CATALOG = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: comms
  title: Patient comms
  annotations:
    github.com/project-slug: acme/ops
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: letters
  title: Discharge letters
spec:
  type: service
  lifecycle: production
  owner: group:default/comms
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: owen
  annotations:
    github.com/user-login: owen-gh
spec:
  profile:
    email: owen@example.org
  memberOf: [comms]
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: dan
  annotations:
    github.com/user-login: dan-gh
spec:
  profile:
    email: dan@example.org
  memberOf: [comms]
`;

/** The `issues` delivery GitHub sends after `sender` changed the stand-in's issue. */
function issuesWebhook(
  issue: StandinIssue,
  action: 'closed' | 'reopened' | 'assigned',
  sender: string,
  senderType: 'User' | 'Bot' = 'User',
  at: Date = new Date(),
) {
  const assignees = issue.assignees.map((l) => ghUser(l));
  const payloadIssue = gitHubPayload('issue', {
    number: issue.number,
    html_url: `https://github.example/${issue.repo}/issues/${issue.number}`,
    title: issue.title,
    body: issue.body,
    labels: issue.labels.map((name) => ({
      id: 1,
      node_id: 'L_1',
      url: `https://api.github.com/repos/${issue.repo}/labels/${name}`,
      name,
      color: 'ededed',
      default: false,
      description: null,
    })),
    assignees,
    assignee: assignees[0] ?? null,
    user: ghUser('incident-bot[bot]', 'Bot'),
    state: issue.state,
    updated_at: at.toISOString(),
    ...(issue.state === 'closed' ? { closed_at: '2026-12-05T10:00:00Z', state_reason: 'completed' } : {}),
  });
  const [owner, name] = issue.repo.split('/') as [string, string];
  return gitHubPayload(`issues$${action}`, {
    action,
    issue: payloadIssue,
    repository: { full_name: issue.repo, name, owner: ghUser(owner) },
    sender: ghUser(sender, senderType),
    ...(action === 'assigned' ? { assignee: assignees[0] ?? ghUser('someone') } : {}),
  });
}

for (const database of testDatabases()) {
  describe(`action items in GitHub Issues, one journey (${database.name})`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-journey-'));
    fs.writeFileSync(path.join(dir, 'catalog-info.yaml'), CATALOG);
    let gh: GitHubStandin;
    before(async () => {
      gh = await startGitHubStandin();
    });
    after(async () => {
      await gh?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const clock = new TestClock();
    const env = useTestBot(database, {
      users: [
        { id: 'UKATE', name: 'kate', email: 'kate@example.org' },
        { id: 'UOWEN', name: 'owen', email: 'owen@example.org' },
        { id: 'UDAN', name: 'dan', email: 'dan@example.org' },
      ],
      clock,
      get env() {
        return {
          CATALOG_PATH: dir,
          GITHUB_WEBHOOK_SECRET: SECRET,
          GITHUB_APP_ID: '4242',
          GITHUB_APP_PRIVATE_KEY: PEM,
          GITHUB_API_URL: gh.url,
        };
      },
    });
    const command = commandsTo(env, 'r');
    let clicks = 0;
    async function click(userId: string, actionId: string, itemId: string, extra: Record<string, string> = {}) {
      const { slack, app } = env;
      const id = `c${++clicks}`;
      const res = await app.clickAction({
        userId,
        channelId: 'D0000000001',
        messageTs: '1.1',
        responseUrl: slack.responseUrl(id),
        blockId: `${ACTION_ITEM_ACTIONS.blockPrefix}${itemId}`,
        actionId,
        ...extra,
      });
      assert.equal(res.status, 200);
      await app.bot.idle();
    }
    /** Lets the sync run (it is kicked after each change in Slack; the timer is off in tests). */
    const sync = async () => {
      await env.app.bot.trackerSyncNow();
      await env.app.bot.idle();
    };
    const dmsTo = (user: string) =>
      env.slack.messages
        .filter((m) => env.slack.channels.get(m.channel)?.is_im && env.slack.channels.get(m.channel)!.members.has(user))
        .map((m) => m.text ?? '');
    const webhook = async (payload: unknown, deliveryId?: string) => {
      const res = await postGitHubWebhook(env.app.url, SECRET, 'issues', payload, deliveryId);
      await env.app.bot.idle();
      return res;
    };

    test('add in Slack → one GitHub issue → closed in GitHub → reopened, reassigned, snoozed in Slack → assigned in GitHub → outage and retry', async () => {
      const { slack, app } = env;
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['UKATE', 'UOWEN', 'UDAN'] });

      const declared = await command('declare sev3 Discharge letters delayed --service=letters', 'UKATE');
      const number = Number(/INC-(\d+)/.exec(declared)?.[1]);
      const incident = (await app.bot.deps.store.findByNumber(number)) as Incident & { channelId: string };
      assert.ok(incident?.channelId, declared);
      slack.channels.get(incident.channelId)!.members.add('UOWEN');
      slack.channels.get(incident.channelId)!.members.add('UDAN');

      // Added in Slack: one issue in the team's repository, assigned to Owen's GitHub login.
      await command('action add Alert on the letter queue depth <@UOWEN> priority:high', 'UKATE', incident.channelId);
      await sync();
      assert.equal(gh.issues.length, 1);
      const issue = gh.issues[0]!;
      assert.equal(issue.repo, 'acme/ops');
      assert.match(issue.title, /^ACT-\d+: Alert on the letter queue depth$/);
      assert.deepEqual(issue.assignees, ['owen-gh']);
      assert.ok(issue.labels.includes('incident-action'));
      assert.match(issue.body ?? '', new RegExp(`INC-${number}`));
      const [item] = await app.bot.deps.reviews.actionItemsOf(incident.id);
      assert.equal(item?.tracker?.key, `acme/ops#${issue.number}`);
      // The listing shows the issue.
      assert.match(await command('actions team', 'UOWEN'), new RegExp(`acme/ops#${issue.number}`));
      await sync();
      assert.equal(gh.issues.length, 1, 'one issue, however often the sync runs');

      // Closed in GitHub by Owen: the item is done, on the timeline and the audit trail.
      issue.state = 'closed';
      const closed = issuesWebhook(issue, 'closed', 'owen-gh');
      const first = await webhook(closed, 'delivery-closed-1');
      assert.equal(first.status, 202, JSON.stringify(first.body));
      let now = (await app.bot.deps.reviews.findActionItem(item!.id))!;
      assert.equal(now.status, 'done');
      assert.equal(now.completedBy, 'UOWEN');
      const timeline = await app.bot.deps.store.timeline(incident.id);
      assert.ok(
        timeline.some(
          (e) => e.kind === 'action_item_completed' && /in GitHub \(acme\/ops#\d+\) by owen-gh/.test(e.text),
        ),
      );
      const audit = await app.bot.deps.audit.read(incident.id);
      assert.ok(
        audit.entries.some((e) => e.action === 'action_item.update' && e.actor === 'UOWEN' && /GitHub/.test(e.via)),
      );

      // Reopened from Slack: the issue reopens. The closed delivery again changes nothing.
      await command(`action reopen ACT-${item!.number}`, 'UKATE');
      await sync();
      assert.equal((await app.bot.deps.reviews.findActionItem(item!.id))?.status, 'open');
      assert.equal(issue.state, 'open');
      assert.equal((await webhook(closed, 'delivery-closed-1')).status, 202);
      assert.equal(
        (await app.bot.deps.reviews.findActionItem(item!.id))?.status,
        'open',
        'a redelivery is applied once',
      );
      // Our own change echoed back (the bot reopened it) changes nothing either.
      assert.equal((await webhook(issuesWebhook(issue, 'reopened', 'incident-bot[bot]', 'Bot'))).status, 202);

      // Reassigned in Slack: the issue follows. Snoozed: a comment says until when.
      await click('UKATE', ACTION_ITEM_ACTIONS.reassign, item!.id, { selectedUser: 'UDAN' });
      await sync();
      assert.deepEqual(issue.assignees, ['dan-gh']);
      await click('UDAN', ACTION_ITEM_ACTIONS.snooze, item!.id, { selectedValue: '7' });
      await sync();
      assert.match(issue.comments.at(-1) ?? '', /snoozed in Slack until \d{4}-\d{2}-\d{2}/);

      // Assigned in GitHub to Owen: the item is his again, and he is told.
      issue.assignees = ['owen-gh'];
      assert.equal((await webhook(issuesWebhook(issue, 'assigned', 'dan-gh'))).status, 202);
      now = (await app.bot.deps.reviews.findActionItem(item!.id))!;
      assert.equal(now.ownerId, 'UOWEN');
      assert.ok(dmsTo('UOWEN').some((t) => /gave you action item .* in GitHub \(acme\/ops#\d+\)/.test(t)));
      const calls = gh.requests.length;
      await sync();
      assert.equal(
        gh.requests.slice(calls).filter((r) => r.method !== 'GET' && r.method !== 'POST').length,
        0,
        'what came from GitHub is not sent back',
      );

      // GitHub down: a new item is kept; the owner and the channel are told once; the retry opens one issue.
      gh.failures.set('POST /repos/acme/ops/issues', 503);
      await command('action add Runbook for the letter queue <@UDAN>', 'UKATE', incident.channelId);
      await sync();
      const failures = () =>
        slack.messages.filter((m) => /could not be opened as an issue in GitHub/.test(m.text ?? ''));
      assert.equal(failures().length, 2);
      assert.equal(failures().filter((m) => m.channel === incident.channelId).length, 1, 'the channel is told');
      assert.equal(
        dmsTo('UDAN').filter((t) => /could not be opened as an issue in GitHub/.test(t)).length,
        1,
        'the owner is told',
      );
      clock.advance(31_000);
      await sync();
      assert.equal(failures().length, 2, 'told once per outage');
      assert.equal(gh.issues.length, 1);
      gh.failures.clear();
      clock.advance(61_000);
      await sync();
      assert.equal(gh.issues.length, 2);
      assert.deepEqual(gh.issues[1]!.assignees, ['dan-gh']);
      clock.advance(3600_000);
      await sync();
      assert.equal(gh.issues.length, 2, 'never two issues for one item');

      // The audit trail holds together.
      assert.deepEqual((await app.bot.deps.audit.verify(incident.id)).problems, []);
    });
  });
}

const JIRA_SECRET = 'tracker-journey-jira-secret';
const JIRA_CATALOG = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ehr-api
  title: EHR API
  annotations:
    jira/project-key: EHR
spec:
  type: service
  lifecycle: production
  owner: group:default/clinical
`;

/** A signed `jira:issue_updated` delivery for the stand-in's issue, as Jira Cloud sends it. */
async function jiraWebhook(
  url: string,
  issue: StandInIssue,
  by: { accountId: string; displayName: string },
  items: {
    field: string;
    from: string | null;
    fromString: string | null;
    to: string | null;
    toString: string | null;
  }[],
  deliveryId: string,
) {
  const body = JSON.stringify({
    timestamp: Date.now(),
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_generic',
    user: { accountId: by.accountId, displayName: by.displayName, active: true, accountType: 'atlassian' },
    issue: {
      id: issue.id,
      self: `https://acme.atlassian.net/rest/api/2/issue/${issue.id}`,
      key: issue.key,
      fields: {
        summary: issue.fields.summary,
        project: { id: '10000', key: issue.project, name: 'EHR' },
        labels: issue.fields.labels,
        status: { name: issue.status.name, statusCategory: { id: 3, key: issue.status.category, name: 'x' } },
        assignee: issue.fields.assignee ?? null,
        duedate: issue.fields.duedate ?? null,
      },
    },
    changelog: { id: String(Date.now()), items },
  });
  const res = await fetch(`${url}/jira/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-atlassian-webhook-identifier': deliveryId,
      'x-hub-signature': `sha256=${createHmac('sha256', JIRA_SECRET).update(body).digest('hex')}`,
    },
    body,
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as unknown };
}

for (const database of testDatabases()) {
  describe(`action items in Jira, one journey (${database.name})`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-journey-jira-'));
    fs.writeFileSync(path.join(dir, 'catalog-info.yaml'), JIRA_CATALOG);
    let jira: Awaited<ReturnType<typeof startJiraStandIn>>;
    before(async () => {
      jira = await startJiraStandIn('bot@acme.org', 'ATATT3xFfGF0-journey-token');
      jira.jira.users = [
        {
          accountId: 'acc-owen',
          displayName: 'Owen',
          emailAddress: 'owen@example.org',
          active: true,
          accountType: 'atlassian',
        },
        // Dan shows his email (people who hide it are not matched: docs/trackers.md).
        {
          accountId: 'acc-dan',
          displayName: 'Dan',
          emailAddress: 'dan@example.org',
          active: true,
          accountType: 'atlassian',
        },
      ];
      jira.jira.assignable = new Set(['acc-owen', 'acc-dan']);
    });
    after(async () => {
      await jira?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const clock = new TestClock();
    const env = useTestBot(database, {
      users: [
        { id: 'UKATE', name: 'kate', email: 'kate@example.org' },
        { id: 'UOWEN', name: 'owen', email: 'owen@example.org' },
        { id: 'UDAN', name: 'dan', email: 'dan@example.org' },
      ],
      clock,
      get env() {
        return {
          CATALOG_PATH: dir,
          JIRA_BASE_URL: jira.url,
          JIRA_EMAIL: 'bot@acme.org',
          JIRA_API_TOKEN: 'ATATT3xFfGF0-journey-token',
          JIRA_WEBHOOK_SECRET: JIRA_SECRET,
        };
      },
    });
    const command = commandsTo(env, 'j');
    const sync = async () => {
      await env.app.bot.trackerSyncNow();
      await env.app.bot.idle();
    };
    const hook = async (
      issue: StandInIssue,
      by: { accountId: string; displayName: string },
      items: Parameters<typeof jiraWebhook>[3],
      deliveryId: string,
    ) => {
      const res = await jiraWebhook(env.app.url, issue, by, items, deliveryId);
      await env.app.bot.idle();
      return res;
    };

    test('add in Slack → one Jira issue → done in Jira → redelivered → reassigned in Jira → completed in Slack → outage and retry', async () => {
      const { slack, app } = env;
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['UKATE', 'UOWEN', 'UDAN'] });
      const declared = await command('declare sev2 EHR logins failing --service=ehr-api --private', 'UKATE');
      const number = Number(/INC-(\d+)/.exec(declared)?.[1]);
      const incident = (await app.bot.deps.store.findByNumber(number)) as Incident & { channelId: string };
      assert.ok(incident?.channelId, declared);
      assert.equal(incident.isPrivate, true);
      // Owen is in the private channel; Dan joins it before he is given the item in Jira.
      slack.channels.get(incident.channelId)!.members.add('UOWEN');

      await command('action add Rotate the EHR session keys <@UOWEN>', 'UKATE', incident.channelId);
      await sync();
      assert.equal(jira.jira.issues.length, 1);
      const issue = jira.jira.issues[0]!;
      assert.equal(issue.project, 'EHR');
      // A private incident: only the references reach Jira.
      assert.match(String(issue.fields.summary), new RegExp(`^ACT-\\d+: action item from INC-${number}$`));
      assert.doesNotMatch(JSON.stringify(issue.fields), /EHR logins failing|Rotate the EHR session keys|ehr-api/);
      assert.deepEqual(issue.fields.assignee, { accountId: 'acc-owen' });
      const [item] = await app.bot.deps.reviews.actionItemsOf(incident.id);
      assert.equal(item?.tracker?.key, issue.key);

      // Done in Jira by Owen: the item is done, on the timeline and the audit trail.
      issue.status = { name: 'Done', category: 'done' };
      const done = [{ field: 'status', from: '1', fromString: 'To Do', to: '3', toString: 'Done' }];
      const first = await hook(issue, { accountId: 'acc-owen', displayName: 'Owen' }, done, 'jira-delivery-1');
      assert.equal(first.status, 202, JSON.stringify(first.body));
      assert.equal((await app.bot.deps.reviews.findActionItem(item!.id))?.status, 'done');
      const timeline = await app.bot.deps.store.timeline(incident.id);
      assert.ok(timeline.some((e) => e.kind === 'action_item_completed' && /in Jira \(EHR-\d+\) by Owen/.test(e.text)));
      const audit = await app.bot.deps.audit.read(incident.id);
      assert.ok(
        audit.entries.some((e) => e.action === 'action_item.update' && e.actor === 'UOWEN' && /Jira/.test(e.via)),
      );

      // Reopened from Slack; the same delivery again changes nothing.
      await command(`action reopen ACT-${item!.number}`, 'UKATE');
      await sync();
      assert.equal(issue.status.category === 'done', false, 'reopened in Jira');
      assert.equal(
        (await hook(issue, { accountId: 'acc-owen', displayName: 'Owen' }, done, 'jira-delivery-1')).status,
        202,
      );
      assert.equal((await app.bot.deps.reviews.findActionItem(item!.id))?.status, 'open');

      // Assigned in Jira to Dan while he may not read the private incident: the owner stays.
      issue.fields.assignee = { accountId: 'acc-dan', displayName: 'Dan' };
      const assigned = [{ field: 'assignee', from: 'acc-owen', fromString: 'Owen', to: 'acc-dan', toString: 'Dan' }];
      await hook(issue, { accountId: 'acc-owen', displayName: 'Owen' }, assigned, 'jira-delivery-2');
      assert.equal((await app.bot.deps.reviews.findActionItem(item!.id))?.ownerId, 'UOWEN');
      // Once he is a member of its channel, the item follows.
      slack.channels.get(incident.channelId)!.members.add('UDAN');
      await hook(issue, { accountId: 'acc-owen', displayName: 'Owen' }, assigned, 'jira-delivery-3');
      assert.equal((await app.bot.deps.reviews.findActionItem(item!.id))?.ownerId, 'UDAN');

      // Completed in Slack by Dan: the issue moves to Done.
      await command(`action done ACT-${item!.number}`, 'UDAN');
      await sync();
      assert.equal(issue.status.category, 'done');

      // Jira down: a new item is kept, told once, and opened once when Jira is back.
      jira.jira.failures = Array.from({ length: 20 }, () => ({
        status: 503,
        body: { errorMessages: ['Service Unavailable'] },
      }));
      await command('action add Alert on EHR session errors <@UDAN>', 'UKATE', incident.channelId);
      await sync();
      const told = () => slack.messages.filter((m) => /could not be opened as an issue in Jira/.test(m.text ?? ''));
      assert.equal(told().length, 2, 'the channel and the owner');
      jira.jira.failures = [];
      clock.advance(31_000);
      await sync();
      clock.advance(3600_000);
      await sync();
      assert.equal(jira.jira.issues.length, 2, 'one issue for the new item');
      assert.equal(told().length, 2, 'told once');
      assert.deepEqual((await app.bot.deps.audit.verify(incident.id)).problems, []);
    });
  });
}
