// Drills end to end: the real bot and the Slack stand-in on both databases (declared by command and
// by the form's box: a drill-inc-<n> channel, the summary and the announcement marked, no change
// freeze for a SEV1 drill), and the web view (the register's badge and CSV column, the incident page).
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import { DECLARE_MODAL } from '../../src/slack/ids.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';
import { declareModalValues } from '../support/slack-requests.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';
import { getPage, sessionCookie, useWebBot } from '../support/web.ts';

for (const database of testDatabases()) {
  describe(`declaring a drill (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    const env = useTestBot(database, { users: [{ id: 'UALICE', name: 'alice', tz: 'Europe/London' }] });
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents', members: [] });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['UALICE'] });
    });
    const lastResponse = (id: string) => slack.responses.filter((r) => r.id === id).at(-1)?.body;

    test('`/incident declare drill sev1 …`: the full flow, marked as an exercise, and no change freeze', async () => {
      const res = await app.command('declare drill sev1 Tabletop failover of the EHR', {
        responseUrl: slack.responseUrl('drill'),
      });
      assert.equal(res.status, 200);
      assert.match(
        res.json().text,
        /Declaring an exercise \(drill\), SEV1 \(Critical\): Tabletop failover of the EHR…/,
      );
      await app.bot.idle();
      const incident = (await app.bot.db.prisma.incident.findFirst({
        where: { title: 'Tabletop failover of the EHR' },
      }))!;
      assert.equal(incident.drill, true);
      assert.equal(incident.status, 'DECLARED');
      assert.equal(incident.freezeActive, false, 'a drill holds up no real deployment');

      const channel = slack.channelByName(`drill-inc-${incident.number}-tabletop-failover-of-the-ehr`);
      assert.ok(channel, 'the channel is drill-inc-<n>-<slug>');
      assert.equal(channel.id, incident.channelId);
      const summary = slack.messages.find((m) => m.channel === channel.id && m.ts === incident.summaryTs);
      assert.ok(summary);
      assert.match(JSON.stringify(summary.blocks), /EXERCISE: INC-\d+: Tabletop failover of the EHR/);
      assert.match(JSON.stringify(summary.blocks), /EXERCISE \(drill\): no real impact/);

      const broadcast = slack.messages.filter((m) => m.channel === BROADCAST_CHANNEL);
      assert.equal(broadcast.length, 1, 'announced once, and no change freeze announced');
      assert.match(String(broadcast[0]!.text), /^EXERCISE \(drill, no real impact\): INC-\d+ SEV1 declared/);
      assert.match(JSON.stringify(broadcast[0]!.blocks), /EXERCISE \(drill\): no real impact/);
      assert.match(
        String(lastResponse('drill')?.text),
        new RegExp(`Declared exercise INC-${incident.number} \\(SEV1, a drill\\) in <#${channel.id}>`),
      );
      const timeline = await app.bot.deps.store.timeline(incident.id);
      assert.match(timeline[0]!.text, /^Declared an exercise \(drill\) as SEV1/);
    });

    test('a drill cannot be a near miss: refused in the acknowledgement, nothing recorded', async () => {
      const n = await app.bot.db.prisma.incident.count();
      const res = await app.command('declare drill near-miss Wrong dose nearly given', {
        responseUrl: slack.responseUrl('nearmiss'),
      });
      assert.match(res.json().text, /A drill cannot also be a near miss/);
      await app.bot.idle();
      assert.equal(await app.bot.db.prisma.incident.count(), n);
    });

    test('the form’s "This is an exercise (drill)" box declares a drill; unticked, a real incident', async () => {
      for (const [viewId, title, flags] of [
        ['VDRILL1', 'Tabletop: pharmacy outage', ['drill', 'clinical']],
        ['VDRILL2', 'Pharmacy outage', ['clinical']],
      ] as const) {
        const res = await app.submitView({
          viewId,
          callbackId: DECLARE_MODAL.callbackId,
          privateMetadata: JSON.stringify({ responseUrl: null, channelId: 'CGENERAL' }),
          values: declareModalValues({ title, severity: 'SEV2', flags: [...flags] }),
        });
        assert.equal(res.status, 200);
      }
      await app.bot.idle();
      const drill = (await app.bot.db.prisma.incident.findFirst({ where: { title: 'Tabletop: pharmacy outage' } }))!;
      const real = (await app.bot.db.prisma.incident.findFirst({ where: { title: 'Pharmacy outage' } }))!;
      assert.equal(drill.drill, true);
      assert.equal(drill.clinicalImpact, true, 'a drill may exercise the clinical flow');
      assert.equal(real.drill, false);
      assert.ok(slack.channelByName(`drill-inc-${drill.number}-tabletop-pharmacy-outage`));
      assert.ok(slack.channelByName(`inc-${real.number}-pharmacy-outage`));
    });
  });
}

