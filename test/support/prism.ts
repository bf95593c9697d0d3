// In-process Stoplight Prism for tests: a TypeScript ESM port of ../shared/tools/prism-inproc.js, plus
// helpers that patch the shared Slack / PagerDuty specs (../shared/tools/patch-*-spec.js) into .tmp/specs/.
// Prism mocks with the spec's examples and validates every request; assert `violations('request')` is empty.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import type * as PrismCore from '@stoplight/prism-core';
import type * as PrismHttp from '@stoplight/prism-http';
import type * as PrismHttpServer from '@stoplight/prism-http-server';

// The Prism packages are CommonJS.
const require = createRequire(import.meta.url);
const { getHttpOperationsFromSpec } = require('@stoplight/prism-http') as typeof PrismHttp;
const { createServer } = require('@stoplight/prism-http-server') as typeof PrismHttpServer;
const { createLogger } = require('@stoplight/prism-core') as typeof PrismCore;

/** One pino line written by Prism (e.g. msg 'Request received' with `input`, or 'Violation: request...'). */
export interface PrismLogEntry {
  level: number;
  name?: string;
  msg: string;
  input?: {
    method: string;
    url: { path: string; baseUrl?: string; query?: Record<string, string | string[]> };
    headers?: Record<string, string>;
    body?: unknown;
  };
  [key: string]: unknown;
}

export interface PrismHandle {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  close: () => Promise<void>;
  /** 'POST /chat.postMessage' for every request received, in order. */
  requests: () => string[];
  /** 'Violation: request.body.channel ...' messages logged so far. */
  violations: (where?: 'request' | 'response') => string[];
  log: PrismLogEntry[];
}

export async function startPrism(specPath: string, port = 0, host = '127.0.0.1'): Promise<PrismHandle> {
  const log: PrismLogEntry[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        try {
          log.push(JSON.parse(line) as PrismLogEntry);
        } catch {
          // not JSON: ignore
        }
      }
      cb();
    },
  });
  const logger = createLogger('TEST', { level: 'info' }, sink);
  const operations = await getHttpOperationsFromSpec(specPath);
  const server = createServer(operations, {
    cors: false,
    components: { logger: logger.child({ name: 'HTTP SERVER' }) },
    config: {
      mock: { dynamic: false },
      validateRequest: true,
      validateResponse: true,
      checkSecurity: true,
      errors: false,
      upstreamProxy: undefined,
      isProxy: false,
    },
  });
  // listen() resolves with `http://${server.address()}`, so port 0 (the default) gives the real free port.
  const url = await server.listen(port, host);
  const violations = (where: 'request' | 'response' = 'request'): string[] =>
    log.filter((l) => typeof l.msg === 'string' && l.msg.startsWith(`Violation: ${where}`)).map((l) => l.msg);
  const requests = (): string[] =>
    log
      .filter((l) => l.msg === 'Request received' && l.input)
      .map((l) => `${l.input!.method.toUpperCase()} ${l.input!.url.path}`);
  return { url, close: () => server.close(), violations, requests, log };
}

// ---- shared specs -------------------------------------------------------------------------------

/** Repository root: this file is <root>/test/support/prism.ts. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The shared folder: $SHARED_DIR, else <repo root>/../shared. Throws when it is missing. */
export function sharedDir(): string {
  const dir = process.env.SHARED_DIR ? path.resolve(process.env.SHARED_DIR) : path.resolve(repoRoot, '..', 'shared');
  if (!existsSync(path.join(dir, 'tools')) || !existsSync(path.join(dir, 'specs'))) {
    throw new Error(
      `Shared specs/tools folder not found at ${dir} (expected ${dir}/specs and ${dir}/tools); ` +
        'set SHARED_DIR or put the shared folder beside the repository.',
    );
  }
  return dir;
}

const execFileAsync = promisify(execFile);

async function mtimeMs(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Runs `node shared/tools/<script> IN OUT` into .tmp/specs/<outName>, reusing it while newer than IN and the script. */
async function patchedSpec(script: string, input: string, outName: string): Promise<string> {
  const shared = sharedDir();
  const scriptPath = path.join(shared, 'tools', script);
  const inPath = path.join(shared, 'specs', input);
  for (const f of [scriptPath, inPath]) {
    if (!existsSync(f)) throw new Error(`Missing shared file ${f}`);
  }
  const outDir = path.join(repoRoot, '.tmp', 'specs');
  const outPath = path.join(outDir, outName);
  const outTime = await mtimeMs(outPath);
  const inTime = Math.max((await mtimeMs(inPath)) ?? Infinity, (await mtimeMs(scriptPath)) ?? Infinity);
  if (outTime !== undefined && outTime > inTime) return outPath;
  await mkdir(outDir, { recursive: true });
  // Write to a private file and rename, so concurrent test files never read a half-written spec.
  const tmpPath = `${outPath}.${process.pid}.${Date.now()}.tmp`;
  try {
    await execFileAsync(process.execPath, [scriptPath, inPath, tmpPath]);
    await rename(tmpPath, outPath);
  } catch (err) {
    await rm(tmpPath, { force: true });
    throw new Error(`Patching ${inPath} with ${scriptPath} failed: ${(err as Error).message}`, { cause: err });
  }
  return outPath;
}

export function patchedSlackSpec(): Promise<string> {
  return patchedSpec('patch-slack-spec.js', 'slack-web-api/slack_web_openapi_v2.json', 'slack_web_openapi_v2.patched.json');
}

export function patchedPagerDutySpec(): Promise<string> {
  return patchedSpec('patch-pd-spec.js', 'pagerduty/openapiv3.json', 'pagerduty_openapiv3.patched.json');
}
