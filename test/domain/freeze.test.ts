import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALL_SERVICES } from '../../src/domain/changes.ts';
import { AppError } from '../../src/domain/errors.ts';
import {
  changeDeploymentRef,
  changeRef,
  deploymentRef,
  FREEZE_REASON_MAX,
  freezeCovers,
  freezesOn,
  freezeVerdict,
  freezingIncidents,
  overrideComment,
  PRIVATE_FREEZE_REASON,
  publicFreeze,
  rejectionComment,
  usedByText,
  type ActiveFreeze,
} from '../../src/domain/freeze.ts';
import { parseIncidentCommand } from '../../src/domain/command.ts';

const at = (s: string) => new Date(`2026-12-05T${s}:00Z`);

function aFreeze(o: Partial<ActiveFreeze> = {}): ActiveFreeze {
  return {
    origin: 'manual',
    freezeId: 'f1',
    incidentId: 'i1',
    incidentNumber: 12,
    incidentPrivate: false,
    incidentChannelId: 'CINC12',
    scope: 'ehr-api',
    reason: 'Database failover in progress',
    startedBy: 'UALICE',
    startedAt: at('10:00'),
    ...o,
  };
}

function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError, `expected AppError, got ${err}`);
    return err.userMessage;
  }
  assert.fail('expected an AppError');
}

describe('which freezes cover a service', () => {
  const cases: [scope: string, service: string, covers: boolean][] = [
    ['ehr-api', 'ehr-api', true],
    ['EHR-API', 'ehr-api', true],
    ['ehr-api', 'EHR-Api ', true],
    ['ehr-api', 'ehr-web', false],
    ['ehr-api', 'ehr', false],
    [ALL_SERVICES, 'anything', true],
    [ALL_SERVICES, '', true],
  ];
  for (const [scope, service, covers] of cases) {
    test(`a freeze on ${scope} ${covers ? 'covers' : 'does not cover'} ${JSON.stringify(service)}`, () => {
      assert.equal(freezeCovers({ scope }, service), covers);
    });
  }

  test('a SEV1 freeze (every service) and a manual one, oldest first; each incident once', () => {
    const sev1 = aFreeze({
      origin: 'sev1',
      freezeId: null,
      incidentId: 'i2',
      incidentNumber: 13,
      scope: ALL_SERVICES,
      startedAt: at('11:00'),
    });
    const manual = aFreeze();
    const other = aFreeze({ incidentId: 'i3', scope: 'billing', startedAt: at('09:00') });
    const again = aFreeze({ freezeId: 'f9', scope: ALL_SERVICES, startedAt: at('12:00') });
    const on = freezesOn([sev1, manual, other, again], 'ehr-api');
    assert.deepEqual(on, [manual, sev1, again]);
    assert.deepEqual(freezingIncidents(on), ['i1', 'i2']);
    assert.deepEqual(freezesOn([other], 'ehr-api'), []);
  });
});

