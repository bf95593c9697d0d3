// The vendor specs the tests check against, carried in the repository under test/fixtures/specs/ (its
// README.md says where each comes from, at which commit, and under which licence; `npm run specs:refresh`
// updates them), and the changes that make Slack's and PagerDuty's specs accept what their SDKs really
// send. The specs are loaded and patched in memory on each call: nothing is written to disk.
//
// The two patches are TypeScript ports of the project's spec patch scripts (patch-slack-spec.js and
// patch-pd-spec.js), which were written for this project and carry no licence of their own.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** Repository root: this file is <root>/test/support/specs.ts. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** test/fixtures/specs/ */
export const specsDir = fileURLToPath(new URL('../fixtures/specs', import.meta.url));

/** A parsed OpenAPI / Swagger document or JSON schema: Prism and Ajv take it as an object. */
export type SpecDocument = Record<string, unknown>;

/** test/fixtures/specs/<file> parsed (decompressed first when it ends in .gz); a fresh copy on each call. */
export async function readSpec(file: string): Promise<SpecDocument> {
  const full = path.join(specsDir, file);
  let bytes: Buffer;
  try {
    bytes = await readFile(full);
  } catch (err) {
    throw new Error(`Spec ${full} is missing: it is part of the repository (npm run specs:refresh makes it again)`, {
      cause: err,
    });
  }
  const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  return JSON.parse(text) as SpecDocument;
}

/** Slack's app manifest JSON schema 1.0.0 (slackapi/manifest-schema). */
export function slackManifestSchema(): Promise<SpecDocument> {
  return readSpec('slack-manifest/manifest.schema.1.0.0.json');
}

/** Slack's Web API spec (slackapi/slack-api-specs, Swagger 2.0, 2021) as Slack published it. */
export function slackWebApiSpec(): Promise<SpecDocument> {
  return readSpec('slack-web-api/slack_web_openapi_v2.json.gz');
}

/** The path items of PagerDuty's REST API spec (PagerDuty/api-schema) that the bot calls, as PagerDuty published them. */
export function pagerDutySpec(): Promise<SpecDocument> {
  return readSpec('pagerduty/openapiv3.excerpt.json');
}

/** The path items of GitHub's REST API description (@octokit/openapi) that the bot calls, unpatched. */
export function gitHubSpec(): Promise<SpecDocument> {
  return readSpec('github/api.github.com.excerpt.json');
}

interface SwaggerParameter {
  name: string;
  in: string;
  [key: string]: unknown;
}
interface SwaggerOperation {
  operationId?: string;
  parameters?: SwaggerParameter[];
  consumes?: string[];
  [key: string]: unknown;
}

/**
 * Makes slackapi/slack-api-specs match how @slack/web-api really calls Slack: every method is a POST of
 * application/x-www-form-urlencoded (a GET-only method gets a POST copy with its query parameters as form
 * fields), and the token is in "Authorization: Bearer" or a form field (Bolt's auth.test sends both).
 * Schemas, required parameters and examples are left as Slack published them.
 */
export function patchSlackSpec(spec: SpecDocument): SpecDocument {
  const paths = spec.paths as Record<string, { get?: SwaggerOperation; post?: SwaggerOperation }>;
  for (const item of Object.values(paths)) {
    if (item.get && !item.post) {
      const post = structuredClone(item.get);
      post.operationId = `${post.operationId || 'op'}_post`;
      post.parameters = (post.parameters ?? []).map((p) => (p.in === 'query' ? { ...p, in: 'formData' } : p));
      item.post = post;
    }
    if (!item.post) continue;
    item.post.consumes = ['application/x-www-form-urlencoded', 'application/json'];
    item.post.parameters = (item.post.parameters ?? [])
      .filter((p) => p.name !== 'token')
      .concat([{ name: 'token', in: 'formData', type: 'string', required: false }]);
  }
  return spec;
}

interface OasResponse {
  content?: Record<string, unknown>;
  [key: string]: unknown;
}

const PAGERDUTY_VND = 'application/vnd.pagerduty+json;version=2';

/**
 * Makes PagerDuty's spec accept what @pagerduty/pdjs (and the real API) accept: pdjs sends
 * "Content-Type: application/json; charset=utf-8" (the spec's enum allows only "application/json") and
 * "Accept: application/vnd.pagerduty+json;version=2" (the spec's responses declare only application/json).
 */
