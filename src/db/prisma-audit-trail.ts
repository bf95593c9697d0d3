import { setImmediate as yieldToOthers } from 'node:timers/promises';
import {
  canonicalEntry,
  chainProblems,
  EVIDENCE_DOWNLOADS_CHAIN,
  EVIDENCE_DOWNLOADS_SUBJECT,
} from '../domain/audit-chain.ts';
import type { EvidenceDownload, NewEvidenceDownload } from '../domain/evidence-pack.ts';
import { auditedTransaction } from './audited.ts';
import {
  AUDITED_TABLES,
  describeDifference,
  impliedByDefault,
  parseExactJson,
  replayDifferences,
  type ColumnShape,
  type Exact,
  type LiveRow,
  type RecordDifference,
  type ReplayEntry,
  type TableShapes,
} from '../domain/audit-replay.ts';
import type { AuditSnapshot, CheckpointHead, LiveChain, LiveTrail } from '../domain/audit-checkpoint.ts';
import type { AuditProblem, AuditRecord, AuditTrail, AuditVerification, IncidentAudit } from '../ports/audit-trail.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';

/**
 * Reads that must agree with each other (a trail and the records it describes; a counter and the
 * numbers it gave) are made in one snapshot, so a change committed meanwhile is in all or none.
 * The embedded database has one connection: wait for it as the bot's writes do.
 */
const SNAPSHOT = { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead, maxWait: 20_000, timeout: 60_000 };

/** An incident's rows in the audited tables, each as to_jsonb(row) text (what the trigger records). */
const LIVE_ROWS = (id: string) => Prisma.sql`
  SELECT 'incident' AS tbl, to_jsonb(t)::text AS row FROM incident t WHERE t.id = ${id}::uuid
  UNION ALL SELECT 'incident_role', to_jsonb(t)::text FROM incident_role t WHERE t.incident_id = ${id}::uuid
  UNION ALL SELECT 'timeline_entry', to_jsonb(t)::text FROM timeline_entry t WHERE t.incident_id = ${id}::uuid
  UNION ALL SELECT 'pagerduty_link', to_jsonb(t)::text FROM pagerduty_link t WHERE t.incident_id = ${id}::uuid
  UNION ALL SELECT 'incident_review', to_jsonb(t)::text FROM incident_review t WHERE t.incident_id = ${id}::uuid
  UNION ALL SELECT 'action_item', to_jsonb(t)::text FROM action_item t WHERE t.incident_id = ${id}::uuid
  UNION ALL SELECT 'change_freeze', to_jsonb(t)::text FROM change_freeze t WHERE t.incident_id = ${id}::uuid
  UNION ALL SELECT 'freeze_override', to_jsonb(t)::text FROM freeze_override t WHERE t.incident_id = ${id}::uuid
  UNION ALL SELECT 'clinical_hazard', to_jsonb(t)::text FROM clinical_hazard t WHERE t.incident_id = ${id}::uuid
  UNION ALL SELECT 'clinical_signoff', to_jsonb(t)::text FROM clinical_signoff t WHERE t.incident_id = ${id}::uuid
  UNION ALL SELECT 'breach_notification', to_jsonb(t)::text FROM breach_notification t WHERE t.incident_id = ${id}::uuid
  UNION ALL SELECT 'breach_assessment', to_jsonb(t)::text FROM breach_assessment t WHERE t.incident_id = ${id}::uuid
  UNION ALL SELECT 'breach_obligation_notice', to_jsonb(t)::text FROM breach_obligation_notice t WHERE t.incident_id = ${id}::uuid`;

/** The evidence downloads' rows (their chain is EVIDENCE_DOWNLOADS_CHAIN, no incident's). */
const DOWNLOAD_ROWS = Prisma.sql`SELECT 'evidence_download' AS tbl, to_jsonb(t)::text AS row FROM evidence_download t`;

/** An evidence pack's incidents read at once (readMany): per snapshot and pair of statements. */
const BATCH_IDS = 200;

