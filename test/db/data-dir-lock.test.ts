// The data folder's lock on its own: who holds it, and when a lock left behind is stale.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { DataDirLockedError, LOCK_FILE, lockDataDir } from '../../src/db/data-dir-lock.ts';

/** A process's start time as /proc gives it (null without /proc). */
function startOf(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
  } catch {
    return null;
  }
}

/** The pid of a process that has ended (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return r.pid!;
}

describe('data folder lock', () => {
  let dir: string;
  const lockFile = () => path.join(dir, LOCK_FILE);
  const leave = (holder: object | string) => fs.writeFileSync(lockFile(), typeof holder === 'string' ? holder : JSON.stringify(holder));
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-lockfile-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('held: a second taker is refused with the one line; released: it can be taken again', () => {
    const lock = lockDataDir(dir);
    assert.equal(fs.statSync(lockFile()).mode & 0o777, 0o600);
    assert.throws(
      () => lockDataDir(dir),
      (err: unknown) =>
        err instanceof DataDirLockedError &&
        err.message === `The data folder ${dir} is in use by another process (pid ${process.pid}): stop the bot first, or use DATABASE_URL.`,
    );
    lock.release();
    lock.release();
    assert.ok(!fs.existsSync(lockFile()));
    lockDataDir(dir).release();
    assert.deepEqual(fs.readdirSync(dir), [], 'nothing is left in the folder');
  });

  test('a live process named in the lock keeps it (the lock file is left as it was)', () => {
    // The test runner that started this file: alive for as long as this test runs.
    const holder = JSON.stringify({ pid: process.ppid, start: startOf(process.ppid), nonce: 'parent' });
    leave(holder);
    assert.throws(() => lockDataDir(dir), (err: unknown) => err instanceof DataDirLockedError && err.pid === process.ppid);
    assert.equal(fs.readFileSync(lockFile(), 'utf8'), holder);
    assert.deepEqual(fs.readdirSync(dir), [LOCK_FILE], 'nothing else written');
  });

  for (const [name, holder] of [
    ['a process that has ended (kill -9)', () => ({ pid: deadPid(), start: null, nonce: 'dead' })],
    ['a pid now used by another process (started at another time: a container restarted as pid 1)', () => ({ pid: process.ppid, start: '1', nonce: 'reused' })],
    ['a file that is not a lock at all', () => 'garbage {'],
    ['an empty file', () => ''],
  ] as const) {
    test(`a stale lock is taken over: ${name}`, (t) => {
      const h = holder();
      if (typeof h === 'object' && h.start === '1' && startOf(process.ppid) === null) return t.skip('no /proc: a reused pid cannot be told apart');
      leave(h);
      const lock = lockDataDir(dir);
      const now = JSON.parse(fs.readFileSync(lockFile(), 'utf8')) as { pid: number };
      assert.equal(now.pid, process.pid);
      lock.release();
      assert.deepEqual(fs.readdirSync(dir), [], 'the stale lock is gone, nothing left aside');
    });
  }

  test("release leaves a lock that is no longer this holder's alone", () => {
    const lock = lockDataDir(dir);
    const other = JSON.stringify({ pid: process.ppid, start: startOf(process.ppid), nonce: 'someone else' });
    fs.writeFileSync(lockFile(), other);
    lock.release();
    assert.equal(fs.readFileSync(lockFile(), 'utf8'), other);
  });

  test('the lock goes with the process when it exits without releasing it (process.exit)', () => {
    const script = `import { lockDataDir } from ${JSON.stringify(path.resolve('src/db/data-dir-lock.ts'))}; lockDataDir(${JSON.stringify(dir)}); process.exit(3);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 3, r.stderr);
    assert.ok(!fs.existsSync(lockFile()));
  });

  test('many takers racing over a stale lock: exactly one gets the folder, every time', async () => {
    const entry = new URL('../../src/db/data-dir-lock.ts', import.meta.url).href;
    // Each thread, every round: gives up what it took last round, waits at the gate, then tries to
    // take the folder at the same moment as the others.
    const code = `
      const { workerData, parentPort } = await import('node:worker_threads');
      const { register } = await import('tsx/esm/api');
      register();
      const { lockDataDir } = await import(${JSON.stringify(entry)});
      let lock = null;
      parentPort.on('message', (msg) => {
        lock?.release();
        lock = null;
        if (msg.type === 'release') return parentPort.postMessage('released');
        const gate = new Int32Array(msg.gate);
        Atomics.add(gate, 1, 1);
        Atomics.wait(gate, 0, 0);
        try { lock = lockDataDir(workerData.dir); parentPort.postMessage('took it'); }
        catch (err) { parentPort.postMessage(err.name); }
      });
    `;
    const workers = Array.from({ length: 8 }, () => new Worker(code, { eval: true, workerData: { dir } }));
    const ask = (w: Worker, msg: object) => {
      const answer = new Promise<string>((resolve, reject) => {
        w.once('error', reject).once('message', (m: string) => (w.off('error', reject), resolve(m)));
      });
      w.postMessage(msg);
      return answer;
    };
    try {
      for (let round = 0; round < 25; round++) {
        await Promise.all(workers.map((w) => ask(w, { type: 'release' })));
        assert.deepEqual(fs.readdirSync(dir), []);
        leave({ pid: deadPid(), start: null, nonce: `stale ${round}` });
        const gate = new Int32Array(new SharedArrayBuffer(8));
        const answers = workers.map((w) => ask(w, { type: 'take', gate: gate.buffer }));
        while (Atomics.load(gate, 1) < workers.length) await new Promise((r) => setTimeout(r, 2));
        Atomics.store(gate, 0, 1);
        Atomics.notify(gate, 0);
        const results = await Promise.all(answers);
        assert.equal(results.filter((r) => r === 'took it').length, 1, results.join(', '));
        assert.equal(results.filter((r) => r === 'DataDirLockedError').length, workers.length - 1, results.join(', '));
        assert.deepEqual(fs.readdirSync(dir), [LOCK_FILE], 'one lock, nothing left aside');
      }
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  });
});
