// Every access rule of src/domain/access.ts as rows: who asks, about what, and the answer (allowed,
// or the refusal's code and what it says).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  actionItemAsSeenBy,
  assertCanAssignRole,
  assertCanChangeActionItem,
  assertCanCommand,
  assertMayReadIncident,
  canCommand,
  commandingUser,
  isActionItemParty,
  getsOnCallLoadOnHomeTab,
  mayReadIncident,
  maySeeEveryonesAllowances,
  maySeeIndividualOnCallFigures,
  PRIVATE_ACTION_TEXT,
  PRIVATE_INCIDENT_REFUSAL,
} from '../../src/domain/access.ts';
import { AppError } from '../../src/domain/errors.ts';
import { SYSTEM_DECLARER, type RoleName } from '../../src/domain/incident.ts';

/** null when `fn` passes; the refusal's code and message when it throws an AppError. */
function outcome(fn: () => void): { code: string; message: string } | null {
  try {
    fn();
    return null;
  } catch (err) {
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    return { code: err.code, message: err.userMessage };
  }
}

/** An expected answer: allowed, or refused with `code` and a message matching `says`. */
type Expected = 'allowed' | { code: string; says?: RegExp | string };

function check(got: { code: string; message: string } | null, expected: Expected, row: string): void {
  if (expected === 'allowed') {
    assert.equal(got, null, row);
    return;
  }
  assert.ok(got, `${row}: expected a refusal`);
  assert.equal(got.code, expected.code, row);
  if (typeof expected.says === 'string') assert.equal(got.message, expected.says, row);
  else if (expected.says) assert.match(got.message, expected.says, row);
}

// The incidents the rows ask about.
const declaredOnly = { number: 7, declaredBy: 'UDECL', roles: {} };
const commanded = { number: 7, declaredBy: 'UDECL', roles: { COMMANDER: 'UCMD' } };
const fromPagerDuty = { number: 7, declaredBy: SYSTEM_DECLARER, roles: {} };
const fromPagerDutyCommanded = { number: 7, declaredBy: SYSTEM_DECLARER, roles: { COMMANDER: 'UCMD' } };

describe('who commands the incident', () => {
  const rows: [string, typeof commanded | typeof declaredOnly, string][] = [
    ['the declarer while no commander is set', declaredOnly, 'UDECL'],
    ['the commander once set', commanded, 'UCMD'],
    ['PagerDuty (nobody yet) for an incident it declared', fromPagerDuty, SYSTEM_DECLARER],
    ['the commander of an incident PagerDuty declared', fromPagerDutyCommanded, 'UCMD'],
  ];
  for (const [row, incident, who] of rows) test(row, () => assert.equal(commandingUser(incident), who));
});

describe('commanding (severity, resolve, close, reopen, hand-overs)', () => {
  const NO_COMMANDER = /Only the declarer \(no commander is set yet\), <@UDECL>, can resolve the incident\./;
  const COMMANDER = /Only the incident commander, <@UCMD>, can resolve the incident\. .*\/incident role commander @you/;
  const PAGERDUTY = /PagerDuty declared this incident and nobody commands it yet, so nobody can resolve the incident\./;
  const rows: [who: string, incident: typeof commanded | typeof declaredOnly, userId: string, Expected][] = [
    ['the declarer, no commander set', declaredOnly, 'UDECL', 'allowed'],
    ['someone else, no commander set', declaredOnly, 'UOTHER', { code: 'forbidden', says: NO_COMMANDER }],
    ['the commander', commanded, 'UCMD', 'allowed'],
    ['the declarer, once a commander is set', commanded, 'UDECL', { code: 'forbidden', says: COMMANDER }],
    ['someone else, a commander set', commanded, 'UOTHER', { code: 'forbidden', says: COMMANDER }],
    [
      'anyone, PagerDuty declared it and nobody commands',
      fromPagerDuty,
      'UOTHER',
      { code: 'forbidden', says: PAGERDUTY },
    ],
    ['the commander of an incident PagerDuty declared', fromPagerDutyCommanded, 'UCMD', 'allowed'],
  ];
  for (const [who, incident, userId, expected] of rows) {
    test(who, () => {
      check(
        outcome(() => assertCanCommand(incident, userId, 'resolve the incident')),
        expected,
        who,
      );
      assert.equal(canCommand(incident, userId), expected === 'allowed', who);
    });
  }
});

