import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertCanCommand, commandingUser } from '../../src/domain/access.ts';
import { parseIncidentCommand } from '../../src/domain/command.ts';
import { incidentDurations, formatDuration } from '../../src/domain/durations.ts';
import { AppError } from '../../src/domain/errors.ts';
import { STATUSES, type IncidentStatus } from '../../src/domain/incident.ts';
import { allowedMoves, assertTransition, isActive } from '../../src/domain/lifecycle.ts';

function refusal(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    assert.ok(err instanceof AppError);
    return err.userMessage;
  }
}

/** Every legal move; everything else must be refused. */
const LEGAL: Record<IncidentStatus, IncidentStatus[]> = {
  DECLARED: ['INVESTIGATING', 'IDENTIFIED', 'MONITORING', 'RESOLVED'],
  INVESTIGATING: ['IDENTIFIED', 'MONITORING', 'RESOLVED'],
  IDENTIFIED: ['INVESTIGATING', 'MONITORING', 'RESOLVED'],
  MONITORING: ['INVESTIGATING', 'IDENTIFIED', 'RESOLVED'],
  RESOLVED: ['CLOSED'],
  CLOSED: [],
};

describe('lifecycle', () => {
  test('every pair of statuses: the legal moves pass, every other move is refused with what is allowed', () => {
    for (const from of STATUSES) {
      assert.deepEqual([...allowedMoves(from)], LEGAL[from], from);
      for (const to of STATUSES) {
        const msg = refusal(() => assertTransition(from, to));
        if (LEGAL[from].includes(to)) {
          assert.equal(msg, null, `${from} → ${to} should be allowed`);
        } else {
          assert.ok(msg, `${from} → ${to} should be refused`);
          if (from === to) assert.match(msg, /already/);
          else if (from === 'RESOLVED' || from === 'CLOSED') assert.match(msg, /reopen it with `\/incident reopen/);
          else assert.match(msg, /It can go to: /);
        }
      }
    }
  });

  test('nothing moves back to declared, and closed is only reached from resolved', () => {
    for (const from of STATUSES) assert.ok(refusal(() => assertTransition(from, 'DECLARED')));
    for (const from of STATUSES.filter((s) => s !== 'RESOLVED'))
      assert.ok(refusal(() => assertTransition(from, 'CLOSED')));
  });

  test('reopening is explicit and only from resolved or closed, to investigating', () => {
    assert.equal(
      refusal(() => assertTransition('RESOLVED', 'INVESTIGATING', { reopen: true })),
      null,
    );
    assert.equal(
      refusal(() => assertTransition('CLOSED', 'INVESTIGATING', { reopen: true })),
      null,
    );
    for (const from of ['DECLARED', 'INVESTIGATING', 'IDENTIFIED', 'MONITORING'] as const) {
      assert.match(
        refusal(() => assertTransition(from, 'INVESTIGATING', { reopen: true }))!,
        /Only a resolved or closed incident can be reopened/,
      );
    }
    assert.ok(refusal(() => assertTransition('RESOLVED', 'MONITORING', { reopen: true })));
    assert.ok(
      refusal(() => assertTransition('RESOLVED', 'INVESTIGATING')),
      'without asking, no reopen',
    );
  });

  test('active means not resolved or closed', () => {
    assert.deepEqual(STATUSES.filter(isActive), ['DECLARED', 'INVESTIGATING', 'IDENTIFIED', 'MONITORING']);
  });
});

describe('authority', () => {
  test('the declarer commands until a commander is set; then only the commander; refusals name who can act', () => {
    const noCommander = { declaredBy: 'UALICE', roles: {} };
    assert.equal(commandingUser(noCommander), 'UALICE');
    assert.equal(
      refusal(() => assertCanCommand(noCommander, 'UALICE', 'resolve the incident')),
      null,
    );
    assert.match(
      refusal(() => assertCanCommand(noCommander, 'UBOB', 'resolve the incident'))!,
      /Only the declarer \(no commander is set yet\), <@UALICE>, can resolve the incident/,
    );
    const withCommander = { declaredBy: 'UALICE', roles: { COMMANDER: 'UCAROL' } };
    assert.equal(commandingUser(withCommander), 'UCAROL');
    assert.equal(
      refusal(() => assertCanCommand(withCommander, 'UCAROL', 'close the incident')),
      null,
    );
    assert.match(
      refusal(() => assertCanCommand(withCommander, 'UALICE', 'close the incident'))!,
      /Only the incident commander, <@UCAROL>, can close the incident\. .*\/incident role commander @you/,
    );
  });
});

describe('durations', () => {
  const at = (min: number) => new Date(Date.UTC(2026, 10, 24, 14, min));
  test('acknowledge, mitigate and resolve from the status changes', () => {
    const d = incidentDurations(at(0), [
      { at: at(4), to: 'INVESTIGATING' },
      { at: at(20), to: 'IDENTIFIED' },
      { at: at(35), to: 'MONITORING' },
      { at: at(50), to: 'RESOLVED' },
    ]);
    assert.deepEqual(d, { toAcknowledgeMs: 4 * 60_000, toMitigateMs: 35 * 60_000, toResolveMs: 50 * 60_000 });
  });
  test('mitigated counts a resolve without monitoring; after a reopen the later resolve counts; none yet is null', () => {
    const d = incidentDurations(at(0), [
      { at: at(10), to: 'RESOLVED' },
      { at: at(15), to: 'INVESTIGATING' },
      { at: at(40), to: 'RESOLVED' },
    ]);
    assert.deepEqual(d, { toAcknowledgeMs: 10 * 60_000, toMitigateMs: 10 * 60_000, toResolveMs: 40 * 60_000 });
    assert.deepEqual(incidentDurations(at(0), []), { toAcknowledgeMs: null, toMitigateMs: null, toResolveMs: null });
    const reopened = incidentDurations(at(0), [
      { at: at(10), to: 'RESOLVED' },
      { at: at(12), to: 'CLOSED' },
      { at: at(15), to: 'INVESTIGATING' },
    ]);
    assert.equal(reopened.toResolveMs, null, 'reopened and not resolved again');
    assert.equal(
      incidentDurations(at(0), [
        { at: at(10), to: 'RESOLVED' },
        { at: at(12), to: 'CLOSED' },
      ]).toResolveMs,
      10 * 60_000,
      'a close keeps the resolve',
    );
  });
  test('formatDuration', () => {
    assert.equal(formatDuration(null), '—');
    assert.equal(formatDuration(45_000), '45s');
    assert.equal(formatDuration(12 * 60_000), '12m');
    assert.equal(formatDuration(65 * 60_000), '1h 05m');
    assert.equal(formatDuration(26 * 3600_000 + 60_000), '1d 2h 01m');
  });
});

describe('in-channel subcommands parse', () => {
  test('each subcommand and its arguments', () => {
    assert.deepEqual(parseIncidentCommand('status identified bad deploy'), {
      kind: 'status',
      status: 'IDENTIFIED',
      message: 'bad deploy',
    });
    assert.deepEqual(parseIncidentCommand('status resolved'), { kind: 'status', status: 'RESOLVED', message: null });
    assert.deepEqual(parseIncidentCommand('update Rolled back\nwatching'), {
      kind: 'update',
      message: 'Rolled back\nwatching',
    });
    assert.deepEqual(parseIncidentCommand('sev 1 wards affected'), {
      kind: 'severity',
      severity: 'SEV1',
      reason: 'wards affected',
    });
    assert.deepEqual(parseIncidentCommand('severity sev4'), { kind: 'severity', severity: 'SEV4', reason: null });
    assert.deepEqual(parseIncidentCommand('role clinical-safety <@U0CSO|dana>'), {
      kind: 'role',
      role: 'CLINICAL_SAFETY',
      userId: 'U0CSO',
    });
    assert.deepEqual(parseIncidentCommand('role IC <@W123>'), { kind: 'role', role: 'COMMANDER', userId: 'W123' });
    assert.deepEqual(parseIncidentCommand('note  pharmacy called '), { kind: 'note', text: 'pharmacy called' });
    assert.deepEqual(parseIncidentCommand('timeline'), { kind: 'timeline' });
    assert.deepEqual(parseIncidentCommand('resolve rollback fixed it'), {
      kind: 'resolve',
      summary: 'rollback fixed it',
    });
    assert.deepEqual(parseIncidentCommand('close'), { kind: 'close' });
    assert.deepEqual(parseIncidentCommand('reopen'), { kind: 'reopen', reason: null });
    assert.deepEqual(parseIncidentCommand('clinical ON'), { kind: 'clinical', on: true });
  });
  test('malformed arguments say how to write them', () => {
    for (const [text, expected] of [
      ['status', /\/incident status <investigating\|identified\|monitoring\|resolved>/],
      ['status closed', /`closed` is not right here/],
      ['update   ', /\/incident update <message>/],
      ['sev high', /\/incident sev <1-4>/],
      ['role commander', /Mention the person with @/],
      ['role boss <@U1>', /`boss` is not right here/],
      ['role commander <@U1> <@U2>', /\/incident role/],
      ['note', /\/incident note <text>/],
      ['clinical', /\/incident clinical <on\|off\|signoff \[note\]>/],
      [`note ${'x'.repeat(3001)}`, /too long/],
    ] as [string, RegExp][]) {
      assert.match(refusal(() => parseIncidentCommand(text))!, expected, text);
    }
  });
});
