// npm run bench:ownership (also part of npm run bench): the service catalog, change events and the
// freeze at a large trust's size, through the running bot (real HTTP routes, real database):
//   - reading a catalog folder of BENCH_OWN_SERVICES components (default 2,000) with their groups
//     and users, validated with @backstage/catalog-model: time and heap growth;
//   - POST /changes: BENCH_OWN_CHANGES changes (default 2,000), 20 at a time: changes per second,
//     and the answer time p50/p99;
//   - a signed GitHub deployment_status webhook: p50/p99 of 200 (both with no freeze in force);
//   - then, with 20 freezes in force (one SEV1 and manual ones): GET /api/freeze, p50/p99 of
//     BENCH_OWN_CHECKS checks (default 1,000), 20 at a time; and BENCH_OWN_FLAGGED changes (200)
//     posted during them, each flagged on the freezing incidents' timelines.
// On embedded PGlite, and with BENCH_DATABASE_URL also on a scratch database of that server. The
// requests come from this process (node:http keep-alive off), so the figures include the client's
// share of the two cores. Prints a table; no targets are asserted.
import { createHmac, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { readCatalogPath } from '../src/catalog/file-source.ts';
import { createScratchDatabase } from '../src/db/scratch.ts';
import { startTestBot, type TestBot } from '../test/support/bot.ts';
import { startSlackStandIn } from '../test/support/slack-standin.ts';

const SERVICES = Number(process.env.BENCH_OWN_SERVICES ?? 2000);
const CHANGES = Number(process.env.BENCH_OWN_CHANGES ?? 2000);
const CHECKS = Number(process.env.BENCH_OWN_CHECKS ?? 1000);
const CONC = 20;
const FLAGGED = Number(process.env.BENCH_OWN_FLAGGED ?? 200);
const TOKEN = 'bench-change-events-token-0123456789';
const SECRET = 'bench-github-webhook-secret';

const pct = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

/** A catalog folder: one file per team of 20 services, each with a group and two users. */
function writeCatalog(dir: string): void {
  const teams = Math.ceil(SERVICES / 20);
  for (let t = 0; t < teams; t++) {
    const docs: string[] = [
      `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-${t}
  title: Team ${t}
  annotations:
    slack.com/channel: "#team-${t}"
spec:
  type: team
  children: []`,
      `apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: system-${t}
spec:
  owner: group:default/team-${t}`,
    ];
    for (let u = 0; u < 2; u++) {
      docs.push(`apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: person-${t}-${u}
spec:
  profile:
    email: person-${t}-${u}@example.org
  memberOf: [team-${t}]`);
    }
    for (let s = t * 20; s < Math.min(SERVICES, (t + 1) * 20); s++) {
      docs.push(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: service-${s}
  title: Service ${s}
  annotations:
    pagerduty.com/service-id: PSV${String(s).padStart(5, '0')}
    incident-bot/clinical-criticality: ${s % 3 === 0 ? 'patient-facing' : 'none'}
    github.com/project-slug: acme/service-${s}
  links:
    - url: https://runbooks.example.org/service-${s}
      title: Runbook
      type: runbook
    - url: https://grafana.example.org/d/service-${s}
      title: Dashboard
      type: dashboard
spec:
  type: service
  lifecycle: production
  owner: group:default/team-${t}
  system: system-${t}`);
    }
    fs.writeFileSync(path.join(dir, `team-${t}.yaml`), `${docs.join('\n---\n')}\n`);
  }
}

async function timed<T>(
  n: number,
  conc: number,
  one: (i: number) => Promise<T>,
): Promise<{ times: number[]; seconds: number }> {
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: conc }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        const t = performance.now();
        await one(i);
        times.push(performance.now() - t);
      }
    }),
  );
  return { times, seconds: (performance.now() - started) / 1000 };
}

async function expectStatus(res: Response, ...statuses: number[]): Promise<number> {
  const body = await res.text();
  if (!statuses.includes(res.status)) throw new Error(`answered ${res.status}: ${body.slice(0, 300)}`);
  return res.status;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-catalog-'));
writeCatalog(dir);
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const readStarted = performance.now();
const contents = await readCatalogPath(dir);
const readMs = performance.now() - readStarted;
const heapGrowth = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
if (contents.problems.length)
  throw new Error(`the bench catalog has problems: ${JSON.stringify(contents.problems.slice(0, 3))}`);
const rows: string[][] = [
  [
    'catalog read (folder)',
    `${contents.services.length} services, ${contents.groups.length} groups, ${contents.users.length} users`,
    ms(readMs),
    `heap +${heapGrowth.toFixed(0)} MB`,
  ],
];

async function runOn(name: string, databaseUrl: string | null): Promise<void> {
  const slack = await startSlackStandIn({ users: [{ id: 'UALICE', name: 'alice' }] });
  slack.addChannel({ id: 'CBROADCAST', name: 'incidents' });
  let app: TestBot | null = null;
  try {
    app = await startTestBot({
      slackApiUrl: slack.url,
      token: slack.token,
      databaseUrl,
      env: { CATALOG_PATH: dir, CHANGE_EVENTS_TOKEN: TOKEN, GITHUB_WEBHOOK_SECRET: SECRET },
    });
    const url = app.url;
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const now = Date.now();
    const post = await timed(CHANGES, CONC, async (i) => {
      const res = await fetch(`${url}/changes`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          id: `bench-${i}`,
          service: `service-${(i * 7919) % SERVICES}`,
          summary: `Deploy ${i}`,
          version: `v1.${i}`,
          author: 'bench',
          approvers: ['reviewer'],
          occurred_at: new Date(now - (CHANGES - i) * 1000).toISOString(),
        }),
      });
      await expectStatus(res, 201);
    });
    rows.push([
      `POST /changes, no freeze (${name})`,
      `${CHANGES} changes, ${CONC} at a time`,
      `p50 ${ms(pct(post.times, 50))}, p99 ${ms(pct(post.times, 99))}`,
      `${(CHANGES / post.seconds).toFixed(0)} changes/s`,
    ]);

    const hook = await timed(200, 10, async (i) => {
      const body = JSON.stringify(deploymentStatus(i));
      const res = await fetch(`${url}/github/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'deployment_status',
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
        },
        body,
      });
      await expectStatus(res, 200, 201, 202);
    });
    await app.bot.idle();
    rows.push([
      `GitHub deployment_status, no freeze (${name})`,
      '200 signed webhooks, 10 at a time',
      `p50 ${ms(pct(hook.times, 50))}, p99 ${ms(pct(hook.times, 99))}`,
      `${(200 / hook.seconds).toFixed(0)} webhooks/s`,
    ]);
    // Freezes in force: a SEV1 (every service) and 19 manual ones, declared and frozen through Slack.
    await app.command('declare sev1 Bench SEV1 freeze --service=service-0', {
      responseUrl: slack.responseUrl('bench'),
      userId: 'UALICE',
      triggerId: randomUUID(),
    });
    await app.bot.idle();
    for (let f = 1; f < 20; f++) {
      await app.command(`declare sev3 Bench freeze ${f} --service=service-${f}`, {
        responseUrl: slack.responseUrl('bench'),
        userId: 'UALICE',
        triggerId: randomUUID(),
      });
    }
    await app.bot.idle();
    const incidents = await app.bot.db.prisma.incident.findMany({
      where: { severity: 'SEV3' },
      select: { channelId: true },
    });
    for (const [f, i] of incidents.entries()) {
      await app.command(`freeze on service-${f + 1} Bench freeze`, {
        responseUrl: slack.responseUrl('bench'),
        userId: 'UALICE',
        channelId: i.channelId!,
      });
    }
    await app.bot.idle();

    let frozen = 0;
    const check = await timed(CHECKS, CONC, async (i) => {
      const res = await fetch(`${url}/api/freeze?service=service-${(i * 31) % SERVICES}`, { headers: auth });
      if ((await expectStatus(res, 200, 423)) === 423) frozen++;
    });
    // The SEV1 freezes every service: each check must say frozen.
    if (frozen !== CHECKS) throw new Error(`only ${frozen} of ${CHECKS} checks answered 423 under a SEV1 freeze`);
    rows.push([
      `GET /api/freeze (${name})`,
      `${CHECKS} checks, 20 freezes in force`,
      `p50 ${ms(pct(check.times, 50))}, p99 ${ms(pct(check.times, 99))}`,
      `${(CHECKS / check.seconds).toFixed(0)} checks/s`,
    ]);

    // Changes that land during the freezes: each is flagged on the freezing incidents' timelines
    // (the SEV1 freezes every service) and its channels are told.
    const during = await timed(FLAGGED, CONC, async (i) => {
      const res = await fetch(`${url}/changes`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          id: `bench-frozen-${i}`,
          service: `service-${(i * 13) % SERVICES}`,
          summary: `Deploy during the freeze ${i}`,
          environment: 'production',
        }),
      });
      await expectStatus(res, 201);
    });
    await app.bot.idle();
    rows.push([
      `POST /changes, flagged (${name})`,
      `${FLAGGED} changes during the freezes, ${CONC} at a time`,
      `p50 ${ms(pct(during.times, 50))}, p99 ${ms(pct(during.times, 99))}`,
      `${(FLAGGED / during.seconds).toFixed(0)} changes/s`,
    ]);
  } finally {
    await app?.stop();
    await slack.close();
  }
}

/** A deployment_status (success) payload shaped like GitHub's example (test/fixtures/github/). */
function deploymentStatus(i: number) {
  const example = JSON.parse(
    fs.readFileSync(
      new URL('../test/fixtures/github/deployment_status.with-installation.payload.json', import.meta.url),
      'utf8',
    ),
  );
  example.deployment.id = 900000 + i;
  example.deployment_status.id = 800000 + i;
  example.deployment_status.state = 'success';
  example.repository.full_name = `acme/service-${i % SERVICES}`;
  example.repository.name = `service-${i % SERVICES}`;
  example.repository.owner.login = 'acme';
  return example;
}

await runOn('embedded', null);
if (process.env.BENCH_DATABASE_URL) {
  const scratch = await createScratchDatabase(process.env.BENCH_DATABASE_URL, 'incident_bot_bench_own');
  try {
    await runOn('PostgreSQL', scratch.url);
  } finally {
    await scratch.drop();
  }
}
fs.rmSync(dir, { recursive: true, force: true });

const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
process.exit(0);