describe('assigning roles', () => {
  const rows: [
    who: string,
    incident: { declaredBy: string; roles: Partial<Record<RoleName, string>> },
    userId: string,
    role: RoleName,
    assignee: string,
    Expected,
  ][] = [
    ['anyone taking a vacant supporting role', commanded, 'UOTHER', 'COMMS', 'UOTHER', 'allowed'],
    [
      'anyone giving a vacant supporting role to someone else',
      commanded,
      'UOTHER',
      'COMMS',
      'UTHIRD',
      { code: 'forbidden', says: /can assign the .* role/ },
    ],
    [
      'anyone taking a held supporting role',
      { ...commanded, roles: { COMMANDER: 'UCMD', COMMS: 'UTHIRD' } },
      'UOTHER',
      'COMMS',
      'UOTHER',
      { code: 'forbidden' },
    ],
    ['the commander giving any role', commanded, 'UCMD', 'COMMS', 'UTHIRD', 'allowed'],
    [
      'the commander giving the clinical safety officer role',
      commanded,
      'UCMD',
      'CLINICAL_SAFETY',
      'UTHIRD',
      'allowed',
    ],
    ['the commander giving the DPO role', commanded, 'UCMD', 'DPO', 'UTHIRD', 'allowed'],
    [
      'anyone taking the vacant clinical safety officer role',
      commanded,
      'UOTHER',
      'CLINICAL_SAFETY',
      'UOTHER',
      { code: 'forbidden' },
    ],
    [
      'the commander giving themselves the clinical safety officer role (an approval is never one person’s word)',
      commanded,
      'UCMD',
      'CLINICAL_SAFETY',
      'UCMD',
      { code: 'forbidden', says: /someone else/ },
    ],
    [
      'the commander giving themselves the DPO role',
      commanded,
      'UCMD',
      'DPO',
      'UCMD',
      { code: 'forbidden', says: /someone else/ },
    ],
    [
      'the declarer, no commander set, giving themselves the DPO role',
      declaredOnly,
      'UDECL',
      'DPO',
      'UDECL',
      { code: 'forbidden', says: /someone else/ },
    ],
    ['the commander handing command over', commanded, 'UCMD', 'COMMANDER', 'UOTHER', 'allowed'],
    ['the declarer, no commander set, naming one', declaredOnly, 'UDECL', 'COMMANDER', 'UOTHER', 'allowed'],
    [
      'someone taking vacant command of a declared incident',
      declaredOnly,
      'UOTHER',
      'COMMANDER',
      'UOTHER',
      { code: 'forbidden', says: /<@UDECL>/ },
    ],
    [
      'a responder taking vacant command of an incident PagerDuty declared',
      fromPagerDuty,
      'UOTHER',
      'COMMANDER',
      'UOTHER',
      'allowed',
    ],
    [
      'a responder naming someone else commander of an incident PagerDuty declared',
      fromPagerDuty,
      'UOTHER',
      'COMMANDER',
      'UTHIRD',
      { code: 'forbidden', says: /PagerDuty declared this incident/ },
    ],
  ];
  for (const [who, incident, userId, role, assignee, expected] of rows)
    test(who, () =>
      check(
        outcome(() => assertCanAssignRole(incident, userId, role, assignee)),
        expected,
        who,
      ),
    );
});

describe('reading and acting on a private incident (membership as the chat platform answered)', () => {
  const open = { isPrivate: false, channelId: 'CINC' };
  const closed = { isPrivate: true, channelId: 'CINC' };
  const unprovisioned = { isPrivate: true, channelId: null };
  const refused: Expected = { code: 'not_allowed', says: PRIVATE_INCIDENT_REFUSAL };
  const rows: [who: string, incident: { isPrivate: boolean; channelId: string | null }, isMember: boolean, Expected][] =
    [
      ['a member of a public incident’s channel', open, true, 'allowed'],
      ['a non-member of a public incident’s channel', open, false, 'allowed'],
      ['a member of a private incident’s channel', closed, true, 'allowed'],
      ['a non-member of a private incident’s channel', closed, false, refused],
      ['anyone, a private incident without a channel yet', unprovisioned, true, refused],
    ];
  for (const [who, incident, isMember, expected] of rows)
    test(who, () => {
      check(
        outcome(() => assertMayReadIncident(incident, isMember)),
        expected,
        who,
      );
      // The same rule as a yes or no, for listings (`/incident service` shows the others as their reference).
      assert.equal(mayReadIncident(incident, isMember), expected === 'allowed', who);
    });
});

