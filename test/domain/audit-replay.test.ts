import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  ExactNumber,
  describeDifference,
  exactEqual,
  exactText,
  impliedByDefault,
  instantOf,
  parseExactJson,
  replayDifferences,
  type ColumnShape,
  type Exact,
  type ExactObject,
  type LiveRow,
  type ReplayEntry,
} from '../../src/domain/audit-replay.ts';

const ID = '11111111-1111-4111-8111-111111111111';
const T1 = '22222222-2222-4222-8222-222222222222';
const T2 = '33333333-3333-4333-8333-333333333333';

const obj = (text: string) => parseExactJson(text) as ExactObject;
const plain: ColumnShape = { instant: false };
const instant: ColumnShape = { instant: true };
/** The tables' columns now: incident(id, title, severity, created_at, data), timeline_entry(id, incident_id, text, occurred_at). */
function shapes(extra: Record<string, Record<string, ColumnShape>> = {}): Map<string, Map<string, ColumnShape>> {
  const base: Record<string, Record<string, ColumnShape>> = {
    incident: {
      id: plain,
      number: plain,
      title: plain,
      severity: plain,
      created_at: instant,
      data: plain,
      ...extra.incident,
    },
    timeline_entry: { id: plain, incident_id: plain, text: plain, occurred_at: instant, ...extra.timeline_entry },
    incident_role: { incident_id: plain, role: plain, user_id: plain, ...extra.incident_role },
  };
  return new Map(Object.entries(base).map(([t, cols]) => [t, new Map(Object.entries(cols))]));
}

let seq = 0;
const entry = (action: string, rowKey: string, before: string | null, after: string | null): ReplayEntry => ({
  seq: ++seq,
  action,
  rowKey,
  before: before === null ? null : parseExactJson(before),
  after: after === null ? null : parseExactJson(after),
});
const live = (table: string, row: string): LiveRow => ({ table, row: obj(row) });

const incidentRow = `{"id": "${ID}", "data": {"a": 1, "b": [1.5, "x"]}, "title": "Pharmacy down", "number": 7, "severity": "SEV2", "created_at": "2026-12-01T10:00:00.123+00:00"}`;
const noteRow = (id: string, text: string) =>
  `{"id": "${id}", "text": ${JSON.stringify(text)}, "incident_id": "${ID}", "occurred_at": "2026-12-01T10:05:00+00:00"}`;

function trail(): ReplayEntry[] {
  seq = 0;
  return [
    entry('incident.insert', ID, null, incidentRow),
    entry('timeline_entry.insert', T1, null, noteRow(T1, 'declared')),
    entry('incident.update', ID, '{"severity": "SEV2"}', '{"severity": "SEV1"}'),
    entry(
      'incident_role.insert',
      'COMMANDER',
      null,
      `{"role": "COMMANDER", "user_id": "UBOB", "incident_id": "${ID}"}`,
    ),
    entry('timeline_entry.insert', T2, null, noteRow(T2, 'a note')),
    entry('timeline_entry.delete', T2, noteRow(T2, 'a note'), null),
  ];
}
const liveNow = (): LiveRow[] => [
  live('incident', incidentRow.replace('"SEV2"', '"SEV1"')),
  live('timeline_entry', noteRow(T1, 'declared')),
  live('incident_role', `{"role": "COMMANDER", "user_id": "UBOB", "incident_id": "${ID}"}`),
];

test('a trail replayed (insert = the row, update = changed columns merged, delete = gone) matches the records it describes', () => {
  assert.deepEqual(replayDifferences(trail(), liveNow(), shapes()), []);
  assert.deepEqual(replayDifferences([], [], shapes()), []);
});

