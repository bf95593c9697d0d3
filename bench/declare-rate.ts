// Declares per minute on PostgreSQL, and statements per declare: the declare use case end to end
// (held, recorded, released, provisioned) on a scratch database copied from the migrated template,
// with the fake chat (Slack's time left out: what the bot and the database do per declaration),
// BENCH_CONC declarations at once (default 50), BENCH_DECLARES in all (default 1000) after 100 to
// warm up. BENCH_DATABASE_URL (default: the local server) names the server the scratch database is
// made on. Run alone: node --disable-warning=ExperimentalWarning bench/declare-rate.ts
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { actingAs } from '../src/audit-context.ts';
import { openDatabase } from '../src/db/database.ts';
import { PgDeclarationIntake } from '../src/db/pg-declaration-intake.ts';
import { createScratchDatabase } from '../src/db/scratch.ts';
import { declareIncident, type DeclareIncidentInput } from '../src/services/incident/declare-incident.ts';
import { FakeChat, testDeps } from '../test/support/deps.ts';
import { serverTemplate } from '../test/support/templates.ts';

const server = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const CONC = Number(process.env.BENCH_CONC ?? 50);
const TOTAL = Number(process.env.BENCH_DECLARES ?? 1000);

const scratch = await createScratchDatabase(server, 'incident_bot_declare_rate', {
  template: await serverTemplate(server),
});
const db = await openDatabase({ url: scratch.url, dataDir: null });
try {
  const deps = testDeps({ db, chat: new FakeChat() });
  const intake = new PgDeclarationIntake(db.pool);
  const declare = async (i: number) => {
    const input: DeclareIncidentInput = {
      declareKey: randomUUID(),
      declaration: { title: `Bench incident ${i}`, severity: 'SEV2' },
      declaredBy: 'UALICE',
      originChannelId: null,
      responseUrl: null,
      via: 'command',
    };
    await intake.hold(input.declareKey, input, deps.clock.now());
    const result = await actingAs({ actor: 'UALICE', via: '/incident declare' }, () =>
      declareIncident(deps, input, intake),
    );
    if (result.duplicate || result.outcome.state !== 'complete') throw new Error(`declaration ${i} not complete`);
  };
  for (let i = 0; i < 100; i++) await declare(-i);
  const statements = db.pool.statements;
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (next < TOTAL) await declare(next++);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `${TOTAL} declares, ${CONC} at once, on ${db.description}: ${seconds.toFixed(1)} s, ` +
      `${Math.round((TOTAL / seconds) * 60)} per minute, ${((db.pool.statements - statements) / TOTAL).toFixed(1)} statements per declare`,
  );
} finally {
  await db.close();
  await scratch.drop();
}
