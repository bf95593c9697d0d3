import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';
import { AppError } from './errors.ts';
import { actionRef } from './action-items.ts';
import { incidentRef } from './incident.ts';
import { EVIDENCE_DOWNLOADS_CHAIN, EVIDENCE_DOWNLOADS_SUBJECT } from './audit-chain.ts';

/**
 * Signed checkpoints of the audit trail: every incident's chain head (its newest entry's seq and
 * hash) with the highest incident and action item numbers, signed with Ed25519 by a key that lives
 * only in the bot's environment, and written somewhere the database owner cannot rewrite (a folder,
 * an audit Slack channel). `audit:verify --checkpoint <file>` then proves that today's chains still
 * extend the checkpointed heads: an incident erased, or a chain rewritten with every hash
 * recomputed, after the checkpoint was taken no longer matches it.
 */
export const CHECKPOINT_FORMAT = 'incident-bot-audit-checkpoint';
export const CHECKPOINT_VERSION = 1;
/** Prefixed to the signed text, so a signature over anything else never verifies as a checkpoint. */
const SIGNING_CONTEXT = `${CHECKPOINT_FORMAT} v${CHECKPOINT_VERSION}\n`;

// ---- Keys ----------------------------------------------------------------------------------------

/** DER prefixes of an Ed25519 key: PKCS#8 private key (then the 32-byte seed), SPKI public key (then the 32 bytes). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The public half, as the checkpoint names it and as a verifier trusts it. */
export interface CheckpointPublicKey {
  key: KeyObject;
  /** The raw 32 bytes, base64. */
  base64: string;
  /** `SHA256:` and the base64 of sha256 of the raw key (as ssh-keygen prints fingerprints). */
  fingerprint: string;
}

export interface CheckpointSigner {
  privateKey: KeyObject;
  publicKey: CheckpointPublicKey;
}

const SIGNING_KEY_HELP =
  'must be an Ed25519 private key: a base64 32-byte seed or a PKCS#8 PEM (npm run audit:keygen prints one)';
const VERIFY_KEY_HELP =
  'must be an Ed25519 public key: base64 of its 32 bytes or an SPKI PEM (npm run audit:keygen prints it beside the signing key)';

/** 32 bytes as standard or URL-safe base64 (padding optional), or null. Strict: Buffer.from would skip stray characters. */
function base64Of32(text: string): Buffer | null {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(t) && !/^[A-Za-z0-9_-]{43}=?$/.test(t)) return null;
  const bytes = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 32 ? bytes : null;
}

/** A PEM from the environment, where line breaks are often written as `\n`. */
function pemText(text: string): string | null {
  let t = text.trim();
  if (t.length > 1 && (t[0] === '"' || t[0] === "'") && t.at(-1) === t[0]) t = t.slice(1, -1); // kept by some env files
  t = t.replace(/\\n/g, '\n').trim();
  return t.startsWith('-----BEGIN ') ? t : null;
}

export function publicKeyOf(key: KeyObject): CheckpointPublicKey {
  const der = key.export({ format: 'der', type: 'spki' });
  const raw = der.subarray(SPKI_PREFIX.length);
  return {
    key,
    base64: raw.toString('base64'),
    fingerprint: `SHA256:${createHash('sha256').update(raw).digest('base64').replace(/=+$/, '')}`,
  };
}

