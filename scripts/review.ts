// npm run review -- <incident number> [--json] [--clinical-safety]: the post-incident review of an
// incident, built from the stored record: the timeline, what people added in the review form and the
// action items (Markdown, or JSON with --json). The number may be written INC-42. With
// --clinical-safety, only its clinical safety section (hazards, ratings before and after, the
// sign-off), as Markdown (or JSON) for the clinical risk management file (DCB0129 / DCB0160). Reads DATABASE_URL, else the embedded database in DATA_DIR
// (./data). The same record always gives the same review. With CATALOG_PATH or BACKSTAGE_URL (and
// BACKSTAGE_TOKEN) set, the catalog is read once, so "What changed" lists the changes to the
// service's system as the posted review does.
import '../src/wasm-baseline.mjs';
import { DataDirLockedError } from '../src/db/data-dir-lock.ts';
import { openDatabase } from '../src/db/database.ts';
import { PrismaIncidentStore } from '../src/db/prisma-incident-store.ts';
import { PrismaReviewStore } from '../src/db/prisma-review-store.ts';
import { PrismaChangeLog } from '../src/db/prisma-change-log.ts';
import { staticCatalog, type ServiceCatalog } from '../src/ports/service-catalog.ts';
import { RefreshingCatalog } from '../src/catalog/refreshing-catalog.ts';
import { readCatalogPath } from '../src/catalog/file-source.ts';
import { readBackstageCatalog } from '../src/catalog/backstage-source.ts';
import { silentLogger } from '../src/logger.ts';
import { systemClock } from '../src/ports/clock.ts';
import { EMPTY_CATALOG } from '../src/domain/catalog.ts';
import { once } from 'node:events';
import { publicReviewOf, reviewMarkdownStream } from '../src/services/review/review-of.ts';
import { isValidTimeZone } from '../src/domain/time.ts';
import { clinicalSafetyToMarkdown } from '../src/domain/review-markdown.ts';
import { parseBreachRegimes, type BreachRegime } from '../src/domain/breach-regimes.ts';
import { AppError } from '../src/domain/errors.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const clinicalOnly = args.includes('--clinical-safety');
const unknown = args.filter((a) => a.startsWith('--') && a !== '--json' && a !== '--clinical-safety');
const number = Number(args.find((a) => !a.startsWith('--'))?.replace(/^INC-/i, ''));
if (!Number.isInteger(number) || number < 1 || unknown.length) {
  console.error('usage: npm run review -- <incident number> [--json] [--clinical-safety]');
  process.exit(1);
}
const timeZone = process.env.TZ_DEFAULT?.trim() || 'UTC';
if (!isValidTimeZone(timeZone)) {
  console.error(`Invalid configuration: TZ_DEFAULT must be an IANA time zone such as Europe/London.`);
  process.exit(1);
}
/** The workspace's breach regimes (BREACH_REGIMES, as the bot reads it): the breach section's obligations. */
let breachRegimes: BreachRegime[];
try {
  breachRegimes = parseBreachRegimes(process.env.BREACH_REGIMES?.trim() || 'uk-gdpr');
} catch (err) {
  console.error(`Invalid configuration: BREACH_REGIMES ${err instanceof AppError ? err.userMessage : String(err)}.`);
  process.exit(1);
}
/** The catalog the environment names, read once (a catalog that cannot be read is empty); else none. */
async function catalogOnce(): Promise<ServiceCatalog> {
  const catalogPath = process.env.CATALOG_PATH?.trim();
  const backstage = process.env.BACKSTAGE_URL?.trim();
  if (!catalogPath && !backstage) return staticCatalog(EMPTY_CATALOG);
  const token = process.env.BACKSTAGE_TOKEN?.trim() || null;
  const catalog = new RefreshingCatalog({
    source: catalogPath ? 'file' : 'backstage',
    location: catalogPath || backstage!,
    read: () => (catalogPath ? readCatalogPath(catalogPath) : readBackstageCatalog({ baseUrl: backstage!, token })),
    logger: silentLogger,
    clock: systemClock,
    everyMs: 0,
  });
  await catalog.start();
  return catalog;
}
const catalog = await catalogOnce();
const db = await openDatabase({
  url: process.env.DATABASE_URL?.trim() || null,
  dataDir: process.env.DATA_DIR?.trim() || './data',
}).catch((err: unknown) => {
  // The bot (or another tool) has the embedded database open: one line, and nothing was changed.
  if (!(err instanceof DataDirLockedError)) throw err;
  console.error(err.message);
  process.exit(1);
});
try {
  const store = new PrismaIncidentStore(db.prisma);
  const incident = await store.findByNumber(number);
  if (!incident) {
    console.error(`No incident INC-${number} in ${db.description}.`);
    process.exitCode = 1;
  } else {
    const deps = {
      store,
      reviews: new PrismaReviewStore(db.prisma),
      changes: new PrismaChangeLog(db.prisma),
      catalog,
      settings: { defaultTimeZone: timeZone, breachRegimes },
    };
    // Printed for reading beyond the responders: PHI redacted, as in the posted review.
    const review = await publicReviewOf(deps, incident);
    if (clinicalOnly) {
      if (!review.clinicalSafety) {
        console.error(
          `INC-${number} has no clinical impact and no hazard or sign-off recorded: no clinical safety section.`,
        );
        process.exitCode = 1;
      } else if (json) process.stdout.write(`${JSON.stringify(review.clinicalSafety, null, 2)}\n`);
      else process.stdout.write(clinicalSafetyToMarkdown(review.clinicalSafety));
    } else if (json) process.stdout.write(`${JSON.stringify(review, null, 2)}\n`);
    // Markdown is written as it is made, chunk by chunk, waiting while stdout is full.
    else
      for await (const chunk of reviewMarkdownStream(review))
        if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  }
} finally {
  await db.close();
}
