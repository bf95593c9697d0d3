// Declarations are held before their ack: a declaration the database cannot hold is refused in
// the ack (nothing promised, nothing made); one held and never recorded (the process died after
// the ack) is declared by the background retry, on behalf of its declarer, who is told; a held
// one whose input is refused, or that cannot be read, is released; a recorded one is released at
// once. On embedded PGlite and, when TEST_DATABASE_URL is set, a PostgreSQL server.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import type pg from 'pg';
import { NOT_HELD } from '../../src/slack/listeners/declare-and-reply.ts';
import { DECLARE_MODAL } from '../../src/slack/ids.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { declareModalValues } from '../support/slack-requests.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';
import { aDeclaration } from '../support/fixtures.ts';

for (const database of testDatabases()) {
  describe(`held declarations (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs) };
    const env = useTestBot(database, { users: [{ id: 'UALICE', name: 'alice', tz: 'Europe/London' }], clock });
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      offsetMs = 0;
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents', members: [] });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['UALICE'] });
    });
    const sql = <T extends object>(text: string, values: unknown[] = []) =>
      app.bot.db.pool.query<T & pg.QueryResultRow>(text, values).then((r) => r.rows);
    const held = async () =>
      (await sql<{ declare_key: string }>('SELECT declare_key FROM declare_request ORDER BY declare_key')).map(
        (r) => r.declare_key,
      );
    const byKey = (key: string) => app.bot.db.prisma.incident.findUnique({ where: { declareKey: key } });
    const texts = (id: string) => slack.responses.filter((r) => r.id === id).map((r) => String(r.body.text));
    const minutesAgo = (n: number) => new Date(clock.now().getTime() - n * 60_000);

    test('a declared incident is released from the intake as soon as it is recorded', async () => {
      const res = await app.command('declare sev3 Held then recorded', {
        responseUrl: slack.responseUrl('recorded'),
        triggerId: 'T-RECORDED',
      });
      assert.match(res.json().text, /Declaring a SEV3/);
      await app.bot.idle();
      assert.ok(await byKey('command:T-RECORDED'));
      assert.deepEqual(await held(), []);
      assert.deepEqual(
        app.bot.work.stats,
        { running: 0, waiting: 0, answering: 0 },
        'the request counted as answered once acked',
      );
    });

    test('when the database cannot hold a declaration, the ack says nothing was declared, and nothing is', async () => {
      await sql('ALTER TABLE declare_request RENAME TO declare_request_away');
      try {
        const res = await app.command('declare sev1 Cannot be held', {
          responseUrl: slack.responseUrl('refused'),
          triggerId: 'T-REFUSED',
        });
        assert.equal(res.status, 200);
        assert.deepEqual(res.json(), { response_type: 'ephemeral', text: NOT_HELD });
        const submit = await app.submitView({
          viewId: 'V-REFUSED',
          callbackId: DECLARE_MODAL.callbackId,
          values: declareModalValues({ title: 'Modal cannot be held', severity: 'SEV2' }),
        });
        assert.deepEqual(
          submit.json(),
          { response_action: 'errors', errors: { [DECLARE_MODAL.blocks.title]: NOT_HELD } },
          'the form stays open with the reason',
        );
        await app.bot.idle();
      } finally {
        await sql('ALTER TABLE declare_request_away RENAME TO declare_request');
      }
      assert.equal(await byKey('command:T-REFUSED'), null);
      assert.equal(await byKey('view:V-REFUSED'), null);
      assert.equal(slack.callsTo('conversations.create').length, 0);
      assert.deepEqual(texts('refused'), [], 'no promise made afterwards either');
      assert.equal(
        app.bot.work.stats.answering,
        0,
        'a command and a form answered in the ack alone are done answering too',
      );
    });

    test('held and never recorded: the background retry declares it for its declarer and tells them', async () => {
      const aware = minutesAgo(30);
      await app.bot.intake.hold(
        'command:T-LOST',
        {
          declareKey: 'command:T-LOST',
          declaration: aDeclaration({ title: 'Lost after the ack', dataBreach: true }),
          declaredBy: 'UALICE',
          originChannelId: 'CGENERAL',
          responseUrl: slack.responseUrl('lost'),
          via: 'command',
          breachAware: { kind: 'instant', at: aware, text: 'half an hour ago' },
        },
        minutesAgo(2),
      );
      await app.bot.intake.hold('command:T-NEW', { declareKey: 'command:T-NEW' }, clock.now());
      await app.bot.resumeNow();

      const incident = await byKey('command:T-LOST');
      assert.ok(incident, 'declared');
      assert.equal(incident.declaredBy, 'UALICE');
      assert.equal(incident.title, 'Lost after the ack');
      assert.equal(incident.breachAwareAt?.toISOString(), aware.toISOString(), 'the awareness time as typed');
      assert.ok(incident.provisionedAt, 'and set up');
      const channel = slack.channelByName(`inc-${incident.number}-lost-after-the-ack`);
      assert.ok(channel?.members.has('UALICE'));
      assert.ok(channel);
      assert.deepEqual(texts('lost'), [
        `INC-${incident.number} is now fully set up in <#${channel.id}>. (Declared by the bot's background retry: the request that asked for it was cut short, by a restart or a failure.)`,
      ]);
      const [created] = await sql<{ actor: string; via: string }>(
        "SELECT actor, via FROM audit_entry WHERE incident_id = $1 AND action = 'incident.insert'",
        [incident.id],
      );
      assert.deepEqual(created, { actor: 'UALICE', via: 'declare (resumed: command)' }, 'on behalf of the declarer');
      assert.deepEqual(
        await held(),
        ['command:T-NEW'],
        'released; the one within its grace period is left to its own request',
      );

      await app.bot.resumeNow();
      assert.equal(slack.callsTo('conversations.create').length, 1, 'a second pass declares nothing again');
      await app.bot.intake.release('command:T-NEW');
    });

    test('held with input now refused: the declarer is told why and it is released; an unreadable one is dropped', async () => {
      await app.bot.intake.hold(
        'view:V-BAD',
        {
          declareKey: 'view:V-BAD',
          declaration: { title: 'Near miss with a breach', severity: 'SEV4', nearMiss: true, dataBreach: true },
          declaredBy: 'UALICE',
          originChannelId: null,
          responseUrl: slack.responseUrl('bad'),
          via: 'modal',
        },
        minutesAgo(5),
      );
      await app.bot.intake.hold(
        'command:T-JUNK',
        { declareKey: 'command:T-JUNK', declaration: 'not an object' },
        minutesAgo(5),
      );
      await app.bot.resumeNow();
      assert.equal(await byKey('view:V-BAD'), null);
      assert.equal(await byKey('command:T-JUNK'), null);
      const [told, ...more] = texts('bad');
      assert.deepEqual(more, []);
      assert.match(
        String(told),
        /^:x: Your declaration \(Near miss with a breach\) could not be recorded: A near miss cannot be a personal data breach/,
      );
      assert.deepEqual(await held(), []);
      assert.equal(slack.callsTo('conversations.create').length, 0);
    });
  });
}