test('a changed column, a deleted row and an inserted row are each reported with table, row, column, expected and found', () => {
  const rows = liveNow();
  rows[0] = live('incident', incidentRow.replace('"SEV2"', '"SEV1"').replace('Pharmacy down', 'Nothing happened'));
  rows.splice(1, 1); // the timeline row deleted
  rows.push(live('timeline_entry', noteRow(T2, 'planted'))); // a row added
  rows.push(live('incident_role', `{"role": "SCRIBE", "user_id": "UMALLORY", "incident_id": "${ID}"}`));
  const diffs = replayDifferences(trail(), rows, shapes());
  assert.deepEqual(
    diffs.map((d) => [
      d.table,
      d.row,
      d.column,
      d.expected.replace(/^\{.*/, '{…}'),
      d.found.replace(/^\{.*?(…|\}) \(/, '{…} ('),
    ]),
    [
      ['incident', ID, 'title', '"Pharmacy down"', '"Nothing happened"'],
      ['incident_role', 'SCRIBE', null, 'no row', '{…} (inserted without an audit entry)'],
      ['timeline_entry', T1, null, '{…}', 'no row (deleted without an audit entry)'],
      ['timeline_entry', T2, null, 'no row', '{…} (inserted without an audit entry)'],
    ],
  );
  assert.equal(
    describeDifference(diffs[0]!),
    `incident ${ID} title: expected "Pharmacy down", found "Nothing happened"`,
  );
  // A row's value is shown, cut short.
  assert.ok(
    diffs[2]!.expected.startsWith(`{"id": "${T1}", "text": "declared"`) && diffs[2]!.expected.length <= 160,
    diffs[2]!.expected,
  );
});

test('a whole incident erased (its rows gone, its trail left) is every row missing; its rows alone, with no trail, are every row unexpected', () => {
  const gone = replayDifferences(trail(), [], shapes());
  assert.deepEqual(
    gone.map((d) => [d.table, d.row, d.found]),
    [
      ['incident', ID, 'no row (deleted without an audit entry)'],
      ['incident_role', 'COMMANDER', 'no row (deleted without an audit entry)'],
      ['timeline_entry', T1, 'no row (deleted without an audit entry)'],
    ],
  );
  assert.equal(replayDifferences([], liveNow(), shapes()).length, 3);
});

test('a change made behind the trail and changed again since is found at the entry whose before disagrees', () => {
  seq = 0;
  const t = trail();
  // Title tampered to "Minor" with the triggers off, then the bot renamed it: the live row agrees with the trail's end.
  t.push(entry('incident.update', ID, '{"title": "Minor"}', '{"title": "Renamed"}'));
  const rows = liveNow();
  rows[0] = live('incident', incidentRow.replace('"SEV2"', '"SEV1"').replace('Pharmacy down', 'Renamed'));
  const diffs = replayDifferences(t, rows, shapes());
  assert.deepEqual(
    diffs.map((d) => [d.column, d.expected, d.found, d.seq]),
    [['title', '"Pharmacy down"', '"Minor"', 7]],
  );
  assert.match(
    describeDifference(diffs[0]!),
    /title: expected "Pharmacy down", found "Minor" \(at entry 7: changed without an audit entry before it\)/,
  );
  // A row deleted behind the trail and inserted again; a row inserted behind it and then updated.
  const again = [
    ...trail(),
    entry('timeline_entry.insert', T2, null, noteRow(T2, 'x')),
    entry('timeline_entry.insert', T2, null, noteRow(T2, 'x')),
  ];
  assert.deepEqual(
    replayDifferences(again, [...liveNow(), live('timeline_entry', noteRow(T2, 'x'))], shapes()).map((d) => [
      d.row,
      d.seq,
    ]),
    [[T2, 8]],
  );
  const planted = [...trail(), entry('timeline_entry.update', 'T9', '{"text": "a"}', '{"text": "b"}')];
  const p = replayDifferences(
    planted,
    [
      ...liveNow(),
      live(
        'timeline_entry',
        `{"id": "T9", "text": "b", "incident_id": "${ID}", "occurred_at": "2026-12-01T11:00:00+00:00"}`,
      ),
    ],
    shapes(),
  );
  assert.deepEqual(
    p.map((d) => [d.row, d.column, d.seq]),
    [['T9', null, 7]],
  );
  // A delete whose row is not what the trail left.
  const del = [
    ...trail(),
    entry(
      'incident_role.delete',
      'COMMANDER',
      `{"role": "COMMANDER", "user_id": "UMALLORY", "incident_id": "${ID}"}`,
      null,
    ),
  ];
  assert.deepEqual(
    replayDifferences(del, liveNow().slice(0, 2), shapes()).map((d) => [d.column, d.found]),
    [['user_id', '"UMALLORY"']],
  );
});

test('timestamptz columns are compared as instants, whatever UTC offset the writing session used; other text exactly', () => {
  const rows = liveNow();
  rows[0] = live(
    'incident',
    incidentRow.replace('"SEV2"', '"SEV1"').replace('2026-12-01T10:00:00.123+00:00', '2026-12-01T15:45:00.123+05:45'),
  );
  rows[1] = live(
    'timeline_entry',
    noteRow(T1, 'declared').replace('2026-12-01T10:05:00+00:00', '2026-12-01T05:05:00-05:00'),
  );
  assert.deepEqual(replayDifferences(trail(), rows, shapes()), []);
  // One millisecond out is a difference.
  rows[0] = live(
    'incident',
    incidentRow.replace('"SEV2"', '"SEV1"').replace('10:00:00.123+00:00', '10:00:00.124+00:00'),
  );
  assert.deepEqual(
    replayDifferences(trail(), rows, shapes()).map((d) => d.column),
    ['created_at'],
  );
  // A text column holding a time is compared as text.
  const t = [entry('incident.insert', ID, null, `{"id": "${ID}", "title": "2026-12-01T10:00:00+00:00"}`)];
  assert.deepEqual(
    replayDifferences(t, [live('incident', `{"id": "${ID}", "title": "2026-12-01T11:00:00+01:00"}`)], shapes()).map(
      (d) => d.column,
    ),
    ['title'],
  );
});

test('numbers and json are compared exactly: digits beyond floating point, nested values, key order aside', () => {
  const big = (n: string) => `{"id": "${ID}", "data": {"n": ${n}, "list": [1, {"k": "v"}]}}`;
  const one = (before: string, after: string) =>
    replayDifferences([entry('incident.insert', ID, null, big(before))], [live('incident', big(after))], shapes());
  assert.equal(one('12345678901234567890', '12345678901234567891').length, 1, '2^64-sized integers differ by one');
  assert.equal(one('0.1000000000000000000001', '0.1').length, 1);
  assert.deepEqual(one('1.50', '1.5'), [], 'the same value, written with a trailing zero');
  assert.deepEqual(one('100', '1e2'), []);
  assert.deepEqual(
    replayDifferences(
      [entry('incident.insert', ID, null, `{"id": "${ID}", "data": {"a": 1, "b": 2}}`)],
      [live('incident', `{"id": "${ID}", "data": {"b": 2, "a": 1}}`)],
      shapes(),
    ),
    [],
  );
  assert.equal(
    replayDifferences(
      [entry('incident.insert', ID, null, `{"id": "${ID}", "data": {"a": [1, 2]}}`)],
      [live('incident', `{"id": "${ID}", "data": {"a": [2, 1]}}`)],
      shapes(),
    ).length,
    1,
    'array order matters',
  );
  assert.equal(
    replayDifferences(
      [entry('incident.insert', ID, null, `{"id": "${ID}", "data": null}`)],
      [live('incident', `{"id": "${ID}", "data": {}}`)],
      shapes(),
    ).length,
    1,
  );
});

test('a column added after a row was inserted is expected to hold its default; one with an unknown default is not compared; a dropped column is ignored', () => {
  const added = shapes({ incident: { freeze: { instant: false, implied: false }, stamped_at: { instant: true } } });
  const withNew = (freeze: string) =>
    incidentRow
      .replace('"SEV2"', '"SEV1"')
      .replace('"title"', `"freeze": ${freeze}, "stamped_at": "2027-01-01T00:00:00+00:00", "title"`);
  const rows = (freeze: string) => [live('incident', withNew(freeze)), ...liveNow().slice(1)];
  assert.deepEqual(
    replayDifferences(trail(), rows('false'), added),
    [],
    'no false alarm for rows older than the column',
  );
  assert.deepEqual(
    replayDifferences(trail(), rows('true'), added).map((d) => [d.column, d.expected, d.found]),
    [['freeze', 'false', 'true']],
  );
  // Once the trail records the column, it is compared like any other.
  const t = [...trail(), entry('incident.update', ID, '{"freeze": false}', '{"freeze": true}')];
  assert.deepEqual(replayDifferences(t, rows('true'), added), []);
  // A column dropped since: in the trail, not in the table.
  assert.deepEqual(
    replayDifferences(
      trail(),
      liveNow(),
      shapes({ incident: {} }).set(
        'incident',
        new Map([
          ['id', plain],
          ['title', plain],
          ['severity', plain],
        ]),
      ),
    ),
    [],
  );
});

test('defaults as Postgres prints them: constants give the value older rows hold, anything else is unknown', () => {
  assert.equal(impliedByDefault('false', false, 'boolean'), false);
  assert.deepEqual(impliedByDefault('0', false, 'integer'), new ExactNumber('0'));
  assert.deepEqual(impliedByDefault('(-1)', false, 'integer'), new ExactNumber('-1'));
  assert.equal(impliedByDefault(`'DECLARED'::"IncidentStatus"`, false, 'USER-DEFINED'), 'DECLARED');
  assert.equal(impliedByDefault(`'it''s'::text`, false, 'text'), "it's");
  assert.equal(impliedByDefault(`''::text`, false, 'text'), '');
  assert.ok(exactEqual(impliedByDefault(`'{"a": [1]}'::jsonb`, false, 'jsonb')!, parseExactJson('{"a": [1]}')));
  assert.equal(impliedByDefault('NULL::text', true, 'text'), null);
  assert.equal(impliedByDefault(null, true, 'text'), null, 'nullable without a default: null');
  assert.equal(impliedByDefault(null, false, 'text'), undefined, 'NOT NULL without a default: unknown');
  for (const d of [
    'now()',
    'CURRENT_TIMESTAMP',
    'gen_random_uuid()',
    "nextval('incident_number_seq'::regclass)",
    "'a'::text || now()",
    "('x'::text || 'y'::text)",
  ]) {
    assert.equal(impliedByDefault(d, false, 'text'), undefined, d);
  }
});

test('instants: offsets with minutes and seconds, a space instead of T, no fraction; not a time is null', () => {
  const utc = instantOf('2026-12-01T10:00:00+00:00')!;
  assert.equal(instantOf('2026-12-01 10:00:00+00'), utc);
  assert.equal(instantOf('2026-12-01T15:45:00+05:45'), utc);
  assert.equal(instantOf('2026-12-01T09:59:59.999999-00:00:01'), utc - 1n + 1_000_000n);
  assert.equal(instantOf('2026-12-01T10:00:00.5Z'), utc + 500_000n);
  assert.equal(
    instantOf('0099-01-01T00:00:00+00:00')! < instantOf('1900-01-01T00:00:00+00:00')!,
    true,
    'years below 100 are not 19xx',
  );
  for (const s of ['infinity', '2026-12-01', 'not a time', '2026-12-01T10:00:00+00:00 BC'])
    assert.equal(instantOf(s), null, s);
});

test('exact JSON: strings with escapes, unicode and keys such as __proto__ survive; bad JSON is refused', () => {
  const text =
    '{"__proto__": {"x": 1}, "s": "q\\"uote \\\\ \\n \\u0001 café 🚑", "n": -0.0e+5, "a": [true, false, null, []], "o": {}}';
  const v = parseExactJson(text) as ExactObject;
  assert.ok(v.get('__proto__') instanceof Map);
  assert.equal(v.get('s'), 'q"uote \\ \n \u0001 café 🚑');
  assert.ok(exactEqual(v.get('n')!, new ExactNumber('0')));
  assert.ok(exactEqual(parseExactJson(exactText(v)), v), 'exactText round-trips');
  for (const bad of ['{', '{"a" 1}', '[1,]', '01', '"open', '{"a": 1} x', 'nul'])
    assert.throws(() => parseExactJson(bad), /bad JSON/, bad);
});

test('property: any trail replayed against the records it produces has no differences, and any single change behind it is found', () => {
  const shapesAll = shapes();
  const op = fc.record({
    kind: fc.constantFrom('insert', 'update', 'delete'),
    key: fc.constantFrom('A', 'B', 'C'),
    text: fc.string(),
    n: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  });
  fc.assert(
    fc.property(fc.array(op, { maxLength: 30 }), fc.nat(), fc.string({ minLength: 1 }), (ops, pick, planted) => {
      const rows = new Map<string, { text: string; n: bigint }>();
      const entries: ReplayEntry[] = [];
      const json = (key: string, r: { text: string; n: bigint }) =>
        `{"id": "${key}", "text": ${JSON.stringify(r.text)}, "incident_id": "${ID}", "occurred_at": ${r.n}}`;
      let s = 0;
      for (const o of ops) {
        const had = rows.get(o.key);
        const r = { text: o.text, n: o.n };
        if (o.kind === 'insert' && !had) {
          rows.set(o.key, r);
          entries.push({
            seq: ++s,
            action: 'timeline_entry.insert',
            rowKey: o.key,
            before: null,
            after: parseExactJson(json(o.key, r)),
          });
        } else if (o.kind === 'update' && had && had.text !== r.text) {
          rows.set(o.key, { ...had, text: r.text });
          entries.push({
            seq: ++s,
            action: 'timeline_entry.update',
            rowKey: o.key,
            before: parseExactJson(`{"text": ${JSON.stringify(had.text)}}`),
            after: parseExactJson(`{"text": ${JSON.stringify(r.text)}}`),
          });
        } else if (o.kind === 'delete' && had) {
          rows.delete(o.key);
          entries.push({
            seq: ++s,
            action: 'timeline_entry.delete',
            rowKey: o.key,
            before: parseExactJson(json(o.key, had)),
            after: null,
          });
        }
      }
      const liveRows = [...rows].map(([k, r]) => live('timeline_entry', json(k, r)));
      assert.deepEqual(replayDifferences(entries, liveRows, shapesAll), []);
      if (liveRows.length === 0) {
        // Nothing to change: a planted row is found.
        assert.equal(
          replayDifferences(entries, [live('timeline_entry', json('Z', { text: planted, n: 1n }))], shapesAll).length,
          1,
        );
        return;
      }
      const k = pick % liveRows.length;
      const [key, r] = [...rows][k]!;
      const changed = [...liveRows];
      changed[k] = live('timeline_entry', json(key, { ...r, n: r.n + 1n }));
      assert.equal(replayDifferences(entries, changed, shapesAll).length, 1, 'a number one higher');
      const removed = liveRows.filter((_, x) => x !== k);
      assert.equal(replayDifferences(entries, removed, shapesAll).length, 1, 'a row deleted');
    }),
  );
});

test('exactText of values the checks print', () => {
  const v: Exact = new Map<string, Exact>([['a', [new ExactNumber('1.50'), 'x', null]]]);
  assert.equal(exactText(v), '{"a": [1.50, "x", null]}');
});
