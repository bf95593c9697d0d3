import { createHash } from 'node:crypto';

/**
 * The audit trail's hash chain, checked outside the database. Each entry's hash is
 * sha256(prev_hash || canonical text of the entry), the first entry's prev_hash is 64 zeros, and the
 * incident's head names the newest entry. The canonical text covers every stored column of the
 * entry (canonicalEntry), so changing any column changes it.
 */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The chain that is no incident's: evidence packs downloaded (the evidence_download table), which the
 * audit trigger records under this fixed id. Incidents' ids are random (version 4), never this one.
 */
export const EVIDENCE_DOWNLOADS_CHAIN = '00000000-0000-0000-0000-00000000e71d';
/** How problems, checkpoints and audit:verify name that chain. */
export const EVIDENCE_DOWNLOADS_SUBJECT = 'evidence downloads';

/** One recorded change to an incident's records (the audit_entry table). */
export interface AuditRecord {
  seq: number;
  at: Date;
  actor: string;
  via: string;
  /** '<table>.<insert|update|delete>'. */
  action: string;
  rowKey: string;
  /** The whole row for an insert or delete; for an update only what changed. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  prevHash: string;
  hash: string;
  /**
   * The database role that made the change (session_user); null on entries written before roles
   * were recorded.
   */
  dbRole?: string | null;
  /**
   * The actor a session claimed when it was not the bot's own role (its `actor` is then
   * `db:<role>`): a claim, not who acted.
   */
  claimedActor?: string | null;
}

export interface ChainEntry {
  seq: number;
  prevHash: string;
  hash: string;
  /** audit_canonical() of the stored columns, as read back. */
  canonical: string;
}

export interface ChainHead {
  seq: number;
  hash: string;
}

/** The stored columns an entry's hash covers, as text where Postgres renders them. */
export interface CanonicalColumns {
  incidentId: string;
  seq: number;
  /** `at` in UTC with microseconds: `2026-12-01T10:00:00.123456Z`. */
  atText: string;
  actor: string;
  via: string;
  action: string;
  rowKey: string;
  /** before/after as Postgres prints jsonb (`{"a": 1, "b": "x"}`), or null. */
  beforeText: string | null;
  afterText: string | null;
  /** In the text only when set (entries written before roles were recorded have none). */
  dbRole?: string | null;
  /** In the text only when set. */
  claimedActor?: string | null;
}

/** A string as Postgres's jsonb output writes it: `"`, `\`, \b \f \n \r \t and other controls as \u00xx. */
function jsonbString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** jsonb's order of object keys: shorter first, then by bytes. */
function jsonbKeyOrder(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length - y.length || Buffer.compare(x, y);
}

/**
 * The canonical text of an entry, built from its columns exactly as the database's
 * audit_canonical() builds it (a jsonb object printed: keys ordered by length, then bytes), so
 * verification does not trust that function: replacing it would not hide a change. `db_role` and
 * `claimed_actor` are in it only when set, so entries written before they existed keep their text.
 */
export function canonicalEntry(c: CanonicalColumns): string {
  const parts: [string, string][] = [
    ['incident_id', jsonbString(c.incidentId)],
    ['seq', String(c.seq)],
    ['at', jsonbString(c.atText)],
    ['actor', jsonbString(c.actor)],
    ['via', jsonbString(c.via)],
    ['action', jsonbString(c.action)],
    ['row_key', jsonbString(c.rowKey)],
    ['before', c.beforeText ?? 'null'],
    ['after', c.afterText ?? 'null'],
  ];
  if (c.dbRole != null) parts.push(['db_role', jsonbString(c.dbRole)]);
  if (c.claimedActor != null) parts.push(['claimed_actor', jsonbString(c.claimedActor)]);
  parts.sort(([a], [b]) => jsonbKeyOrder(a, b));
  return `{${parts.map(([k, v]) => `"${k}": ${v}`).join(', ')}}`;
}

export function chainHash(prevHash: string, canonical: string): string {
  return createHash('sha256')
    .update(prevHash + canonical, 'utf8')
    .digest('hex');
}

/**
 * What is wrong with one incident's chain (entries in seq order): empty when it is intact. Finds an
 * altered entry (its hash no longer matches), a removed or inserted one (a gap in seq, or a
 * prev_hash that is not the hash before it), and a removed newest one (the head names an entry
 * that is not there).
 */
export function chainProblems(entries: readonly ChainEntry[], head: ChainHead | null): string[] {
  const problems: string[] = [];
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of entries) {
    if (e.seq !== expectedSeq) {
      problems.push(
        e.seq > expectedSeq
          ? `entries ${expectedSeq}–${e.seq - 1} are missing`
          : `entry ${e.seq} appears twice or out of order`,
      );
    }
    if (e.prevHash !== prev) problems.push(`entry ${e.seq} does not follow the entry before it (prev_hash differs)`);
    if (chainHash(e.prevHash, e.canonical) !== e.hash)
      problems.push(`entry ${e.seq} was altered (its hash does not match its content)`);
    prev = e.hash;
    expectedSeq = e.seq + 1;
  }
  const last = entries.at(-1);
  if (!head) {
    if (last) problems.push('the chain has no head record');
  } else if (!last || head.seq !== last.seq || head.hash !== last.hash) {
    problems.push(
      head.seq > (last?.seq ?? 0)
        ? `entries after ${last?.seq ?? 0} up to ${head.seq} are missing (the head names entry ${head.seq})`
        : `the head names entry ${head.seq}, which does not match the newest entry`,
    );
  }
  return problems;
}
