import {
  REGISTER_PAGE_SIZE,
  pageCount,
  registerWhere,
  type RegisterFilter,
  type RegisterRow,
  type RegisterWhere,
} from '../../domain/register.ts';
import { AppError } from '../../domain/errors.ts';
import { listablePrivateChannels, type Reader } from '../access.ts';
import type { ServiceDeps } from '../deps.ts';
import { redactForExport } from '../outbound-text.ts';

/** The refusal of a search the PHI guard would change (see whereFor). */
export const IDENTIFIER_SEARCH_REFUSAL = 'Searching for personal or patient identifiers is not allowed.';

/** One page of the register. */
export interface RegisterPage {
  filter: RegisterFilter;
  rows: RegisterRow[];
  /** Incidents the filter selects that the reader may see (every page). */
  total: number;
  page: number;
  pages: number;
  /** The owning teams' names as the catalog titles them, by reference (lower case): the rows' teams only. */
  teamNames: ReadonlyMap<string, string>;
}

/**
 * What the database is asked for `filter` read by `reader`: the owner filter also matches the teams
 * whose catalog title it is, and private incidents only of the channels they are in. A search or
 * service the PHI guard would change is refused: the database matches them against the text as
 * written, so the count would confirm a guessed NHS number that every page shows redacted.
 */
export async function whereFor(deps: Pick<ServiceDeps, 'catalog'>, reader: Reader, filter: RegisterFilter) {
  for (const asked of [filter.q, filter.service, filter.owner])
    if (asked && redactForExport(asked).findings.length > 0) throw new AppError(IDENTIFIER_SEARCH_REFUSAL);
  const owner = filter.owner?.trim().toLowerCase();
  const owners = owner
    ? deps.catalog
        .current()
        .groups.filter((g) => g.title?.trim().toLowerCase() === owner || g.name.toLowerCase() === owner)
        .map((g) => g.ref)
    : [];
  return registerWhere(filter, { owners, privateChannels: await listablePrivateChannels(reader) });
}

/**
 * Register rows as they may be read beyond the incident channels (the page and the CSV): the free
 * text (title, service, owning team) through the PHI guard. A service is named by many incidents:
 * each name is redacted once.
 */
export function redactedRows(rows: readonly RegisterRow[]): RegisterRow[] {
  const names = new Map<string, string>();
  const name = (text: string | null) => {
    if (text === null) return null;
    let redacted = names.get(text);
    if (redacted === undefined) {
      redacted = redactForExport(text).value;
      names.set(text, redacted);
    }
    return redacted;
  };
  return rows.map((r) => ({
    ...r,
    title: redactForExport(r.title).value,
    affectedService: name(r.affectedService),
    serviceOwner: name(r.serviceOwner),
  }));
}

/** The most incidents a search looks through (every incident of a period, at the scale measured). */
export const SEARCH_CANDIDATES_MAX = 50_000;

/**
 * The incidents `where` selects, one page of them and how many: paged and counted by the database;
 * but a search by text is matched against the titles as the pages show them (through the PHI
 * guard), not as written: the database finds the candidates, and only those whose shown title
 * holds the text are kept. Otherwise part of a redacted identifier (`943 476 591`, a date of birth)
 * would be confirmed by the count, a digit at a time.
 */
export async function selected(
  deps: Pick<ServiceDeps, 'register'>,
  where: RegisterWhere,
  page: { offset: number; limit: number },
): Promise<{ rows: RegisterRow[]; total: number }> {
  if (where.text === null) return deps.register.list(where, page);
  const text = where.text;
  const kept = (await deps.register.candidates(where, SEARCH_CANDIDATES_MAX)).filter(
    (c) => c.number === where.number || redactForExport(c.title).value.toLowerCase().includes(text),
  );
  const rows = await deps.register.byIds(kept.slice(page.offset, page.offset + page.limit).map((c) => c.id));
  return { rows, total: kept.length };
}

/**
 * Page `page` (1-based, REGISTER_PAGE_SIZE rows) of the incidents `filter` selects, newest first,
 * as `reader` may see them, with the count: filtered, counted and paged by the database; their
 * text through the PHI guard (redactedRows).
 */
export async function listIncidents(
  deps: Pick<ServiceDeps, 'register' | 'catalog'>,
  input: { reader: Reader; filter: RegisterFilter; page: number },
): Promise<RegisterPage> {
  const where: RegisterWhere = await whereFor(deps, input.reader, input.filter);
  const found = await selected(deps, where, {
    offset: (input.page - 1) * REGISTER_PAGE_SIZE,
    limit: REGISTER_PAGE_SIZE,
  });
  const { total } = found;
  const rows = redactedRows(found.rows);
  const groups = new Map(deps.catalog.current().groups.map((g) => [g.ref.toLowerCase(), g.title ?? g.name]));
  const teamNames = new Map<string, string>();
  for (const r of rows) {
    const name = r.serviceOwner ? groups.get(r.serviceOwner.toLowerCase()) : undefined;
    if (name) teamNames.set(r.serviceOwner!.toLowerCase(), name);
  }
  return { filter: input.filter, rows, total, page: input.page, pages: pageCount(total), teamNames };
}
