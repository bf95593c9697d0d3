// The real bot as a child process (`src/main.ts`, as `npm start` runs it), for what only a process
// shows: signals, draining, a kill -9. Its pino lines (JSON on stdout) are kept; the port is read
// from 'incident bot listening'.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BROADCAST_CHANNEL } from '../support/bot.ts';
import { SIGNING_SECRET } from '../support/slack-requests.ts';
import type { SlackStandIn } from '../support/slack-standin.ts';
import { childEnv } from '../support/node-args.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface LogLine {
  msg?: string;
  level?: number;
  [key: string]: unknown;
}

export interface ChildBot {
  proc: ChildProcess;
  url: string;
  logs: LogLine[];
  /** stderr, for failure messages. */
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(match: RegExp, timeoutMs?: number): Promise<LogLine>;
}

/** Starts `src/main.ts` on the stand-in with `env` (DATA_DIR or DATABASE_URL, tuning); resolves once it listens. */
export async function startChildBot(slack: SlackStandIn, env: Record<string, string>): Promise<ChildBot> {
  const proc = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'src/main.ts'], {
    cwd: ROOT,
    // Only what the bot needs: nothing of the test runner's environment leaks in.
    env: {
      ...childEnv(),
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      INCIDENT_BROADCAST_CHANNEL: BROADCAST_CHANNEL,
      PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const waiters = new Set<() => void>();
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as LogLine);
    } catch {
      logs.push({ msg: line });
    }
    for (const w of waiters) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const w of waiters) w();
    }),
  );
  let gone = false;
  void exited.then(() => (gone = true));

  const waitForLog = (match: RegExp, timeoutMs = 60_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = logs.find((l) => match.test(String(l.msg)));
        if (found) return done(() => resolve(found));
        if (gone)
          return done(() =>
            reject(
              new Error(
                `the bot exited before logging ${match}; stderr: ${err.slice(-2000)}; logs: ${JSON.stringify(logs.slice(-10))}`,
              ),
            ),
          );
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`no log line ${match} within ${timeoutMs} ms; stderr: ${err.slice(-2000)}`))),
        timeoutMs,
      );
      const done = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      waiters.add(check);
      check();
    });

  const listening = await waitForLog(/incident bot listening/).catch((e: unknown) => {
    proc.kill('SIGKILL');
    throw e;
  });
  return { proc, url: `http://127.0.0.1:${Number(listening.port)}`, logs, stderr: () => err, exited, waitForLog };
}
