// manifest.yml against Slack's manifest JSON schema (test/fixtures/specs/slack-manifest) and against the code:
// command, shortcuts, bot events and bot scopes come from src/slack/ids.ts, and WEB_API_METHODS must list
// exactly the Web API methods src/ calls.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

// ajv is CommonJS: `module.exports = Ajv` with `.default` and `.Ajv` on it. Under Node ESM,
// `import Ajv from 'ajv'` yields module.exports (the class), but TypeScript (NodeNext) types that
// default import as the whole module, so `new Ajv()` does not type-check. The named export is right
// for both.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

import { BOT_EVENTS, COMMAND, DECLARE_MODAL, OTHER_SCOPES, SHORTCUTS, WEB_API_METHODS } from '../src/slack/ids.ts';
import { declareModal } from '../src/slack/views/declare-modal.ts';
import { CALLBACK_PATH } from '../src/web/oidc.ts';
import { repoRoot, slackManifestSchema } from './support/specs.ts';

/** The parts of a manifest these tests read (the schema checks the rest). */
interface Manifest {
  features?: {
    slash_commands?: { command: string; url?: string; description: string }[];
    shortcuts?: { callback_id: string }[];
  };
  oauth_config?: { redirect_urls?: string[]; scopes?: { bot?: string[]; user?: string[] } };
  settings?: {
    event_subscriptions?: { request_url?: string; bot_events?: string[] };
    interactivity?: { is_enabled: boolean; request_url?: string; message_menu_options_url?: string };
    socket_mode_enabled?: boolean;
  };
  [key: string]: unknown;
}

const BOLT_PATH = '/slack/events';
/** Web API methods Bolt calls itself (auth.test when the app starts), so src/ never does. */
const CALLED_BY_BOLT = new Set(['auth.test']);

const srcDir = path.join(repoRoot, 'src');
const manifestText = await readFile(path.join(repoRoot, 'manifest.yml'), 'utf8');
const manifest = parse(manifestText) as Manifest;

let validator: ValidateFunction | undefined;
async function validate(doc: unknown): Promise<{ valid: boolean; errors: ErrorObject[] }> {
  if (!validator) {
    const schema = await slackManifestSchema();
    // strict: false because Slack's schema uses its own keywords (`regex`, `requires`, …), which Ajv ignores.
    const ajv = new Ajv({ strict: false, allErrors: true, formats: { uri: true } });
    validator = ajv.compile(schema);
  }
  const valid = validator(doc);
  return { valid, errors: [...(validator.errors ?? [])] };
}

const show = (errors: ErrorObject[]) =>
  errors.map((e) => `  ${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`).join('\n');

const sortedUnique = (xs: Iterable<string>) => [...new Set(xs)].sort();
const clone = (): Manifest => structuredClone(manifest);

// ---- schema ----------------------------------------------------------------------------------------

test('manifest.yml is a valid Slack app manifest (schema 1.0.0)', async () => {
  const { valid, errors } = await validate(manifest);
  assert.ok(valid, `manifest.yml does not match Slack's manifest schema:\n${show(errors)}`);
  assert.deepEqual(manifest._metadata, { major_version: 1, minor_version: 1 });
  // Slack's schema states this as a custom `regex` keyword, which Ajv does not enforce.
  const info = manifest.display_information as { background_color?: string; description?: string };
  assert.match(info.background_color ?? '', /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/);
  assert.match(info.description ?? '', /HealthTech/);
});

test('the schema validator rejects broken manifests', async (t) => {
  const cases: { name: string; mutate: (m: Manifest) => void; expect: Partial<ErrorObject> & { param?: string } }[] = [
    {
      name: 'a slash command without its description',
      mutate: (m) => {
        delete (m.features!.slash_commands![0] as { description?: string }).description;
      },
      expect: { instancePath: '/features/slash_commands/0', keyword: 'required', param: 'description' },
    },
    {
      name: 'an unknown top-level property',
      mutate: (m) => {
        m.not_a_manifest_field = true;
      },
      expect: { instancePath: '', keyword: 'additionalProperties', param: 'not_a_manifest_field' },
    },
    {
      name: 'interactivity without is_enabled',
      mutate: (m) => {
        delete (m.settings!.interactivity as { is_enabled?: boolean }).is_enabled;
      },
      expect: { instancePath: '/settings/interactivity', keyword: 'required', param: 'is_enabled' },
    },
    {
      name: 'a command URL that is not http(s)',
      mutate: (m) => {
        m.features!.slash_commands![0]!.url = 'incident-bot.example.org/slack/events';
      },
      expect: { instancePath: '/features/slash_commands/0/url', keyword: 'pattern' },
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const broken = clone();
      c.mutate(broken);
      const { valid, errors } = await validate(broken);
      assert.equal(valid, false, `expected ${c.name} to be rejected`);
      const hit = errors.find(
        (e) =>
          e.instancePath === c.expect.instancePath &&
          e.keyword === c.expect.keyword &&
          (c.expect.param === undefined || Object.values(e.params).includes(c.expect.param)),
      );
      assert.ok(hit, `expected a ${c.expect.keyword} error at '${c.expect.instancePath}', got:\n${show(errors)}`);
    });
  }
});

