// The action item reminder sweep with fakes: which failures give the claim back for the next sweep.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActionItem } from '../../src/domain/action-items.ts';
import { ChatError } from '../../src/ports/chat-platform.ts';
import type { ReviewStore } from '../../src/ports/review-store.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { sendActionReminders } from '../../src/services/review/send-action-reminders.ts';
import { FakeChat, TestClock, testDeps } from '../support/deps.ts';
import { unused } from '../support/fixtures.ts';

function item(n: number, ownerId: string): ActionItem {
  return {
    id: `id-${n}`,
    number: n,
    incidentId: 'inc',
    incidentNumber: 1,
    incidentTitle: 'T',
    incidentPrivate: false,
    incidentChannelId: 'C1',
    text: `item ${n}`,
    team: null,
    ownerId,
    due: '2026-11-25',
    category: 'guardrail',
    priority: 'medium',
    status: 'open',
    createdBy: 'UA',
    createdAt: new Date('2026-11-01T00:00:00Z'),
    completedAt: null,
    completedBy: null,
    snoozedUntil: null,
    dueRemindedAt: null,
    overdueRemindedAt: null,
    tracker: null,
  };
}

test('a transient failure gives the claim back; a permanent one (deactivated owner) keeps it; others are sent', async () => {
  const items = [item(1, 'UGONE'), item(2, 'UBUSY'), item(3, 'UOK')];
  const claimed: string[] = [];
  const released: string[] = [];
  const sent: string[] = [];
  const reviews = {
    listActionItems: async () => items,
    claimActionReminder: async (id: string) => {
      claimed.push(id);
      return true;
    },
    releaseActionReminder: async (id: string) => void released.push(id),
  } as unknown as ReviewStore;
  const chat = new FakeChat();
  chat.before = async (method, args) => {
    const i = args[0] as ActionItem;
    if (method !== 'remindActionOwner') return;
    if (i.ownerId === 'UGONE') throw new ChatError('account_inactive');
    if (i.ownerId === 'UBUSY') throw new ChatError('ratelimited');
    sent.push(i.ownerId!);
  };
  const deps = testDeps({ reviews, chat, clock: new TestClock(new Date('2026-11-25T10:00:00Z')) });
  const result = await sendActionReminders(deps);
  assert.deepEqual(claimed, ['id-1', 'id-2', 'id-3']);
  assert.deepEqual(released, ['id-2'], 'only the transient failure is released for the next sweep');
  assert.deepEqual(sent, ['UOK']);
  assert.deepEqual(result, [{ ref: 'ACT-3', ownerId: 'UOK', kind: 'due' }]);
});

test('before 09:00 in the team’s zone nothing is sent', async () => {
  let listed = false;
  const deps = testDeps({
    reviews: {
      listActionItems: async () => {
        listed = true;
        return [item(1, 'UOK')];
      },
    } as unknown as ReviewStore,
    clock: new TestClock(new Date('2026-07-10T07:30:00Z')), // 08:30 BST
    chat: unused<ServiceDeps['chat']>('chat'),
  });
  assert.deepEqual(await sendActionReminders(deps), []);
  assert.equal(listed, false);
});
