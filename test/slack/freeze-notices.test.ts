// The freeze notices' words: what each says, people's text escaped so it cannot ping or forge links.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { noticeText } from '../../src/slack/views/notices.ts';
import { anIncident } from '../support/fixtures.ts';

const incident = anIncident({ number: 12 });

describe('freeze notices', () => {
  test('started, on a service or every service, with the reason quoted and escaped', () => {
    const one = noticeText({
      kind: 'change-freeze-started',
      incident,
      by: 'UALICE',
      scope: 'ehr-api',
      reason: 'DB <!channel> failover',
    });
    assert.match(one, /^:ice_cube: <@UALICE> froze changes to \*ehr-api\* for \*INC-12\*/);
    assert.match(one, /GET \/api\/freeze/);
    assert.ok(!one.includes('<!channel>'), one);
    assert.match(one, /> DB &lt;!channel&gt; failover$/);
    const all = noticeText({ kind: 'change-freeze-started', incident, by: 'UALICE', scope: '*', reason: 'x' });
    assert.match(all, /froze changes to \*every service\*/);
  });

  test('ended, override, and what happened to a deployment', () => {
    assert.equal(
      noticeText({ kind: 'change-freeze-ended', incident, by: 'UALICE', scopes: ['ehr-api', '*'] }),
      ':sunny: <@UALICE> lifted the change freeze of *INC-12* on *ehr-api*, *every service*.',
    );
    assert.match(
      noticeText({ kind: 'freeze-override', incident, by: 'UALICE', service: 'ehr-api', reason: 'hotfix' }),
      /^:unlock: <@UALICE> let \*one\* deployment of \*ehr-api\* through the change freeze of \*INC-12\*\.\n> hotfix$/,
    );
    const base = {
      kind: 'freeze-deployment',
      incident,
      service: 'ehr-api',
      what: 'github deployment 5 <@U1>',
      approvedBy: null,
    } as const;
    assert.match(
      noticeText({ ...base, outcome: 'held' }),
      /was held by the change freeze: github deployment 5 &lt;@U1&gt;.*\/incident freeze override ehr-api <reason>/,
    );
    assert.match(
      noticeText({ ...base, outcome: 'let-through', approvedBy: 'UALICE' }),
      /on the override <@UALICE> approved\. The override is used up\./,
    );
    assert.match(noticeText({ ...base, outcome: 'flagged' }), /landed during the change freeze without an override/);
  });
});
