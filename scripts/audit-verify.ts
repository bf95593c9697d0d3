// npm run audit:verify [-- <incident number>]: checks the audit trail of every incident (or one):
// each entry's hash against its content, the chain from entry to entry, and each incident's newest
// entry against its head record. Prints what it found; exits 1 when anything was altered or removed.
// Reads DATABASE_URL, else the embedded database in DATA_DIR (./data), which must already exist and
// must not be open in a running bot (PGlite is one process's database: the folder is locked, and
// this says so and exits 2). It changes nothing: no migrations are applied.
import fs from 'node:fs';
import path from 'node:path';
import { DataDirLockedError } from '../src/db/data-dir-lock.ts';
import { openDatabase } from '../src/db/database.ts';
import { PrismaAuditTrail } from '../src/db/prisma-audit-trail.ts';
import { PrismaIncidentStore } from '../src/db/prisma-incident-store.ts';

const arg = process.argv[2];
const number = arg === undefined ? null : Number(arg);
if (number !== null && (!Number.isInteger(number) || number < 1)) {
  console.error('usage: npm run audit:verify [-- <incident number>]');
  process.exit(2);
}
const url = process.env.DATABASE_URL?.trim() || null;
const dataDir = process.env.DATA_DIR?.trim() || './data';
if (!url && !fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
  // A mistyped folder would otherwise be a new, empty database whose trail is "intact".
  console.error(`No embedded database in ${path.resolve(dataDir)}: set DATA_DIR to the bot's data folder, or DATABASE_URL.`);
  process.exit(2);
}
const db = await openDatabase({ url, dataDir, migrate: false }).catch((err: unknown) => {
  if (!(err instanceof DataDirLockedError)) throw err;
  console.error(err.message);
  process.exit(2);
});
try {
  let incidentId: string | undefined;
  if (number !== null) {
    const incident = await new PrismaIncidentStore(db.prisma).findByNumber(number);
    if (!incident) {
      console.error(`No incident INC-${number} in ${db.description}.`);
      process.exit(2);
    }
    incidentId = incident.id;
  }
  const { incidents, entries, problems } = await new PrismaAuditTrail(db.prisma).verify(incidentId);
  const scope = `${incidents} incident${incidents === 1 ? '' : 's'}, ${entries} entr${entries === 1 ? 'y' : 'ies'} (${db.description})`;
  if (problems.length === 0) {
    console.log(`Audit trail intact: ${scope}.`);
  } else {
    console.log(`Audit trail NOT intact: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${scope}:`);
    for (const p of problems) console.log(`  ${p.number === null ? `incident ${p.incidentId} (gone)` : `INC-${p.number}`}: ${p.problem}`);
    process.exitCode = 1;
  }
} finally {
  await db.close();
}