/** LIVE_ROWS of many incidents, each row with its incident (`subject`). */
const LIVE_ROWS_OF = (ids: readonly string[]) => Prisma.sql`
  SELECT t.id::text AS subject, 'incident' AS tbl, to_jsonb(t)::text AS row FROM incident t WHERE t.id = ANY(${ids}::uuid[])
  UNION ALL SELECT t.incident_id::text, 'incident_role', to_jsonb(t)::text FROM incident_role t WHERE t.incident_id = ANY(${ids}::uuid[])
  UNION ALL SELECT t.incident_id::text, 'timeline_entry', to_jsonb(t)::text FROM timeline_entry t WHERE t.incident_id = ANY(${ids}::uuid[])
  UNION ALL SELECT t.incident_id::text, 'pagerduty_link', to_jsonb(t)::text FROM pagerduty_link t WHERE t.incident_id = ANY(${ids}::uuid[])
  UNION ALL SELECT t.incident_id::text, 'incident_review', to_jsonb(t)::text FROM incident_review t WHERE t.incident_id = ANY(${ids}::uuid[])
  UNION ALL SELECT t.incident_id::text, 'action_item', to_jsonb(t)::text FROM action_item t WHERE t.incident_id = ANY(${ids}::uuid[])
  UNION ALL SELECT t.incident_id::text, 'change_freeze', to_jsonb(t)::text FROM change_freeze t WHERE t.incident_id = ANY(${ids}::uuid[])
  UNION ALL SELECT t.incident_id::text, 'freeze_override', to_jsonb(t)::text FROM freeze_override t WHERE t.incident_id = ANY(${ids}::uuid[])
  UNION ALL SELECT t.incident_id::text, 'clinical_hazard', to_jsonb(t)::text FROM clinical_hazard t WHERE t.incident_id = ANY(${ids}::uuid[])
  UNION ALL SELECT t.incident_id::text, 'clinical_signoff', to_jsonb(t)::text FROM clinical_signoff t WHERE t.incident_id = ANY(${ids}::uuid[])
  UNION ALL SELECT t.incident_id::text, 'breach_notification', to_jsonb(t)::text FROM breach_notification t WHERE t.incident_id = ANY(${ids}::uuid[])
  UNION ALL SELECT t.incident_id::text, 'breach_assessment', to_jsonb(t)::text FROM breach_assessment t WHERE t.incident_id = ANY(${ids}::uuid[])
  UNION ALL SELECT t.incident_id::text, 'breach_obligation_notice', to_jsonb(t)::text FROM breach_obligation_notice t WHERE t.incident_id = ANY(${ids}::uuid[])`;

/** Numbered records: the table, how its numbers are written, and the trail action that gave one. */
const NUMBERED = [
  { name: 'incident', table: Prisma.raw('incident'), ref: 'INC', action: 'incident.insert', what: 'incident' },
  {
    name: 'action_item',
    table: Prisma.raw('action_item'),
    ref: 'ACT',
    action: 'action_item.insert',
    what: 'action item',
  },
] as const;

/** At most this many numbers of one kind named singly (above the counter, or marked as older than the trail). */
const MAX_NAMED = 100;

type Json = Record<string, unknown> | null;

interface Row {
  /** The incident row: null when it is gone; `audited` false when declared before the trail began. */
  incident_audited: boolean | null;
  head_seq: number | null;
  head_hash: string | null;
  seq: number | null;
  at: Date | null;
  /** `at` as the trigger hashed it (UTC, microseconds), by to_char: a built-in, not our function. */
  at_text: string | null;
  actor: string | null;
  via: string | null;
  action: string | null;
  row_key: string | null;
  before: Json;
  after: Json;
  /** before/after as jsonb's own text output (what the trigger hashed). */
  before_text: string | null;
  after_text: string | null;
  prev_hash: string | null;
  hash: string | null;
  db_role: string | null;
  claimed_actor: string | null;
}

