// The after-commit hooks: what other features do once a change is recorded (the review posted when
// an incident is resolved). Each runs in turn; one that fails is logged and the rest still run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runAfterCommit, type AfterCommit, type Committed } from '../../src/services/after-commit.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { postReviewAfterCommit } from '../../src/services/review/after-commit.ts';
import { testDeps } from '../support/deps.ts';
import { anIncident, unused } from '../support/fixtures.ts';

function depsWith(afterCommit: AfterCommit[], logged: unknown[]): ServiceDeps {
  return testDeps({
    afterCommit,
    logger: { error: (obj: unknown, msg: string) => logged.push({ obj, msg }) } as unknown as ServiceDeps['logger'],
  });
}

test('every hook runs in order; one that fails is logged and the next still runs', async () => {
  const ran: string[] = [];
  const logged: unknown[] = [];
  const event: Committed = { kind: 'provisioned', incident: anIncident() };
  await runAfterCommit(
    depsWith(
      [
        async () => void ran.push('first'),
        async () => {
          ran.push('second');
          throw new Error('Slack is down');
        },
        async (_deps, e) => void ran.push(`third saw ${e.kind}`),
      ],
      logged,
    ),
    event,
  );
  assert.deepEqual(ran, ['first', 'second', 'third saw provisioned']);
  assert.equal(logged.length, 1);
  const { obj, msg } = logged[0] as { obj: { err: Error; incidentId: string; event: string }; msg: string };
  assert.equal(msg, 'an after-commit hook failed after a recorded change');
  assert.equal(obj.err.message, 'Slack is down');
  assert.equal(obj.incidentId, anIncident().id);
  assert.equal(obj.event, 'provisioned');
});

test('no hooks: nothing happens', async () => {
  await runAfterCommit(depsWith([], []), { kind: 'provisioned', incident: anIncident() });
});

test("the review's hook leaves changes other than a resolve, and incidents that are not near misses, alone", async () => {
  // Its deps refuse every use: any attempt to post a review would fail the test.
  const deps = testDeps({
    chat: unused<ServiceDeps['chat']>('chat'),
    logger: unused<ServiceDeps['logger']>('logger'),
    afterCommit: [],
  });
  const before = anIncident({ status: 'INVESTIGATING' });
  for (const event of [
    { kind: 'changed', before, after: { ...before, severity: 'SEV1' }, change: { severity: 'SEV1' } },
    { kind: 'changed', before, after: { ...before, status: 'MONITORING' }, change: { status: 'MONITORING' } },
    { kind: 'provisioned', incident: anIncident({ nearMiss: false }) },
  ] satisfies Committed[])
    await postReviewAfterCommit(deps, event);
});