describe('the verdict a pipeline gets', () => {
  test('not frozen: the service alone', () => {
    assert.deepEqual(freezeVerdict('ehr-api', [aFreeze({ scope: 'billing' })], null), {
      frozen: false,
      service: 'ehr-api',
    });
  });

  test('frozen: the oldest freeze gives the reason and the incident; every freeze listed', () => {
    const v = freezeVerdict(
      'ehr-api',
      [
        aFreeze({
          origin: 'sev1',
          freezeId: null,
          incidentNumber: 14,
          scope: ALL_SERVICES,
          reason: 'EHR down',
          startedAt: at('11:00'),
        }),
        aFreeze(),
      ],
      null,
    );
    assert.ok(v.frozen);
    assert.equal(v.incident, 'INC-12');
    assert.equal(v.reason, 'Database failover in progress');
    assert.deepEqual(
      v.freezes.map((f) => [f.incident, f.kind, f.scope, f.reason]),
      [
        ['INC-12', 'manual', 'ehr-api', 'Database failover in progress'],
        ['INC-14', 'sev1', '*', 'SEV1 INC-14 is in progress: EHR down'],
      ],
    );
    assert.equal(v.freezes[0]!.since, '2026-12-05T10:00:00.000Z');
    assert.equal(v.override, null);
  });

  test("a private incident's freeze says its reference and a generic reason, never its title or reason", () => {
    const secret = 'Ward 7 patient records leaked';
    for (const origin of ['manual', 'sev1'] as const) {
      const f = publicFreeze(aFreeze({ origin, incidentPrivate: true, reason: secret }));
      assert.equal(f.incident, 'INC-12');
      assert.equal(f.reason, PRIVATE_FREEZE_REASON);
      assert.ok(!JSON.stringify(f).includes('Ward 7'));
    }
    const v = freezeVerdict(
      'ehr-api',
      [aFreeze({ incidentPrivate: true, reason: secret })],
      [
        {
          reason: secret,
          incidentNumber: 12,
          incidentPrivate: true,
        },
      ],
    );
    assert.ok(v.frozen);
    assert.ok(!JSON.stringify(v).includes('Ward 7'), JSON.stringify(v));
    assert.deepEqual(v.override, { incident: 'INC-12', reason: PRIVATE_FREEZE_REASON });
  });

  test('every reason passes the PHI guard (an NHS number, an email)', () => {
    const v = freezeVerdict(
      'ehr-api',
      [aFreeze({ reason: 'Patient 943 476 5919 records wrong, ask jo.bloggs@nhs.net' })],
      [{ reason: 'fix for 943 476 5919', incidentNumber: 12, incidentPrivate: false }],
    );
    assert.ok(v.frozen);
    const text = JSON.stringify(v);
    assert.ok(!text.includes('943 476 5919') && !text.includes('jo.bloggs@nhs.net'), text);
    assert.ok(!rejectionComment(v).includes('943 476 5919'));
  });

  test('the comments GitHub is given (world-readable) name the incidents by reference only: no title, no reason', () => {
    const v = freezeVerdict(
      'ehr-api',
      [
        aFreeze({ reason: 'Ward 7 patient records wrong' }),
        aFreeze({
          origin: 'sev1',
          freezeId: null,
          incidentId: 'i2',
          incidentNumber: 14,
          scope: ALL_SERVICES,
          reason: 'EHR down for St Mary',
          startedAt: at('11:00'),
        }),
      ],
      null,
    );
    assert.ok(v.frozen);
    assert.equal(
      rejectionComment(v),
      'Change freeze on ehr-api by INC-12 and INC-14 (see the incident channels). Ask the commander of each for `/incident freeze override ehr-api <reason>`.',
    );
    assert.equal(
      rejectionComment(freezeVerdict('ehr-api', [aFreeze()], null) as never),
      'Change freeze on ehr-api by INC-12 (see the incident channel). Ask its commander for `/incident freeze override ehr-api <reason>`.',
    );
    assert.equal(
      overrideComment('ehr-api', ['INC-12']),
      'Change freeze on ehr-api: let through by an override from INC-12 (see the incident channel).',
    );
    assert.equal(
      overrideComment('ehr-api', ['INC-12', 'INC-14']),
      'Change freeze on ehr-api: let through by an override from INC-12 and INC-14 (see the incident channels).',
    );
  });

  test('the comments GitHub is given name the freezes and how to override, within 1,000 characters', () => {
    const v = freezeVerdict(
      'ehr-api',
      [
        aFreeze({ reason: 'x'.repeat(480) }),
        aFreeze({ scope: ALL_SERVICES, reason: 'y'.repeat(480) }),
        aFreeze({ reason: 'z'.repeat(480) }),
      ],
      null,
    );
    assert.ok(v.frozen);
    const c = rejectionComment(v);
    assert.ok(c.length <= 1000);
    assert.ok(!c.includes('x'.repeat(20)), 'no reason');
    assert.match(
      rejectionComment(freezeVerdict('ehr-api', [aFreeze()], null) as never),
      /INC-12 .*\/incident freeze override ehr-api <reason>/,
    );
  });
});

