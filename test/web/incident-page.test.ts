// One incident's page through the real bot (GET /web/incidents/:ref): the summary, roles, the
// timeline in the viewer's zone a page at a time (older and newer by a cursor in the address), the
// review and action items through the PHI guard, the audit chain's state; a private incident is a
// 404 to a non-member exactly like a missing one, shown to a member; a malformed reference is a 400.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';
import { testDatabases } from '../support/databases.ts';
import { tamper } from '../support/tamper.ts';
import { getPage, sessionCookie, useWebBot } from '../support/web.ts';

const users = [
  { id: 'UALICE', name: 'alice', real_name: 'Alice Zoë', tz: 'Europe/London' },
  { id: 'UBOB', name: 'bob', tz: 'America/New_York' },
];
const [embedded] = testDatabases();
const declaredAt = new Date('2026-11-24T14:00:00Z');
const minute = (n: number) => new Date(declaredAt.getTime() + n * 60_000);

describe('the incident page', () => {
  const env = useWebBot(embedded!, { users });
  let big: Incident;
  let secret: Incident;

  before(async () => {
    const { store, reviews } = env.app.bot.deps;
    ({ incident: big } = await store.createIfAbsent(
      declaring({
        declaration: aDeclaration({ title: 'Pharmacy orders delayed', severity: 'SEV2', affectedService: 'pharmacy' }),
        declaredAt,
        via: 'test',
      }),
    ));
    big = await store.recordProvisioning(big.id, { channelId: 'CBIG0001' });
    await store.applyChange(
      big.id,
      { status: 'INVESTIGATING', role: { role: 'COMMANDER', userId: 'UALICE', assignedBy: 'UALICE' } },
      {
        occurredAt: minute(2),
        kind: 'status_changed',
        actorId: 'UALICE',
        text: 'Investigating',
        data: { to: 'INVESTIGATING' },
      },
    );
    for (let i = 1; i <= 150; i++)
      await store.addTimelineEntry(big.id, {
        occurredAt: minute(2 + i),
        kind: 'note',
        actorId: 'UBOB',
        text: i === 150 ? 'n150: ward says patient 943 476 5919 affected' : `n${i}`,
      });
    await reviews.saveReviewInput(
      big.id,
      { wentWell: 'The pharmacy on-call answered in a minute', wasHard: 'Finding 943 476 5919 in the logs' },
      { by: 'UALICE', at: minute(200) },
      {
        text: 'Alert on the order queue depth',
        ownerId: 'UBOB',
        due: '2026-12-20',
        category: 'observability',
        priority: 'high',
      },
    );
    ({ incident: secret } = await store.createIfAbsent(
      declaring({
        declaration: aDeclaration({ title: 'Clinician account misuse', isPrivate: true }),
        declaredAt,
        via: 'test',
      }),
    ));
    secret = await store.recordProvisioning(secret.id, { channelId: 'CSECRET2' });
    env.slack.addChannel({ id: 'CSECRET2', name: 'inc-secret', is_private: true, members: ['UALICE', 'UBOT'] });
  });

  test('summary, roles, the latest page of the timeline in the viewer’s zone, the review, action items, the audit chain', async () => {
    const bob = await sessionCookie(env.app, { userId: 'UBOB', timeZone: 'America/New_York' });
    const page = await getPage(env.base, `/web/incidents/INC-${big.number}`, bob);
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`INC-${big.number}: Pharmacy orders delayed`));
    // People by the names Slack gives, not their ids.
    assert.match(page.text, /<dt>Commander<\/dt><dd>Alice Zoë<\/dd>/);
    assert.match(page.text, /<dd>Tue 24 Nov 09:00 EST by Alice Zoë<\/dd>/, 'declared in Bob’s zone, the zone named');
    assert.doesNotMatch(page.text, />UALICE</, 'no bare id where a name is known');
    assert.match(page.text, /<dt>Time to acknowledge<\/dt><dd>2m<\/dd>/);
    assert.match(page.text, /154 entries; 100 shown, times in America\/New_York/);
    assert.match(
      page.text,
      /<td>Tue 24 Nov 11:32 EST<\/td><td>note<\/td><td>bob<\/td><td>n150: /,
      'n150 (14:00 UTC + 152 min) in Bob’s zone',
    );
    assert.match(page.text, /n150: ward says patient \[redacted NHS number\] affected/);
    assert.doesNotMatch(page.text, /943 476 5919/, 'timeline and review through the PHI guard');
    assert.doesNotMatch(page.text, />n50</, 'an older entry is on the next page');
    assert.match(page.text, /The pharmacy on-call answered in a minute/);
    assert.match(page.text, /Alert on the order queue depth/);
    assert.match(page.text, /class="ok">Intact: \d+ entries/);

    const older = /href="([^"]+\?before=[^"]+)"/.exec(page.text)![1]!.replaceAll('&amp;', '&');
    const second = await getPage(env.base, older, bob);
    assert.equal(second.status, 200);
    assert.match(second.text, />n50</);
    assert.doesNotMatch(second.text, />n149</);
    assert.match(second.text, /<td>declared<\/td>/, 'the first page reaches the declaration');
    assert.doesNotMatch(second.text, /href="[^"]+\?before=/, 'and has nothing older');
    const newer = /href="([^"]+\?after=[^"]+)"/.exec(second.text)![1]!.replaceAll('&amp;', '&');
    const back = await getPage(env.base, newer, bob);
    assert.match(back.text, />n149</);
  });

  test('a clinical-impact incident’s hazards with their ratings and the sign-off, titles through the PHI guard', async () => {
    const { store } = env.app.bot.deps;
    let { incident } = await store.createIfAbsent(
      declaring({ declaration: aDeclaration({ title: 'Wrong doses', clinicalImpact: true }), declaredAt, via: 'test' }),
    );
    incident = await store.recordProvisioning(incident.id, { channelId: 'CCLIN001' });
    const entry = (text: string) => ({ occurredAt: minute(5), kind: 'test_setup', actorId: 'UALICE', text });
    const link = {
      hazardId: 'HAZ-012',
      title: 'Wrong dose for 943 476 5919',
      before: { likelihood: 'high', severity: 'major' },
      after: { likelihood: 'low', severity: 'major' },
      linkedBy: 'UALICE',
      linkedAt: minute(5),
      updatedBy: 'UALICE',
      updatedAt: minute(5),
    } as const;
    await store.applyChange(incident.id, { clinical: { hazard: { op: 'add', link } } }, entry('hazard'));
    const bob = await sessionCookie(env.app, { userId: 'UBOB', timeZone: 'Europe/London' });
    let page = await getPage(env.base, `/web/incidents/INC-${incident.number}`, bob);
    assert.match(page.text, /<h2>Clinical safety<\/h2>/);
    assert.match(page.text, /Not signed off by the clinical safety officer\./);
    assert.match(
      page.text,
      /<td>HAZ-012<\/td><td>Wrong dose for \[redacted NHS number\]<\/td><td>High × Major = 4<\/td><td>Low × Major = 3<\/td>/,
    );
    await store.applyChange(
      incident.id,
      {
        clinical: {
          signoff: {
            by: 'UALICE',
            note: 'Checked',
            hazards: (await store.clinicalRecord(incident.id)).hazards,
            reviewItem: {
              text: 'Review the hazard log',
              ownerId: 'UALICE',
              due: null,
              category: 'process',
              priority: 'high',
            },
          },
        },
      },
      entry('signoff'),
    );
    page = await getPage(env.base, `/web/incidents/INC-${incident.number}`, bob);
    assert.match(page.text, /Signed off by Alice Zoë at Tue 24 Nov 14:05 GMT: Checked/);
    const plain = await getPage(env.base, `/web/incidents/INC-${big.number}`, bob);
    assert.doesNotMatch(plain.text, /<h2>Clinical safety<\/h2>/, 'none without clinical impact or hazards');
  });

  test('a private incident is a 404 to a non-member exactly as a missing one, and shown to a member', async () => {
    const bob = await sessionCookie(env.app, { userId: 'UBOB' });
    const hidden = await getPage(env.base, `/web/incidents/${secret.number}`, bob);
    const missing = await getPage(env.base, '/web/incidents/INC-99999', bob);
    assert.equal(hidden.status, 404);
    assert.equal(missing.status, 404);
    assert.equal(
      hidden.text.replace(`INC-${secret.number}`, 'INC-n'),
      missing.text.replace('INC-99999', 'INC-n'),
      'the same page but for the number asked',
    );
    assert.doesNotMatch(hidden.text, /Clinician account misuse/);

    const alice = await sessionCookie(env.app, { userId: 'UALICE' });
    const shown = await getPage(env.base, `/web/incidents/inc-${secret.number}`, alice);
    assert.equal(shown.status, 200);
    assert.match(shown.text, /Clinician account misuse/);
  });

  test('the audit trail checked on its own page; refused like a missing incident to a non-member', async () => {
    const bob = await sessionCookie(env.app, { userId: 'UBOB' });
    const checked = await getPage(env.base, `/web/incidents/INC-${big.number}/audit`, bob);
    assert.equal(checked.status, 200);
    assert.match(checked.text, /class="ok">Intact: \d+ entries/);
    assert.equal((await getPage(env.base, `/web/incidents/INC-${secret.number}/audit`, bob)).status, 404);
    const malformed = await getPage(env.base, '/web/incidents/INC-x/audit', bob);
    assert.equal(malformed.status, 400);
    assert.match(malformed.text, /That is not an incident reference/);
    assert.match(malformed.text, /&quot;INC-x&quot; is not one/);
  });

  test('a malformed reference or timeline place is a 400', async () => {
    const cookie = await sessionCookie(env.app, { userId: 'UBOB' });
    for (const [path, why] of [
      ['/web/incidents/INC-x', /&quot;INC-x&quot; is not one/],
      ['/web/incidents/0', /&quot;0&quot; is not one/],
      [`/web/incidents/${big.number}?before=yesterday`, /&quot;before&quot; is not a place on the timeline/],
    ] as const) {
      const page = await getPage(env.base, path, cookie);
      assert.equal(page.status, 400, path);
      assert.match(page.text, why, path);
    }
    const both = await getPage(
      env.base,
      `/web/incidents/${big.number}?before=2026-11-24T14:00:00.000Z_${big.id}&after=2026-11-24T14:00:00.000Z_${big.id}`,
      cookie,
    );
    assert.equal(both.status, 400);
    assert.match(both.text, /Give &quot;before&quot; or &quot;after&quot;, not both/);
  });

  test('every field people wrote through the PHI guard: the summary, and the audit findings that quote the record', async () => {
    const { store } = env.app.bot.deps;
    const { incident } = await store.createIfAbsent(
      declaring({
        declaration: aDeclaration({
          title: 'Wrong patient 943 476 5919 shown',
          description: 'Seen on the ward for 943 476 5919',
          affectedService: 'EPR 943 476 5919',
        }),
        declaredAt,
        via: 'test',
      }),
    );
    // Changed behind the trail: the check says what it expected and what it found.
    await tamper(env.app.bot.db.pool, 'UPDATE incident SET service_owner = $2 WHERE id = $1', [
      incident.id,
      'team 943 476 5919',
    ]);
    const bob = await sessionCookie(env.app, { userId: 'UBOB' });
    const page = await getPage(env.base, `/web/incidents/INC-${incident.number}`, bob);
    assert.equal(page.status, 200);
    assert.match(page.text, /<dt>Service<\/dt><dd>EPR \[redacted NHS number\]<\/dd>/);
    assert.match(page.text, /<dt>Owning team<\/dt><dd>team \[redacted NHS number\]<\/dd>/);
    assert.match(page.text, /class="bad">Not intact/);
    assert.match(page.text, /service_owner: expected null, found &quot;team \[redacted NHS number\]&quot;/);
    assert.doesNotMatch(page.text, /943 476 5919/);
    const audit = await getPage(env.base, `/web/incidents/INC-${incident.number}/audit`, bob);
    assert.match(audit.text, /class="bad">Not intact/);
    assert.match(audit.text, /Wrong patient \[redacted NHS number\] shown/);
    assert.doesNotMatch(audit.text, /943 476 5919/);
  });

  test("an action item's tracker link only when it is http(s)", async () => {
    const pool = env.app.bot.db.pool;
    const link = (url: string) =>
      pool.query(
        `UPDATE tracker_link SET state = 'linked', tracker = 'jira', target = 'OPS', issue_id = '1', issue_key = 'OPS-1', issue_url = $2
         WHERE incident_id = $1`,
        [big.id, url],
      );
    const bob = await sessionCookie(env.app, { userId: 'UBOB' });
    await link('javascript:alert(1)');
    const bad = await getPage(env.base, `/web/incidents/INC-${big.number}`, bob);
    assert.doesNotMatch(bad.text, /javascript:/);
    assert.match(bad.text, /<td>OPS-1<\/td>/, 'the key, unlinked');
    await link('https://acme.atlassian.net/browse/OPS-1');
    const good = await getPage(env.base, `/web/incidents/INC-${big.number}`, bob);
    assert.match(
      good.text,
      /<a href="https:\/\/acme\.atlassian\.net\/browse\/OPS-1" rel="noreferrer noopener">OPS-1<\/a>/,
    );
  });

  test('a private incident declared (or joined) within the minute its reader’s channels are kept: asked of Slack afresh', async () => {
    const bob = await sessionCookie(env.app, { userId: 'UBOB' });
    // Bob's private channels are asked and kept now: none.
    assert.equal((await getPage(env.base, `/web/incidents/${secret.number}`, bob)).status, 404);
    const { store } = env.app.bot.deps;
    const { incident } = await store.createIfAbsent(
      declaring({
        declaration: aDeclaration({ title: 'Bob’s own private incident', isPrivate: true }),
        declaredBy: 'UBOB',
        declaredAt,
        via: 'test',
      }),
    );
    await store.recordProvisioning(incident.id, { channelId: 'CBOBS001' });
    env.slack.addChannel({ id: 'CBOBS001', name: 'inc-bobs', is_private: true, members: ['UBOB', 'UBOT'] });
    const page = await getPage(env.base, `/web/incidents/INC-${incident.number}`, bob);
    assert.equal(page.status, 200, 'not a 404 for its own declarer');
    assert.match(page.text, /Bob’s own private incident/);
    assert.equal((await getPage(env.base, `/web/incidents/${secret.number}`, bob)).status, 404, 'still not the other');
  });
});
