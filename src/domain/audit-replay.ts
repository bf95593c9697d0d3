/**
 * Replaying an incident's audit trail into the records it implies, and comparing them with the
 * records as they are. The hash chain proves that the trail was not rewritten; this proves that the
 * records were not changed behind the trail's back (with the audit triggers switched off): a row
 * changed, added or removed without an entry is a difference between the two.
 *
 * Values are compared exactly, from Postgres's jsonb text (parseExactJson): numbers by their
 * decimal value (no rounding through floating point), json by content (key order aside), and
 * `timestamptz` columns by the instant they name (to_jsonb writes them with the writing session's
 * UTC offset, so the same instant can be written in different ways).
 */

// ---- Exact JSON ----------------------------------------------------------------------------------

/** A JSON number as written, compared by its decimal value. */
export class ExactNumber {
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }
}

/** JSON without loss: numbers keep their digits; objects are Maps (no prototype keys to trip on). */
export type Exact = null | boolean | string | ExactNumber | Exact[] | ExactObject;
export type ExactObject = Map<string, Exact>;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Parses JSON text (as Postgres prints jsonb), keeping every number's digits. Throws on bad JSON. */
export function parseExactJson(text: string): Exact {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`bad JSON at ${i}: ${what}`);
  };
  const space = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\t' || text[i] === '\r')) i++;
  };
  const value = (depth: number): Exact => {
    if (depth > 1000) fail('nested too deeply');
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: ExactObject = new Map();
      space();
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail('expected a key');
        const key = string();
        space();
        if (text[i++] !== ':') fail('expected :');
        out.set(key, value(depth + 1));
        space();
        const next = text[i++];
        if (next === '}') return out;
        if (next !== ',') fail('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const out: Exact[] = [];
      space();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value(depth + 1));
        space();
        const next = text[i++];
        if (next === ']') return out;
        if (next !== ',') fail('expected , or ]');
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail('expected a value');
    i += m[0].length;
    return new ExactNumber(m[0]);
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const out = value(0);
  space();
  if (i !== text.length) fail('trailing text');
  return out;
}

/** A number's decimal value as one text (`1.50` and `15e-1` both `15e-1`), so equal values are equal texts. */
function decimalKey(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return text;
  let digits = (m[2]! + (m[3] ?? '')).replace(/^0+/, '');
  let exponent = BigInt(m[4] ?? 0) - BigInt((m[3] ?? '').length);
  if (!digits) return '0';
  const trimmed = digits.replace(/0+$/, '');
  exponent += BigInt(digits.length - trimmed.length);
  digits = trimmed;
  return `${m[1]}${digits}e${exponent}`;
}

export function exactEqual(a: Exact, b: Exact): boolean {
  if (a === b) return true;
  if (a instanceof ExactNumber) return b instanceof ExactNumber && decimalKey(a.text) === decimalKey(b.text);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, k) => exactEqual(x, b[k]!));
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !exactEqual(v, b.get(k)!)) return false;
    return true;
  }
  return false;
}

/** JSON text of an exact value (numbers as they were written). */
export function exactText(v: Exact): string {
  if (v instanceof ExactNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(exactText).join(', ')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${JSON.stringify(k)}: ${exactText(x)}`).join(', ')}}`;
  return JSON.stringify(v);
}

// ---- Instants --------------------------------------------------------------------------------------

/**
 * The instant a timestamptz text names, in microseconds since 1970 (to_jsonb's
 * `2026-12-01T10:00:00.123+05:30`, or Postgres's own `2026-12-01 10:00:00+00`), or null when the
 * text is not one (`infinity`, a BC date): such texts are compared as they are.
 */
export function instantOf(text: string): bigint | null {
  const m = /^(\d{4,})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d(?::?\d\d(?::?\d\d)?)?)$/.exec(
    text,
  );
  if (!m) return null;
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  if (Number.isNaN(d.getTime())) return null;
  let offset = 0;
  if (m[8] !== 'Z') {
    const o = /^([+-])(\d\d):?(\d\d)?:?(\d\d)?$/.exec(m[8]!)!;
    offset = (o[1] === '-' ? -1 : 1) * (Number(o[2]) * 3600 + Number(o[3] ?? 0) * 60 + Number(o[4] ?? 0));
  }
  return BigInt(d.getTime()) * 1000n + BigInt((m[7] ?? '').padEnd(6, '0')) - BigInt(offset) * 1_000_000n;
}

// ---- Columns ----------------------------------------------------------------------------------------

/** One column of an audited table, as the database describes it now. */
export interface ColumnShape {
  /** Compared as an instant (timestamptz) or exactly (everything else). */
  instant: boolean;
  /**
   * What a row whose trail never mentions the column holds: the column was added (by a migration)
   * after the row was inserted, so the row has the column's default. Undefined when that is not
   * known (a volatile default such as now()): the column is then not compared for such rows.
   */
  implied?: Exact;
}