describe('changing an action item (complete, reassign, snooze)', () => {
  const item = { number: 3, ownerId: 'UOWNER', createdBy: 'UAUTHOR', status: 'open' as const };
  const ONLY =
    /Only <@UOWNER>, <@UAUTHOR>, <@UCMD> can complete ACT-3 \(its owner, whoever added it, or the commander of INC-7\)\./;
  const rows: [
    who: string,
    it: typeof item | { number: number; ownerId: string | null; createdBy: string; status: 'open' | 'done' },
    incident: typeof commanded | typeof declaredOnly,
    userId: string,
    Expected,
  ][] = [
    ['its owner', item, commanded, 'UOWNER', 'allowed'],
    ['whoever added it', item, commanded, 'UAUTHOR', 'allowed'],
    ['the incident’s commander', item, commanded, 'UCMD', 'allowed'],
    ['the declarer, once a commander is set', item, commanded, 'UDECL', { code: 'not_allowed', says: ONLY }],
    ['the declarer while no commander is set', item, declaredOnly, 'UDECL', 'allowed'],
    ['someone else', item, commanded, 'UOTHER', { code: 'not_allowed', says: ONLY }],
    [
      'someone else, an unowned item of an incident PagerDuty declared',
      { ...item, ownerId: null },
      fromPagerDuty,
      'UOTHER',
      { code: 'not_allowed', says: /^Only <@UAUTHOR> can complete ACT-3 / },
    ],
    [
      'its owner, the item already done',
      { ...item, status: 'done' },
      commanded,
      'UOWNER',
      { code: 'not_open', says: /^ACT-3 is already done\.$/ },
    ],
  ];
  for (const [who, it, incident, userId, expected] of rows)
    test(who, () =>
      check(
        outcome(() => assertCanChangeActionItem(it, incident, userId, 'complete')),
        expected,
        who,
      ),
    );
});

describe('reopening a done action item (the same people as completing it)', () => {
  const done = { number: 3, ownerId: 'UOWNER', createdBy: 'UAUTHOR', status: 'done' as const };
  const ONLY =
    /Only <@UOWNER>, <@UAUTHOR>, <@UCMD> can reopen ACT-3 \(its owner, whoever added it, or the commander of INC-7\)\./;
  const rows: [
    who: string,
    it: { number: number; ownerId: string | null; createdBy: string; status: 'open' | 'done' },
    incident: typeof commanded | typeof declaredOnly,
    userId: string,
    Expected,
  ][] = [
    ['its owner', done, commanded, 'UOWNER', 'allowed'],
    ['whoever added it', done, commanded, 'UAUTHOR', 'allowed'],
    ['the incident’s commander', done, commanded, 'UCMD', 'allowed'],
    ['the declarer while no commander is set', done, declaredOnly, 'UDECL', 'allowed'],
    ['the declarer, once a commander is set', done, commanded, 'UDECL', { code: 'not_allowed', says: ONLY }],
    ['someone else', done, commanded, 'UOTHER', { code: 'not_allowed', says: ONLY }],
    [
      'its owner, the item still open',
      { ...done, status: 'open' },
      commanded,
      'UOWNER',
      { code: 'not_done', says: /^ACT-3 is open already\.$/ },
    ],
  ];
  for (const [who, it, incident, userId, expected] of rows)
    test(who, () =>
      check(
        outcome(() => assertCanChangeActionItem(it, incident, userId, 'reopen')),
        expected,
        who,
      ),
    );
});

