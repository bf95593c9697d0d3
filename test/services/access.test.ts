// The access checks that ask the chat platform (src/services/access.ts), with a fake chat: who is a
// member of which channel, and whether the platform answers at all. No database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PRIVATE_ACTION_TEXT, PRIVATE_INCIDENT_REFUSAL } from '../../src/domain/access.ts';
import type { ActionItem } from '../../src/domain/action-items.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { Incident } from '../../src/domain/incident.ts';
import {
  actionItemsAsSeenBy,
  actionItemToChange,
  assertMayRead,
  incidentForReader,
  incidentInChannel,
  type Reader,
} from '../../src/services/access.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { anIncident } from '../support/fixtures.ts';

/** A chat platform whose channels have these members; `down` channels fail the check. */
function fakeChat(members: Record<string, string[]>, down: string[] = []) {
  const asked: string[] = [];
  return {
    asked,
    chat: {
      async isMember(channelId: string, userId: string) {
        asked.push(`${channelId}:${userId}`);
        if (down.includes(channelId)) throw new Error('Slack did not answer');
        return (members[channelId] ?? []).includes(userId);
      },
    },
  };
}

const warnings: unknown[] = [];
const logger = { warn: (o: unknown) => warnings.push(o) };

function depsWith(
  chat: { isMember(c: string, u: string): Promise<boolean> },
  records: { incidents?: Incident[]; items?: ActionItem[] } = {},
): ServiceDeps {
  return {
    chat,
    logger,
    store: {
      findByChannel: async (c: string) => records.incidents?.find((i) => i.channelId === c) ?? null,
      findById: async (id: string) => records.incidents?.find((i) => i.id === id) ?? null,
    },
    reviews: { findActionItem: async (id: string) => records.items?.find((i) => i.id === id) ?? null },
  } as unknown as ServiceDeps;
}

function anItem(overrides: Partial<ActionItem> = {}): ActionItem {
  return {
    id: 'item-1',
    number: 3,
    incidentId: 'inc-private',
    incidentNumber: 42,
    incidentTitle: 'Lab results late',
    incidentPrivate: true,
    incidentChannelId: 'CPRIV',
    text: 'Rotate the HL7 feed key',
    team: null,
    ownerId: 'UOWNER',
    due: null,
    category: 'process',
    priority: 'medium',
    status: 'open',
    createdBy: 'UAUTHOR',
    createdAt: new Date('2026-11-24T14:05:00Z'),
    completedAt: null,
    completedBy: null,
    snoozedUntil: null,
    dueRemindedAt: null,
    overdueRemindedAt: null,
    tracker: null,
    ...overrides,
  };
}

async function outcome(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'allowed';
  } catch (err) {
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    return err.code;
  }
}

const publicIncident = anIncident({ id: 'inc-public', channelId: 'CPUB', isPrivate: false });
const privateIncident = anIncident({
  id: 'inc-private',
  channelId: 'CPRIV',
  isPrivate: true,
  roles: { COMMANDER: 'UCMD' },
});
const MEMBERS = { CPUB: ['UMEMBER'], CPRIV: ['UMEMBER', 'UCMD'] };