/** Table → column → shape. */
export type TableShapes = ReadonlyMap<string, ReadonlyMap<string, ColumnShape>>;

/**
 * What a column added later holds in the rows that existed then, from its default as Postgres
 * prints it (information_schema.columns.column_default): a constant (`false`, `0`, `(-1)`,
 * `'DECLARED'::"IncidentStatus"`, `'{}'::jsonb`, `NULL::text`), or null for a nullable column
 * without a default. Undefined for anything else (now(), gen_random_uuid(), an expression, or a
 * NOT NULL column without a default, whose default was dropped after it was filled).
 */
export function impliedByDefault(columnDefault: string | null, nullable: boolean, dataType: string): Exact | undefined {
  if (columnDefault === null) return nullable ? null : undefined;
  const cast = String.raw`(?:::[A-Za-z_"][\w" .\[\]()]*)*`;
  const d = columnDefault.trim();
  if (new RegExp(`^NULL${cast}$`, 'i').test(d)) return null;
  if (d === 'true' || d === 'false') return d === 'true';
  const num = new RegExp(`^\\(?(-?\\d+(?:\\.\\d+)?)\\)?${cast}$`).exec(d);
  if (num) return new ExactNumber(num[1]!);
  const str = new RegExp(`^'((?:[^']|'')*)'${cast}$`).exec(d);
  if (!str) return undefined;
  const value = str[1]!.replace(/''/g, "'");
  if (dataType === 'json' || dataType === 'jsonb') {
    try {
      return parseExactJson(value);
    } catch {
      return undefined;
    }
  }
  if (dataType === 'boolean')
    return /^(t|true|y|yes|on|1)$/i.test(value) ? true : /^(f|false|n|no|off|0)$/i.test(value) ? false : undefined;
  if (/int|numeric|real|double/.test(dataType))
    return /^-?\d+(?:\.\d+)?$/.test(value) ? new ExactNumber(value) : undefined;
  return value;
}

function sameValue(shape: ColumnShape | undefined, a: Exact, b: Exact): boolean {
  if (shape?.instant && typeof a === 'string' && typeof b === 'string') {
    const x = instantOf(a);
    const y = instantOf(b);
    if (x !== null && y !== null) return x === y;
  }
  return exactEqual(a, b);
}

// ---- Replay ------------------------------------------------------------------------------------------

/**
 * The tables of an incident's records, in the order differences are reported. Not incident_durations:
 * it is derived from the timeline by the database (no audit trigger), not a record of what people did.
 */
export const AUDITED_TABLES = [
  'incident',
  'incident_role',
  'timeline_entry',
  'pagerduty_link',
  'incident_review',
  'action_item',
  'change_freeze',
  'freeze_override',
  'clinical_hazard',
  'clinical_signoff',
  'breach_notification',
  'breach_assessment',
  'breach_obligation_notice',
  // Not an incident's: on the evidence downloads' own chain (EVIDENCE_DOWNLOADS_CHAIN).
  'evidence_download',
] as const;

/** One entry of the trail, with its before/after parsed exactly. */
export interface ReplayEntry {
  seq: number;
  /** '<table>.<insert|update|delete>'. */
  action: string;
  rowKey: string;
  before: Exact;
  after: Exact;
}

/** A row of a live table, parsed exactly from to_jsonb(row). */
export interface LiveRow {
  table: string;
  row: ExactObject;
}

/** A difference between what the trail implies and what is there. */
export interface RecordDifference {
  table: string;
  /** The row's key, as the trail names it: its id, else its role (incident_role), else its incident (incident_review). */
  row: string;
  /** null: the whole row (one side has it, the other does not). */
  column: string | null;
  /** What the trail implies, and what was found: a JSON value, `no row`, or the row in short. */
  expected: string;
  found: string;
  /** Set when the difference was found inside the trail: the entry that found the row not as the trail left it. */
  seq?: number;
}

/** The key the audit trigger gives a row: COALESCE(row->>'id', row->>'role', row->>'incident_id'). */
export function rowKeyOf(row: ExactObject): string | null {
  for (const k of ['id', 'role', 'incident_id']) {
    const v = row.get(k);
    if (v === undefined || v === null) continue;
    return typeof v === 'string' ? v : exactText(v);
  }
  return null;
}

