// The envelope every Slack delivery must fit before Bolt sees it (src/slack/payloads.ts): actions
// that Bolt would take for block actions carry string action and block ids.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slackEnvelopeSchema } from '../../src/slack/payloads.ts';

const user = { id: 'U1' };

test('a block action needs its action_id and block_id as strings', () => {
  const ok = { type: 'block_actions', user, actions: [{ action_id: 'incident_timeline_older', block_id: 'b' }] };
  assert.equal(slackEnvelopeSchema.safeParse(ok).success, true);
  for (const actions of [[{ action_id: 'x' }], [{ action_id: 'x', block_id: 7 }], [{ action_id: 0, block_id: 'b' }]])
    assert.equal(slackEnvelopeSchema.safeParse({ ...ok, actions }).success, false, JSON.stringify(actions));
});

test("a legacy attachment's action: as Slack sends it (no action_id) it passes; with an action_id it must be a block action's", () => {
  const legacy = {
    type: 'interactive_message',
    user,
    callback_id: 'c',
    actions: [{ name: 'ack', type: 'button', value: '1' }],
  };
  assert.equal(slackEnvelopeSchema.safeParse(legacy).success, true);
  for (const actions of [[{ action_id: 0 }], [{ action_id: 'x' }], [{ action_id: 'x', block_id: null }]])
    assert.equal(slackEnvelopeSchema.safeParse({ ...legacy, actions }).success, false, JSON.stringify(actions));
  assert.equal(
    slackEnvelopeSchema.safeParse({ ...legacy, actions: [{ action_id: 'x', block_id: 'b' }] }).success,
    true,
  );
});