// ---- manifest ↔ src/slack/ids.ts ---------------------------------------------------------------------

test('slash commands are exactly [COMMAND]', () => {
  assert.deepEqual(
    (manifest.features?.slash_commands ?? []).map((c) => c.command),
    [COMMAND],
  );
});

test('shortcuts are exactly SHORTCUTS', () => {
  assert.deepEqual(
    sortedUnique((manifest.features?.shortcuts ?? []).map((s) => s.callback_id)),
    sortedUnique(SHORTCUTS),
  );
  assert.equal((manifest.features?.shortcuts ?? []).length, SHORTCUTS.length, 'duplicate shortcut callback_ids');
});

test('bot events are exactly BOT_EVENTS', () => {
  const events = manifest.settings?.event_subscriptions;
  if (BOT_EVENTS.length === 0) {
    assert.deepEqual(
      events?.bot_events ?? [],
      [],
      'BOT_EVENTS is empty: the manifest must not subscribe to bot events',
    );
    return;
  }
  assert.ok(events, 'BOT_EVENTS is not empty: the manifest needs settings.event_subscriptions');
  assert.deepEqual(sortedUnique(events.bot_events ?? []), sortedUnique(BOT_EVENTS));
  if (!manifest.settings?.socket_mode_enabled) {
    assert.ok(events.request_url?.endsWith(BOLT_PATH), `event_subscriptions.request_url must end with ${BOLT_PATH}`);
  }
});

test('bot scopes are exactly the sorted union of WEB_API_METHODS scopes and OTHER_SCOPES', () => {
  const expected = sortedUnique([...Object.values(WEB_API_METHODS).flat(), ...OTHER_SCOPES]);
  assert.deepEqual(manifest.oauth_config?.scopes?.bot, expected);
});

test('interactivity is on and every URL points at the Bolt endpoint', () => {
  const interactivity = manifest.settings?.interactivity;
  assert.equal(interactivity?.is_enabled, true, 'the declare modal needs interactivity (view_submission)');
  assert.ok(
    interactivity?.request_url?.endsWith(BOLT_PATH),
    `interactivity.request_url must end with ${BOLT_PATH}, got ${interactivity?.request_url}`,
  );
  // The declare form's service search (an external_select) asks for its options there.
  assert.ok(
    interactivity?.message_menu_options_url?.endsWith(BOLT_PATH),
    `interactivity.message_menu_options_url must end with ${BOLT_PATH}, got ${interactivity?.message_menu_options_url}`,
  );
  for (const c of manifest.features?.slash_commands ?? []) {
    assert.ok(c.url?.endsWith(BOLT_PATH), `${c.command} url must end with ${BOLT_PATH}, got ${c.url}`);
  }
});

test("Sign in with Slack: the web view's callback is the redirect URL, and the user scopes are OpenID Connect's", () => {
  assert.deepEqual(
    (manifest.oauth_config?.redirect_urls ?? []).map((u) => new URL(u).pathname),
    [CALLBACK_PATH],
  );
  assert.deepEqual(manifest.oauth_config?.scopes?.user, ['openid', 'profile'], 'no email: nothing uses it');
});

// ---- WEB_API_METHODS ↔ src/ ------------------------------------------------------------------------

async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (full !== path.join(srcDir, 'generated')) out.push(...(await tsFiles(full)));
    } else if (entry.name.endsWith('.ts')) {
      out.push(full);
    }
  }
  return out;
}

