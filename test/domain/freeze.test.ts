import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALL_SERVICES } from '../../src/domain/changes.ts';
import { AppError } from '../../src/domain/errors.ts';
import { systemOf } from '../../src/domain/catalog.ts';
import {
  BACKDATING_TOLERANCE_MS,
  changeDeploymentRef,
  changeMeetsFreeze,
  coveringIncidents,
  environmentProtected,
  landedInFreeze,
  overridesLettingThrough,
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
  withFreezeServiceWords,
  type ActiveFreeze,
  type FreezeCommand,
} from '../../src/domain/freeze.ts';
import { EMPTY_CATALOG } from '../../src/domain/catalog.ts';
import { aService, catalogOf } from '../support/catalog.ts';
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

describe('a System, environments, kinds, backdating and overrides', () => {
  test("a freeze on a System covers its components (by the component's system), not other systems", () => {
    assert.equal(freezeCovers({ scope: 'ehr' }, 'ehr-api', 'ehr'), true);
    assert.equal(freezeCovers({ scope: 'EHR' }, 'ehr-api', 'ehr'), true);
    assert.equal(freezeCovers({ scope: 'ehr' }, 'ehr-api', null), false);
    assert.equal(freezeCovers({ scope: 'ehr' }, 'billing', 'finance'), false);
    assert.equal(freezeCovers({ scope: 'ehr-api' }, 'ehr-api', 'ehr'), true);
    assert.equal(freezeCovers({ scope: 'ehr-web' }, 'ehr-api', 'ehr'), false, 'a sibling component does not');
    assert.equal(systemOf({ kind: 'System', name: 'ehr', system: null }), 'ehr');
    assert.equal(systemOf({ kind: 'Component', name: 'ehr-api', system: 'ehr' }), 'ehr');
    assert.equal(systemOf({ kind: 'Component', name: 'lone', system: null }), null);
    assert.deepEqual(freezesOn([aFreeze({ scope: 'ehr' })], 'ehr-api', 'ehr').length, 1);
  });

  test('only deployments and changes to a protected environment meet a freeze; a merge never does', () => {
    const prod = ['production'];
    const cases: [kind: 'deploy' | 'merge' | 'change', env: string | null, list: string[], meets: boolean][] = [
      ['deploy', 'production', prod, true],
      ['deploy', 'Production', prod, true],
      ['change', 'PRODUCTION', prod, true],
      ['deploy', null, prod, true],
      ['deploy', '  ', prod, true],
      ['deploy', 'staging', prod, false],
      ['merge', 'production', prod, false],
      ['merge', null, prod, false],
      ['deploy', 'prod-eu', ['production', 'prod-eu'], true],
    ];
    for (const [kind, environment, list, meets] of cases) {
      assert.equal(changeMeetsFreeze({ kind, environment }, list), meets, `${kind} ${environment} ${list}`);
    }
    assert.equal(environmentProtected('staging', ['production']), false);
    assert.equal(environmentProtected(null, ['production']), true);
  });

  test('a change lands in a freeze if it occurred after the start, or was received during it claiming to be over 15 minutes older', () => {
    const start = at('10:00');
    const minutes = (m: number) => new Date(start.getTime() + m * 60_000);
    assert.equal(BACKDATING_TOLERANCE_MS, 15 * 60_000);
    const cases: [occurred: number, received: number, lands: boolean][] = [
      [0, 0, true],
      [5, 6, true],
      [-1, 1, false], // occurred a minute before, reported two minutes later: its word is taken
      [-10, 5, false], // exactly 15 minutes: taken
      [-11, 5, true], // 16 minutes before it was received, during the freeze: backdated
      [-60, -50, false], // received before the freeze
      [-600, 30, true],
    ];
    for (const [o, r, lands] of cases) {
      assert.equal(landedInFreeze({ occurredAt: minutes(o), receivedAt: minutes(r) }, start), lands, `${o} ${r}`);
    }
  });

  test("a deployment needs an override from every incident freezing it, each given since that incident's latest covering freeze started", () => {
    const covering = [
      aFreeze({ incidentId: 'i1', startedAt: at('10:00') }),
      aFreeze({ incidentId: 'i1', freezeId: 'f2', scope: ALL_SERVICES, startedAt: at('09:00') }),
      aFreeze({ incidentId: 'i2', origin: 'sev1', freezeId: null, scope: ALL_SERVICES, startedAt: at('11:00') }),
    ];
    // Each incident from its LATEST covering freeze: freezing the service again (here on it alone,
    // after every service) voids the overrides given before.
    assert.deepEqual(coveringIncidents(covering), [
      { incidentId: 'i1', since: at('10:00') },
      { incidentId: 'i2', since: at('11:00') },
    ]);
    const o = (id: string, incidentId: string, time: string) => ({ id, incidentId, createdAt: at(time) });
    assert.equal(
      overridesLettingThrough(covering, [o('early', 'i1', '09:30'), o('b', 'i2', '11:05')]),
      null,
      "i1's was given before its latest covering freeze started: void",
    );
    // A SEV1 over a commander's freeze of the same incident: only an override given since the SEV1 counts.
    const escalated = [
      aFreeze({ incidentId: 'i3', startedAt: at('09:00') }),
      aFreeze({ incidentId: 'i3', origin: 'sev1', freezeId: null, scope: ALL_SERVICES, startedAt: at('12:00') }),
    ];
    assert.equal(overridesLettingThrough(escalated, [o('m', 'i3', '10:00')]), null);
    assert.deepEqual(
      overridesLettingThrough(escalated, [o('m', 'i3', '10:00'), o('s', 'i3', '12:01')])?.map((x) => x.id),
      ['s'],
    );
    assert.equal(overridesLettingThrough(covering, [o('a', 'i1', '10:30')]), null, 'i2 gave none');
    assert.equal(
      overridesLettingThrough(covering, [o('a', 'i1', '10:30'), o('b', 'i2', '10:59')]),
      null,
      "i2's was given before its freeze started: lapsed",
    );
    assert.deepEqual(
      overridesLettingThrough(covering, [
        o('c', 'i1', '10:40'),
        o('a', 'i1', '10:30'),
        o('b', 'i2', '11:05'),
        o('x', 'i9', '11:05'),
      ])?.map((x) => x.id),
      ['a', 'b'],
      "the oldest valid of each; another incident's is not asked",
    );
    assert.equal(overridesLettingThrough([], [o('a', 'i1', '10:30')]), null, 'nothing freezes it');
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

  test('a service is one word or quoted (also Slack’s “…”); with the catalog, the longest run of words naming a service', () => {
    const parse = (text: string) => parseIncidentCommand(text) as FreezeCommand;
    assert.deepEqual(parse('freeze on "EHR API" Failover in progress'), {
      kind: 'freeze-on',
      scope: 'EHR API',
      reason: 'Failover in progress',
      quoted: true,
    });
    assert.deepEqual(parse('freeze override “EHR API” Hotfix'), {
      kind: 'freeze-override',
      service: 'EHR API',
      reason: 'Hotfix',
      quoted: true,
    });
    assert.deepEqual(parse("freeze off 'EHR API'"), { kind: 'freeze-off', scope: 'EHR API' });
    assert.deepEqual(parse('freeze off EHR API'), { kind: 'freeze-off', scope: 'EHR', serviceWords: ['API'] });
    assert.match(
      userError(() => parse('freeze on "EHR API Failover')),
      /quote before `"EHR` is not closed/,
    );
    assert.match(
      userError(() => parse('freeze on "EHR `x`" why')),
      /not right here/,
    );

    const catalog = catalogOf(aService({ name: 'ehr-api', title: 'EHR API' }), aService({ name: 'ehr', title: 'EHR' }));
    const resolved = (text: string, c = catalog) => withFreezeServiceWords(c, parse(text));
    // The issue's case: not `EHR` with the reason `API Failover`.
    assert.deepEqual(resolved('freeze on EHR API Failover'), {
      kind: 'freeze-on',
      scope: 'EHR API',
      reason: 'Failover',
    });
    assert.deepEqual(resolved('freeze override EHR API Hotfix\nfor the bug'), {
      kind: 'freeze-override',
      service: 'EHR API',
      reason: 'Hotfix\nfor the bug',
    });
    assert.deepEqual(resolved('freeze on EHR Database slow'), {
      kind: 'freeze-on',
      scope: 'EHR',
      reason: 'Database slow',
    });
    assert.deepEqual(resolved('freeze on "EHR" API Failover'), {
      kind: 'freeze-on',
      scope: 'EHR',
      reason: 'API Failover',
      quoted: true,
    });
    assert.deepEqual(resolved('freeze off EHR API'), { kind: 'freeze-off', scope: 'EHR API' });
    assert.deepEqual(resolved('freeze on all EHR API'), { kind: 'freeze-on', scope: ALL_SERVICES, reason: 'EHR API' });
    // The service may not take the whole reason.
    assert.match(
      userError(() => resolved('freeze on EHR API')),
      /Give a reason/,
    );
    // Without a catalog in use (none, or not read yet): one word, as typed.
    assert.deepEqual(resolved('freeze on EHR API Failover', EMPTY_CATALOG), {
      kind: 'freeze-on',
      scope: 'EHR',
      reason: 'API Failover',
    });
    assert.deepEqual(resolved('freeze on EHR API Failover', { ...catalog, loadedAt: null }), {
      kind: 'freeze-on',
      scope: 'EHR',
      reason: 'API Failover',
    });
  });

  test('a quoted service never holds an option word (--…), closed or not; nor is one a service', () => {
    for (const text of [
      'freeze on "EHR --private" Failover',
      'freeze on "EHR API --all Failover "now" please',
      'freeze override “--ehr” Hotfix',
      'freeze off "EHR --x"',
    ]) {
      assert.match(
        userError(() => parseIncidentCommand(text)),
        /A service name cannot hold `--/,
        text,
      );
    }
    assert.match(
      userError(() => parseIncidentCommand('freeze on --private Failover')),
      /`--private` is not right here/,
    );
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
    // Words after `off <service>` may continue its name by the catalog; without one they are refused.
    assert.match(
      userError(() =>
        withFreezeServiceWords(EMPTY_CATALOG, parseIncidentCommand('freeze off ehr-api now') as FreezeCommand),
      ),
      /`now` is not right here/,
    );
    assert.match(
      userError(() => parseIncidentCommand('freeze off "EHR API" now')),
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
