// `/incident evidence` through the running bot on both databases: the record and audit trail as
// JSON and Markdown in the asker's direct messages, who did what through which command, PHI
// redacted from the files, a private incident's pack only for its members, and an altered trail
// reported as not intact.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { tamper } from '../support/tamper.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';

const USERS = ['UALICE', 'UBOB', 'UMALLORY'];
/** A valid NHS number (modulus 11 check digit) and an email: personal data. */
const NHS = '943 476 5919';

for (const database of testDatabases()) {
  describe(`/incident evidence (${database.name})`, () => {
    let slack: SlackStandIn;
    let app: TestBot;
    let seq = 0;
    const env = useTestBot(database, {
      users: USERS.map((id) => ({ id, name: id.slice(1).toLowerCase(), tz: 'Europe/London' })),
      env: { TZ_DEFAULT: 'Europe/London' },
    });
    before(() => ({ slack, app } = env));
    beforeEach(() => {
      slack.reset();
      slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
      slack.addChannel({ id: 'CGENERAL', name: 'general', members: USERS });
    });

    async function run(text: string, user: string, channelId: string) {
      const id = `e${++seq}`;
      const res = await app.command(text, {
        responseUrl: slack.responseUrl(id),
        userId: user,
        channelId,
        triggerId: slack.triggerId(user),
      });
      assert.equal(res.status, 200);
      await app.bot.idle();
      const ack = res.json() as { text?: string } | undefined;
      return [ack?.text ?? '', ...slack.responses.filter((r) => r.id === id).map((r) => String(r.body.text))]
        .filter(Boolean)
        .join('\n');
    }
    async function declare(text: string, members: string[]): Promise<Incident> {
      const told = await run(`declare ${text}`, 'UALICE', 'CGENERAL');
      const incident = await app.bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(told)?.[1]));
      assert.ok(incident?.provisionedAt, told);
      for (const u of members) slack.channels.get(incident.channelId!)!.members.add(u);
      return incident;
    }
    const evidenceFiles = (user: string) =>
      slack.files.filter(
        (f) =>
          f.completed &&
          f.filename.includes('-evidence.') &&
          f.channels.some((c) => slack.channels.get(c)?.is_im && slack.channels.get(c)!.members.has(user)),
      );

    test('sends the record and audit trail as JSON and Markdown, privately, with who did what through which command', async () => {
      const i = await declare('sev2 Discharge letters not sending', ['UBOB']);
      await run('sev 1 wards affected', 'UALICE', i.channelId!);
      await run('role commander <@UBOB>', 'UALICE', i.channelId!);
      await run(`note patient NHS ${NHS} had a letter delayed, contact jo.bloggs@example.org`, 'UBOB', i.channelId!);
      const told = await run('evidence', 'UBOB', i.channelId!);
      assert.match(
        told,
        new RegExp(
          `Sent you the evidence for INC-${i.number} in a direct message: its record and \\d+ audit entries, hash chain intact`,
        ),
      );
      // The NHS number and the email, each in the timeline entry and in its audit entry.
      assert.match(told, /4 pieces of personal data redacted/);

      const files = evidenceFiles('UBOB');
      assert.deepEqual(files.map((f) => f.filename).sort(), [
        `inc-${i.number}-evidence.json`,
        `inc-${i.number}-evidence.md`,
      ]);
      assert.ok(
        !slack.messages.some((m) => m.channel === i.channelId && /evidence/i.test(m.text ?? '') && !m.ephemeralTo),
        'nothing posted in the channel',
      );
      const json = files.find((f) => f.filename.endsWith('.json'))!.content.toString('utf8');
      const pack = JSON.parse(json);
      assert.equal(pack.format, 'incident-evidence/1');
      assert.equal(pack.incident.number, i.number);
      assert.equal(pack.incident.severity, 'SEV1');
      assert.equal(pack.generatedBy, 'UBOB');
      assert.equal(pack.auditTrail.intact, true);
      const entries = pack.auditTrail.entries as {
        seq: number;
        actor: string;
        via: string;
        action: string;
        before: Record<string, unknown> | null;
        after: Record<string, unknown> | null;
      }[];
      assert.deepEqual(
        entries.map((e) => e.seq),
        entries.map((_, n) => n + 1),
      );
      assert.ok(
        entries.some((e) => e.action === 'incident.insert' && e.actor === 'UALICE' && e.via === '/incident declare'),
      );
      const sev = entries.find((e) => e.action === 'incident.update' && e.via === '/incident sev');
      assert.deepEqual([sev?.actor, sev?.before?.severity, sev?.after?.severity], ['UALICE', 'SEV2', 'SEV1']);
      assert.ok(
        entries.some(
          (e) => e.action === 'incident_role.insert' && e.after?.user_id === 'UBOB' && e.via === '/incident role',
        ),
      );
      assert.ok(
        entries.some((e) => e.action === 'timeline_entry.insert' && e.actor === 'UBOB' && e.via === '/incident note'),
      );
      assert.ok(
        entries.some((e) => e.actor === 'bot' || e.via === '/incident declare'),
        'the channel set-up is on the trail too',
      );
      // The response URL (a short-lived credential) never leaves; the PHI is redacted everywhere in the files.
      assert.doesNotMatch(json, /hooks\.slack|\/response\//);
      assert.doesNotMatch(json, /943 476 5919|jo\.bloggs@example\.org/);
      assert.match(json, /\[redacted NHS number\]/);
      const md = files.find((f) => f.filename.endsWith('.md'))!.content.toString('utf8');
      assert.match(md, new RegExp(`# Evidence: INC-${i.number} Discharge letters not sending`));
      assert.match(md, /\*\*Audit trail: intact\*\*/);
      assert.match(
        md,
        /\| \d+ \| [0-9T:.-]+Z \| UALICE \| \/incident sev \| incident.update \| [^|]*severity: SEV2 → SEV1/,
      );
      assert.doesNotMatch(md, /943 476 5919|jo\.bloggs@example\.org/);
      // Regenerating from the same record gives the same audit section.
      await run('evidence', 'UBOB', i.channelId!);
      const again = JSON.parse(
        evidenceFiles('UBOB')
          .filter((f) => f.filename.endsWith('.json'))
          .at(-1)!
          .content.toString('utf8'),
      );
      assert.deepEqual(again.auditTrail, pack.auditTrail);
    });

    test("a private incident's evidence goes only to members of its channel", async () => {
      const i = await declare('sev2 Payroll export --private', ['UBOB']);
      const refused = await run('evidence', 'UMALLORY', i.channelId!);
      assert.match(refused, /private incident/);
      assert.equal(evidenceFiles('UMALLORY').length, 0);
      assert.doesNotMatch(refused, /Payroll/);
      await run('evidence', 'UBOB', i.channelId!);
      assert.equal(evidenceFiles('UBOB').length, 2);
    });

    test('an altered audit trail is reported as not intact, in the reply and the files', async () => {
      const i = await declare('sev3 Bed board stale', ['UBOB']);
      await run('sev 2 more wards', 'UALICE', i.channelId!);
      assert.equal(
        await tamper(
          app.bot.db.pool,
          "UPDATE audit_entry SET actor = 'UBOB' WHERE incident_id = $1 AND via = '/incident sev'",
          [i.id],
        ),
        2,
      );
      const told = await run('evidence', 'UALICE', i.channelId!);
      assert.match(told, /Its audit trail is NOT intact/);
      const md = evidenceFiles('UALICE')
        .find((f) => f.filename.endsWith('.md'))!
        .content.toString('utf8');
      assert.match(md, /\*\*Audit trail: NOT intact\*\*/);
      assert.match(md, /entry \d+ was altered/);
    });

    test('a record changed behind the trail (triggers off) is reported as not intact: the pack says what differs', async () => {
      const i = await declare('sev3 Theatre list blank', ['UBOB']);
      await run('sev 2 more theatres', 'UALICE', i.channelId!);
      assert.equal(await tamper(app.bot.db.pool, "UPDATE incident SET severity = 'SEV4' WHERE id = $1", [i.id]), 1);
      const told = await run('evidence', 'UALICE', i.channelId!);
      assert.match(told, /Its audit trail is NOT intact/);
      const files = evidenceFiles('UALICE').filter((f) => f.filename.startsWith(`inc-${i.number}-`));
      const md = files.find((f) => f.filename.endsWith('.md'))!.content.toString('utf8');
      assert.match(md, /\*\*Audit trail: NOT intact\*\*/);
      assert.ok(md.includes(`- incident ${i.id} severity: expected "SEV2", found "SEV4"`), md);
      const pack = JSON.parse(files.find((f) => f.filename.endsWith('.json'))!.content.toString('utf8'));
      assert.equal(pack.auditTrail.intact, false);
    });

    test('outside an incident channel, or with words after it, it says how to use it and sends nothing', async () => {
      assert.match(await run('evidence', 'UALICE', 'CGENERAL'), /only works in an incident channel/);
      const i = await declare('sev4 Typo', []);
      assert.match(await run('evidence please', 'UALICE', i.channelId!), /Write it as `\/incident evidence/);
      assert.equal(evidenceFiles('UALICE').length, 0);
    });
  });
}