/** AUDIT_SIGNING_KEY: a base64 32-byte Ed25519 seed or a PKCS#8 PEM. The message never repeats the key. */
export function parseSigningKey(text: string): CheckpointSigner {
  let privateKey: KeyObject;
  try {
    const seed = base64Of32(text);
    const pem = pemText(text);
    if (seed) privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    else if (pem) privateKey = createPrivateKey({ key: pem, format: 'pem' });
    else throw new Error('neither');
  } catch {
    throw new AppError(SIGNING_KEY_HELP, 'bad_key');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new AppError(SIGNING_KEY_HELP, 'bad_key');
  return { privateKey, publicKey: publicKeyOf(createPublicKey(privateKey)) };
}

/** AUDIT_VERIFY_KEY or --verify-key: base64 of the 32 public bytes, or an SPKI PEM. */
export function parseVerifyKey(text: string): CheckpointPublicKey {
  let key: KeyObject;
  try {
    const raw = base64Of32(text);
    const pem = pemText(text);
    if (raw) key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    else if (pem && /-----BEGIN PUBLIC KEY-----/.test(pem)) key = createPublicKey({ key: pem, format: 'pem' });
    else throw new Error('neither');
  } catch {
    throw new AppError(VERIFY_KEY_HELP, 'bad_key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AppError(VERIFY_KEY_HELP, 'bad_key');
  return publicKeyOf(key);
}

/** A new key pair, as `npm run audit:keygen` prints it. */
export function generateSigningKey(): {
  seed: string;
  publicKey: string;
  fingerprint: string;
  privatePem: string;
  publicPem: string;
} {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  const pub = publicKeyOf(publicKey);
  return {
    seed: seed.toString('base64'),
    publicKey: pub.base64,
    fingerprint: pub.fingerprint,
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

// ---- The checkpoint ------------------------------------------------------------------------------

const HASH = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const positive = z.number().int().min(1).max(2_147_483_647);
const count = z.number().int().min(0).max(2_147_483_647);
/** Number ranges [from, to] (inclusive) that were not in use at the checkpoint, ascending. */
const ranges = z
  .array(z.tuple([positive, positive]))
  .refine((rs) => rs.every(([a, b], i) => a <= b && (i === 0 || a > rs[i - 1]![1] + 1)), {
    message: 'must be ascending, disjoint ranges',
  });

const head = z.strictObject({
  incidentId: z.string().regex(UUID, { message: 'must be an incident id (uuid)' }),
  /** The incident's number at the checkpoint; null when its row was already deleted (recorded in its trail). */
  number: positive.nullable(),
  seq: positive,
  hash: z.string().regex(HASH, { message: 'must be a sha256 hash (64 hex digits)' }),
});
export type CheckpointHead = z.infer<typeof head>;

const numbers = z
  .strictObject({ highest: count, missing: ranges })
  .refine((n) => n.missing.every(([, b]) => b < n.highest), { message: 'missing numbers must be below the highest' });
export type CheckpointNumbers = z.infer<typeof numbers>;

const trigger = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('schedule'), period: z.iso.datetime() }),
  z.strictObject({ kind: z.literal('incident-closed'), incident: positive }),
]);
export type CheckpointTrigger = z.infer<typeof trigger>;
/** Why a checkpoint is taken, as a queued job carries it (read back from the database, so checked). */
export const checkpointTriggerSchema = trigger;

const body = z.strictObject({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.literal(CHECKPOINT_VERSION),
  createdAt: z.iso.datetime(),
  trigger,
  incidents: numbers,
  actionItems: numbers,
  heads: z
    .array(head)
    .refine((hs) => new Set(hs.map((h) => h.incidentId)).size === hs.length, { message: 'names an incident twice' })
    .refine(
      (hs) => {
        const ns = hs.flatMap((h) => (h.number === null ? [] : [h.number]));
        return new Set(ns).size === ns.length;
      },
      { message: 'names an incident number twice' },
    ),
  key: z.strictObject({
    algorithm: z.literal('ed25519'),
    publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be a base64 Ed25519 public key' }),
    fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, { message: 'must be a SHA256: fingerprint' }),
  }),
});
export type CheckpointBody = z.infer<typeof body>;

const signed = body.extend({
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, { message: 'must be a base64 Ed25519 signature' }),
});
export type Checkpoint = z.infer<typeof signed>;

/** What the database holds at one moment (one snapshot): the heads and which numbers are in use. */
export interface AuditSnapshot {
  heads: CheckpointHead[];
  incidents: CheckpointNumbers;
  actionItems: CheckpointNumbers;
}

/**
 * The text that is signed: the body rebuilt field by field in a fixed order (not the file's own
 * text or key order), so what verifies is exactly what was parsed, and nothing unsigned can ride
 * along (the schema refuses unknown fields).
 */
function signedText(b: CheckpointBody): string {
  const nums = (n: CheckpointNumbers) => ({ highest: n.highest, missing: n.missing.map(([a, z]) => [a, z]) });
  return (
    SIGNING_CONTEXT +
    JSON.stringify({
      format: b.format,
      version: b.version,
      createdAt: b.createdAt,
      trigger:
        b.trigger.kind === 'schedule'
          ? { kind: b.trigger.kind, period: b.trigger.period }
          : { kind: b.trigger.kind, incident: b.trigger.incident },
      incidents: nums(b.incidents),
      actionItems: nums(b.actionItems),
      heads: b.heads.map((h) => ({ incidentId: h.incidentId, number: h.number, seq: h.seq, hash: h.hash })),
      key: { algorithm: b.key.algorithm, publicKey: b.key.publicKey, fingerprint: b.key.fingerprint },
    })
  );
}