describe('a private incident is read only by the members of its channel', () => {
  const rows: [who: string, incident: Incident, userId: string, expected: string, asksSlack: boolean][] = [
    ['a non-member, a public incident (Slack not asked)', publicIncident, 'UOTHER', 'allowed', false],
    ['a member, a private incident', privateIncident, 'UMEMBER', 'allowed', true],
    ['a non-member, a private incident', privateIncident, 'UOTHER', 'not_allowed', true],
    [
      'anyone, a private incident without a channel yet (Slack not asked)',
      { ...privateIncident, channelId: null },
      'UMEMBER',
      'not_allowed',
      false,
    ],
  ];
  for (const [who, incident, userId, expected, asksSlack] of rows) {
    test(who, async () => {
      const { chat, asked } = fakeChat(MEMBERS);
      assert.equal(await outcome(() => assertMayRead({ chat } as never, incident, userId)), expected, who);
      assert.equal(asked.length > 0, asksSlack, who);
    });
  }

  test('fails closed: when Slack does not answer, the request fails', async () => {
    const { chat } = fakeChat(MEMBERS, ['CPRIV']);
    await assert.rejects(assertMayRead({ chat } as never, privateIncident, 'UMEMBER'), /Slack did not answer/);
  });

  test('the refusal names nothing of the incident', async () => {
    const { chat } = fakeChat(MEMBERS);
    await assert.rejects(
      incidentInChannel(depsWith(chat, { incidents: [privateIncident] }), 'CPRIV', 'UOTHER'),
      (err: unknown) => err instanceof AppError && err.userMessage === PRIVATE_INCIDENT_REFUSAL,
    );
  });

  test('incidentInChannel: the channel’s incident, for a member; anywhere else, not an incident channel', async () => {
    const { chat } = fakeChat(MEMBERS);
    const deps = depsWith(chat, { incidents: [privateIncident] });
    assert.equal((await incidentInChannel(deps, 'CPRIV', 'UMEMBER')).id, 'inc-private');
    assert.equal(await outcome(() => incidentInChannel(deps, 'CGENERAL', 'UMEMBER')), 'not_incident_channel');
  });
});

describe('changing an action item of a private incident', () => {
  const rows: [who: string, userId: string, expected: string][] = [
    ['its owner, not a member of the channel', 'UOWNER', 'allowed'],
    ['whoever added it, not a member of the channel', 'UAUTHOR', 'allowed'],
    ['the commander, a member of the channel', 'UCMD', 'allowed'],
    ['a member of the channel, neither owner, author nor commander', 'UMEMBER', 'not_allowed'],
    ['a non-member (refused before the item’s rule, naming nobody)', 'UOTHER', 'not_allowed'],
  ];
  for (const [who, userId, expected] of rows) {
    test(who, async () => {
      const { chat, asked } = fakeChat(MEMBERS);
      const deps = depsWith(chat, { incidents: [privateIncident], items: [anItem()] });
      assert.equal(await outcome(() => actionItemToChange(deps, 'item-1', userId, 'complete')), expected, who);
      // Its owner and author are not asked about (they were given the item).
      assert.equal(asked.length > 0, userId !== 'UOWNER' && userId !== 'UAUTHOR', who);
    });
  }

  test('a non-member gets the private-incident refusal; a member the item’s', async () => {
    const { chat } = fakeChat(MEMBERS);
    const deps = depsWith(chat, { incidents: [privateIncident], items: [anItem()] });
    await assert.rejects(
      actionItemToChange(deps, 'item-1', 'UOTHER', 'complete'),
      (err: unknown) => err instanceof AppError && err.userMessage === PRIVATE_INCIDENT_REFUSAL,
    );
    await assert.rejects(
      actionItemToChange(deps, 'item-1', 'UMEMBER', 'complete'),
      /Only <@UOWNER>, <@UAUTHOR>, <@UCMD> can complete ACT-3/,
    );
  });

  test('an item (or its incident) that is gone', async () => {
    const { chat } = fakeChat(MEMBERS);
    assert.equal(
      await outcome(() => actionItemToChange(depsWith(chat, {}), 'item-1', 'UOWNER', 'complete')),
      'not_found',
    );
    const orphan = depsWith(chat, { items: [anItem()] });
    assert.equal(await outcome(() => actionItemToChange(orphan, 'item-1', 'UOWNER', 'complete')), 'not_found');
  });
});

