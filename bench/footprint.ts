// npm run bench (footprint): the bot as `npm start` runs it (package.json's argv: `node … src/main.ts`
// in a process of its own, on a Slack stand-in so that auth.test answers), started on an empty data
// folder (the first start: initdb and every migration), on the same folder again (a later start), and
// on a scratch database on a PostgreSQL server (first start, then a later one); the later starts once
// more as the Docker image runs them, with NODE_COMPILE_CACHE set (a run to fill it first). For each start: the
// time from spawning the process to the first GET /healthz that answers 200, the CPU time it had
// used by then (its threads and the children it waited for: on a busy machine the wall time says
// more about the neighbours), the resident memory once it has idled (BENCH_IDLE_SECONDS, 10 by
// default; VmRSS from /proc of the bot and of any child it left running), and the peak resident
// memory of the bot's own process (VmHWM). Prints a table and pass/fail against the targets. PostgreSQL: BENCH_DATABASE_URL, by default postgresql://postgres@127.0.0.1:5432/postgres
// (skipped, with a line saying so, when nothing answers there). BENCH_RUNS=n starts each later start
// n times and reports the median.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createScratchDatabase } from '../src/db/scratch.ts';
import { SIGNING_SECRET } from '../test/support/slack-requests.ts';
import { startSlackStandIn } from '../test/support/slack-standin.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 1));
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/** npm start's argv (package.json), with BENCH_NODE_FLAGS (e.g. --cpu-prof) before the script. */
const START = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start.split(/\s+/);
if (START[0] !== 'node') throw new Error(`npm start does not run node: ${START.join(' ')}`);
const NODE_ARGS = [
  ...START.slice(1, -1),
  ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
  START.at(-1)!,
];
const TARGETS = {
  embedded: { rssMb: 250, healthzMs: 4000 },
  postgresql: { rssMb: 150, healthzMs: 2000 },
} as const;

interface Start {
  healthzMs: number;
  /** CPU time (user and system, every thread) the process had used by then. */
  cpuMs: number;
  idleRssMb: number;
  peakRssMb: number;
  /** What the bot logged about migrations at this start (the line's message). */
  migrations: string | null;
}

/** A port free now (the bot is given it, so /healthz can be asked from the moment it is spawned). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A /proc/<pid>/status field in MB (VmRSS, VmHWM); 0 once the process is gone. */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The pids of `pid`'s descendants (child processes it started and that still run). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The parent pid is the 4th field, after "(comm)" (which may hold spaces).
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
    } catch {
      // ended meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of parents.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/**
 * CPU time of a process, all its threads and the children it has waited for (initdb, migrations):
 * utime + stime + cutime + cstime from /proc/<pid>/stat, in ms (clock ticks of 10 ms).
 */
function cpuTimeMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) * 10;
  } catch {
    return 0;
  }
}

async function healthz(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

const slack = await startSlackStandIn({ users: [{ id: 'UALICE', name: 'alice' }] });
slack.addChannel({ id: 'CBROADCAST', name: 'incidents' });

/** One start of the bot with `env` (DATA_DIR or DATABASE_URL): timed, idled, measured, stopped. */
async function startOnce(env: Record<string, string>): Promise<Start> {
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawn(process.execPath, NODE_ARGS, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      INCIDENT_BROADCAST_CHANNEL: 'CBROADCAST',
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let exit: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    proc.on('exit', (code) => {
      exit = code;
      resolve();
    }),
  );
  try {
    let healthzMs = 0;
    let cpuMs = 0;
    for (;;) {
      if (exit !== undefined)
        throw new Error(
          `the bot exited (code ${exit}) before /healthz answered: ${stderr.slice(-2000)}${stdout.slice(-2000)}`,
        );
      if (performance.now() - t0 > 120_000) throw new Error(`no /healthz 200 within 120 s: ${stderr.slice(-2000)}`);
      if (await healthz(port)) {
        healthzMs = performance.now() - t0;
        cpuMs = cpuTimeMs(proc.pid!);
        break;
      }
      await sleep(20);
    }
    await sleep(IDLE_SECONDS * 1000);
    const pid = proc.pid!;
    const idleRssMb = [pid, ...descendants(pid)].reduce((sum, p) => sum + statusMb(p, 'VmRSS'), 0);
    const peakRssMb = statusMb(pid, 'VmHWM');
    const lines = stdout.split('\n').flatMap((l) => {
      try {
        return [JSON.parse(l) as { msg?: string }];
      } catch {
        return [];
      }
    });
    const migrations = lines.find((l) => /migration/i.test(l.msg ?? ''))?.msg ?? null;
    return { healthzMs, cpuMs, idleRssMb, peakRssMb, migrations };
  } finally {
    if (exit === undefined) proc.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000).then(() => proc.kill('SIGKILL'))]);
    await exited;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
