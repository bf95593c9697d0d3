// The background retry tells the declarer once. Two passes (an overlapping pass, or another
// replica) can list the same half-declared incident; the one that finds it finished by the other
// must not tell again. The running bot on PGlite; the second pass is given the list the first saw.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { MAX_PROVISION_ATTEMPTS } from '../../src/domain/provisioning.ts';
import type { IncidentStore } from '../../src/ports/incident-store.ts';
import { resumeProvisioning } from '../../src/services/incident/resume-provisioning.ts';
import { BROADCAST_CHANNEL, useTestBot, type TestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';

describe('background retry of a half-declared incident', () => {
  let slack: SlackStandIn;
  let app: TestBot;
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  const env = useTestBot(testDatabases()[0]!, { users: [{ id: 'UALICE', name: 'alice', tz: 'Europe/London' }], clock });
  before(() => {
    ({ slack, app } = env);
    slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
  });

  test('a pass that listed it before another pass finished it tells nobody again', async () => {
    slack.failNext('pins.add', { error: 'internal_error' });
    await app.command('declare sev2 Told once', { responseUrl: slack.responseUrl('once') });
    await app.bot.idle();
    offsetMs = 5 * 60_000; // past the grace period and the lease
    const { deps } = app.bot;
    const listed = await deps.store.listUnprovisioned(
      MAX_PROVISION_ATTEMPTS,
      20,
      new Date(clock.now().getTime() - 60_000),
      clock.now(),
    );
    assert.equal(listed.length, 1, 'the half-declared incident is due for the retry');

    await resumeProvisioning(deps);
    const store: IncidentStore = Object.create(deps.store, { listUnprovisioned: { value: async () => listed } });
    const late = await resumeProvisioning({ ...deps, store });
    assert.deepEqual(
      late.map((o) => [o.state, o.state === 'complete' && o.alreadyDone]),
      [['complete', true]],
    );

    const told = slack.responses.filter((r) => r.id === 'once').map((r) => String(r.body.text));
    assert.equal(told.filter((t) => /is now fully set up/.test(t)).length, 1, `told once: ${told.join(' | ')}`);
    assert.equal(slack.pins.length, 1);
  });
});
