// GitHub webhook payloads for tests that pass GitHub's published schemas (@octokit/webhooks-schemas):
// the smallest instance of a payload's schema (required properties only, the first choice of each
// union, the first value of each enum), with the values a test cares about laid over it.
import { createRequire } from 'node:module';
import { sign } from '@octokit/webhooks-methods';

const require = createRequire(import.meta.url);
type Schema = Record<string, unknown>;
const schemas = require('@octokit/webhooks-schemas') as { definitions: Record<string, Schema> };

function resolve(s: Schema): Schema {
  let cur = s;
  while (typeof cur.$ref === 'string') cur = schemas.definitions[(cur.$ref as string).replace('#/definitions/', '')]!;
  return cur;
}

function minimal(schema: Schema, depth = 0): unknown {
  const s = resolve(schema);
  if (depth > 40) throw new Error('schema too deep');
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum.find((v) => v !== null) ?? s.enum[0];
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = s[key] as Schema[] | undefined;
    if (options) {
      const notNull = options.find((o) => resolve(o).type !== 'null');
      return minimal(notNull ?? options[0]!, depth + 1);
    }
  }
  if (Array.isArray(s.allOf)) {
    return Object.assign({}, ...(s.allOf as Schema[]).map((o) => minimal(o, depth + 1)));
  }
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : (s.type as string | undefined);
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const name of (s.required ?? []) as string[])
        out[name] = props[name] ? minimal(props[name]!, depth + 1) : 'x';
      return out;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'string':
      if (s.format === 'uri') return 'https://api.github.com/x';
      if (s.format === 'date-time') return '2026-12-05T10:00:00Z';
      if (s.format === 'email') return 'octocat@example.org';
      return 'x';
    case 'null':
      return null;
    default:
      return 'x';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The object schema behind unions and references (the first that is not null), or null. */
function objectSchema(schema: Schema): Schema | null {
  const s = resolve(schema);
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = s[key] as Schema[] | undefined;
    if (options) {
      for (const o of options) {
        const found = objectSchema(o);
        if (found) return found;
      }
      return null;
    }
  }
  return s.type === 'object' || (Array.isArray(s.type) && s.type.includes('object')) || s.properties ? s : null;
}

/** `over` laid on the smallest instance of `schema`: objects filled in with their required properties, at any depth. */
function fill(schema: Schema | undefined, over: unknown): unknown {
  if (!isObject(over)) return over;
  const s = schema ? objectSchema(schema) : null;
  if (!s) return over;
  const out = minimal(s) as Record<string, unknown>;
  const props = (s.properties ?? {}) as Record<string, Schema>;
  for (const [k, v] of Object.entries(over)) out[k] = fill(props[k], v);
  return out;
}

/** A GitHub user (or bot) as webhook payloads carry them, valid against GitHub's schemas. */
export function gitHubUser(login: string, type: 'User' | 'Bot' = 'User') {
  return {
    login,
    id: 1,
    node_id: 'U_1',
    avatar_url: 'https://avatars.example/u/1',
    gravatar_id: '',
    url: `https://api.github.com/users/${login}`,
    html_url: `https://github.com/${login}`,
    followers_url: 'https://api.github.com/x',
    following_url: 'https://api.github.com/x',
    gists_url: 'https://api.github.com/x',
    starred_url: 'https://api.github.com/x',
    subscriptions_url: 'https://api.github.com/x',
    organizations_url: 'https://api.github.com/x',
    repos_url: 'https://api.github.com/x',
    events_url: 'https://api.github.com/x',
    received_events_url: 'https://api.github.com/x',
    type,
    site_admin: false,
  };
}

/** The smallest valid payload of `definition` (e.g. `deployment_protection_rule$requested`) with `over` laid on it. */
export function gitHubPayload(definition: string, over: Record<string, unknown>): Record<string, unknown> {
  const schema = schemas.definitions[definition];
  if (!schema) throw new Error(`no GitHub schema ${definition}`);
  return fill(schema, over) as Record<string, unknown>;
}

/** POSTs a signed delivery to the bot's /github/webhook. */
export async function postGitHubWebhook(
  url: string,
  secret: string,
  event: string,
  payload: unknown,
  deliveryId = `d-${Math.random().toString(16).slice(2)}`,
): Promise<{ status: number; body: unknown }> {
  const body = JSON.stringify(payload);
  const res = await fetch(`${url}/github/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': deliveryId,
      'x-hub-signature-256': await sign(secret, body),
    },
    body,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}
