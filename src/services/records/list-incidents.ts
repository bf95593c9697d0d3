import {
  REGISTER_PAGE_SIZE,
  pageCount,
  registerWhere,
  type RegisterFilter,
  type RegisterRow,
  type RegisterWhere,
} from '../../domain/register.ts';
import { listablePrivateChannels, type Reader } from '../access.ts';
import type { ServiceDeps } from '../deps.ts';

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
 * whose catalog title it is, and private incidents only of the channels they are in.
 */
export async function whereFor(deps: Pick<ServiceDeps, 'catalog'>, reader: Reader, filter: RegisterFilter) {
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
 * Page `page` (1-based, REGISTER_PAGE_SIZE rows) of the incidents `filter` selects, newest first,
 * as `reader` may see them, with the count: filtered, counted and paged by the database.
 */
export async function listIncidents(
  deps: Pick<ServiceDeps, 'register' | 'catalog'>,
  input: { reader: Reader; filter: RegisterFilter; page: number },
): Promise<RegisterPage> {
  const where: RegisterWhere = await whereFor(deps, input.reader, input.filter);
  const { rows, total } = await deps.register.list(where, {
    offset: (input.page - 1) * REGISTER_PAGE_SIZE,
    limit: REGISTER_PAGE_SIZE,
  });
  const groups = new Map(deps.catalog.current().groups.map((g) => [g.ref.toLowerCase(), g.title ?? g.name]));
  const teamNames = new Map<string, string>();
  for (const r of rows) {
    const name = r.serviceOwner ? groups.get(r.serviceOwner.toLowerCase()) : undefined;
    if (name) teamNames.set(r.serviceOwner!.toLowerCase(), name);
  }
  return { filter: input.filter, rows, total, page: input.page, pages: pageCount(total), teamNames };
}
