// npm run screenshots (test/browser/take-screenshots.ts; not a test file, and not part of the image): the README's pictures of the web view (docs/screenshots/*.png), taken in
// Debian's Chromium from the real bot on a scratch PostgreSQL database (SCRATCH_DATABASE_URL,
// default the local server) seeded like the scale bench, smaller: 600 incidents over about five
// weeks, their timelines and action items. Signed in as UALICE (a seeded person) with a session made
// directly, as the page tests do. Development only: needs the local server and /usr/bin/chromium.
import '../../src/wasm-baseline.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { createScratchDatabase } from '../../src/db/scratch.ts';
import { seedScale } from '../../bench/scale-seed.ts';
import { startTestBot } from '../support/bot.ts';
import { startSlackStandIn } from '../support/slack-standin.ts';
import { serverTemplate } from '../support/templates.ts';
import { freePort, sessionCookie, webSettings } from '../support/web.ts';
import { CHROMIUM_PATH } from '../support/browser.ts';
import type { OnCallHistory } from '../../src/ports/on-call-history.ts';

const HOUR = 3600_000;
/** PagerDuty's history for the on-call page: six people on a weekly rotation, paged now and then. */
const history: OnCallHistory = {
  findScope: async () => null,
  fetchWindow: async (_scope, since, until) => {
    const names = ['Amira Haddad', 'Bartosz Łukasz', 'Chloé Dubois', 'Dev Patel', 'Eilidh Ross', 'Femi Adeyemi'];
    const people = names.map((name, i) => ({
      id: `P${i}`,
      name,
      email: `p${i}@example.org`,
      timeZone: 'Europe/London',
    }));
    const stretches = [];
    const pages = [];
    // Days counted from the epoch, so that the windows the report asks for agree with each other.
    const firstDay = Math.floor(since.getTime() / (24 * HOUR));
    for (let day = firstDay; day * 24 * HOUR < until.getTime(); day++) {
      const t = Math.max(day * 24 * HOUR, since.getTime());
      const userId = `P${Math.floor(day / 7) % names.length}`;
      const end = new Date(Math.min((day + 1) * 24 * HOUR, until.getTime()));
      stretches.push({ userId, scheduleId: 'S1', escalationPolicyId: null, level: 1, start: new Date(t), end });
      // A few pages a day, more for some people, some at night.
      const count = ((day * 7) % 5) + (userId === 'P1' ? 3 : 0);
      for (let p = 0; p < count; p++) {
        const at = new Date(day * 24 * HOUR + ((p * 7 + day * 5) % 24) * HOUR);
        if (at >= since && at < until)
          pages.push({
            id: `L${day}-${p}`,
            incidentId: `Q${day}-${p}`,
            userId,
            at,
            kind: 'assigned' as const,
            serviceId: null,
          });
      }
    }
    return { people, stretches, pages };
  },
};

const FIRST = ['Amira', 'Bartosz', 'Chloé', 'Dev', 'Eilidh', 'Femi', 'Gráinne', 'Hiroshi', 'Ines', 'Jonas'];
const LAST = [
  'Haddad',
  'Łukasz',
  'Dubois',
  'Patel',
  'Ross',
  'Adeyemi',
  'Ní Bhriain',
  'Sato',
  'García',
  'Berg',
  'Okafor',
];
const OUT = path.resolve(import.meta.dirname, '../../docs/screenshots');
const server = process.env.SCRATCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const db = await createScratchDatabase(server, 'incident_bot_shots', { template: await serverTemplate(server) });
const slack = await startSlackStandIn({
  users: [
    { id: 'UALICE', name: 'alice', real_name: 'Alice Łukasz', tz: 'Europe/London' },
    // The seeded people (USEED00–49) with names, as Slack would give them.
    ...Array.from({ length: 50 }, (_, k) => ({
      id: `USEED${String(k).padStart(2, '0')}`,
      name: `person${k}`,
      real_name: `${FIRST[k % FIRST.length]} ${LAST[(k * 7) % LAST.length]}`,
      tz: 'Europe/London',
    })),
  ],
});
let app: Awaited<ReturnType<typeof startTestBot>> | undefined;
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic'],
});
try {
  const seeded = await seedScale(db.url, {
    incidents: 600,
    timelineEntries: 6_000,
    bigTimeline: 300,
    actionItems: 900,
  });
  console.log(`seeded ${seeded.counts.incidents} incidents in ${Math.round(seeded.ms)} ms`);
  const port = await freePort();
  app = await startTestBot({
    slackApiUrl: slack.url,
    token: slack.token,
    databaseUrl: db.url,
    history,
    env: { ...webSettings(port), ONCALL_LEADS: 'UALICE' },
  });
  const base = `http://127.0.0.1:${port}`;
  const [name, value] = (await sessionCookie(app, { userId: 'UALICE', name: 'Alice Łukasz' })).split('=') as [
    string,
    string,
  ];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  await context.addCookies([{ name, value, url: base }]);
  const page = await context.newPage();
  fs.mkdirSync(OUT, { recursive: true });
  const shots: [string, string][] = [
    ['register', '/web/incidents'],
    ['incident', `/web/incidents/INC-${seeded.counts.incidents - 3}`],
    ['insights', '/web/insights'],
    ['on-call', '/web/on-call'],
    ['backlog', '/web/backlog'],
    ['evidence', '/web/evidence'],
  ];
  for (const [file, url] of shots) {
    const res = await page.goto(`${base}${url}`);
    if (res?.status() !== 200) throw new Error(`${url} answered ${res?.status()}`);
    await page.screenshot({ path: path.join(OUT, `${file}.png`), fullPage: false });
    console.log(`docs/screenshots/${file}.png`);
  }
} finally {
  await browser.close();
  await app?.stop();
  await slack.close();
  await db.drop();
}
