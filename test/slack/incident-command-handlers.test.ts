// The `/incident` subcommands' handlers, each called alone with a fake ack and fake dependencies
// (no Bolt app, no database): what they answer in the ack, what they answer after it, and in which order.
import { EMPTY_CATALOG } from '../../src/domain/catalog.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helpText, parseIncidentCommand } from '../../src/domain/command.ts';
import { parseDeclaration } from '../../src/domain/declaration.ts';
import { silentLogger } from '../../src/logger.ts';
import type { DeclarationIntake } from '../../src/ports/declaration-intake.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { NOT_CONNECTED } from '../../src/services/on-call/connection.ts';
import type { ListenerContext } from '../../src/slack/context.ts';
import { handleIncidentCommand, INCIDENT_SUBCOMMANDS } from '../../src/slack/listeners/commands/incident.ts';
import { handleDeclare } from '../../src/slack/listeners/commands/incident/declare.ts';
import { handleGuardrails } from '../../src/slack/listeners/commands/incident/guardrails.ts';
import type { CommandAck, SlashCommand } from '../../src/slack/listeners/commands/incident/handler.ts';
import { handleHelp } from '../../src/slack/listeners/commands/incident/help.ts';
import { handleInChannel } from '../../src/slack/listeners/commands/incident/in-channel.ts';
import { handleOnCall } from '../../src/slack/listeners/commands/incident/on-call.ts';
import { handleOpenDeclareModal } from '../../src/slack/listeners/commands/incident/open-declare-modal.ts';
import { NOT_HELD } from '../../src/slack/listeners/declare-and-reply.ts';
import type { ViewOpener } from '../../src/slack/listeners/review-form.ts';
import { WorkLimit } from '../../src/work-limit.ts';
import { LOAD_SETTINGS } from '../support/fixtures.ts';
import { aService, catalogOf } from '../support/catalog.ts';

const RESPONSE_URL = 'https://hooks.slack.com/commands/T1/1/abc';

const slash = (text: string): SlashCommand => ({
  text,
  user_id: 'UALICE',
  channel_id: 'CGENERAL',
  trigger_id: 'TRIGGER1',
  response_url: RESPONSE_URL,
});

/** A listener context on fakes; everything the handlers do to Slack or the intake lands in `events`, in order. */
function fakes(over: { deps?: Record<string, unknown>; intake?: Partial<DeclarationIntake> } = {}) {
  const events: unknown[][] = [];
  const deps = {
    clock: { now: () => new Date('2026-03-02T10:00:00Z') },
    logger: silentLogger,
    onCall: null,
    history: null,
    chat: {
      replyPrivately: async (url: string, text: string) => void events.push(['reply', url, text]),
      directMessage: async (user: string, text: string) => void events.push(['dm', user, text]),
    },
    settings: { ...LOAD_SETTINGS, broadcastChannelId: 'CBROADCAST', defaultTimeZone: 'Europe/London' },
    catalog: { current: () => EMPTY_CATALOG },
    ...over.deps,
  } as unknown as ServiceDeps;
  const intake = {
    hold: async (key: string) => void events.push(['hold', key]),
    ...over.intake,
  } as unknown as DeclarationIntake;
  const ctx: ListenerContext = { deps, work: new WorkLimit(2), intake };
  const ack: CommandAck = async (answer) => void events.push(answer === undefined ? ['ack'] : ['ack', answer]);
  const client: ViewOpener = {
    views: { open: async (args) => void events.push(['views.open', args.trigger_id]) },
  };
  return { ctx, ack, client, events };
}

test('every subcommand the parser knows has a handler', () => {
  const kinds = [
    ...['help', 'oncall', 'review', 'actions', 'guardrails', 'load', 'timeline', 'close', 'evidence'].map(
      (t) => parseIncidentCommand(t).kind,
    ),
    parseIncidentCommand('').kind,
    parseIncidentCommand('declare sev2 Checkout is down').kind,
  ];
  for (const kind of kinds) assert.equal(typeof INCIDENT_SUBCOMMANDS[kind], 'function', kind);
});

test('help is answered in the ack, and nothing else happens', async () => {
  const { ctx, ack, client, events } = fakes();
  await handleHelp({ request: { kind: 'help' }, command: slash('help'), ctx, ack, client });
  assert.deepEqual(events, [['ack', { response_type: 'ephemeral', text: helpText() }]]);
});

test('a declaration that cannot be held is refused in the ack, and nothing is declared', async () => {
  const { ctx, ack, client, events } = fakes({
    intake: {
      hold: async () => {
        throw new Error('database down');
      },
    },
  });
  const request = { kind: 'declare' as const, declaration: parseDeclaration({ severity: 'SEV2', title: 'Checkout' }) };
  await handleDeclare({ request, command: slash('declare sev2 Checkout'), ctx, ack, client });
  assert.deepEqual(events, [['ack', { response_type: 'ephemeral', text: NOT_HELD }]]);
});

