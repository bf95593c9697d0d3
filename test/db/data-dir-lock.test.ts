// The data folder's lock on its own: who holds it, and when a lock left behind is stale.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
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
  const leave = (holder: object | string) =>
    fs.writeFileSync(lockFile(), typeof holder === 'string' ? holder : JSON.stringify(holder));
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-lockfile-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('held: a second taker is refused with the one line; released: it can be taken again', async () => {
    const lock = await lockDataDir(dir);
    assert.equal(fs.statSync(lockFile()).mode & 0o777, 0o600);
    const { socket } = JSON.parse(fs.readFileSync(lockFile(), 'utf8')) as { socket: string };
    assert.equal(fs.statSync(path.join(dir, socket)).mode & 0o777, 0o600, "the holder's socket is private");
    await assert.rejects(
      lockDataDir(dir),
      (err: unknown) =>
        err instanceof DataDirLockedError &&
        err.message ===
          `The data folder ${dir} is in use by another process (pid ${process.pid}): stop the bot first, or use DATABASE_URL.`,
    );
    await lock.release();
    await lock.release();
    assert.ok(!fs.existsSync(lockFile()));
    await (await lockDataDir(dir)).release();
    assert.deepEqual(fs.readdirSync(dir), [], 'nothing is left in the folder');
  });

  test('a live process named in the lock keeps it (the lock file is left as it was)', async () => {
    // The test runner that started this file: alive for as long as this test runs.
    const holder = JSON.stringify({ pid: process.ppid, start: startOf(process.ppid), nonce: 'parent' });
    leave(holder);
    await assert.rejects(
      lockDataDir(dir),
      (err: unknown) => err instanceof DataDirLockedError && err.pid === process.ppid,
    );
    assert.equal(fs.readFileSync(lockFile(), 'utf8'), holder);
    assert.deepEqual(fs.readdirSync(dir), [LOCK_FILE], 'nothing else written');
  });

  for (const [name, holder] of [
    ['a process that has ended (kill -9)', () => ({ pid: deadPid(), start: null, nonce: 'dead' })],
    [
      'a pid now used by another process (started at another time: a container restarted as pid 1)',
      () => ({ pid: process.ppid, start: '1', nonce: 'reused' }),
    ],
    ['a file that is not a lock at all', () => 'garbage {'],
    ['an empty file', () => ''],
  ] as const) {
    test(`a stale lock is taken over: ${name}`, async (t) => {
      const h = holder();
      if (typeof h === 'object' && h.start === '1' && startOf(process.ppid) === null)
        return t.skip('no /proc: a reused pid cannot be told apart');
      leave(h);
      const lock = await lockDataDir(dir);
      const now = JSON.parse(fs.readFileSync(lockFile(), 'utf8')) as { pid: number };
      assert.equal(now.pid, process.pid);
      await lock.release();
      assert.deepEqual(fs.readdirSync(dir), [], 'the stale lock is gone, nothing left aside');
    });
  }

  test("release leaves a lock that is no longer this holder's alone", async () => {
    const lock = await lockDataDir(dir);
    const other = JSON.stringify({ pid: process.ppid, start: startOf(process.ppid), nonce: 'someone else' });
    fs.writeFileSync(lockFile(), other);
    await lock.release();
    assert.equal(fs.readFileSync(lockFile(), 'utf8'), other);
  });

  test('the lock goes with the process when it exits without releasing it (process.exit)', () => {
    const script = `import { lockDataDir } from ${JSON.stringify(path.resolve('src/db/data-dir-lock.ts'))}; await lockDataDir(${JSON.stringify(dir)}); process.exit(3);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 3, r.stderr);
    assert.deepEqual(fs.readdirSync(dir), [], 'neither the lock nor its socket is left');
  });

  test('another container: a lock whose socket answers is live, whatever its pid says here', async () => {
    // The pid is of no process in this namespace (the holder runs in another container sharing the folder).
    const socket = path.join(dir, '.lock-0123456789ab.sock');
    const server = net.createServer((c) => c.destroy());
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      leave({ pid: deadPid(), start: null, nonce: 'elsewhere', socket: path.basename(socket) });
      await assert.rejects(lockDataDir(dir), DataDirLockedError);
      assert.ok(fs.existsSync(lockFile()));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a lock whose socket refuses connections (its holder was killed) is stale, even if its pid is alive here', async () => {
    // A socket file nobody listens on any more: what a process killed with SIGKILL leaves.
    const name = '.lock-ba9876543210.sock';
    const r = spawnSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(path.join(dir, name))}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(fs.statSync(path.join(dir, name)).isSocket());
    // The pid and start time of a live process: in another container they would be someone else's.
    leave({ pid: process.ppid, start: startOf(process.ppid), nonce: 'killed elsewhere', socket: name });
    const lock = await lockDataDir(dir);
    assert.ok(!fs.existsSync(path.join(dir, name)), 'its socket file is removed with it');
    await lock.release();
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  test('a lock whose socket is gone from the folder is stale, even if its pid is alive here', async () => {
    leave({ pid: process.ppid, start: startOf(process.ppid), nonce: 'gone', socket: '.lock-aaaaaaaaaaaa.sock' });
    await (await lockDataDir(dir)).release();
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  test('many takers racing over a stale lock: exactly one gets the folder, every time', async () => {
    const entry = new URL('../../src/db/data-dir-lock.ts', import.meta.url).href;
    // Each thread, every round: gives up what it took last round, waits at the gate, then tries to
    // take the folder at the same moment as the others.
    const code = `
      const { workerData, parentPort } = await import('node:worker_threads');
      const { lockDataDir } = await import(${JSON.stringify(entry)});
      let lock = null;
      parentPort.on('message', async (msg) => {
        await lock?.release();
        lock = null;
        if (msg.type === 'release') return parentPort.postMessage('released');
        const gate = new Int32Array(msg.gate);
        Atomics.add(gate, 1, 1);
        Atomics.wait(gate, 0, 0);
        try { lock = await lockDataDir(workerData.dir); parentPort.postMessage('took it'); }
        catch (err) { parentPort.postMessage(err.name); }
      });
    `;
    const workers = Array.from({ length: 8 }, () => new Worker(code, { eval: true, workerData: { dir } }));
    const ask = (w: Worker, msg: object) => {
      const answer = new Promise<string>((resolve, reject) => {
        w.once('error', reject).once('message', (m: string) => {
          w.off('error', reject);
          resolve(m);
        });
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
        assert.deepEqual(
          fs.readdirSync(dir).filter((f) => !f.endsWith('.sock')),
          [LOCK_FILE],
          'one lock, nothing left aside',
        );
        assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.sock')).length, 1, "only the holder's socket");
      }
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  });
});
