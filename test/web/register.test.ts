// The incident register through the real bot (GET /web/incidents and /web/incidents.csv): bad
// parameters give a 400 page naming them, the filters and the search, a private incident hidden
// from a non-member (rows and count) and shown to a member of its channel (the Slack stand-in's
// membership decides), and the CSV: its name, columns, redaction and formula escaping.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';
import { testDatabases } from '../support/databases.ts';
import { getPage, sessionCookie, useWebBot } from '../support/web.ts';

const users = [
  { id: 'UALICE', name: 'alice', tz: 'Europe/London' },
  { id: 'UBOB', name: 'bob', tz: 'Europe/London' },
];
const [embedded] = testDatabases();
const period = 'from=2026-11-01&to=2026-11-30';

describe('the incident register page', () => {
  const env = useWebBot(embedded!, { users });
  const made: Record<string, Incident> = {};

  before(async () => {
    const store = env.app.bot.deps.store;
    const add = async (
      key: string,
      at: string,
      d: Parameters<typeof aDeclaration>[0],
      channel?: { id: string; private?: boolean; members?: string[] },
    ) => {
      const { incident } = await store.createIfAbsent(
        declaring({ declaration: aDeclaration(d), declaredAt: new Date(at), via: 'test' }),
      );
      made[key] = channel ? await store.recordProvisioning(incident.id, { channelId: channel.id }) : incident;
      if (channel)
        env.slack.addChannel({
          id: channel.id,
          name: `inc-${key}`,
          is_private: !!channel.private,
          members: channel.members ?? [],
        });
    };
    await add('ehr', '2026-11-03T09:00:00Z', { title: 'EHR logins failing', severity: 'SEV1', affectedService: 'EHR' });
    await add('lab', '2026-11-10T09:00:00Z', { title: 'Lab results late', severity: 'SEV3', affectedService: 'lab' });
    await add(
      'phi',
      '2026-11-12T09:00:00Z',
      { title: '=HYPERLINK("x") patient 943 476 5919', severity: 'SEV2', affectedService: 'pharmacy' },
      { id: 'CPUBLIC1' },
    );
    await add(
      'secret',
      '2026-11-20T09:00:00Z',
      { title: 'Secret clinician account misuse', severity: 'SEV2', isPrivate: true },
      { id: 'CSECRET1', private: true, members: ['UALICE', 'UBOT'] },
    );
    await add('old', '2026-10-01T09:00:00Z', { title: 'Older than the period', severity: 'SEV1' });
  });

  const refsOn = (page: string) => [...page.matchAll(/href="\/web\/incidents\/(INC-\d+)"/g)].map((m) => m[1]);
  const ref = (key: string) => `INC-${made[key]!.number}`;

  test('bad parameters give a 400 page naming each problem', async () => {
    const cookie = await sessionCookie(env.app, { userId: 'UBOB' });
    const bad = await getPage(env.base, '/web/incidents?severity=SEV9&page=0&colour=red&near_miss=maybe', cookie);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Unknown parameter &quot;colour&quot;/);
    assert.match(bad.text, /&quot;severity&quot; must be one of SEV1, SEV2, SEV3, SEV4/);
    assert.match(bad.text, /&quot;page&quot; must be 1 or more/);
    assert.match(bad.text, /&quot;near_miss&quot; must be yes or no/);
    const date = await getPage(env.base, '/web/incidents?from=2026-02-30', cookie);
    assert.equal(date.status, 400);
    assert.match(date.text, /must be a date written YYYY-MM-DD/);
    const backwards = await getPage(env.base, '/web/incidents?from=2026-11-30&to=2026-11-01', cookie);
    assert.equal(backwards.status, 400);
    assert.match(backwards.text, /&quot;from&quot; \(2026-11-30\) must not be after &quot;to&quot; \(2026-11-01\)/);
    const twice = await getPage(env.base, '/web/incidents?q=a&q=b', cookie);
    assert.equal(twice.status, 400);
    assert.match(twice.text, /&quot;q&quot; is given more than once/);
  });

  test('a non-member sees neither the private incident nor its count; a member of its channel sees it', async () => {
    const bob = await sessionCookie(env.app, { userId: 'UBOB' });
    const page = await getPage(env.base, `/web/incidents?${period}`, bob);
    assert.equal(page.status, 200);
    assert.deepEqual(refsOn(page.text), [ref('phi'), ref('lab'), ref('ehr')], 'newest first, the period only');
    assert.match(page.text, /<strong>3 incidents<\/strong>/);
    assert.doesNotMatch(page.text, /Secret clinician/);

    const alice = await sessionCookie(env.app, { userId: 'UALICE' });
    const hers = await getPage(env.base, `/web/incidents?${period}`, alice);
    assert.deepEqual(refsOn(hers.text), [ref('secret'), ref('phi'), ref('lab'), ref('ehr')]);
    assert.match(hers.text, /<strong>4 incidents<\/strong>/);
    assert.match(hers.text, /Secret clinician account misuse/);
    assert.match(hers.text, /badge private/);
  });

  test('filters: severity (one or a comma list), service (any case), status, and the search by title or reference', async () => {
    const cookie = await sessionCookie(env.app, { userId: 'UBOB' });
    const refs = async (q: string) => refsOn((await getPage(env.base, `/web/incidents?${period}&${q}`, cookie)).text);
    assert.deepEqual(await refs('severity=SEV1'), [ref('ehr')]);
    assert.deepEqual(await refs('severity=sev1,SEV3'), [ref('lab'), ref('ehr')]);
    assert.deepEqual(await refs('service=ehr'), [ref('ehr')]);
    assert.deepEqual(await refs('status=active'), [ref('phi'), ref('lab'), ref('ehr')]);
    assert.deepEqual(await refs('status=closed'), []);
    assert.deepEqual(await refs('q=LAB+results'), [ref('lab')]);
    assert.deepEqual(await refs(`q=${ref('ehr')}`), [ref('ehr')], 'INC-n finds incident n');
    assert.deepEqual(await refs(`q=${ref('secret')}`), [], 'not a private incident of a channel Bob is not in');
    assert.deepEqual(await refs('near_miss=yes'), []);
  });

  test('the CSV: the same list, named by its period, redacted and defused for spreadsheets', async () => {
    const bob = await sessionCookie(env.app, { userId: 'UBOB', timeZone: 'America/New_York' });
    const csv = await getPage(env.base, `/web/incidents.csv?${period}`, bob);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.equal(
      csv.headers.get('content-disposition'),
      'attachment; filename="incidents-2026-11-01-to-2026-11-30.csv"',
    );
    const lines = csv.text.split('\r\n');
    assert.match(
      lines[0]!,
      /^Reference,Title,Severity,Status,Service,Owning team,Commander,Declared \(America\/New_York\),/,
    );
    assert.equal(lines.length, 5, 'a header, three incidents, and the last line end');
    assert.ok(lines[1]!.startsWith(`${ref('phi')},"'=HYPERLINK(""x"") patient [redacted NHS number]",SEV2,`));
    assert.doesNotMatch(csv.text, /943 476 5919/);
    assert.doesNotMatch(csv.text, /Secret clinician/);
    assert.match(lines[3]!, /,2026-11-03 04:00,/, "declared in the viewer's zone");
  });

  test('the page shows titles and services through the PHI guard, and refuses a search for an identifier', async () => {
    const bob = await sessionCookie(env.app, { userId: 'UBOB' });
    const page = await getPage(env.base, `/web/incidents?${period}`, bob);
    assert.equal(page.status, 200);
    assert.match(page.text, /patient \[redacted NHS number\]/);
    assert.doesNotMatch(page.text, /943 476 5919/);
    // Matched against the text as written, the count would confirm a guessed number.
    for (const q of ['q=943+476+5919', 'q=9434765919', 'service=943-476-5919']) {
      const refused = await getPage(env.base, `/web/incidents?${period}&${q}`, bob);
      assert.equal(refused.status, 400, q);
      assert.match(refused.text, /Searching for personal or patient identifiers is not allowed/);
      assert.doesNotMatch(refused.text, /incidents<\/strong>/, 'no count');
      const csv = await getPage(env.base, `/web/incidents.csv?${period}&${q}`, bob);
      assert.equal(csv.status, 400, q);
    }
  });
});
