// npm run bench:trackers (also part of npm run bench): action items in the teams' trackers at a large
// trust's size, through the running bot (real database, real routes), with an in-process tracker
// (test/support/fake-tracker.ts: no network, so the figures are the bot's own work):
//   - a backlog of BENCH_TRK_BACKLOG items already in step with their issues (default 20,000);
//   - BENCH_TRK_NEW new items (default 1,000) get their issues: the sync's items per second, and
//     the time of one pass (TRACKER_SYNC_BATCH items) p50/p99;
//   - the same items completed (one statement): the changes pushed, items per second;
//   - BENCH_TRK_HOOKS signed GitHub `issues` webhooks (default 300: reopen, close…), 10 at a time:
//     the answer time p50/p99 (each applied with its timeline and audit entries).
// On embedded PGlite, and with BENCH_DATABASE_URL also on a scratch database of that server.
// Prints a table; no targets are asserted.
import { createHmac, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createScratchDatabase } from '../src/db/scratch.ts';
import { staticCatalog } from '../src/ports/service-catalog.ts';
import { TRACKER_SYNC_BATCH, syncTrackerIssues } from '../src/services/trackers/sync-tracker-issues.ts';
import { startTestBot, type TestBot } from '../test/support/bot.ts';
import { aService, catalogOf } from '../test/support/catalog.ts';
import { FakeTracker } from '../test/support/fake-tracker.ts';
import { gitHubPayload, gitHubUser as user } from '../test/support/github-payloads.ts';
import { startSlackStandIn } from '../test/support/slack-standin.ts';

const BACKLOG = Number(process.env.BENCH_TRK_BACKLOG ?? 20_000);
const NEW = Number(process.env.BENCH_TRK_NEW ?? 1000);
const HOOKS = Number(process.env.BENCH_TRK_HOOKS ?? 300);
const SECRET = 'bench-github-webhook-secret';

const pct = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;
const rows: string[][] = [];

function issuesWebhook(issueNumber: number, action: 'closed' | 'reopened') {
  const issue = gitHubPayload('issue', {
    number: issueNumber,
    html_url: `https://github.example/acme/ops/issues/${issueNumber}`,
    title: `ACT-${issueNumber}`,
    body: 'x',
    labels: [
      {
        id: 1,
        node_id: 'L',
        url: 'https://x',
        name: 'incident-action',
        color: 'ededed',
        default: false,
        description: null,
      },
    ],
    assignees: [],
    assignee: null,
    user: user('incident-bot[bot]'),
    state: action === 'closed' ? 'closed' : 'open',
    updated_at: new Date().toISOString(),
    ...(action === 'closed' ? { closed_at: '2026-12-05T10:00:00Z', state_reason: 'completed' } : {}),
  });
  return gitHubPayload(`issues$${action}`, {
    action,
    issue,
    repository: { full_name: 'acme/ops', name: 'ops', owner: user('acme') },
    sender: user('octocat'),
  });
}

