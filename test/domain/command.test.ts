import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { helpText, parseIncidentCommand, SUBCOMMANDS } from '../../src/domain/command.ts';
import { AppError } from '../../src/domain/errors.ts';
import { type CatalogSnapshot, EMPTY_CATALOG } from '../../src/domain/catalog.ts';
import { extendDeclaredService } from '../../src/domain/declared-service.ts';
import { aService } from '../support/catalog.ts';

function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError, `expected AppError, got ${err}`);
    return err.userMessage;
  }
  assert.fail('expected an AppError');
}

describe('parseIncidentCommand', () => {
  test('no text opens the modal; help lists every subcommand', () => {
    assert.deepEqual(parseIncidentCommand(''), { kind: 'open-declare-modal' });
    assert.deepEqual(parseIncidentCommand('   '), { kind: 'open-declare-modal' });
    assert.deepEqual(parseIncidentCommand('HELP'), { kind: 'help' });
    const help = helpText();
    for (const s of SUBCOMMANDS) assert.ok(help.includes(s.usage), `help lacks ${s.usage}`);
  });

  test('the fast path declares with severity and title', () => {
    assert.deepEqual(parseIncidentCommand('declare sev2 Payments API returning 500s'), {
      kind: 'declare',
      declaration: {
        severity: 'SEV2',
        title: 'Payments API returning 500s',
        isPrivate: false,
        clinicalImpact: false,
        affectedService: null,
        nearMiss: false,
      },
    });
  });

  test('a near miss is declared without a severity, with the same options', () => {
    for (const word of ['near-miss', 'NEAR_MISS', 'nearmiss']) {
      assert.deepEqual(
        parseIncidentCommand(`declare ${word} Wrong ward list nearly published --private --service=ehr`),
        {
          kind: 'declare',
          declaration: {
            severity: 'SEV4',
            title: 'Wrong ward list nearly published',
            isPrivate: true,
            clinicalImpact: false,
            affectedService: 'ehr',
            nearMiss: true,
          },
        },
      );
    }
    assert.match(
      userError(() => parseIncidentCommand('declare near Title')),
      /sev4 or near-miss/,
    );
  });

  test('review, action add, actions and guardrails', () => {
    assert.deepEqual(parseIncidentCommand('review'), { kind: 'review' });
    assert.match(
      userError(() => parseIncidentCommand('review now please')),
      /Write it as `\/incident review/,
    );
    assert.deepEqual(parseIncidentCommand('action add Alert on lag <@UBOB|bob> due:2099-01-31 observability'), {
      kind: 'action-add',
      request: { text: 'Alert on lag', ownerId: 'UBOB', due: '2099-01-31', category: 'observability', priority: null },
    });
    const multiline = parseIncidentCommand('action add  Check the\nexport job');
    assert.equal(
      multiline.kind === 'action-add' && multiline.request.text,
      'Check the\nexport job',
      'the text as typed',
    );
    assert.match(
      userError(() => parseIncidentCommand('action remove 3')),
      /`remove` is not right here.*\/incident action add/s,
    );
    assert.match(
      userError(() => parseIncidentCommand('action add')),
      /action add/,
    );
    assert.deepEqual(parseIncidentCommand('actions'), { kind: 'actions', filter: 'mine' });
    assert.deepEqual(parseIncidentCommand('actions Overdue'), { kind: 'actions', filter: 'overdue' });
    assert.match(
      userError(() => parseIncidentCommand('actions mine now')),
      /\[mine\|team\|overdue\|all\]/,
    );
    assert.deepEqual(parseIncidentCommand('guardrails'), { kind: 'guardrails', periodDays: 90 });
    assert.deepEqual(parseIncidentCommand('guardrails 30d'), { kind: 'guardrails', periodDays: 30 });
    assert.ok(userError(() => parseIncidentCommand('guardrails forever')).length > 0);
  });

  test('actions with where the items live; action done and action reopen name one item', () => {
    assert.deepEqual(parseIncidentCommand('actions team in:jira'), {
      kind: 'actions',
      filter: 'team',
      tracker: 'jira',
    });
    assert.deepEqual(parseIncidentCommand('actions all pending'), {
      kind: 'actions',
      filter: 'all',
      tracker: 'pending',
    });
    assert.deepEqual(parseIncidentCommand('actions in:Slack'), { kind: 'actions', filter: 'mine', tracker: 'slack' });
    assert.match(
      userError(() => parseIncidentCommand('actions all in:trello')),
      /`in:trello` is not a filter.*in:github, in:jira, in:slack or pending/s,
    );
    assert.deepEqual(parseIncidentCommand('action done ACT-12'), { kind: 'action-done', number: 12 });
    assert.deepEqual(parseIncidentCommand('action Reopen act-3'), { kind: 'action-reopen', number: 3 });
    assert.match(
      userError(() => parseIncidentCommand('action done')),
      /\/incident action done ACT-12/,
    );
    assert.match(
      userError(() => parseIncidentCommand('action reopen ACT-1 ACT-2')),
      /Name one action item/,
    );
    assert.match(
      userError(() => parseIncidentCommand('action done INC-4')),
      /`INC-4` is not an action item/,
    );
    assert.match(
      userError(() => parseIncidentCommand('action close ACT-4')),
      /`close` is not right here.*action done ACT-12/s,
    );
    const help = helpText();
    assert.ok(help.includes('/incident action done ACT-12'));
    assert.ok(help.includes('[in:github|in:jira|in:slack|pending]'));
  });

  test('service <name>: the rest of the text, spaces folded; nothing or too long is refused', () => {
    assert.deepEqual(parseIncidentCommand('service ehr-api'), { kind: 'service', name: 'ehr-api' });
    assert.deepEqual(parseIncidentCommand('SERVICE   EHR   API '), { kind: 'service', name: 'EHR API' });
    assert.deepEqual(parseIncidentCommand('service component:default/ehr-api'), {
      kind: 'service',
      name: 'component:default/ehr-api',
    });
    assert.match(
      userError(() => parseIncidentCommand('service')),
      /\/incident service <name>/,
    );
    assert.match(
      userError(() => parseIncidentCommand(`service ${'x'.repeat(201)}`)),
      /too long \(at most 200/,
    );
    assert.ok(SUBCOMMANDS.some((s) => s.usage === '/incident service <name>'));
    assert.match(helpText(), /\/incident service <name>/);
  });

  test('severity spellings: SEV1, sev-3, 4', () => {
    for (const [word, sev] of [
      ['SEV1', 'SEV1'],
      ['sev-3', 'SEV3'],
      ['4', 'SEV4'],
    ] as const) {
      const cmd = parseIncidentCommand(`declare ${word} Title`);
      assert.equal(cmd.kind === 'declare' && cmd.declaration.severity, sev);
    }
  });

  test('options count anywhere in the text, so a trailing --private keeps the incident private', () => {
    const cmd = parseIncidentCommand('declare sev1 Patient records exposed --private --clinical --service=ehr-api');
    assert.deepEqual(cmd, {
      kind: 'declare',
      declaration: {
        severity: 'SEV1',
        title: 'Patient records exposed',
        isPrivate: true,
        clinicalImpact: true,
        affectedService: 'ehr-api',
        nearMiss: false,
      },
    });
    const front = parseIncidentCommand('declare sev3 --service lab-results Slow lab results');
    assert.deepEqual(front.kind === 'declare' && [front.declaration.affectedService, front.declaration.title], [
      'lab-results',
      'Slow lab results',
    ]);
    assert.match(
      userError(() => parseIncidentCommand('declare sev2 EHR down --really')),
      /`--really` is not an option/,
    );
  });

  test('--service= is one word or a quoted name; the words after an unquoted one stay the title’s, with their place kept', () => {
    const service = (text: string) => {
      const cmd = parseIncidentCommand(text);
      assert.ok(cmd.kind === 'declare');
      return [cmd.declaration.affectedService, cmd.declaration.title, cmd.declaration.isPrivate, cmd.serviceWords];
    };
    // The regression: the service no longer eats the title.
    assert.deepEqual(service('declare sev2 --service=payments API returning 500s'), [
      'payments',
      'API returning 500s',
      false,
      { following: ['API', 'returning', '500s'], at: 0 },
    ]);
    assert.deepEqual(service('declare sev2 Wards cannot log in --service=EHR API --private'), [
      'EHR',
      'Wards cannot log in API',
      true,
      { following: ['API'], at: 4 },
    ]);
    assert.deepEqual(service('declare sev2 Wards cannot log in --service=ehr-api'), [
      'ehr-api',
      'Wards cannot log in',
      false,
      undefined,
    ]);
    for (const quoted of ['"EHR API"', "'EHR API'", '“EHR API”', '“EHR API"', '‘EHR API’']) {
      assert.deepEqual(service(`declare sev2 Wards cannot log in --service=${quoted} --clinical`), [
        'EHR API',
        'Wards cannot log in',
        false,
        undefined,
      ]);
    }
    assert.deepEqual(service('declare sev2 --service "EHR API" Wards cannot log in'), [
      'EHR API',
      'Wards cannot log in',
      false,
      undefined,
    ]);
    assert.match(
      userError(() => parseIncidentCommand('declare sev2 Down --service="EHR API')),
      /quote before `"EHR` is not closed/,
    );
    assert.match(
      userError(() => parseIncidentCommand('declare sev2 Down --service=""')),
      /Give the service's name/,
    );
  });

  test('an option is never lost inside a service value: quoted, after an unclosed quote, or right after --service', () => {
    // The verified escapes of the review: each is now private or refused, never public.
    for (const text of [
      'declare sev2 --service="EHR --private" Wards down',
      'declare sev2 --service="EHR API --private Patient "John" cannot log in',
      'declare sev2 --service --private Wards down',
      'declare sev2 --service=--private Wards down',
      'declare sev2 --service="--private" Wards down',
      'declare sev2 --service=“EHR --private” Wards down',
    ]) {
      assert.match(
        userError(() => parseIncidentCommand(text)),
        /--private/,
        text,
      );
    }
    assert.match(
      userError(() => parseIncidentCommand('declare sev2 --service="EHR --private" Wards down')),
      /A service name cannot hold `--private`: write options outside the quotes/,
    );
    assert.match(
      userError(() => parseIncidentCommand('declare sev2 --service --private Wards down')),
      /`--private` is an option, not a service/,
    );
    assert.match(
      userError(() => parseIncidentCommand('declare sev2 Wards down --service')),
      /Give the service's name/,
    );
    // A quoted option outside a service value still counts.
    for (const word of ['"--private"', '“--private”', '--private"', "'--private'"]) {
      const cmd = parseIncidentCommand(`declare sev2 Wards down ${word}`);
      assert.ok(cmd.kind === 'declare' && cmd.declaration.isPrivate, word);
    }
    // The unquoted service's following words stop at an option, quoted or not.
    const cmd = parseIncidentCommand('declare sev2 --service=EHR API "--private" Wards');
    assert.ok(cmd.kind === 'declare');
    assert.equal(cmd.declaration.isPrivate, true);
    assert.deepEqual(cmd.serviceWords, { following: ['API'], at: 0 });
  });

  test('property: wherever --private stands among the words, in whatever quotes, the declaration is private or refused', () => {
    const bases = [
      ['Wards', 'down'],
      ['--service="EHR', 'API"', 'Wards', 'down'],
      ['--service="EHR', 'API', 'Patient', '"John"', 'cannot', 'log', 'in'],
      ['--service', '"EHR', 'API"', 'Wards', 'down'],
      ['--service=ehr-api', 'Wards', 'down'],
      ['--service', 'ehr-api', 'Patient', '“John', 'Smith”'],
      ['Wards', '"down', '--service=“EHR', 'API”', '--clinical'],
      ["--service='EHR", 'API', 'Wards'],
    ];
    const forms = ['--private', '--PRIVATE', '"--private', '--private"', '"--private"', '“--private”', '‘--private’'];
    let cases = 0;
    for (const base of bases) {
      for (let at = 0; at <= base.length; at++) {
        for (const form of forms) {
          // Inserted as a word of its own, and glued to the word before it with `=` where that is --service.
          const variants = [[...base.slice(0, at), form, ...base.slice(at)]];
          if (base[at - 1] === '--service')
            variants.push([...base.slice(0, at - 1), `--service=${form}`, ...base.slice(at)]);
          for (const words of variants) {
            const text = `declare sev2 ${words.join(' ')}`;
            cases++;
            let cmd: ReturnType<typeof parseIncidentCommand>;
            try {
              cmd = parseIncidentCommand(text);
            } catch (err) {
              assert.ok(err instanceof AppError, `${text}: ${err}`);
              continue;
            }
            assert.ok(cmd.kind === 'declare', text);
            assert.equal(cmd.declaration.isPrivate, true, `public: ${text}`);
            assert.ok(!/--/.test(cmd.declaration.affectedService ?? ''), `service holds an option: ${text}`);
          }
        }
      }
    }
    assert.ok(cases > 200);
  });

  test('the declare use case joins the following words to the service by the catalog, and gives the rest back to the title', () => {
    const catalog: CatalogSnapshot = {
      ...EMPTY_CATALOG,
      source: 'file',
      loadedAt: new Date(),
      services: [aService({ name: 'ehr-api', title: 'EHR API' }), aService({ name: 'payments' })],
    };
    const extend = (text: string, c: CatalogSnapshot = catalog) => {
      const cmd = parseIncidentCommand(text);
      assert.ok(cmd.kind === 'declare');
      const d = extendDeclaredService(c, cmd.declaration, cmd.serviceWords);
      return [d.affectedService, d.title];
    };
    assert.deepEqual(extend('declare sev2 --service=EHR API Wards cannot log in'), ['EHR API', 'Wards cannot log in']);
    assert.deepEqual(extend('declare sev2 Wards down --service=EHR API --private'), ['EHR API', 'Wards down']);
    assert.deepEqual(extend('declare sev2 --service=payments API returning 500s'), ['payments', 'API returning 500s']);
    // Without a catalog in use (none, or not read yet): one word.
    assert.deepEqual(extend('declare sev2 --service=EHR API down', EMPTY_CATALOG), ['EHR', 'API down']);
    assert.deepEqual(extend('declare sev2 --service=EHR API down', { ...catalog, loadedAt: null }), [
      'EHR',
      'API down',
    ]);
  });

  test('unknown severity, unknown option and unknown subcommand say how to write it', () => {
    assert.match(
      userError(() => parseIncidentCommand('declare sev9 Broken')),
      /`sev9` is not a severity.*\/incident declare <sev1-4>/s,
    );
    assert.match(
      userError(() => parseIncidentCommand('declare')),
      /Say how severe/,
    );
    assert.match(
      userError(() => parseIncidentCommand('declare sev2 --loud Broken')),
      /`--loud` is not an option/,
    );
    const msg = userError(() => parseIncidentCommand('frobnicate now'));
    assert.match(msg, /I don't know `\/incident frobnicate`/);
    for (const s of SUBCOMMANDS) assert.ok(msg.includes(s.usage));
  });

  test('freeze: show, on <service|all> <reason>, off [<service|all>], override <service> <reason> (more in freeze.test.ts)', () => {
    assert.deepEqual(parseIncidentCommand('freeze'), { kind: 'freeze-show' });
    assert.deepEqual(parseIncidentCommand('freeze on all Payments migration'), {
      kind: 'freeze-on',
      scope: '*',
      reason: 'Payments migration',
    });
    assert.deepEqual(parseIncidentCommand('freeze off ehr-api'), { kind: 'freeze-off', scope: 'ehr-api' });
    assert.deepEqual(parseIncidentCommand('freeze override ehr-api hotfix'), {
      kind: 'freeze-override',
      service: 'ehr-api',
      reason: 'hotfix',
    });
    assert.match(
      userError(() => parseIncidentCommand('freeze on ehr-api')),
      /Give a reason/,
    );
    assert.ok(
      SUBCOMMANDS.some((s) => s.usage.startsWith('/incident freeze')),
      'in the help',
    );
  });
});