/** Builds and signs a checkpoint of `snapshot`. */
export function signCheckpoint(
  snapshot: AuditSnapshot,
  opts: { createdAt: Date; trigger: CheckpointTrigger; signer: CheckpointSigner },
): Checkpoint {
  const b: CheckpointBody = body.parse({
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: opts.createdAt.toISOString(),
    trigger: opts.trigger,
    incidents: snapshot.incidents,
    actionItems: snapshot.actionItems,
    heads: snapshot.heads,
    key: {
      algorithm: 'ed25519',
      publicKey: opts.signer.publicKey.base64,
      fingerprint: opts.signer.publicKey.fingerprint,
    },
  });
  const signature = sign(null, Buffer.from(signedText(b), 'utf8'), opts.signer.privateKey).toString('base64');
  return { ...b, signature };
}

/** The file's text: the checkpoint as indented JSON, one field per line, so a person can read it. */
export function checkpointJson(c: Checkpoint): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}

/** `audit-checkpoint-20261205T130000Z-schedule.json`, `…-inc-12-closed.json`. */
export function checkpointFilename(c: Pick<Checkpoint, 'createdAt' | 'trigger'>): string {
  const at = c.createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `audit-checkpoint-${at}-${c.trigger.kind === 'schedule' ? 'schedule' : `inc-${c.trigger.incident}-closed`}.json`;
}

/** The short message that goes with the file in the audit channel. */
export function checkpointMessage(c: Checkpoint): string {
  const why = c.trigger.kind === 'schedule' ? 'scheduled' : `${incidentRef({ number: c.trigger.incident })} closed`;
  const highest = [
    c.incidents.highest ? incidentRef({ number: c.incidents.highest }) : null,
    c.actionItems.highest ? actionRef({ number: c.actionItems.highest }) : null,
  ].filter(Boolean);
  return (
    `:lock: Audit checkpoint of ${c.createdAt} (${why}): ${c.heads.length} incident chain head${c.heads.length === 1 ? '' : 's'}` +
    `${highest.length ? `, highest ${highest.join(' and ')}` : ''}. Signed by key ${c.key.fingerprint}. ` +
    'Keep this file: `npm run audit:verify -- --checkpoint <file>` proves the trail still extends it.'
  );
}

/** A checkpoint file that cannot be trusted: not one, malformed, unsigned, signed by another key, or altered. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

function issueText(err: z.ZodError): string {
  const i = err.issues[0]!;
  return `${i.path.length ? i.path.join('.') : 'the file'} ${i.message}`;
}

/**
 * Reads a checkpoint file and checks its signature under `trusted` (the key the verifier was given,
 * never only the one the file names). Throws a CheckpointError saying what is wrong.
 */
export function readCheckpoint(text: string, trusted: CheckpointPublicKey): Checkpoint {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CheckpointError('is not JSON');
  }
  if (typeof json !== 'object' || json === null || (json as { format?: unknown }).format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError('is not an audit checkpoint (no "format": "incident-bot-audit-checkpoint")');
  }
  const version = (json as { version?: unknown }).version;
  if (version !== CHECKPOINT_VERSION)
    throw new CheckpointError(
      `has format version ${JSON.stringify(version ?? null)}, which this version does not read (it reads ${CHECKPOINT_VERSION})`,
    );
  const sig = (json as { signature?: unknown }).signature;
  if (sig === undefined || sig === null || sig === '') throw new CheckpointError('is not signed (no signature)');
  const parsed = signed.safeParse(json);
  if (!parsed.success) throw new CheckpointError(`is malformed: ${issueText(parsed.error)}`);
  const c = parsed.data;
  if (c.key.publicKey !== trusted.base64) {
    throw new CheckpointError(
      `was signed with key ${c.key.fingerprint}, not the trusted key ${trusted.fingerprint} (AUDIT_VERIFY_KEY or --verify-key)`,
    );
  }
  const { signature, ...rest } = c;
  const ok = verify(null, Buffer.from(signedText(rest), 'utf8'), trusted.key, Buffer.from(signature, 'base64'));
  if (!ok)
    throw new CheckpointError(
      `has a signature that does not verify under the trusted key ${trusted.fingerprint}: it was altered after signing, or forged`,
    );
  if (publicKeyOf(trusted.key).fingerprint !== c.key.fingerprint)
    throw new CheckpointError("names a fingerprint that is not its key's");
  return c;
}

// ---- Comparing today's trail with a checkpoint -----------------------------------------------------

