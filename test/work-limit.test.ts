// The limit on work after acks: never more than `concurrency` at once, first come first served,
// errors passed on without losing the slot, and nothing left waiting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkLimit } from '../src/work-limit.ts';

function deferred() {
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  return { promise, resolve: () => resolve(), reject };
}
const tick = () => new Promise((r) => setImmediate(r));

test('runs at most `concurrency` at once, the rest in the order they came', async () => {
  const limit = new WorkLimit(2);
  const gates = Array.from({ length: 5 }, deferred);
  const started: number[] = [];
  const runs = gates.map((g, i) =>
    limit.run(async () => {
      started.push(i);
      await g.promise;
      return i * 10;
    }),
  );
  await tick();
  assert.deepEqual(started, [0, 1]);
  assert.deepEqual(limit.stats, { running: 2, waiting: 3, answering: 0 });
  gates[1]!.resolve();
  await tick();
  assert.deepEqual(started, [0, 1, 2], 'a finished run lets the first in line start');
  assert.deepEqual(limit.stats, { running: 2, waiting: 2, answering: 0 });
  for (const g of gates) g.resolve();
  assert.deepEqual(await Promise.all(runs), [0, 10, 20, 30, 40]);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.deepEqual(limit.stats, { running: 0, waiting: 0, answering: 0 });
});

test('a run that fails passes its error on and frees its slot', async () => {
  const limit = new WorkLimit(1);
  const gate = deferred();
  const failing = limit.run(async () => {
    await gate.promise;
  });
  const after = limit.run(async () => 'ran');
  gate.reject(new Error('Slack said no'));
  await assert.rejects(failing, /Slack said no/);
  assert.equal(await after, 'ran');
  assert.deepEqual(limit.stats, { running: 0, waiting: 0, answering: 0 });
});

test('a run that throws before its first await frees its slot too', async () => {
  const limit = new WorkLimit(1);
  await assert.rejects(
    limit.run(() => Promise.reject(new Error('at once'))),
    /at once/,
  );
  assert.equal(await limit.run(async () => 1), 1);
  assert.deepEqual(limit.stats, { running: 0, waiting: 0, answering: 0 });
});

test('a run about to start waits while a request is being answered, then starts', async () => {
  const limit = new WorkLimit(2);
  const answered = limit.beginAnswering();
  const started: string[] = [];
  const run = limit.run(async () => void started.push('run'));
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(started, [], 'held back while the request is not answered');
  assert.deepEqual(limit.stats, { running: 1, waiting: 0, answering: 1 });
  answered();
  answered(); // a second end of the same answer changes nothing
  await run;
  assert.deepEqual(started, ['run']);
  assert.deepEqual(limit.stats, { running: 0, waiting: 0, answering: 0 });
});

test('a run does not wait for answers longer than maxYieldMs', async () => {
  const limit = new WorkLimit(1, 40);
  const answered = limit.beginAnswering(); // never answered (a listener that forgot to ack)
  const t0 = Date.now();
  await limit.run(async () => {});
  assert.ok(Date.now() - t0 >= 35, 'it waited');
  assert.deepEqual(limit.stats, { running: 0, waiting: 0, answering: 1 });
  answered();
});

test('a concurrency below 1 or not whole is refused', () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new WorkLimit(bad), RangeError);
});
