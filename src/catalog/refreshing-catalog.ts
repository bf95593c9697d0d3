// The service catalog the bot asks (ServiceCatalog): the last good read of a file, folder or
// Backstage instance, kept in memory and read again in the background every few minutes, so asking
// never waits on I/O. A failed read never stops the bot: the first leaves an empty catalog that says
// why, a later one keeps the last good catalog and says it could not be refreshed.
import type { CatalogProblem, CatalogSnapshot } from '../domain/catalog.ts';
import { EMPTY_CATALOG } from '../domain/catalog.ts';
import type { Logger } from '../logger.ts';
import type { Clock } from '../ports/clock.ts';
import type { ServiceCatalog } from '../ports/service-catalog.ts';
import { capProblems, type CatalogContents } from './entities.ts';

/** CATALOG_REFRESH_SECONDS: its default and its least. */
export const CATALOG_REFRESH_DEFAULT_SECONDS = 300;
export const CATALOG_REFRESH_MIN_SECONDS = 10;

export interface RefreshingCatalogOptions {
  source: 'file' | 'backstage';
  /** What is read (a path, a URL without credentials), for the log. */
  location: string;
  /** One whole read; throws when nothing could be read (the last good catalog is then kept). */
  read: () => Promise<CatalogContents>;
  logger: Logger;
  clock: Clock;
  /** ms between background reads; 0: none (tests call refreshNow). */
  everyMs: number;
}

/** The first few problems in a log line (the rest counted). */
function problemsForLog(problems: readonly CatalogProblem[]): string[] {
  return problems.slice(0, 20).map((p) => `${p.source}: ${p.message}`);
}

export class RefreshingCatalog implements ServiceCatalog {
  private snapshot: CatalogSnapshot;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** The problems last logged, so an unchanged list is not logged at every refresh. */
  private loggedProblems = '';
  private stopped = false;
  private readonly opts: RefreshingCatalogOptions;

  constructor(opts: RefreshingCatalogOptions) {
    this.opts = opts;
    this.snapshot = { ...EMPTY_CATALOG, source: opts.source };
  }

  current(): CatalogSnapshot {
    return this.snapshot;
  }

  /** The first read (awaited: the bot starts with the catalog), then the background reads. Never throws. */
  async start(): Promise<void> {
    await this.refreshNow();
    if (this.opts.everyMs > 0 && !this.stopped) {
      this.timer = setInterval(() => void this.refreshNow(), this.opts.everyMs);
      this.timer.unref();
    }
  }

  /** One read now (joining one under way). Never throws: a failure is logged and kept in the snapshot's problems. */
  refreshNow(): Promise<void> {
    this.running ??= this.refresh().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async refresh(): Promise<void> {
    const { logger, source, location } = this.opts;
    const first = this.snapshot.loadedAt === null;
    let contents: CatalogContents;
    try {
      contents = await this.opts.read();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const failure: CatalogProblem = {
        source,
        message: first
          ? `the catalog could not be read: ${reason}`
          : `the catalog could not be refreshed (showing the one read at ${this.snapshot.loadedAt!.toISOString()}): ${reason}`,
      };
      const kept = this.snapshot.problems.filter((p) => !isReadFailure(p, source));
      this.snapshot = { ...this.snapshot, problems: capProblems([failure, ...kept]) };
      logger.error(
        { err, catalog: source, location },
        first
          ? 'the service catalog could not be read: the bot runs without it until a refresh succeeds'
          : 'the service catalog could not be refreshed: the last good read is kept',
      );
      return;
    }
    const previous = this.snapshot;
    this.snapshot = { source, ...contents, loadedAt: this.opts.clock.now() };
    const counts = {
      catalog: source,
      location,
      services: contents.services.length,
      groups: contents.groups.length,
      users: contents.users.length,
      problems: contents.problems.length,
    };
    if (first || previous.problems.some((p) => isReadFailure(p, source))) logger.info(counts, 'service catalog read');
    else logger.debug(counts, 'service catalog refreshed');
    const key = JSON.stringify(contents.problems);
    if (key !== this.loggedProblems) {
      this.loggedProblems = key;
      if (contents.problems.length) {
        logger.warn(
          { catalog: source, location, count: contents.problems.length, problems: problemsForLog(contents.problems) },
          `the service catalog has ${contents.problems.length} problem${contents.problems.length === 1 ? '' : 's'}: those entities or values were skipped`,
        );
      } else if (!first) {
        logger.info({ catalog: source, location }, 'the service catalog has no problems any more');
      }
    }
  }
}

/** The problem a failed read leaves (replaced by the next one, gone after a good read). */
function isReadFailure(p: CatalogProblem, source: string): boolean {
  return p.source === source && /^the catalog could not be (read|refreshed)/.test(p.message);
}