const [embedded] = testDatabases();

describe('a drill on the web view', () => {
  const env = useWebBot(embedded!, { users: [{ id: 'UBOB', name: 'bob', tz: 'Europe/London' }] });
  let drillNumber = 0;
  let realNumber = 0;

  before(async () => {
    const store = env.app.bot.deps.store;
    const add = async (title: string, drill: boolean) =>
      (
        await store.createIfAbsent(
          declaring({
            declaration: aDeclaration({ title, severity: 'SEV2', drill }),
            declaredAt: new Date('2026-11-10T09:00:00Z'),
            via: 'test',
          }),
        )
      ).incident.number;
    drillNumber = await add('Tabletop: lab feed down', true);
    realNumber = await add('Lab feed down', false);
  });

  test('the register marks the drill with an Exercise badge and a CSV column; the incident page says so', async () => {
    const bob = await sessionCookie(env.app, { userId: 'UBOB' });
    const page = await getPage(env.base, '/web/incidents?from=2026-11-01&to=2026-11-30', bob);
    assert.equal(page.status, 200);
    const rowOf = (n: number) => new RegExp(`INC-${n}<\\/a>[\\s\\S]*?<\\/tr>`).exec(page.text)?.[0] ?? '';
    assert.match(rowOf(drillNumber), /badge drill">Exercise</);
    assert.doesNotMatch(rowOf(realNumber), /badge drill/);

    // The filter: exercises only, or real incidents only (and the CSV follows it).
    const refs = async (q: string) =>
      [
        ...(await getPage(env.base, `/web/incidents?from=2026-11-01&to=2026-11-30&${q}`, bob)).text.matchAll(
          /href="\/web\/incidents\/(INC-\d+)"/g,
        ),
      ].map((m) => m[1]);
    assert.deepEqual(await refs('drill=yes'), [`INC-${drillNumber}`]);
    assert.deepEqual(await refs('drill=no'), [`INC-${realNumber}`]);
    assert.match(
      (await getPage(env.base, '/web/incidents?from=2026-11-01&to=2026-11-30&drill=yes', bob)).text,
      /<select name="drill"><option value>Either<\/option><option value="yes" selected>Yes<\/option>/,
    );
    const onlyDrills = (await getPage(env.base, '/web/incidents.csv?from=2026-11-01&to=2026-11-30&drill=yes', bob))
      .text;
    assert.ok(onlyDrills.includes(`INC-${drillNumber},`) && !onlyDrills.includes(`INC-${realNumber},`));

    const csv = (await getPage(env.base, '/web/incidents.csv?from=2026-11-01&to=2026-11-30', bob)).text.split('\r\n');
    const col = csv[0]!.split(',').indexOf('Exercise (drill)');
    assert.ok(col > 0);
    const line = (n: number) => csv.find((l) => l.startsWith(`INC-${n},`))!.split(',');
    assert.equal(line(drillNumber)[col], 'yes');
    assert.equal(line(realNumber)[col], 'no');

    const incident = await getPage(env.base, `/web/incidents/INC-${drillNumber}`, bob);
    assert.equal(incident.status, 200);
    assert.match(incident.text, /badge drill">Exercise</);
    assert.match(incident.text, /<dt>Exercise \(drill\)<\/dt>\s*<dd>Yes: an exercise, no real impact/);
    const other = await getPage(env.base, `/web/incidents/INC-${realNumber}`, bob);
    assert.match(other.text, /<dt>Exercise \(drill\)<\/dt>\s*<dd>No<\/dd>/);
  });
});