test('a declaration is held under its trigger before the ack, which says what is being declared', async () => {
  const { ctx, ack, client, events } = fakes();
  const request = {
    kind: 'declare' as const,
    declaration: parseDeclaration({ severity: 'SEV2', title: 'Checkout <down>' }),
  };
  await handleDeclare({ request, command: slash('declare sev2 Checkout <down>'), ctx, ack, client });
  assert.deepEqual(events.slice(0, 2), [
    ['hold', 'command:TRIGGER1'],
    ['ack', { response_type: 'ephemeral', text: 'Declaring a SEV2 (High) incident: Checkout &lt;down&gt;…' }],
  ]);
});

test('a catalog configured but never read: the service is taken as typed, and the ack says so', async () => {
  const unread = { ...EMPTY_CATALOG, source: 'backstage' as const };
  const { ctx, ack, client, events } = fakes({ deps: { catalog: { current: () => unread } } });
  const request = {
    kind: 'declare' as const,
    declaration: parseDeclaration({ severity: 'SEV2', title: 'Checkout down', affectedService: 'Payments' }),
  };
  await handleDeclare({ request, command: slash('declare sev2 Checkout down --service=Payments'), ctx, ack, client });
  assert.deepEqual(events.slice(0, 2), [
    ['hold', 'command:TRIGGER1'],
    [
      'ack',
      {
        response_type: 'ephemeral',
        text: 'Declaring a SEV2 (High) incident: Checkout down… _The service catalog could not be read; services are taken as typed._',
      },
    ],
  ]);
});

test('the declare command joins the words after --service= to the service by the catalog, and acks the title left', async () => {
  const catalog = catalogOf(aService({ name: 'ehr-api', title: 'EHR API' }));
  const held: unknown[] = [];
  const { ctx, ack, client, events } = fakes({
    deps: { catalog: { current: () => catalog } },
    intake: { hold: async (_key: string, input: unknown) => void held.push(input) },
  });
  const parsed = parseIncidentCommand('declare sev2 --service=EHR API returning 500s');
  assert.ok(parsed.kind === 'declare');
  const request = { ...parsed, declaration: parseDeclaration(parsed.declaration) };
  await handleDeclare({ request, command: slash('declare sev2 --service=EHR API returning 500s'), ctx, ack, client });
  assert.deepEqual(events[0], [
    'ack',
    { response_type: 'ephemeral', text: 'Declaring a SEV2 (High) incident: returning 500s…' },
  ]);
  const input = held[0] as { declaration: { title: string; affectedService: string }; service: unknown };
  assert.deepEqual([input.declaration.title, input.declaration.affectedService], ['returning 500s', 'EHR API']);
  assert.deepEqual(input.service, { name: 'ehr-api', owner: 'group:default/platform' });
  assert.equal('serviceWords' in input, false);
});

test('the declare form: acked first, then opened with the command’s trigger', async () => {
  const { ctx, ack, client, events } = fakes();
  await handleOpenDeclareModal({ request: { kind: 'open-declare-modal' }, command: slash(''), ctx, ack, client });
  assert.deepEqual(events, [['ack'], ['views.open', 'TRIGGER1']]);
});

test('oncall without PagerDuty: acked, then told privately that it is not connected', async () => {
  const { ctx, ack, client, events } = fakes();
  await handleOnCall({ request: { kind: 'oncall', query: null }, command: slash('oncall'), ctx, ack, client });
  assert.deepEqual(events, [['ack'], ['reply', RESPONSE_URL, NOT_CONNECTED]]);
});

test('guardrails: acked, then the report for the period asked, privately', async () => {
  const since: Date[] = [];
  const { ctx, ack, client, events } = fakes({
    deps: {
      reviews: {
        guardrailFigures: async (d: Date) => {
          since.push(d);
          return {
            incidents: 0,
            nearMisses: 0,
            reviewed: 0,
            factorCounts: [],
            services: [],
            actionCounts: [],
            openMiddleCreatedAt: null,
            overdueOpen: 0,
          };
        },
        deliveryFigures: async () => [],
        openActionsByTeam: async () => [],
      },
    },
  });
  await handleGuardrails({
    request: { kind: 'guardrails', periodDays: 30 },
    command: slash('guardrails 30d'),
    ctx,
    ack,
    client,
  });
  assert.deepEqual(since, [new Date('2026-01-31T10:00:00Z')]);
  assert.equal(events.length, 2);
  assert.deepEqual(events[0], ['ack']);
  assert.equal(events[1]![0], 'reply');
  assert.equal(events[1]![1], RESPONSE_URL);
  assert.match(String(events[1]![2]), /^Guardrail report \(.*\): 0 incidents, 0 reviewed, 0 open action items/);
});