async function runOn(name: string, databaseUrl: string | null): Promise<void> {
  const slack = await startSlackStandIn({ users: [{ id: 'UALICE', name: 'alice' }] });
  slack.addChannel({ id: 'CBROADCAST', name: 'incidents' });
  const github = new FakeTracker('github');
  let app: TestBot | null = null;
  try {
    app = await startTestBot({
      slackApiUrl: slack.url,
      token: slack.token,
      databaseUrl,
      env: { GITHUB_WEBHOOK_SECRET: SECRET },
      catalog: staticCatalog(catalogOf(aService({ name: 'letters', githubProjectSlug: 'acme/ops' }))),
      trackers: { github },
    });
    await app.command('declare sev3 Bench trackers --service=letters', {
      responseUrl: slack.responseUrl('bench'),
      userId: 'UALICE',
      triggerId: randomUUID(),
    });
    await app.bot.idle();
    const prisma = app.bot.db.prisma;
    const incident = (await prisma.incident.findFirstOrThrow({ select: { id: true } })).id;
    // The backlog, in step with its issues: written straight (the audit trail is not the question).
    await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL session_replication_role = replica`);
      await tx.$executeRawUnsafe(
        `INSERT INTO action_item (id, number, incident_id, text, owner_id, due, category, priority, status, created_by, created_at)
         SELECT gen_random_uuid(), 1000000 + n, $1::uuid, 'Backlog ' || n, 'UALICE', now()::date + n % 90,
           'guardrail', 'medium', (CASE WHEN n % 3 = 0 THEN 'open' ELSE 'done' END)::"ActionStatus", 'UALICE', now()
         FROM generate_series(1, ${BACKLOG}) AS n`,
        incident,
      );
      await tx.$executeRawUnsafe(
        `INSERT INTO tracker_link (action_item_id, incident_id, state, tracker, target, issue_id, issue_key, issue_url,
           synced_status, synced_owner_id, synced_due, next_attempt_at, created_at, updated_at)
         SELECT id, incident_id, 'linked', 'github', 'acme/ops', (number + 5000000)::text, 'acme/ops#' || (number + 5000000),
           'https://github.example/acme/ops/issues/' || (number + 5000000), status::text, owner_id, due, NULL, now(), now()
         FROM action_item WHERE number > 1000000`,
      );
    });
    await prisma.$executeRawUnsafe('ANALYZE');
    // New items, added as Slack adds them (their links by the database's trigger).
    await prisma.$executeRawUnsafe(
      `INSERT INTO action_item (id, number, incident_id, text, owner_id, due, category, priority, status, created_by, created_at)
       SELECT gen_random_uuid(), 2000000 + n, $1::uuid, 'New item ' || n, 'UALICE', now()::date + 30,
         'guardrail', 'high', 'open', 'UALICE', $2
       FROM generate_series(1, ${NEW}) AS n`,
      incident,
      new Date(Date.now() - 1000),
    );
    const passes: number[] = [];
    const pass = async () => {
      const t = performance.now();
      const r = await syncTrackerIssues(app!.bot.deps);
      passes.push(performance.now() - t);
      return r.created + r.pushed + r.failed + r.none;
    };
    let started = performance.now();
    while ((await pass()) > 0) {}
    const createSeconds = (performance.now() - started) / 1000;
    if (github.issues.length !== NEW) throw new Error(`${github.issues.length} issues for ${NEW} new items`);
    rows.push([
      `sync: new items' issues (${name})`,
      `${NEW} new, ${BACKLOG} in step, ${TRACKER_SYNC_BATCH} a pass`,
      `pass p50 ${ms(pct(passes, 50))}, p99 ${ms(pct(passes, 99))}`,
      `${(NEW / createSeconds).toFixed(0)} items/s`,
    ]);

    passes.length = 0;
    await prisma.$executeRawUnsafe(
      `UPDATE action_item SET status = 'done', completed_at = now(), completed_by = 'UALICE' WHERE number > 2000000`,
    );
    const updatesBefore = github.calls.filter((c) => c.op === 'update').length;
    started = performance.now();
    while ((await pass()) > 0) {}
    const pushSeconds = (performance.now() - started) / 1000;
    const pushed = github.calls.filter((c) => c.op === 'update').length - updatesBefore;
    if (pushed !== NEW) throw new Error(`${pushed} updates for ${NEW} completed items`);
    rows.push([
      `sync: completions pushed (${name})`,
      `${NEW} completed in one statement`,
      `pass p50 ${ms(pct(passes, 50))}, p99 ${ms(pct(passes, 99))}`,
      `${(NEW / pushSeconds).toFixed(0)} items/s`,
    ]);

    // Webhooks: the new items' issues reopened and closed again in GitHub, 10 at a time.
    const numbers = github.issues.map((i) => Number(i.issue.id));
    const times: number[] = [];
    let next = 0;
    started = performance.now();
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < HOOKS) {
          const i = next++;
          const body = JSON.stringify(
            issuesWebhook(numbers[i % numbers.length]!, i < numbers.length ? 'reopened' : 'closed'),
          );
          const t = performance.now();
          const res = await fetch(`${app!.url}/github/webhook`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-github-event': 'issues',
              'x-github-delivery': randomUUID(),
              'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
            },
            body,
          });
          const answer = (await res.json()) as { status?: string };
          if (res.status !== 202 || answer.status !== 'accepted')
            throw new Error(`webhook answered ${res.status} ${JSON.stringify(answer)}`);
          times.push(performance.now() - t);
        }
      }),
    );
    const hookSeconds = (performance.now() - started) / 1000;
    rows.push([
      `GitHub issues webhook applied (${name})`,
      `${HOOKS} signed deliveries, 10 at a time`,
      `p50 ${ms(pct(times, 50))}, p99 ${ms(pct(times, 99))}`,
      `${(HOOKS / hookSeconds).toFixed(0)} webhooks/s`,
    ]);
  } finally {
    await app?.stop();
    await slack.close();
  }
}

await runOn('embedded', null);
if (process.env.BENCH_DATABASE_URL) {
  const scratch = await createScratchDatabase(process.env.BENCH_DATABASE_URL, 'incident_bot_bench_trk');
  try {
    await runOn('PostgreSQL', scratch.url);
  } finally {
    await scratch.drop();
  }
}
const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
process.exit(0);