describe('listed action items as the viewer may see them', () => {
  const items = [
    anItem({ id: 'a', incidentChannelId: 'CPRIV' }),
    anItem({ id: 'b', incidentChannelId: 'CDOWN' }),
    anItem({ id: 'c', incidentPrivate: false, incidentChannelId: 'CPUB' }),
    anItem({ id: 'd', incidentChannelId: 'CPRIV', ownerId: 'UOTHER' }),
  ];
  const texts = (seen: ActionItem[]) =>
    Object.fromEntries(seen.map((i) => [i.id, i.text === PRIVATE_ACTION_TEXT ? 'hidden' : 'shown']));

  const rows: [who: string, userId: string, expected: Record<string, string>, asked: string[]][] = [
    [
      'a member of one private channel (another’s check fails: hidden)',
      'UMEMBER',
      { a: 'shown', b: 'hidden', c: 'shown', d: 'shown' },
      ['CPRIV:UMEMBER', 'CDOWN:UMEMBER'],
    ],
    [
      'a non-member, owner of one item',
      'UOTHER',
      { a: 'hidden', b: 'hidden', c: 'shown', d: 'shown' },
      ['CPRIV:UOTHER', 'CDOWN:UOTHER'],
    ],
    [
      'the owner of the private items (Slack asked only about the one they do not own)',
      'UOWNER',
      { a: 'shown', b: 'shown', c: 'shown', d: 'hidden' },
      ['CPRIV:UOWNER'],
    ],
  ];
  for (const [who, userId, expected, askedAbout] of rows) {
    test(who, async () => {
      const { chat, asked } = fakeChat(MEMBERS, ['CDOWN']);
      const seen = await actionItemsAsSeenBy(depsWith(chat), items, userId);
      assert.deepEqual(texts(seen), expected, who);
      assert.deepEqual(asked, askedAbout, who);
    });
  }
});

describe('incidentForReader (the web view: the reader’s cached private channels)', () => {
  const open = anIncident({ id: 'i-open', number: 1, isPrivate: false, channelId: 'CPUB' });
  const secret = anIncident({ id: 'i-secret', number: 2, isPrivate: true, channelId: 'CPRIV' });
  const steps: string[] = [];
  const reader = (userId: string, channels: string[]): Reader => ({
    userId,
    privateChannels: async () => {
      steps.push('channels');
      return new Set(channels);
    },
  });
  const deps = (chat: { isMember(c: string, u: string): Promise<boolean> }) =>
    ({
      chat,
      logger,
      store: {
        findByNumber: async (n: number) => {
          steps.push('lookup');
          return [open, secret].find((i) => i.number === n) ?? null;
        },
      },
    }) as unknown as ServiceDeps;
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      assert.ok(err instanceof AppError);
      return [err.code, err.userMessage];
    }
    return null;
  };

  test('a missing and a private incident take the same path: the channels first, then the lookup', async () => {
    const { chat } = fakeChat({});
    for (const number of [99, 2, 1]) {
      steps.length = 0;
      await refusal(incidentForReader(deps(chat), reader('UOTHER', []), number));
      assert.deepEqual(steps, ['channels', 'lookup'], `INC-${number}`);
    }
  });

  test('a private incident not in the cached channels is confirmed with Slack before it is refused', async () => {
    const { chat, asked } = fakeChat({ CPRIV: ['UNEW'] }, []);
    // Just added to the channel (or just declared it): the cached list does not have it yet.
    assert.equal((await incidentForReader(deps(chat), reader('UNEW', []), 2)).id, 'i-secret');
    assert.deepEqual(asked, ['CPRIV:UNEW']);
    asked.length = 0;
    assert.deepEqual(await refusal(incidentForReader(deps(chat), reader('UOTHER', []), 2)), [
      'not_found',
      'There is no incident INC-2.',
    ]);
    assert.deepEqual(await refusal(incidentForReader(deps(chat), reader('UOTHER', []), 99)), [
      'not_found',
      'There is no incident INC-99.',
    ]);
    asked.length = 0;
    assert.equal((await incidentForReader(deps(chat), reader('UMEMBER', ['CPRIV']), 2)).id, 'i-secret');
    assert.equal((await incidentForReader(deps(chat), reader('UOTHER', []), 1)).id, 'i-open');
    assert.deepEqual(asked, [], 'in the cached channels, or public: Slack is not asked');
    const down = fakeChat({ CPRIV: ['UNEW'] }, ['CPRIV']);
    assert.deepEqual(
      await refusal(incidentForReader(deps(down.chat), reader('UNEW', []), 2)),
      ['not_found', 'There is no incident INC-2.'],
      'Slack not answering: refused (fails closed)',
    );
  });
});
