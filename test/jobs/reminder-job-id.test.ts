// A reminder's job id is made from its incident and due time, so that every replica scheduling the
// same reminder names the same job and pg-boss queues it once (src/jobs/reminder-queue.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reminderJobId } from '../../src/jobs/reminder-queue.ts';

test('the same incident and due time give the same UUID; any other gives another', () => {
  const key = '22222222-2222-4222-8222-222222222222:2026-12-05T13:00:00.000Z';
  const id = reminderJobId(key);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(reminderJobId(key), id);
  assert.notEqual(reminderJobId('22222222-2222-4222-8222-222222222222:2026-12-05T13:30:00.000Z'), id);
  assert.notEqual(reminderJobId('33333333-2222-4222-8222-222222222222:2026-12-05T13:00:00.000Z'), id);
});