describe('seeing a listed action item’s text and tracker issue', () => {
  const item = {
    ownerId: 'UOWNER',
    createdBy: 'UAUTHOR',
    text: 'Rotate the HL7 feed key',
    incidentTitle: 'Lab results late',
    tracker: {
      tracker: 'github' as const,
      target: 'acme/lab',
      state: 'linked' as const,
      key: 'acme/lab#42',
      url: 'https://github.com/acme/lab/issues/42',
    },
  };
  const shown = 'shown';
  const hidden = 'hidden';
  const rows: [who: string, incidentPrivate: boolean, viewer: string, isChannelMember: boolean, 'shown' | 'hidden'][] =
    [
      ['anyone, a public incident’s item', false, 'UOTHER', false, shown],
      ['its owner, a private incident’s item', true, 'UOWNER', false, shown],
      ['whoever added it, a private incident’s item', true, 'UAUTHOR', false, shown],
      ['a member of the private incident’s channel', true, 'UOTHER', true, shown],
      ['a non-member, a private incident’s item', true, 'UOTHER', false, hidden],
    ];
  for (const [who, incidentPrivate, viewer, member, expected] of rows) {
    test(who, () => {
      const seen = actionItemAsSeenBy({ ...item, incidentPrivate }, viewer, member);
      if (expected === shown) assert.deepEqual(seen, { ...item, incidentPrivate }, who);
      else
        assert.deepEqual(
          seen,
          {
            ...item,
            incidentPrivate,
            text: PRIVATE_ACTION_TEXT,
            incidentTitle: '',
            // The issue holds the text: only where it is tracked is said, not its key, link or repository.
            tracker: { tracker: 'github', target: '', state: 'linked', key: null, url: null },
          },
          who,
        );
    });
  }
  test('a hidden item that lives in Slack only stays so', () => {
    const seen = actionItemAsSeenBy({ ...item, tracker: null, incidentPrivate: true }, 'UOTHER', false);
    assert.equal(seen.tracker, null);
    assert.equal(seen.text, PRIVATE_ACTION_TEXT);
  });
  test('its own people are its owner and whoever added it', () => {
    assert.equal(isActionItemParty(item, 'UOWNER'), true);
    assert.equal(isActionItemParty(item, 'UAUTHOR'), true);
    assert.equal(isActionItemParty(item, 'UOTHER'), false);
  });
});

describe('seeing everyone’s individual on-call figures when asking (/incident load)', () => {
  const rows: [who: string, oncallLeads: string[], userId: string, boolean][] = [
    ['anyone, ONCALL_LEADS empty', [], 'UOTHER', true],
    ['a lead, ONCALL_LEADS set', ['ULEAD', 'WLEAD2'], 'ULEAD', true],
    ['another listed lead', ['ULEAD', 'WLEAD2'], 'WLEAD2', true],
    ['a non-lead, ONCALL_LEADS set', ['ULEAD', 'WLEAD2'], 'UOTHER', false],
  ];
  for (const [who, oncallLeads, userId, sees] of rows)
    test(who, () => assert.equal(maySeeIndividualOnCallFigures({ oncallLeads }, userId), sees, who));
});

describe('the on-call load on the Home tab, unasked (the named leads only)', () => {
  const rows: [who: string, oncallLeads: string[], userId: string, boolean][] = [
    ['anyone, ONCALL_LEADS empty', [], 'UOTHER', false],
    ['a lead, ONCALL_LEADS set', ['ULEAD', 'WLEAD2'], 'ULEAD', true],
    ['another listed lead', ['ULEAD', 'WLEAD2'], 'WLEAD2', true],
    ['a non-lead, ONCALL_LEADS set', ['ULEAD', 'WLEAD2'], 'UOTHER', false],
  ];
  for (const [who, oncallLeads, userId, gets] of rows)
    test(who, () => {
      assert.equal(getsOnCallLoadOnHomeTab({ oncallLeads }, userId), gets, who);
      // Whoever gets it there may see everyone's figures anyway.
      if (gets) assert.equal(maySeeIndividualOnCallFigures({ oncallLeads }, userId), true, who);
    });
});

describe("everyone's on-call allowances and the payroll CSV (the named leads only; pay is personal)", () => {
  const rows: [who: string, oncallLeads: string[], userId: string, boolean][] = [
    // Unlike the load report, nobody sees other people's pay when no lead is named.
    ['anyone, ONCALL_LEADS empty', [], 'UOTHER', false],
    ['a lead, ONCALL_LEADS set', ['ULEAD', 'WLEAD2'], 'ULEAD', true],
    ['another listed lead', ['ULEAD', 'WLEAD2'], 'WLEAD2', true],
    ['a non-lead, ONCALL_LEADS set', ['ULEAD', 'WLEAD2'], 'UOTHER', false],
    ['a lead id in another case is not a lead', ['ULEAD'], 'ulead', false],
  ];
  for (const [who, oncallLeads, userId, sees] of rows)
    test(who, () => assert.equal(maySeeEveryonesAllowances({ oncallLeads }, userId), sees, who));
});
