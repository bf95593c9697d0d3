// The declare form's service choice (block_actions, dispatch_action on the catalog search): acked at
// once; only a patient-facing service redraws the form (with the view's hash); bad payloads, other
// services and a redraw Slack refuses (hash_conflict) change nothing and never throw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceDeps } from '../../src/services/deps.ts';
import type { ListenerContext } from '../../src/slack/context.ts';
import { DECLARE_MODAL } from '../../src/slack/ids.ts';
import { handleServiceChosen, type ViewUpdater } from '../../src/slack/listeners/views/declare-incident.ts';
import { WorkLimit } from '../../src/work-limit.ts';
import { aService, catalogOf } from '../support/catalog.ts';
import { declareModalValues } from '../support/slack-requests.ts';
import { silentLogger } from '../../src/logger.ts';

const B = DECLARE_MODAL.blocks;
const A = DECLARE_MODAL.actions;
const catalog = catalogOf(
  aService({ name: 'ehr-api', title: 'EHR API', clinicalCriticality: 'patient-facing' }),
  aService({ name: 'billing', title: 'Billing', clinicalCriticality: 'none' }),
);

function setup(update: (args: unknown) => Promise<unknown> = async () => ({})) {
  const events: unknown[][] = [];
  const warnings: unknown[] = [];
  const deps = {
    catalog: { current: () => catalog },
    logger: { ...silentLogger, warn: (o: unknown) => void warnings.push(o) },
  } as unknown as ServiceDeps;
  const ctx = { deps, work: new WorkLimit(1), intake: {} } as unknown as ListenerContext;
  const client: ViewUpdater = {
    views: {
      update: async (args) => {
        events.push(['views.update', args]);
        return update(args);
      },
    },
  };
  const ack = async () => void events.push(['ack']);
  return { ctx, client, ack, events, warnings };
}

const chosen = (service: string, severity: string | null = 'SEV4') => {
  const values: Record<string, Record<string, unknown>> = declareModalValues({ title: 'Wards down', severity });
  values[B.service] = {
    [A.service]: { type: 'external_select', selected_option: { value: service } },
  };
  return {
    type: 'block_actions',
    user: { id: 'UALICE' },
    view: {
      id: 'V1',
      hash: 'h1',
      callback_id: DECLARE_MODAL.callbackId,
      private_metadata: JSON.stringify({ responseUrl: null, channelId: 'C1' }),
      state: { values },
    },
    actions: [{ action_id: A.service, block_id: B.service, selected_option: { value: service } }],
  };
};

test('a patient-facing service: SEV2 and Clinical impact preset, with the hash, what was typed kept', async () => {
  const { ctx, client, ack, events } = setup();
  await handleServiceChosen(ctx, { body: chosen('ehr-api', 'SEV4'), ack, client });
  assert.deepEqual(events[0], ['ack']);
  const [, args] = events[1] as [string, { view_id: string; hash: string; view: { blocks: unknown[] } }];
  assert.equal(args.view_id, 'V1');
  assert.equal(args.hash, 'h1');
  const blocks = args.view.blocks as { block_id: string; element: Record<string, unknown> }[];
  const severity = blocks.find((b) => b.block_id.startsWith('severity'))!;
  assert.equal(severity.block_id, 'severity.1', 'a new block id, so Slack shows the preset');
  assert.equal((severity.element.initial_option as { value: string }).value, 'SEV2');
  const flags = blocks.find((b) => b.block_id.startsWith('flags'))!;
  assert.equal(flags.block_id, 'flags.1', 'Clinical impact gets a new block id, so Slack shows the preset');
  assert.deepEqual(
    (flags.element.initial_options as { value: string }[]).map((o) => o.value),
    [DECLARE_MODAL.flagValues.clinical],
  );
  // Private incident and Personal data breach keep their block ids: Slack keeps what is ticked in
  // them, even a tick made after Slack sent the state this redraw was made from.
  const privacy = blocks.find((b) => b.block_id === B.private)!;
  assert.deepEqual(
    (privacy.element.options as { value: string }[]).map((o) => o.value),
    [DECLARE_MODAL.flagValues.private],
  );
  assert.equal(privacy.element.initial_options, undefined, 'not ticked in the state sent: left to Slack');
  assert.ok(blocks.some((b) => b.block_id === B.breach));
  assert.ok(!blocks.some((b) => b.block_id.startsWith(`${B.private}.`) || b.block_id.startsWith(`${B.breach}.`)));
  assert.equal(blocks.find((b) => b.block_id === B.title)?.element.initial_value, 'Wards down');
  // A SEV1 stays SEV1.
  const sev1 = setup();
  await handleServiceChosen(sev1.ctx, { body: chosen('ehr-api', 'SEV1'), ack: sev1.ack, client: sev1.client });
  const [, a1] = sev1.events[1] as [
    string,
    { view: { blocks: { block_id: string; element: { initial_option?: { value: string } } }[] } },
  ];
  assert.equal(a1.view.blocks.find((b) => b.block_id.startsWith('severity'))?.element.initial_option?.value, 'SEV1');
});

test('a second redraw revises Clinical impact again (flags.2); Private incident keeps its block, ticked as sent', async () => {
  const { ctx, client, ack, events } = setup();
  const body = chosen('ehr-api', 'SEV3');
  const values = body.view.state.values;
  // The form as the first redraw left it: severity.1 and flags.1, Private incident ticked.
  values['severity.1'] = values[B.severity]!;
  delete values[B.severity];
  values['flags.1'] = { [A.flags]: { type: 'checkboxes', selected_options: [] } };
  delete values[B.flags];
  values[B.private] = {
    [A.private]: { type: 'checkboxes', selected_options: [{ value: DECLARE_MODAL.flagValues.private }] },
  };
  await handleServiceChosen(ctx, { body, ack, client });
  const [, args] = events[1] as [
    string,
    { view: { blocks: { block_id: string; element: Record<string, unknown> }[] } },
  ];
  const ids = args.view.blocks.map((b) => b.block_id);
  assert.ok(ids.includes('severity.2') && ids.includes('flags.2'), ids.join());
  const privacy = args.view.blocks.find((b) => b.block_id === B.private)!;
  assert.deepEqual(
    (privacy.element.initial_options as { value: string }[]).map((o) => o.value),
    [DECLARE_MODAL.flagValues.private],
  );
});

test('another service, a bad payload, another view: acked, nothing redrawn', async () => {
  for (const body of [
    chosen('billing'),
    chosen('no-such-service'),
    { type: 'block_actions' },
    { ...chosen('ehr-api'), view: { ...chosen('ehr-api').view, callback_id: 'someone_elses' } },
  ]) {
    const { ctx, client, ack, events } = setup();
    await handleServiceChosen(ctx, { body, ack, client });
    assert.deepEqual(events, [['ack']]);
  }
});

test('a redraw Slack refuses (the form changed meanwhile: hash_conflict) is logged, never thrown', async () => {
  const { ctx, client, ack, events, warnings } = setup(async () => {
    throw new Error('An API error occurred: hash_conflict');
  });
  await handleServiceChosen(ctx, { body: chosen('ehr-api'), ack, client });
  assert.equal(events.length, 2);
  assert.equal(warnings.length, 1);
});
