// npm run screenshots: the README's pictures of the web view (docs/screenshots/*.png), taken in
// Debian's Chromium from the real bot on a scratch PostgreSQL database (SCRATCH_DATABASE_URL,
// default the local server) seeded like the scale bench, smaller: 600 incidents over about five
// weeks, their timelines and action items. Signed in as UALICE (a seeded person) with a session made
// directly, as the page tests do. Development only: needs the local server and /usr/bin/chromium.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { createScratchDatabase } from '../src/db/scratch.ts';
import { seedScale } from '../bench/scale-seed.ts';
import { startTestBot } from '../test/support/bot.ts';
import { startSlackStandIn } from '../test/support/slack-standin.ts';
import { serverTemplate } from '../test/support/templates.ts';
import { freePort, sessionCookie, webSettings } from '../test/support/web.ts';
import { CHROMIUM_PATH } from '../test/support/browser.ts';

const OUT = path.resolve(import.meta.dirname, '../docs/screenshots');
const server = process.env.SCRATCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const db = await createScratchDatabase(server, 'incident_bot_shots', { template: await serverTemplate(server) });
const slack = await startSlackStandIn({
  users: [{ id: 'UALICE', name: 'alice', real_name: 'Alice Łukasz', tz: 'Europe/London' }],
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