/** `runs` starts; the median of each figure (the first start's migration line). */
async function starts(env: Record<string, string>, runs: number): Promise<Start> {
  const all: Start[] = [];
  for (let i = 0; i < runs; i++) all.push(await startOnce(env));
  return {
    healthzMs: median(all.map((s) => s.healthzMs)),
    cpuMs: median(all.map((s) => s.cpuMs)),
    idleRssMb: median(all.map((s) => s.idleRssMb)),
    peakRssMb: median(all.map((s) => s.peakRssMb)),
    migrations: all[0]!.migrations,
  };
}

const rows: { label: string; kind: keyof typeof TARGETS; start: Start }[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-footprint-'));
const cache = path.join(dir, 'node-compile-cache');
try {
  const data = path.join(dir, 'data');
  rows.push({
    label: 'embedded, first start (empty data folder)',
    kind: 'embedded',
    start: await startOnce({ DATA_DIR: data }),
  });
  rows.push({ label: 'embedded, later start', kind: 'embedded', start: await starts({ DATA_DIR: data }, RUNS) });
  // As the Docker image runs it: NODE_COMPILE_CACHE set, so Node caches src/main.ts too (a first run fills it).
  await startOnce({ DATA_DIR: data, NODE_COMPILE_CACHE: cache });
  rows.push({
    label: 'embedded, later start, NODE_COMPILE_CACHE set (the image)',
    kind: 'embedded',
    start: await starts({ DATA_DIR: data, NODE_COMPILE_CACHE: cache }, RUNS),
  });
} catch (err) {
  fs.rmSync(dir, { recursive: true, force: true });
  throw err;
}

let serverUp = true;
try {
  const c = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 3000 });
  await c.connect();
  await c.end();
} catch {
  serverUp = false;
}
const host = new URL(SERVER_URL).host;
if (serverUp) {
  const scratch = await createScratchDatabase(SERVER_URL, 'bench_footprint');
  try {
    rows.push({
      label: `PostgreSQL, first start (empty database)`,
      kind: 'postgresql',
      start: await startOnce({ DATABASE_URL: scratch.url }),
    });
    rows.push({
      label: `PostgreSQL, later start`,
      kind: 'postgresql',
      start: await starts({ DATABASE_URL: scratch.url }, RUNS),
    });
    await startOnce({ DATABASE_URL: scratch.url, NODE_COMPILE_CACHE: cache });
    rows.push({
      label: 'PostgreSQL, later start, NODE_COMPILE_CACHE set (the image)',
      kind: 'postgresql',
      start: await starts({ DATABASE_URL: scratch.url, NODE_COMPILE_CACHE: cache }, RUNS),
    });
  } finally {
    await scratch.drop();
  }
}
await slack.close();
fs.rmSync(dir, { recursive: true, force: true });

const load = os.loadavg()[0]!.toFixed(1);
console.log(
  `\nFootprint: \`${['node', ...NODE_ARGS].join(' ')}\` (Node ${process.versions.node}, ${os.cpus().length} CPUs, load average ${load}), idle ${IDLE_SECONDS} s before reading RSS${RUNS > 1 ? `, later starts: median of ${RUNS}` : ''}`,
);
console.log('| start | to /healthz 200 | CPU used by then | idle RSS | peak RSS | target (RSS / time) | result |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
let failed = 0;
for (const { label, kind, start } of rows) {
  const t = TARGETS[kind];
  const ok = start.idleRssMb < t.rssMb && start.healthzMs < t.healthzMs;
  if (!ok) failed++;
  console.log(
    `| ${label} | ${(start.healthzMs / 1000).toFixed(2)} s | ${(start.cpuMs / 1000).toFixed(2)} s | ${start.idleRssMb.toFixed(0)} MB | ${start.peakRssMb.toFixed(0)} MB | < ${t.rssMb} MB / < ${t.healthzMs / 1000} s | ${ok ? 'pass' : 'FAIL'} |`,
  );
}
if (!serverUp) console.log(`PostgreSQL: skipped, nothing answers at ${host} (set BENCH_DATABASE_URL)`);
for (const { label, start } of rows) if (start.migrations) console.log(`${label}: logged "${start.migrations}"`);
console.log(failed ? `${failed} of ${rows.length} starts miss a target` : `every start within its targets`);