/** Web API methods called in src/, each with where: `client.ns.method(` / `this.client.ns.method(`, also split over lines. */
async function calledMethods(): Promise<Map<string, string[]>> {
  const calls = new Map<string, string[]>();
  const add = (method: string, file: string, text: string, index: number) => {
    const where = `${path.relative(repoRoot, file)}:${text.slice(0, index).split('\n').length}`;
    calls.set(method, [...(calls.get(method) ?? []), where]);
  };
  for (const file of await tsFiles(srcDir)) {
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(/\bclient\s*\??\.\s*([a-z]+)\s*\??\.\s*([a-zA-Z]+)\s*\(/g)) {
      add(`${m[1]}.${m[2]}`, file, text, m.index);
    }
    // client.apiCall('ns.method', …) names the method in a string.
    for (const m of text.matchAll(/\bclient\s*\??\.\s*apiCall\s*\(\s*['"`]([\w.]+)['"`]/g)) {
      add(m[1]!, file, text, m.index);
    }
  }
  return calls;
}

test('WEB_API_METHODS lists exactly the Web API methods src/ calls', async () => {
  const calls = await calledMethods();
  assert.ok(calls.size > 0, 'found no client.<ns>.<method>( calls in src/: is the scan broken?');
  const listed = Object.keys(WEB_API_METHODS).filter((m) => !CALLED_BY_BOLT.has(m));
  const usedNotListed = [...calls.keys()].filter((m) => !(m in WEB_API_METHODS)).sort();
  const listedNotUsed = listed.filter((m) => !calls.has(m)).sort();
  const problems = [
    ...usedNotListed.map((m) => `${m} is called (${calls.get(m)!.join(', ')}) but missing from WEB_API_METHODS`),
    ...listedNotUsed.map((m) => `${m} is in WEB_API_METHODS but nothing in src/ calls it`),
  ];
  assert.deepEqual(problems, [], problems.join('\n'));
  for (const m of CALLED_BY_BOLT)
    assert.ok(m in WEB_API_METHODS, `${m} (called by Bolt) should stay in WEB_API_METHODS`);
});

// ---- declare modal ↔ DECLARE_MODAL -----------------------------------------------------------------

test('the declare modal uses DECLARE_MODAL for its callback, block and action ids', async () => {
  const view = declareModal({ responseUrl: null, channelId: null }) as {
    callback_id: string;
    blocks: { type: string; block_id?: string; element?: { action_id?: string; options?: { value: string }[] } }[];
  };
  assert.equal(view.callback_id, DECLARE_MODAL.callbackId);

  const keys = Object.keys(DECLARE_MODAL.blocks) as (keyof typeof DECLARE_MODAL.blocks)[];
  assert.deepEqual(
    Object.keys(DECLARE_MODAL.actions).sort(),
    [...keys].sort(),
    'DECLARE_MODAL.blocks and .actions name the same fields',
  );
  const inputs = view.blocks.filter((b) => b.type === 'input').map((b) => [b.block_id, b.element?.action_id]);
  assert.deepEqual(
    inputs,
    keys.map((k) => [DECLARE_MODAL.blocks[k], DECLARE_MODAL.actions[k]]),
  );
  // With a service catalog: the same ids, the service field a search answered by the options listener.
  const withCatalog = declareModal({ responseUrl: null, channelId: null }, { catalog: true }) as typeof view;
  assert.deepEqual(
    withCatalog.blocks.filter((b) => b.type === 'input').map((b) => [b.block_id, b.element?.action_id]),
    inputs,
  );
  const search = withCatalog.blocks.find((b) => b.block_id === DECLARE_MODAL.blocks.service)?.element as
    | { type?: string; min_query_length?: number }
    | undefined;
  assert.deepEqual([search?.type, search?.min_query_length], ['external_select', 0]);
  // One flag a block: Private incident, Clinical impact (the block a redraw revises), Personal data breach.
  const flagIn = (block: string) =>
    (view.blocks.find((b) => b.block_id === block)?.element?.options ?? []).map((o) => o.value);
  assert.deepEqual(
    [DECLARE_MODAL.blocks.private, DECLARE_MODAL.blocks.flags, DECLARE_MODAL.blocks.breach].map(flagIn),
    [[DECLARE_MODAL.flagValues.private], [DECLARE_MODAL.flagValues.clinical], [DECLARE_MODAL.flagValues.breach]],
  );

  // …and only through the constant: no id is spelled out as a string literal in the view builder.
  const source = await readFile(path.join(srcDir, 'slack', 'views', 'declare-modal.ts'), 'utf8');
  const ids = [
    DECLARE_MODAL.callbackId,
    ...Object.values(DECLARE_MODAL.blocks),
    ...Object.values(DECLARE_MODAL.actions),
    ...Object.values(DECLARE_MODAL.flagValues),
  ];
  for (const id of new Set(ids)) {
    assert.doesNotMatch(
      source,
      new RegExp(`(['"\`])${id}\\1`),
      `declare-modal.ts spells out '${id}': use DECLARE_MODAL`,
    );
  }
});