describe('deployment references', () => {
  test('a GitHub deployment is known by its id, whatever the event that reported it', () => {
    assert.equal(deploymentRef(123), 'github deployment 123');
    assert.equal(changeDeploymentRef({ sourceKey: 'github:deployment_status:123' }), 'github deployment 123');
    assert.equal(changeDeploymentRef({ sourceKey: 'github:deployment:123' }), 'github deployment 123');
    assert.equal(changeDeploymentRef({ sourceKey: 'github:pull_request:acme/ehr#4' }), null);
    assert.equal(changeDeploymentRef({ sourceKey: 'api:build-77' }), null);
    assert.equal(changeRef({ sourceKey: 'api:build-77', kind: 'deploy' }), 'deploy api:build-77');
    assert.equal(
      usedByText('github deployment 123', ['acme/ehr-api', 'production']),
      'github deployment 123 (acme/ehr-api, production)',
    );
    assert.equal(usedByText('deploy api:1', ['ehr-api', null]), 'deploy api:1 (ehr-api)');
  });
});

describe('/incident freeze …', () => {
  test('the four forms', () => {
    assert.deepEqual(parseIncidentCommand('freeze'), { kind: 'freeze-show' });
    assert.deepEqual(parseIncidentCommand('freeze on ehr-api DB failover in progress'), {
      kind: 'freeze-on',
      scope: 'ehr-api',
      reason: 'DB failover in progress',
    });
    assert.deepEqual(parseIncidentCommand('FREEZE ON all  Everything\nuntil the fix'), {
      kind: 'freeze-on',
      scope: ALL_SERVICES,
      reason: 'Everything\nuntil the fix',
    });
    assert.deepEqual(parseIncidentCommand('freeze on * reason'), {
      kind: 'freeze-on',
      scope: ALL_SERVICES,
      reason: 'reason',
    });
    assert.deepEqual(parseIncidentCommand('freeze off'), { kind: 'freeze-off', scope: null });
    assert.deepEqual(parseIncidentCommand('freeze off all'), { kind: 'freeze-off', scope: ALL_SERVICES });
    assert.deepEqual(parseIncidentCommand('freeze off ehr-api'), { kind: 'freeze-off', scope: 'ehr-api' });
    assert.deepEqual(parseIncidentCommand('freeze override ehr-api hotfix for the login bug'), {
      kind: 'freeze-override',
      service: 'ehr-api',
      reason: 'hotfix for the login bug',
    });
    assert.deepEqual(parseIncidentCommand('freeze on component:default/ehr-api why'), {
      kind: 'freeze-on',
      scope: 'component:default/ehr-api',
      reason: 'why',
    });
  });

  test('a reason is required for on and override, at most 500 characters', () => {
    assert.match(
      userError(() => parseIncidentCommand('freeze on ehr-api')),
      /Give a reason/,
    );
    assert.match(
      userError(() => parseIncidentCommand('freeze override ehr-api   ')),
      /Give a reason/,
    );
    assert.match(
      userError(() => parseIncidentCommand('freeze on')),
      /Name the service/,
    );
    assert.match(
      userError(() => parseIncidentCommand(`freeze on ehr-api ${'x'.repeat(FREEZE_REASON_MAX + 1)}`)),
      /too long \(at most 500/,
    );
    assert.equal(
      (parseIncidentCommand(`freeze on ehr-api ${'x'.repeat(FREEZE_REASON_MAX)}`) as { reason: string }).reason.length,
      FREEZE_REASON_MAX,
    );
  });

  test('bad words are refused with the usage', () => {
    assert.match(
      userError(() => parseIncidentCommand('freeze maybe')),
      /`maybe` is not right here.*\/incident freeze \[on/,
    );
    assert.match(
      userError(() => parseIncidentCommand('freeze off ehr-api now')),
      /`now` is not right here/,
    );
    assert.match(
      userError(() => parseIncidentCommand('freeze override all reason')),
      /`all` is not right here/,
    );
    assert.match(
      userError(() => parseIncidentCommand('freeze on <@U123> reason')),
      /is not right here/,
    );
    assert.match(
      userError(() => parseIncidentCommand(`freeze on ${'a'.repeat(201)} reason`)),
      /too long \(at most 200/,
    );
  });
});
