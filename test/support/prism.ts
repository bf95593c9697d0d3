// In-process Stoplight Prism for tests (a TypeScript ESM port of the project's prism-inproc.js), serving a
// spec document: the Slack and PagerDuty specs come from test/fixtures/specs/, patched in memory by
// ./specs.ts to accept what the vendor SDKs really send, so nothing is written to disk.
// Prism mocks with the spec's examples and validates every request; assert `violations('request')` is empty.
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';

import type * as PrismCore from '@stoplight/prism-core';
import type * as PrismHttp from '@stoplight/prism-http';
import type * as PrismHttpServer from '@stoplight/prism-http-server';

import { patchedPagerDutySpec, patchedSlackSpec, repoRoot, type SpecDocument } from './specs.ts';

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

/** Serves `spec`: a parsed OpenAPI / Swagger document (e.g. patchedSlackSpec()) or the path of one. */
export async function startPrism(spec: SpecDocument | string, port = 0, host = '127.0.0.1'): Promise<PrismHandle> {
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
  const operations = await getHttpOperationsFromSpec(spec);
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

// ---- specs ---------------------------------------------------------------------------------------

export { patchedPagerDutySpec, patchedSlackSpec, repoRoot };

/**
 * Slack's spec with the external file upload methods, which are newer than its 2021 snapshot. Their
 * contract is written here from Slack's method documentation (docs.slack.dev/reference/methods/
 * files.getUploadURLExternal and files.completeUploadExternal): getUploadURLExternal requires
 * `filename` and an integer `length` (optional `alt_text`, `snippet_type`); completeUploadExternal
 * requires `files`, a JSON array of `{ id, title? }` (optional `channel_id`, `channels`,
 * `initial_comment`, `thread_ts`, `blocks`); both need files:write. `uploadUrl` is the example
 * upload URL Prism answers with (a local sink the test runs: Slack's own is on files.slack.com).
 */
export async function slackSpecWithFileUploads(uploadUrl: string): Promise<SpecDocument> {
  const spec = (await patchedSlackSpec()) as { paths: Record<string, unknown> };
  const form = (name: string, type: 'string' | 'integer', required: boolean, description: string) => ({
    name,
    in: 'formData',
    type,
    required,
    description,
  });
  const token = { name: 'token', in: 'formData', type: 'string', required: false };
  const errorSchema = (errors: string[]) => ({
    type: 'object',
    additionalProperties: false,
    required: ['ok', 'error'],
    properties: {
      ok: { $ref: '#/definitions/defs_ok_false' },
      error: { type: 'string', enum: errors },
      callstack: { type: 'string' },
    },
  });
  const method = (
    id: string,
    doc: string,
    parameters: unknown[],
    example: Record<string, unknown>,
    schema: Record<string, unknown>,
    errors: string[],
  ) => ({
    post: {
      consumes: ['application/x-www-form-urlencoded', 'application/json'],
      produces: ['application/json'],
      operationId: id.replace('.', '_'),
      description: doc,
      externalDocs: { url: `https://docs.slack.dev/reference/methods/${id.toLowerCase()}` },
      parameters: [...parameters, token],
      responses: {
        '200': { description: 'Typical success response', examples: { 'application/json': example }, schema },
        default: {
          description: 'Typical error response',
          examples: { 'application/json': { ok: false, error: errors[0] } },
          schema: errorSchema(errors),
        },
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
      properties: {
        ok: { $ref: '#/definitions/defs_ok_true' },
        upload_url: { type: 'string' },
        file_id: { type: 'string' },
      },
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
        files: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id'],
            properties: { id: { type: 'string' }, title: { type: 'string' } },
          },
        },
      },
    },
    ['invalid_arguments', 'file_not_found', 'channel_not_found', 'not_in_channel', 'not_authed', 'invalid_auth'],
  );
  return spec;
}
