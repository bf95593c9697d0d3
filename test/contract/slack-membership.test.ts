// The private-incident membership check (ChatPlatform.isMember: conversations.members, paginated)
// against Slack's published contract, as Prism checks it; the answer is read with the adapter's zod schema.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WebClient } from '@slack/web-api';
import { SlackChatPlatform } from '../../src/slack/chat-platform.ts';
import { patchedSlackSpec, startPrism, type PrismHandle } from '../support/prism.ts';

let prism: PrismHandle;
before(async () => {
  prism = await startPrism(await patchedSlackSpec());
});
after(async () => {
  await prism?.close();
});

test('isMember sends conversations.members as the spec has it, and reads its answer', async () => {
  const platform = new SlackChatPlatform(
    new WebClient('xoxb-test-token', { slackApiUrl: `${prism.url}/`, retryConfig: { retries: 0 } }),
  );
  // The spec's example answer lists U023BECGF, U061F7AUR and W012A3CDE (and a next_cursor).
  assert.equal(await platform.isMember('C0123INC12', 'U061F7AUR'), true, 'a member the answer lists');
  const from = prism.log.length;
  assert.equal(await platform.isMember('C0123INC12', 'U0NOTAMEMBER'), false, 'nobody else');
  const logged = prism.log.slice(from).map((l) => l.msg);
  assert.deepEqual(
    logged.filter((m) => m.startsWith('Violation: request')),
    [],
    'no request violations',
  );
  assert.ok(
    logged.includes('The request passed the validation rules. Looking for the best response'),
    'Prism validated the call',
  );
  // The spec's example answer repeats its cursor: the adapter stops instead of looping.
  assert.ok(
    logged.filter((m) => m === 'Request received').length <= 2,
    `requests: ${logged.filter((m) => m === 'Request received').length}`,
  );
});

test('the web view’s questions (users.conversations, users.info) are sent as the spec has them, and read', async () => {
  const platform = new SlackChatPlatform(
    new WebClient('xoxb-test-token', { slackApiUrl: `${prism.url}/`, retryConfig: { retries: 0 } }),
  );
  const from = prism.log.length;
  const channels = await platform.privateChannelsOf('U061F7AUR');
  assert.ok(channels instanceof Set, 'the private channels, read with the adapter’s schema');
  const standing = await platform.memberStanding('U061F7AUR');
  assert.ok(['member', 'guest', 'deactivated', 'bot', 'unknown'].includes(standing.standing));
  const names = await platform.displayNames(['U061F7AUR']);
  assert.ok(names instanceof Map);
  const logged = prism.log.slice(from).map((l) => l.msg);
  assert.deepEqual(
    logged.filter((m) => m.startsWith('Violation: request')),
    [],
    'no request violations',
  );
  assert.ok(
    logged.filter((m) => m === 'The request passed the validation rules. Looking for the best response').length >= 3,
    'Prism validated each call',
  );
});
