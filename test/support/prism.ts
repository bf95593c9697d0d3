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

/**
 * Slack's spec with the external file upload methods, which are newer than its 2021 snapshot. Their
 * contract is written here from Slack's method documentation (docs.slack.dev/reference/methods/
 * files.getUploadURLExternal and files.completeUploadExternal): getUploadURLExternal requires
 * `filename` and an integer `length` (optional `alt_text`, `snippet_type`); completeUploadExternal
 * requires `files`, a JSON array of `{ id, title? }` (optional `channel_id`, `channels`,
 * `initial_comment`, `thread_ts`, `blocks`); both need files:write. `uploadUrl` is the example
 * upload URL Prism answers with (a local sink the test runs: Slack's own is on files.slack.com).
 */
export async function slackSpecWithFileUploads(uploadUrl: string): Promise<string> {
  const { readFile, writeFile } = await import('node:fs/promises');
  const base = await patchedSlackSpec();
  const spec = JSON.parse(await readFile(base, 'utf8')) as { paths: Record<string, unknown> };
  const form = (name: string, type: 'string' | 'integer', required: boolean, description: string) => ({ name, in: 'formData', type, required, description });
  const token = { name: 'token', in: 'formData', type: 'string', required: false };
  const errorSchema = (errors: string[]) => ({
    type: 'object',
    additionalProperties: false,
    required: ['ok', 'error'],
    properties: { ok: { $ref: '#/definitions/defs_ok_false' }, error: { type: 'string', enum: errors }, callstack: { type: 'string' } },
  });
  const method = (id: string, doc: string, parameters: unknown[], example: Record<string, unknown>, schema: Record<string, unknown>, errors: string[]) => ({
    post: {
      consumes: ['application/x-www-form-urlencoded', 'application/json'],
      produces: ['application/json'],
      operationId: id.replace('.', '_'),
      description: doc,
      externalDocs: { url: `https://docs.slack.dev/reference/methods/${id.toLowerCase()}` },
      parameters: [...parameters, token],
      responses: {
        '200': { description: 'Typical success response', examples: { 'application/json': example }, schema },
        default: { description: 'Typical error response', examples: { 'application/json': { ok: false, error: errors[0] } }, schema: errorSchema(errors) },
      },
      security: [{ slackAuth: ['files:write'] }],
      tags: ['files'],
    },
  });
  spec.paths['/files.getUploadURLExternal'] = method(
    'files.getUploadURLExternal',
    'Gets a URL for an edge external file upload.',
    [
      form('filename', 'string', true, 'Name of the file being uploaded.'),
      form('length', 'integer', true, 'Size in bytes of the file being uploaded.'),
      form('alt_text', 'string', false, 'Description of image for screen-reader.'),
      form('snippet_type', 'string', false, 'Syntax type of the snippet being uploaded.'),
    ],
    { ok: true, upload_url: uploadUrl, file_id: 'F0123ABCDEF' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['ok', 'upload_url', 'file_id'],
      properties: { ok: { $ref: '#/definitions/defs_ok_true' }, upload_url: { type: 'string' }, file_id: { type: 'string' } },
    },
    ['invalid_arguments', 'missing_argument', 'not_authed', 'invalid_auth', 'ratelimited'],
  );
  spec.paths['/files.completeUploadExternal'] = method(
    'files.completeUploadExternal',
    'Finishes an upload started with files.getUploadURLExternal.',
    [
      form('files', 'string', true, 'Array of file ids and their corresponding (optional) titles, JSON-encoded.'),
      form('channel_id', 'string', false, 'Channel ID where the file will be shared.'),
      form('channels', 'string', false, 'Comma-separated channel IDs where the file will be shared.'),
      form('initial_comment', 'string', false, 'The message text introducing the file in the channel.'),
      form('thread_ts', 'string', false, 'Provide another message’s ts value to upload this file as a reply.'),
      form('blocks', 'string', false, 'A JSON-based array of structured rich text blocks.'),
    ],
    { ok: true, files: [{ id: 'F0123ABCDEF', title: 'review.md' }] },
    {
      type: 'object',
      required: ['ok', 'files'],
      properties: {
        ok: { $ref: '#/definitions/defs_ok_true' },
        files: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, title: { type: 'string' } } } },
      },
    },
    ['invalid_arguments', 'file_not_found', 'channel_not_found', 'not_in_channel', 'not_authed', 'invalid_auth'],
  );
  const out = base.replace(/\.json$/, `.files-${Buffer.from(uploadUrl).toString('hex').slice(-12)}.json`);
  await writeFile(out, JSON.stringify(spec));
  return out;
}