test('a command for an incident, outside an incident channel: acked, then refused privately', async () => {
  const { ctx, ack, client, events } = fakes({ deps: { store: { findByChannel: async () => null } } });
  await handleInChannel({ request: { kind: 'timeline' }, command: slash('timeline'), ctx, ack, client });
  assert.equal(events.length, 2);
  assert.deepEqual(events[0], ['ack']);
  assert.deepEqual(events[1]!.slice(0, 2), ['reply', RESPONSE_URL]);
  assert.match(String(events[1]![2]), /only works in an incident channel/);
});

test('the command: an incomplete payload or bad input is answered in the ack; the rest goes to its handler', async () => {
  const incomplete = fakes();
  await handleIncidentCommand(incomplete.ctx, {
    command: { text: 'help' },
    ack: incomplete.ack,
    client: incomplete.client,
  });
  assert.deepEqual(incomplete.events, [
    [
      'ack',
      {
        response_type: 'ephemeral',
        text: 'Slack sent an incomplete command, so nothing was done. Please try again.',
      },
    ],
  ]);

  const bad = fakes();
  await handleIncidentCommand(bad.ctx, { command: slash('declare sev9 Nope'), ack: bad.ack, client: bad.client });
  assert.equal(bad.events.length, 1, 'nothing is held for bad input');
  assert.equal(bad.events[0]![0], 'ack');
  assert.equal((bad.events[0]![1] as { response_type: string }).response_type, 'ephemeral');

  const help = fakes();
  await handleIncidentCommand(help.ctx, { command: slash('help'), ack: help.ack, client: help.client });
  assert.deepEqual(help.events, [['ack', { response_type: 'ephemeral', text: helpText() }]]);
});

test('action done and action reopen: acked, then the item changed by its number and the outcome told privately', async () => {
  const calls: unknown[][] = [];
  let status: 'open' | 'done' = 'done';
  const item = () => ({
    id: 'a1',
    number: 12,
    incidentId: 'i1',
    ownerId: 'UALICE',
    createdBy: 'UBOB',
    status,
    incidentPrivate: false,
  });
  const { ctx, ack, client, events } = fakes({
    deps: {
      reviews: {
        actionItemByNumber: async (n: number) => (n === 12 ? item() : null),
        reopenActionItem: async (id: string, change: { by: string }, guard: unknown) => {
          calls.push(['reopen', id, change.by, guard]);
          status = 'open';
          return item();
        },
        completeActionItem: async (id: string, change: { by: string }) => {
          calls.push(['complete', id, change.by]);
          status = 'done';
          return item();
        },
        findReview: async () => null,
      },
      store: { findById: async () => ({ id: 'i1', number: 3, declaredBy: 'UBOB', roles: {}, isPrivate: false }) },
      trackerSync: { kick: () => void calls.push(['kick']) },
    },
  });
  await handleIncidentCommand(ctx, { command: slash('action reopen ACT-12'), ack, client });
  await handleIncidentCommand(ctx, { command: slash('action done act-12'), ack, client });
  await handleIncidentCommand(ctx, { command: slash('action reopen ACT-99'), ack, client });
  assert.deepEqual(calls, [
    ['reopen', 'a1', 'UALICE', { ownerId: 'UALICE' }],
    ['kick'],
    ['complete', 'a1', 'UALICE'],
    ['kick'],
  ]);
  assert.deepEqual(events, [
    ['ack'],
    ['reply', RESPONSE_URL, ':arrows_counterclockwise: ACT-12 is open again.'],
    ['ack'],
    ['reply', RESPONSE_URL, ':white_check_mark: ACT-12 is done.'],
    ['ack'],
    ['reply', RESPONSE_URL, 'There is no action item ACT-99: `/incident actions all` lists them.'],
  ]);
  for (const kind of ['action-done', 'action-reopen'] as const)
    assert.equal(typeof INCIDENT_SUBCOMMANDS[kind], 'function', kind);
});

test('actions with where the items live: the place goes to the store and into the listing', async () => {
  const asked: unknown[] = [];
  const { ctx, ack, client, events } = fakes({
    deps: {
      reviews: {
        backlogPage: async (filter: unknown) => {
          asked.push(filter);
          return [];
        },
        countBacklog: async () => 0,
      },
    },
  });
  await handleIncidentCommand(ctx, { command: slash('actions team in:jira'), ack, client });
  assert.deepEqual(asked, [{ status: 'open', tracker: 'jira' }]);
  assert.deepEqual(events.slice(0, 2), [
    ['ack'],
    ['reply', RESPONSE_URL, 'Open action items of the team in Jira: none'],
  ]);
});
