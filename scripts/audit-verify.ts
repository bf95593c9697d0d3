// npm run audit:verify [-- <incident number>] [-- --checkpoint <file> [--verify-key <public key>]]:
// checks the audit trail of every incident (or one): each entry's hash against its content, the
// chain from entry to entry, each incident's newest entry against its head record, and the
// incident's records (incident, roles, timeline, PagerDuty links, review, action items) against the
// state its trail implies; and, for every incident, that no incident or action item number is missing. With
// --checkpoint, it also proves that today's chains extend the heads of a signed checkpoint (see
// src/domain/audit-checkpoint.ts): its signature must verify under the trusted key (--verify-key,
// else AUDIT_VERIFY_KEY, else the public half of AUDIT_SIGNING_KEY; never only the key the file
// names), and every incident and number it names must still be there, unchanged up to its head.
// Prints what it found; exits 1 when anything was altered or removed, 2 when the checkpoint file
// cannot be trusted (unreadable, malformed, unsigned, signed by another key, altered) or the
// arguments are wrong.
// Reads DATABASE_URL, else the embedded database in DATA_DIR (./data), which must already exist and
// must not be open in a running bot (PGlite is one process's database: the folder is locked, and
// this says so and exits 2). It changes nothing: no migrations are applied.
import '../src/wasm-baseline.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { auditKeysSchema } from '../src/config.ts';
import { DataDirLockedError } from '../src/db/data-dir-lock.ts';
import { openDatabase } from '../src/db/database.ts';
import { PrismaAuditTrail } from '../src/db/prisma-audit-trail.ts';
import { PrismaIncidentStore } from '../src/db/prisma-incident-store.ts';
import {
  checkpointFindings,
  CheckpointError,
  parseVerifyKey,
  readCheckpoint,
  type Checkpoint,
  type CheckpointPublicKey,
} from '../src/domain/audit-checkpoint.ts';
import { AppError } from '../src/domain/errors.ts';

const USAGE = 'usage: npm run audit:verify [-- <incident number>] [-- --checkpoint <file> [--verify-key <public key>]]';

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    options: {
      checkpoint: { type: 'string' },
      'verify-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
}
try {
  args = parse();
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`);
}
if (args.values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (args.positionals.length > 1) fail(USAGE);
const arg = args.positionals[0];
const number = arg === undefined ? null : /^\d+$/.test(arg) ? Number(arg) : NaN;
if (number !== null && (!Number.isSafeInteger(number) || number < 1)) fail(USAGE);

/** The key a checkpoint must be signed with: given by the person verifying, never taken from the file. */
function trustedKey(): CheckpointPublicKey {
  const flag = args.values['verify-key'];
  if (flag !== undefined) {
    try {
      return parseVerifyKey(flag);
    } catch (err) {
      fail(`--verify-key ${err instanceof AppError ? err.userMessage : String(err)}.`);
    }
  }
  const keys = auditKeysSchema.safeParse(process.env);
  if (!keys.success) {
    fail(
      `Invalid configuration: ${keys.error.issues.map((i) => `${String(i.path[0])} ${i.message}`).join('; ')}. See docs/configuration.md.`,
    );
  }
  const key = keys.data.AUDIT_VERIFY_KEY ?? keys.data.AUDIT_SIGNING_KEY?.publicKey;
  if (!key)
    fail(
      'No trusted key to check the checkpoint with: set AUDIT_VERIFY_KEY (the public key npm run audit:keygen printed) or pass --verify-key <public key>.',
    );
  return key;
}

// The checkpoint is checked before the database is opened: a file that cannot be trusted proves nothing.
let checkpoint: Checkpoint | null = null;
if (args.values.checkpoint !== undefined) {
  const file = args.values.checkpoint;
  const trusted = trustedKey();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    fail(`Checkpoint ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  try {
    checkpoint = readCheckpoint(text, trusted);
  } catch (err) {
    if (err instanceof CheckpointError)
      fail(`Checkpoint ${file} ${err.message}. It proves nothing: nothing was compared.`);
    throw err;
  }
}

const url = process.env.DATABASE_URL?.trim() || null;
const dataDir = process.env.DATA_DIR?.trim() || './data';
if (!url && !fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
  // A mistyped folder would otherwise be a new, empty database whose trail is "intact".
  fail(`No embedded database in ${path.resolve(dataDir)}: set DATA_DIR to the bot's data folder, or DATABASE_URL.`);
}
const db = await openDatabase({ url, dataDir, migrate: false }).catch((err: unknown) => {
  if (!(err instanceof DataDirLockedError)) throw err;
  fail(err.message);
});
try {
  let incidentId: string | undefined;
  if (number !== null) {
    const incident = await new PrismaIncidentStore(db.prisma).findByNumber(number);
    if (!incident) {
      console.error(`No incident INC-${number} in ${db.description}.`);
      process.exitCode = 2;
    } else {
      incidentId = incident.id;
    }
  }
  if (process.exitCode !== 2) {
    const trail = new PrismaAuditTrail(db.prisma);
    const { incidents, entries, problems } = await trail.verify(incidentId);
    const scope = `${incidents} incident${incidents === 1 ? '' : 's'}, ${entries} entr${entries === 1 ? 'y' : 'ies'} (${db.description})`;
    if (problems.length === 0) {
      console.log(`Audit trail intact: ${scope}.`);
    } else {
      console.log(`Audit trail NOT intact: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${scope}:`);
      for (const p of problems)
        console.log(
          `  ${p.subject ?? (p.number === null ? `incident ${p.incidentId} (gone)` : `INC-${p.number}`)}: ${p.problem}`,
        );
      process.exitCode = 1;
    }
    if (checkpoint) {
      const findings = checkpointFindings(checkpoint, await trail.liveTrail(checkpoint));
      const what = `checkpoint of ${checkpoint.createdAt} (signed by ${checkpoint.key.fingerprint}; ${checkpoint.heads.length} incident chain${checkpoint.heads.length === 1 ? '' : 's'}, up to INC-${checkpoint.incidents.highest} and ACT-${checkpoint.actionItems.highest})`;
      if (findings.length === 0) {
        console.log(`Audit trail extends the ${what}: nothing checkpointed was erased or rewritten.`);
      } else {
        console.log(
          `Audit trail does NOT extend the ${what}: ${findings.length} finding${findings.length === 1 ? '' : 's'}:`,
        );
        for (const f of findings) console.log(`  ${f.subject}: ${f.problem}`);
        process.exitCode = 1;
      }
    }
  }
} finally {
  await db.close();
}
