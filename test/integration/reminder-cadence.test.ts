// Reminder cadences from the configuration, through the running bot: REMINDER_UPDATE_MINUTES and
// REMINDER_COMMANDER_MINUTES decide when the queue schedules the next check (its pg-boss job) and
// what the check finds due, at the bot's injected time. The cadence logic does not depend on the
// database, so this runs on the embedded one only.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import { REMINDER_QUEUE } from '../../src/jobs/reminder-queue.ts';
import { sendReminders } from '../../src/services/incident/send-reminders.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';

const MINUTE = 60_000;

describe('custom reminder cadences through the running bot', () => {
  let slack: SlackStandIn;
  let app: TestBot;
  let seq = 0;
  /** The bot's clock runs this far ahead of real time. */
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  const env = useTestBot(testDatabases()[0]!, {
    users: [{ id: 'UALICE', name: 'alice', tz: 'Europe/London' }],
    env: { REMINDER_UPDATE_MINUTES: 'SEV2=7,SEV4=off', REMINDER_COMMANDER_MINUTES: '3' },
    clock,
  });
  before(() => ({ slack, app } = env));
  beforeEach(() => {
    offsetMs = 0;
    slack.reset();
    slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
  });

  async function declare(text: string): Promise<Incident> {
    const id = `r${++seq}`;
    await app.command(`declare ${text}`, { responseUrl: slack.responseUrl(id), channelId: 'CGENERAL' });
    await app.bot.idle();
    const told = slack.responses
      .filter((r) => r.id === id)
      .map((r) => String(r.body.text))
      .join(' ');
    const incident = await app.bot.deps.store.findByNumber(Number(/INC-(\d+)/.exec(told)?.[1]));
    assert.ok(incident?.provisionedAt, `declared: ${told}`);
    return incident;
  }
  /** The due times the queue holds checks for (from the jobs' singleton keys `<incident>:<due ISO>`). */
  async function queuedChecks(incident: Incident): Promise<string[]> {
    const { rows } = await app.bot.db.pool.query<{ key: string }>(
      `SELECT singleton_key AS key FROM pgboss.job WHERE name = $1 AND data->>'incidentId' = $2 ORDER BY created_on`,
      [REMINDER_QUEUE, incident.id],
    );
    return rows.map((r) => r.key.slice(incident.id.length + 1));
  }
  const after = (i: Incident, minutes: number) => new Date(i.createdAt.getTime() + minutes * MINUTE).toISOString();
  const posted = (i: Incident) => slack.messages.filter((m) => m.channel === i.channelId).map((m) => m.text ?? '');

  test('SEV2 every 7 minutes and the commander nudge after 3: scheduled and sent at those times', {
    timeout: 60_000,
  }, async () => {
    const i = await declare('sev2 Custom cadence');
    assert.deepEqual(
      await queuedChecks(i),
      [after(i, 3)],
      'the first check is the nudge, 3 minutes after declaring (not 10)',
    );

    offsetMs = 2 * MINUTE;
    assert.deepEqual(await sendReminders(app.bot.deps, i.id), []);
    offsetMs = 3 * MINUTE + 30_000;
    assert.deepEqual(
      (await sendReminders(app.bot.deps, i.id)).map((r) => r.kind),
      ['commander-nudge'],
    );
    assert.ok(posted(i).some((t) => /no incident commander for 3 minutes/.test(t)));
    assert.deepEqual(
      await queuedChecks(i),
      [after(i, 3), after(i, 7)],
      'then the update reminder, 7 minutes after the last update (not 60)',
    );

    offsetMs = 6 * MINUTE;
    assert.deepEqual(await sendReminders(app.bot.deps, i.id), []);
    offsetMs = 7 * MINUTE + 30_000;
    assert.deepEqual(
      (await sendReminders(app.bot.deps, i.id)).map((r) => r.kind),
      ['update-reminder'],
    );
    assert.ok(posted(i).some((t) => /No status update on \*INC-\d+\* for 7 minutes/.test(t)));
    assert.deepEqual((await queuedChecks(i)).at(-1), after(i, 14), 'and again 7 minutes later');
  });

  test('SEV4 update reminders off: the nudge comes, then nothing more is scheduled or sent', {
    timeout: 60_000,
  }, async () => {
    const i = await declare('sev4 Quiet one');
    offsetMs = 3 * MINUTE + 30_000;
    assert.deepEqual(
      (await sendReminders(app.bot.deps, i.id)).map((r) => r.kind),
      ['commander-nudge'],
    );
    assert.deepEqual(await queuedChecks(i), [after(i, 3)], 'no check queued for an update reminder');
    offsetMs = 10 * 60 * MINUTE;
    assert.deepEqual(
      await sendReminders(app.bot.deps, i.id),
      [],
      'none after 10 hours (the default would remind every 120 minutes)',
    );
    assert.equal(posted(i).filter((t) => /No status update/.test(t)).length, 0);
  });
});
