// Group commit without a database: what is added while a write is on its way goes in the next
// write, each add gets its own row's result, and a failed write fails only its own rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit, valuesList } from '../../src/db/group-commit.ts';

test('rows added while a write is on its way share the next write, each with its own result', async () => {
  const writes: number[][] = [];
  let release!: () => void;
  const firstDone = new Promise<void>((r) => (release = r));
  const group = new GroupCommit<number, string>(async (rows) => {
    writes.push([...rows]);
    if (writes.length === 1) await firstDone;
    return rows.map((n) => `row ${n}`);
  });
  const first = group.add(1);
  await new Promise((r) => setImmediate(r));
  const rest = [2, 3, 4].map((n) => group.add(n));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(writes, [[1]], 'the others wait for the write on its way');
  release();
  assert.deepEqual(await Promise.all([first, ...rest]), ['row 1', 'row 2', 'row 3', 'row 4']);
  assert.deepEqual(writes, [[1], [2, 3, 4]]);
});

test('a failed write fails its own rows only', async () => {
  let calls = 0;
  const group = new GroupCommit<string, boolean>(async (rows) => {
    if (++calls === 1) throw new Error('database said no');
    return rows.map(() => true);
  });
  const failed = [group.add('a'), group.add('b')];
  const results = await Promise.allSettled(failed);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  assert.equal(await group.add('c'), true);
});

test('valuesList numbers the placeholders row by row, with each column’s cast', () => {
  assert.equal(valuesList(2, ['', '::jsonb', '']), '($1, $2::jsonb, $3), ($4, $5::jsonb, $6)');
  assert.equal(valuesList(1, ['']), '($1)');
});