export function patchPagerDutySpec(spec: SpecDocument): SpecDocument {
  const components = spec.components as {
    parameters: Record<string, { schema: { enum: string[] } }>;
    responses?: Record<string, OasResponse>;
  };
  const contentType = components.parameters['header_Content-Type'];
  if (!contentType) throw new Error('PagerDuty spec: components.parameters.header_Content-Type is missing');
  if (!contentType.schema.enum.includes('application/json; charset=utf-8'))
    contentType.schema.enum.push('application/json; charset=utf-8');
  const addVnd = (r: OasResponse | undefined) => {
    if (r?.content?.['application/json'] && !r.content[PAGERDUTY_VND])
      r.content[PAGERDUTY_VND] = r.content['application/json'];
  };
  Object.values(components.responses ?? {}).forEach(addVnd);
  for (const item of Object.values(
    spec.paths as Record<string, Record<string, { responses?: Record<string, OasResponse> } | string>>,
  )) {
    for (const op of Object.values(item))
      if (typeof op === 'object' && op.responses) Object.values(op.responses).forEach(addVnd);
  }
  return spec;
}

/** What @octokit/core asks for (Accept) by default, and @octokit/auth-app for an installation token. */
export const GITHUB_MEDIA_TYPES = ['application/vnd.github.v3+json', 'application/vnd.github.machine-man-preview+json'];

/**
 * Makes GitHub's description answer the media types Octokit asks for: its responses declare only
 * application/json, while GitHub (and Octokit) use `Accept: application/vnd.github.v3+json`, and
 * @octokit/auth-app still sends the old machine-man preview for installation tokens, which GitHub
 * answers as JSON. And its examples written `{ summary, value: { $ref: '#/components/examples/…' } }`
 * (a reference to an Example object where the value belongs: Prism would answer `{ "value": … }`)
 * become the reference to that Example, so Prism answers the example itself.
 */
export function patchGitHubSpec(spec: SpecDocument): SpecDocument {
  const add = (r: OasResponse | undefined) => {
    const json = r?.content?.['application/json'] as { examples?: Record<string, Record<string, unknown>> } | undefined;
    for (const [name, example] of Object.entries(json?.examples ?? {})) {
      const ref = (example.value as { $ref?: unknown } | undefined)?.$ref;
      if (typeof ref === 'string' && ref.startsWith('#/components/examples/')) json!.examples![name] = { $ref: ref };
    }
    if (json) for (const type of GITHUB_MEDIA_TYPES) r!.content![type] ??= json;
  };
  const components = spec.components as { responses?: Record<string, OasResponse> };
  Object.values(components.responses ?? {}).forEach(add);
  for (const item of Object.values(
    spec.paths as Record<string, Record<string, { responses?: Record<string, OasResponse> } | string>>,
  )) {
    for (const op of Object.values(item))
      if (typeof op === 'object' && op.responses) Object.values(op.responses).forEach(add);
  }
  return spec;
}

export async function patchedGitHubSpec(): Promise<SpecDocument> {
  return patchGitHubSpec(await gitHubSpec());
}

export async function patchedSlackSpec(): Promise<SpecDocument> {
  return patchSlackSpec(await slackWebApiSpec());
}

export async function patchedPagerDutySpec(): Promise<SpecDocument> {
  return patchPagerDutySpec(await pagerDutySpec());
}

/** The path items of the Jira Cloud platform REST API (salto-io/jira-swaggers, 2022) that the bot calls, unpatched. */
export function jiraSpec(): Promise<SpecDocument> {
  return readSpec('jira/platform-swagger.v3.excerpt.json');
}

/** The marker of the issue the enhanced search's example answers (patchJiraSpec). */
export const JIRA_EXAMPLE_MARKER = 'incident-bot:action-item:0b8e7a52-5f7c-4c1e-9d0e-3f2a1b6c7d8e';

