import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditActorOf } from '../../src/slack/audit-actor.ts';

test('who a Slack request acts for, and through which command, button, form, shortcut or event', () => {
  assert.deepEqual(auditActorOf({ command: '/incident', user_id: 'UALICE', text: '  SEV 1 wards affected' }), {
    actor: 'UALICE',
    via: '/incident sev',
  });
  assert.deepEqual(auditActorOf({ command: '/incident', user_id: 'UALICE', text: '' }), {
    actor: 'UALICE',
    via: '/incident',
  });
  assert.deepEqual(
    auditActorOf({ type: 'block_actions', user: { id: 'UBOB' }, actions: [{ action_id: 'incident_resolve' }] }),
    { actor: 'UBOB', via: 'button incident_resolve' },
  );
  assert.deepEqual(
    auditActorOf({ type: 'view_submission', user: { id: 'UBOB' }, view: { callback_id: 'declare_incident' } }),
    { actor: 'UBOB', via: 'form declare_incident' },
  );
  assert.deepEqual(auditActorOf({ type: 'shortcut', user: { id: 'UCAROL' }, callback_id: 'declare' }), {
    actor: 'UCAROL',
    via: 'shortcut declare',
  });
  assert.deepEqual(auditActorOf({ type: 'event_callback', event: { type: 'pin_added', user: 'UDAVE' } }), {
    actor: 'UDAVE',
    via: 'event pin_added',
  });
  assert.deepEqual(auditActorOf({ type: 'event_callback', event: { type: 'message' } }), {
    actor: 'slack',
    via: 'event message',
  });
});

test('a body it cannot read is attributed to Slack, never to a made-up person', () => {
  assert.deepEqual(auditActorOf(null), { actor: 'slack', via: 'slack request' });
  assert.deepEqual(auditActorOf({ command: '/incident', user_id: '' }), { actor: 'slack', via: 'slack request' });
  assert.deepEqual(auditActorOf({ type: 'block_actions', user: { id: 'U1' }, actions: [] }), {
    actor: 'slack',
    via: 'slack request',
  });
  // A long subcommand word is cut, so a typed paragraph does not become the "via".
  assert.equal(
    auditActorOf({ command: '/incident', user_id: 'U1', text: 'x'.repeat(500) }).via.length,
    '/incident '.length + 40,
  );
});