const MAX_SHOWN = 160;
function shown(v: Exact): string {
  const s = exactText(v);
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN - 1)}…` : s;
}

/** One line: `timeline_entry 3f… text: expected "a", found "b"`. */
export function describeDifference(d: RecordDifference): string {
  const where = `${d.table} ${d.row}${d.column ? ` ${d.column}` : ''}`;
  const when = d.seq === undefined ? '' : ` (at entry ${d.seq}: changed without an audit entry before it)`;
  return `${where}: expected ${d.expected}, found ${d.found}${when}`;
}

interface ReplayedRow {
  values: ExactObject;
  /** Known only in part (the trail began with an update of it): only the known columns are compared. */
  partial: boolean;
}

const asObject = (v: Exact): ExactObject | null => (v instanceof Map ? v : null);

/**
 * Replays `entries` (one incident's trail, in seq order: insert = the row, update = the changed
 * columns merged in, delete = gone) and compares the result with `live` (that incident's rows in
 * the audited tables). Reports each difference: a column whose value differs, a row the trail has
 * and the table does not (deleted without an entry), a row the table has and the trail does not
 * (inserted without one), and, inside the trail, an update or delete whose `before` is not what the
 * trail left (the row was changed without an entry, and changed again since).
 *
 * Columns the trail never mentions for a row (added to the table after the row was inserted) are
 * expected to hold the column's default (`shapes`), or not compared when that is not known; columns
 * no longer in the table are not compared. Pure: one incident's trail and rows in, differences out.
 */
export function replayDifferences(
  entries: readonly ReplayEntry[],
  live: readonly LiveRow[],
  shapes: TableShapes,
): RecordDifference[] {
  const tables = new Map<string, Map<string, ReplayedRow>>(AUDITED_TABLES.map((t) => [t, new Map()]));
  const differences: RecordDifference[] = [];

  /** The value the replay expects in `column` of `row`, or undefined when it does not know it. */
  const expectedValue = (table: string, row: ReplayedRow, column: string): Exact | undefined => {
    if (row.values.has(column)) return row.values.get(column)!;
    return row.partial ? undefined : shapes.get(table)?.get(column)?.implied;
  };
  /** Compares what an entry says a row held (its `before`) with what the replay has. */
  const checkBefore = (table: string, key: string, row: ReplayedRow, before: ExactObject, seq: number) => {
    const columns = shapes.get(table);
    for (const [column, found] of before) {
      if (columns && !columns.has(column)) continue;
      const expected = expectedValue(table, row, column);
      if (expected !== undefined && !sameValue(columns?.get(column), expected, found)) {
        differences.push({ table, row: key, column, expected: shown(expected), found: shown(found), seq });
      }
    }
  };

  for (const e of entries) {
    const dot = e.action.lastIndexOf('.');
    const table = e.action.slice(0, dot);
    const op = e.action.slice(dot + 1);
    const rows = tables.get(table);
    if (!rows) continue; // not one of an incident's record tables
    const current = rows.get(e.rowKey);
    const before = asObject(e.before);
    const after = asObject(e.after);
    if (op === 'insert') {
      if (current)
        differences.push({
          table,
          row: e.rowKey,
          column: null,
          expected: 'no row',
          found: `a row (deleted without an audit entry, then inserted again)`,
          seq: e.seq,
        });
      rows.set(e.rowKey, { values: new Map(after ?? []), partial: false });
    } else if (op === 'update' || op === 'delete') {
      if (!current) {
        differences.push({
          table,
          row: e.rowKey,
          column: null,
          expected: 'no row',
          found: `a row (inserted without an audit entry, then ${op}d)`,
          seq: e.seq,
        });
      } else if (before) {
        checkBefore(table, e.rowKey, current, before, e.seq);
      }
      if (op === 'delete') {
        rows.delete(e.rowKey);
      } else {
        const values = new Map(current?.values ?? (before ? before : []));
        for (const [k, v] of after ?? []) values.set(k, v);
        rows.set(e.rowKey, { values, partial: current?.partial ?? true });
      }
    }
  }

  const found = new Map<string, Map<string, ExactObject>>(AUDITED_TABLES.map((t) => [t, new Map()]));
  for (const l of live) {
    const key = rowKeyOf(l.row);
    if (key !== null) found.get(l.table)?.set(key, l.row);
  }
  for (const table of AUDITED_TABLES) {
    const expected = tables.get(table)!;
    const actual = found.get(table)!;
    const columns = shapes.get(table);
    for (const key of [...new Set([...expected.keys(), ...actual.keys()])].sort()) {
      const want = expected.get(key);
      const have = actual.get(key);
      if (!have) {
        differences.push({
          table,
          row: key,
          column: null,
          expected: shown(want!.values),
          found: 'no row (deleted without an audit entry)',
        });
      } else if (!want) {
        differences.push({
          table,
          row: key,
          column: null,
          expected: 'no row',
          found: `${shown(have)} (inserted without an audit entry)`,
        });
      } else {
        for (const [column, value] of have) {
          const expectedHere = expectedValue(table, want, column);
          if (expectedHere !== undefined && !sameValue(columns?.get(column), expectedHere, value)) {
            differences.push({ table, row: key, column, expected: shown(expectedHere), found: shown(value) });
          }
        }
      }
    }
  }
  return differences;
}