/**
 * One chain's trail and rows, read in one snapshot (`rows`: the incident's audited flag, its head
 * and its entries in seq order; `live`: its rows in the audited tables), and what is wrong: with
 * the chain, and with the rows against the state the trail implies (replayDifferences). The
 * canonical text is rebuilt here from the stored columns, so the check does not rest on the
 * database's audit_canonical() function.
 */
function auditOf(
  incidentId: string,
  rows: readonly Row[],
  live: readonly { tbl: string; row: string }[],
  shapes: TableShapes,
): IncidentAudit {
  const downloads = incidentId === EVIDENCE_DOWNLOADS_CHAIN;
  const head =
    rows[0]?.head_seq != null && rows[0].head_hash != null ? { seq: rows[0].head_seq, hash: rows[0].head_hash } : null;
  const stored = rows.filter((r) => r.seq !== null);
  const entries: AuditRecord[] = stored.map((r) => ({
    seq: r.seq!,
    at: r.at!,
    actor: r.actor!,
    via: r.via!,
    action: r.action!,
    rowKey: r.row_key!,
    before: r.before,
    after: r.after,
    prevHash: r.prev_hash!,
    hash: r.hash!,
    dbRole: r.db_role,
    claimedActor: r.claimed_actor,
  }));
  const chain = stored.map((r) => ({
    seq: r.seq!,
    prevHash: r.prev_hash!,
    hash: r.hash!,
    canonical: canonicalEntry({
      incidentId,
      seq: r.seq!,
      atText: r.at_text!,
      actor: r.actor!,
      via: r.via!,
      action: r.action!,
      rowKey: r.row_key!,
      beforeText: r.before_text,
      afterText: r.after_text,
      dbRole: r.db_role,
      claimedActor: r.claimed_actor,
    }),
  }));
  const problems = chainProblems(chain, head);
  const audited = rows[0]?.incident_audited ?? null;
  if (audited === true && !head && entries.length === 0) problems.push('the incident has no audit trail');
  if (!downloads && audited === null && entries.length > 0 && entries.at(-1)!.action !== 'incident.delete') {
    problems.push('the incident is gone, but no deletion was recorded');
  }
  const ofChain = [...problems];
  // The records against what the trail implies: for an incident whose trail begins with its
  // insert (not one declared before the trail began), and for rows of an incident that has neither
  // a row nor a trail (inserted behind the trail's back). The evidence downloads' chain records
  // every download from the first, so its rows are always compared.
  let differences: RecordDifference[] = [];
  const hasInsert = entries.some((e) => e.action === 'incident.insert' && e.rowKey === incidentId);
  if (downloads || hasInsert || (audited === null && entries.length === 0 && live.length > 0)) {
    try {
      const replay: ReplayEntry[] = stored.map((r) => ({
        seq: r.seq!,
        action: r.action!,
        rowKey: r.row_key!,
        before: r.before_text === null ? null : parseExactJson(r.before_text),
        after: r.after_text === null ? null : parseExactJson(r.after_text),
      }));
      const liveRows: LiveRow[] = live.map((l) => ({
        table: l.tbl,
        row: parseExactJson(l.row) as Map<string, Exact>,
      }));
      differences = replayDifferences(replay, liveRows, shapes);
      problems.push(...differences.map(describeDifference));
    } catch (err) {
      problems.push(`the records could not be compared with the trail: ${(err as Error).message}`);
    }
  }
  return { entries, problems, chainProblems: ofChain, differences };
}