/** One incident's chain as it is today (PrismaAuditTrail.read), for an incident the checkpoint names. */
export interface LiveChain {
  /** The incident's number today; null when its row is gone. */
  number: number | null;
  /** Entries in seq order. */
  entries: readonly { seq: number; hash: string; action: string }[];
  /** What is wrong with the chain (chainProblems and the incident checks); empty: intact. */
  problems: readonly string[];
}

export interface LiveTrail {
  chains: ReadonlyMap<string, LiveChain>;
  /** Incident numbers in use today, up to the checkpoint's highest. */
  incidentNumbers: ReadonlySet<number>;
  /** Action item numbers in use today, up to the checkpoint's highest. */
  actionItemNumbers: ReadonlySet<number>;
}

export interface CheckpointFinding {
  /** `INC-12`, `ACT-40`, or `incident <uuid>` for an incident that had no number left at the checkpoint. */
  subject: string;
  problem: string;
}

/** The numbers in use at the checkpoint: 1…highest less the missing ranges, which are skipped whole (however large). */
function* inUse(n: CheckpointNumbers): Generator<number> {
  let next = 1;
  for (const [from, to] of [...n.missing, [n.highest + 1, n.highest + 1] as const]) {
    for (let k = next; k < from; k++) yield k;
    next = to + 1;
  }
}

const short = (hash: string) => hash.slice(0, 12);

/**
 * What in today's trail does not extend the checkpoint: each incident it names must still have the
 * entry at the checkpointed seq with the checkpointed hash, in a chain intact from there on (so
 * everything up to the checkpoint is exactly what was checkpointed), and every incident and action
 * item number in use at the checkpoint must still be there. Empty: the trail extends it.
 */
export function checkpointFindings(c: Checkpoint, live: LiveTrail): CheckpointFinding[] {
  const findings: CheckpointFinding[] = [];
  const since = `since the checkpoint of ${c.createdAt}`;
  const reported = new Set<number>();
  for (const h of c.heads) {
    const downloads = h.incidentId === EVIDENCE_DOWNLOADS_CHAIN;
    const subject = downloads
      ? EVIDENCE_DOWNLOADS_SUBJECT
      : h.number !== null
        ? incidentRef({ number: h.number })
        : `incident ${h.incidentId}`;
    const add = (problem: string) => findings.push({ subject, problem });
    if (h.number !== null) reported.add(h.number);
    const chain = live.chains.get(h.incidentId);
    const entries = chain?.entries ?? [];
    if (entries.length === 0) {
      add(
        chain?.number != null
          ? `rewritten ${since}: its audit trail is gone (it had ${h.seq} entr${h.seq === 1 ? 'y' : 'ies'})`
          : `erased ${since}: ${downloads ? 'the downloads' : 'the incident'}, ${downloads ? 'their' : 'its'} ${h.seq} audit entr${h.seq === 1 ? 'y' : 'ies'} and ${downloads ? 'their' : 'its'} head are gone`,
      );
      continue;
    }
    const at = entries.find((e) => e.seq === h.seq);
    if (!at) {
      add(`rewritten ${since}: its chain now ends at entry ${entries.at(-1)!.seq}, the checkpoint had entry ${h.seq}`);
      continue;
    }
    if (at.hash !== h.hash) {
      add(
        `rewritten ${since}: entry ${h.seq} is not the one checkpointed (hash ${short(at.hash)}…, checkpointed ${short(h.hash)}…)`,
      );
      continue;
    }
    if (chain!.number === null && h.number !== null) {
      const deleted = entries.at(-1)!.action === 'incident.delete';
      add(
        deleted
          ? `deleted ${since} (the deletion is recorded in its trail)`
          : `erased ${since}: the incident row is gone`,
      );
    } else if (h.number !== null && chain!.number !== h.number) {
      add(`renumbered ${since}: it is ${incidentRef({ number: chain!.number! })} now`);
    }
    if (chain!.problems.length)
      add(`its chain does not extend the checkpointed entry ${h.seq} intact: ${chain!.problems.join('; ')}`);
  }
  for (const n of inUse(c.incidents)) {
    if (reported.has(n) || live.incidentNumbers.has(n)) continue;
    findings.push({
      subject: incidentRef({ number: n }),
      problem: `erased ${since}: the number was in use then and is gone now`,
    });
  }
  for (const n of inUse(c.actionItems)) {
    if (live.actionItemNumbers.has(n)) continue;
    findings.push({
      subject: actionRef({ number: n }),
      problem: `erased ${since}: the number was in use then and is gone now`,
    });
  }
  return findings;
}