/**
 * Makes the 2022 Jira spec serve what Jira Cloud does today:
 * - its examples are JSON written as strings (`"example": "{\"id\":…}"`), which Prism would answer
 *   as one JSON string: they are parsed into the values they spell;
 * - `POST /rest/api/3/search/jql`, the enhanced JQL search (operation searchAndReconsileIssuesUsingJqlPost)
 *   that replaced `/rest/api/3/search` (removed from Jira Cloud in 2025, changelog CHANGE-2046), is
 *   added as Atlassian's reference documents it (developer.atlassian.com/cloud/jira/platform/rest/v3/
 *   api-group-issue-search): a body of `jql`, `nextPageToken`, `maxResults`, `fields`, `expand`,
 *   `properties`, `fieldsByKeys`, `failFast`, `reconcileIssues`; an answer of `issues` (IssueBean),
 *   `nextPageToken`, `isLast`, `names`, `schema`. Its example answers one issue whose description
 *   ends with JIRA_EXAMPLE_MARKER;
 * - `PUT /rest/api/3/issue/{issueIdOrKey}/assignee` takes `"accountId": null`, which the reference
 *   documents ("null: the issue is set to unassigned") while its schema (User) says a string.
 */
export function patchJiraSpec(spec: SpecDocument): SpecDocument {
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      for (const [type, media] of Object.entries(o)) {
        if (type === 'application/json' && media && typeof media === 'object') {
          const m = media as { example?: unknown };
          if (typeof m.example === 'string' && /^\s*[[{]/.test(m.example)) {
            try {
              m.example = JSON.parse(m.example);
            } catch {
              // not JSON after all: leave it
            }
          }
        }
        walk(o[type]);
      }
    }
  };
  walk(spec.paths);
  const paths = spec.paths as Record<string, unknown>;
  const user = (spec.components as { schemas: Record<string, { properties: Record<string, object> }> }).schemas.User;
  const assign = (
    paths['/rest/api/3/issue/{issueIdOrKey}/assignee'] as {
      put?: { requestBody?: { content?: Record<string, { schema?: unknown }> } };
    }
  ).put?.requestBody?.content?.['application/json'];
  if (!user || !assign) throw new Error('Jira spec: the User schema or the assignee operation is missing');
  assign.schema = {
    ...user,
    properties: { ...user.properties, accountId: { ...user.properties.accountId, nullable: true } },
  };
  const errors = { content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorCollection' } } } };
  paths['/rest/api/3/search/jql'] = {
    post: {
      tags: ['Issue search'],
      summary: 'Search for issues using JQL enhanced search (POST)',
      operationId: 'searchAndReconsileIssuesUsingJqlPost',
      externalDocs: {
        url: 'https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-post',
      },
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              additionalProperties: false,
              properties: {
                jql: { type: 'string' },
                nextPageToken: { type: 'string' },
                maxResults: { type: 'integer', format: 'int32', default: 50 },
                fields: { type: 'array', items: { type: 'string' } },
                expand: { type: 'string' },
                properties: { type: 'array', maxItems: 5, items: { type: 'string' } },
                fieldsByKeys: { type: 'boolean', default: false },
                failFast: { type: 'boolean', default: false },
                reconcileIssues: { type: 'array', maxItems: 50, items: { type: 'integer', format: 'int64' } },
              },
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'Returned if the request is successful.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  isLast: { type: 'boolean' },
                  issues: { type: 'array', items: { $ref: '#/components/schemas/IssueBean' } },
                  names: { type: 'object', additionalProperties: { type: 'string' } },
                  nextPageToken: { type: 'string' },
                  schema: { type: 'object', additionalProperties: { $ref: '#/components/schemas/JsonTypeBean' } },
                },
              },
              example: {
                isLast: true,
                issues: [
                  {
                    id: '10068',
                    key: 'OPS-12',
                    self: 'https://your-domain.atlassian.net/rest/api/3/issue/10068',
                    fields: {
                      summary: 'ACT-7: Add an alert on the replica lag',
                      description: {
                        type: 'doc',
                        version: 1,
                        content: [
                          { type: 'paragraph', content: [{ type: 'text', text: 'Add an alert on the replica lag' }] },
                          { type: 'paragraph', content: [{ type: 'text', text: JIRA_EXAMPLE_MARKER }] },
                        ],
                      },
                    },
                  },
                ],
              },
            },
          },
        },
        '400': { description: 'Returned if the JQL query is invalid.', ...errors },
        '401': { description: 'Returned if the authentication credentials are incorrect or missing.' },
        '403': { description: 'Returned if the user does not have the necessary permission.', ...errors },
      },
      security: [{ basicAuth: [] }, { OAuth2: ['read:jira-work'] }, {}],
    },
  };
  return spec;
}

export async function patchedJiraSpec(): Promise<SpecDocument> {
  return patchJiraSpec(await jiraSpec());
}