export class PrismaAuditTrail implements AuditTrail {
  private readonly prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.prisma = prisma;
  }

  /**
   * One incident's entries, its head and its rows, read in one snapshot (a change committed
   * meanwhile is either wholly in it or not at all), and what is wrong: with the chain, and with the
   * rows against the state the trail implies (auditOf). One incident at a time: memory grows with
   * one incident's trail, not the database's.
   */
  async read(incidentId: string): Promise<IncidentAudit> {
    const shapes = await this.shapes();
    const downloads = incidentId === EVIDENCE_DOWNLOADS_CHAIN;
    const { rows, live } = await this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Row[]>`
        SELECT i.audited AS incident_audited, h.seq AS head_seq, h.hash AS head_hash,
               e.seq, e.at, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text,
               e.actor, e.via, e.action, e.row_key, e.before, e.after,
               e.before::text AS before_text, e.after::text AS after_text, e.prev_hash, e.hash,
               e.db_role, e.claimed_actor
          FROM (SELECT 1) AS one
          LEFT JOIN incident i ON i.id = ${incidentId}::uuid
          LEFT JOIN audit_head h ON h.incident_id = ${incidentId}::uuid
          LEFT JOIN audit_entry e ON e.incident_id = ${incidentId}::uuid
         ORDER BY e.seq, e.id`;
      const live = await tx.$queryRaw<{ tbl: string; row: string }[]>(
        downloads ? DOWNLOAD_ROWS : LIVE_ROWS(incidentId),
      );
      return { rows, live };
    }, SNAPSHOT);
    return auditOf(incidentId, rows, live, shapes);
  }

  /**
   * read() of many incidents at once (an evidence pack's period): each incident's trail and rows
   * as of one snapshot per batch of BATCH_IDS, in two statements per batch rather than two per
   * incident. The same checks as read(), incident by incident.
   */
  async readMany(incidentIds: readonly string[]): Promise<Map<string, IncidentAudit>> {
    const shapes = await this.shapes();
    const out = new Map<string, IncidentAudit>();
    const ids = [...new Set(incidentIds)].filter((id) => id !== EVIDENCE_DOWNLOADS_CHAIN);
    for (let k = 0; k < ids.length; k += BATCH_IDS) {
      const batch = ids.slice(k, k + BATCH_IDS);
      const { rows, live } = await this.prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<(Row & { subject: string })[]>`
          SELECT x.id::text AS subject, i.audited AS incident_audited, h.seq AS head_seq, h.hash AS head_hash,
                 e.seq, e.at, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text,
                 e.actor, e.via, e.action, e.row_key, e.before, e.after,
                 e.before::text AS before_text, e.after::text AS after_text, e.prev_hash, e.hash,
                 e.db_role, e.claimed_actor
            FROM unnest(${batch}::uuid[]) AS x(id)
            LEFT JOIN incident i ON i.id = x.id
            LEFT JOIN audit_head h ON h.incident_id = x.id
            LEFT JOIN audit_entry e ON e.incident_id = x.id
           ORDER BY x.id, e.seq, e.id`;
        const live = await tx.$queryRaw<{ subject: string; tbl: string; row: string }[]>(LIVE_ROWS_OF(batch));
        return { rows, live };
      }, SNAPSHOT);
      const rowsOf = new Map<string, Row[]>(batch.map((id) => [id, []]));
      for (const r of rows) rowsOf.get(r.subject)?.push(r);
      const liveOf = new Map<string, { tbl: string; row: string }[]>(batch.map((id) => [id, []]));
      for (const l of live) liveOf.get(l.subject)?.push(l);
      for (const [n, id] of batch.entries()) {
        // Checking a chain is CPU work: let other requests (Slack's 3-second acks) in between chains.
        if (n % 20 === 19) await yieldToOthers();
        out.set(id, auditOf(id, rowsOf.get(id)!, liveOf.get(id)!, shapes));
      }
    }
    if (incidentIds.includes(EVIDENCE_DOWNLOADS_CHAIN))
      out.set(EVIDENCE_DOWNLOADS_CHAIN, await this.read(EVIDENCE_DOWNLOADS_CHAIN));
    return out;
  }

  private shapesRead: Promise<TableShapes> | null = null;

  /** The audited tables' columns as they are now (read once: the schema does not change while running). */
  private shapes(): Promise<TableShapes> {
    this.shapesRead ??= (async () => {
      const columns = await this.prisma.$queryRaw<
        { tbl: string; col: string; type: string; dflt: string | null; nullable: boolean }[]
      >`
        SELECT table_name::text AS tbl, column_name::text AS col, data_type::text AS type,
               column_default::text AS dflt, is_nullable = 'YES' AS nullable
          FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name IN (${Prisma.join([...AUDITED_TABLES])})
         ORDER BY table_name, ordinal_position`;
      const shapes = new Map<string, Map<string, ColumnShape>>();
      for (const c of columns) {
        const implied = impliedByDefault(c.dflt, c.nullable, c.type);
        const shape: ColumnShape = {
          instant: c.type === 'timestamp with time zone',
          ...(implied === undefined ? {} : { implied }),
        };
        if (!shapes.has(c.tbl)) shapes.set(c.tbl, new Map());
        shapes.get(c.tbl)!.set(c.col, shape);
      }
      return shapes;
    })();
    this.shapesRead.catch(() => {
      this.shapesRead = null;
    });
    return this.shapesRead;
  }

  async verify(incidentId?: string): Promise<AuditVerification> {
    const problems: AuditProblem[] = [];
    const only = incidentId ?? null;
    // Every incident with a chain, a head, or neither, and any other incident id that rows name
    // (rows of an incident that is not there, inserted behind the trail's back).
    const subjects = await this.prisma.$queryRaw<{ id: string; number: number | null }[]>`
      WITH ids AS (
        SELECT id FROM incident WHERE ${only}::uuid IS NULL OR id = ${only}::uuid
        UNION SELECT incident_id FROM audit_head WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
        UNION SELECT DISTINCT incident_id FROM audit_entry WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
        UNION SELECT incident_id FROM incident_role WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
        UNION SELECT incident_id FROM timeline_entry WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
        UNION SELECT incident_id FROM pagerduty_link WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
        UNION SELECT incident_id FROM incident_review WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
        UNION SELECT incident_id FROM action_item WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
        UNION SELECT incident_id FROM change_freeze WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
        UNION SELECT incident_id FROM freeze_override WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
        UNION SELECT incident_id FROM clinical_hazard WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
        UNION SELECT incident_id FROM clinical_signoff WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
        UNION SELECT incident_id FROM breach_notification WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
        UNION SELECT incident_id FROM breach_assessment WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
        UNION SELECT incident_id FROM breach_obligation_notice WHERE ${only}::uuid IS NULL OR incident_id = ${only}::uuid
        UNION SELECT ${EVIDENCE_DOWNLOADS_CHAIN}::uuid WHERE EXISTS (SELECT 1 FROM evidence_download)
          AND (${only}::uuid IS NULL OR ${only}::uuid = ${EVIDENCE_DOWNLOADS_CHAIN}::uuid)
      )
      SELECT ids.id::text AS id, i.number FROM ids LEFT JOIN incident i ON i.id = ids.id
       ORDER BY i.number NULLS LAST, ids.id`;
    let entries = 0;
    for (const s of subjects) {
      const audit = await this.read(s.id);
      entries += audit.entries.length;
      for (const problem of audit.problems)
        problems.push({
          incidentId: s.id,
          number: s.number,
          ...(s.id === EVIDENCE_DOWNLOADS_CHAIN ? { subject: EVIDENCE_DOWNLOADS_SUBJECT } : {}),
          problem,
        });
    }
    if (incidentId === undefined) problems.push(...(await this.numbering()));
    return { incidents: subjects.length, entries, problems };
  }

  /**
   * Incident and action item numbers are given without gaps (src/db/numbering.ts), so each number
   * from where that began up to the counter belongs to a record, or to a trail that records its
   * insert (and its deletion). One no record and no trail has was erased with its trail; one past
   * the newest is found by the counter. Read in one snapshot with the counters.
   */
  private async numbering(): Promise<AuditProblem[]> {
    return this.prisma.$transaction(async (tx) => {
      const problems: AuditProblem[] = [];
      const counters = await tx.$queryRaw<{ name: string; last: number; numbered_from: number }[]>`
        SELECT name, last, numbered_from FROM number_counter`;
      const issued = (action: string) => Prisma.sql`
        SELECT n FROM (SELECT CASE WHEN after->>'number' ~ '^[0-9]{1,9}$' THEN (after->>'number')::int END AS n
                         FROM audit_entry WHERE action = ${action}) a WHERE n IS NOT NULL`;
      for (const k of NUMBERED) {
        const counter = counters.find((c) => c.name === k.name);
        if (!counter) {
          problems.push({
            incidentId: null,
            number: null,
            subject: 'numbering',
            problem: `the ${k.what} number counter is missing (number_counter '${k.name}'): numbers cannot be checked`,
          });
          continue;
        }
        const { last, numbered_from: from } = counter;
        const gaps = await tx.$queryRaw<{ first: number; last: number }[]>`
          WITH known AS (
            SELECT number AS n FROM ${k.table} WHERE number BETWEEN ${from}::int AND ${last}::int
            UNION SELECT n FROM (${issued(k.action)}) t WHERE n BETWEEN ${from}::int AND ${last}::int
          ), edges AS (
            SELECT n FROM known UNION ALL SELECT ${from}::int - 1 UNION ALL SELECT ${last}::int + 1
          ), steps AS (
            SELECT n, lag(n) OVER (ORDER BY n) AS prev FROM edges
          )
          SELECT (prev + 1)::int AS first, (n - 1)::int AS last FROM steps WHERE n - prev > 1 ORDER BY first`;
        for (const g of gaps) {
          const one = g.first === g.last;
          const newest =
            g.last === last ? `${one ? 'the newest number given' : 'up to the newest number given'}; ` : '';
          problems.push({
            incidentId: null,
            number: k.name === 'incident' ? g.first : null,
            subject: `${k.ref}-${g.first}${one ? '' : `–${g.last}`}`,
            problem: `no ${k.what} and no audit trail has ${one ? 'this number' : 'these numbers'} (${newest}numbers are given without gaps): erased with ${one ? 'its' : 'their'} trail`,
          });
        }
        const above = await tx.$queryRaw<{ number: number }[]>`
          SELECT number FROM ${k.table} WHERE number > ${last}::int ORDER BY number LIMIT ${MAX_NAMED}`;
        for (const a of above) {
          problems.push({
            incidentId: null,
            number: k.name === 'incident' ? a.number : null,
            subject: `${k.ref}-${a.number}`,
            problem: `numbered above the counter (the last ${k.what} number given is ${last}): inserted without taking a number, or the counter was wound back`,
          });
        }
        if (k.name === 'incident') {
          // Incidents declared before the trail began were numbered before any that has a trail.
          const unaudited = await tx.$queryRaw<{ id: string; number: number }[]>`
            SELECT id::text AS id, number FROM incident
             WHERE NOT audited AND (number >= ${from}::int OR number > (SELECT min(n) FROM (${issued(k.action)}) t))
             ORDER BY number LIMIT ${MAX_NAMED}`;
          for (const u of unaudited) {
            problems.push({
              incidentId: u.id,
              number: u.number,
              problem:
                'marked as declared before the audit trail began (audited = false), but numbered after incidents that have a trail',
            });
          }
        }
      }
      return problems;
    }, SNAPSHOT);
  }

  async snapshot(): Promise<AuditSnapshot> {
    // One statement, so one snapshot: a change committed meanwhile is wholly in it or not at all.
    const [row] = await this.prisma.$queryRaw<
      {
        heads: CheckpointHead[];
        incident_highest: number;
        incident_missing: [number, number][];
        action_highest: number;
        action_missing: [number, number][];
      }[]
    >`
      WITH heads AS (
        SELECT h.incident_id::text AS "incidentId", i.number, h.seq, h.hash
          FROM audit_head h LEFT JOIN incident i ON i.id = h.incident_id
      ),
      inc AS (SELECT number, lag(number, 1, 0) OVER (ORDER BY number) AS prev FROM incident),
      act AS (SELECT number, lag(number, 1, 0) OVER (ORDER BY number) AS prev FROM action_item)
      SELECT
        (SELECT coalesce(json_agg(heads ORDER BY heads.number NULLS LAST, heads."incidentId"), '[]'::json) FROM heads) AS heads,
        (SELECT coalesce(max(number), 0)::int FROM incident) AS incident_highest,
        (SELECT coalesce(json_agg(json_build_array(prev + 1, number - 1) ORDER BY number), '[]'::json) FROM inc WHERE number > prev + 1) AS incident_missing,
        (SELECT coalesce(max(number), 0)::int FROM action_item) AS action_highest,
        (SELECT coalesce(json_agg(json_build_array(prev + 1, number - 1) ORDER BY number), '[]'::json) FROM act WHERE number > prev + 1) AS action_missing`;
    return {
      heads: row!.heads,
      incidents: { highest: row!.incident_highest, missing: row!.incident_missing },
      actionItems: { highest: row!.action_highest, missing: row!.action_missing },
    };
  }

  async liveTrail(checkpoint: {
    heads: readonly { incidentId: string }[];
    incidents: { highest: number };
    actionItems: { highest: number };
  }): Promise<LiveTrail> {
    const ids = checkpoint.heads.map((h) => h.incidentId);
    const numbered = await this.prisma.$queryRaw<{ id: string; number: number }[]>`
      SELECT id::text AS id, number FROM incident WHERE id = ANY(${ids}::uuid[])`;
    const numberOf = new Map(numbered.map((r) => [r.id, r.number]));
    const chains = new Map<string, LiveChain>();
    for (const id of ids) {
      const audit = await this.read(id);
      chains.set(id, { number: numberOf.get(id) ?? null, entries: audit.entries, problems: audit.chainProblems });
    }
    const incidents = await this.prisma.$queryRaw<
      { number: number }[]
    >`SELECT number FROM incident WHERE number <= ${checkpoint.incidents.highest}`;
    const actionItems = await this.prisma.$queryRaw<
      { number: number }[]
    >`SELECT number FROM action_item WHERE number <= ${checkpoint.actionItems.highest}`;
    return {
      chains,
      incidentNumbers: new Set(incidents.map((r) => r.number)),
      actionItemNumbers: new Set(actionItems.map((r) => r.number)),
    };
  }

  async recordEvidenceDownload(d: NewEvidenceDownload): Promise<EvidenceDownload> {
    // Through the audited funnel: the trigger records the insert, with who (the current actor), on
    // the downloads' own chain. The table refuses updates and deletes.
    const row = await auditedTransaction(this.prisma, (tx) =>
      tx.evidenceDownload.create({
        data: {
          downloadedBy: d.downloadedBy,
          downloadedAt: d.downloadedAt,
          periodFrom: d.period.since,
          periodTo: d.period.until,
          fromDate: d.period.fromDate,
          toDate: d.period.toDate,
          timeZone: d.period.timeZone,
          incidents: d.incidents,
          withheld: d.withheld,
          zipSha256: d.zipSha256,
          files: d.files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes })),
        },
      }),
    );
    return downloadOf(row);
  }

  async evidenceDownloads(limit: number): Promise<EvidenceDownload[]> {
    const rows = await this.prisma.evidenceDownload.findMany({
      orderBy: [{ downloadedAt: 'desc' }, { id: 'asc' }],
      take: limit,
    });
    return rows.map(downloadOf);
  }
}

function downloadOf(r: {
  id: string;
  downloadedBy: string;
  downloadedAt: Date;
  periodFrom: Date;
  periodTo: Date;
  fromDate: string;
  toDate: string;
  timeZone: string;
  incidents: number;
  withheld: number;
  zipSha256: string;
  files: unknown;
}): EvidenceDownload {
  return {
    id: r.id,
    downloadedBy: r.downloadedBy,
    downloadedAt: r.downloadedAt,
    period: { since: r.periodFrom, until: r.periodTo, fromDate: r.fromDate, toDate: r.toDate, timeZone: r.timeZone },
    incidents: r.incidents,
    withheld: r.withheld,
    zipSha256: r.zipSha256,
    files: Array.isArray(r.files) ? (r.files as EvidenceDownload['files']) : [],
  };
}
