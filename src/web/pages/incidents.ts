import { peopleFor } from '../people.ts';
import { registerFilterOf, REGISTER_QUERY, type RegisterQuery } from '../../domain/register.ts';
import { exportIncidents } from '../../services/records/export-incidents.ts';
import { listIncidents } from '../../services/records/list-incidents.ts';
import { WebError, type WebDeps, type WebPage, type WebRequest } from '../context.ts';
import { PARAMETERS_PROBLEM, parseQuery } from '../query.ts';
import { readerOf } from '../reader.ts';
import { layout } from '../views/layout.ts';
import { registerView } from '../views/register.ts';

/** The register's filter from the address, in the viewer's zone (a 400 page naming each problem). */
function filterOf(req: WebRequest, web: WebDeps) {
  const query = parseQuery(req.url, REGISTER_QUERY) as RegisterQuery;
  const found = registerFilterOf(query, { now: web.deps.clock.now(), timeZone: req.viewer!.timeZone });
  if ('problem' in found) throw new WebError(400, PARAMETERS_PROBLEM, [found.problem]);
  return found;
}

/** The incident register: filtered, searched and paged by the database; and the same list as CSV. */
export const INCIDENTS_PAGES: WebPage[] = [
  {
    path: '/incidents',
    method: 'GET',
    handle: async (req, web) => {
      const { filter, page } = filterOf(req, web);
      const list = await listIncidents(web.deps, { reader: readerOf(web, req.viewer!), filter, page });
      return {
        kind: 'html',
        body: layout({
          title: 'Incidents',
          viewer: req.viewer,
          section: 'incidents',
          body: registerView(
            list,
            await peopleFor(
              web,
              list.rows.map((r) => r.commanderId),
            ),
          ),
        }),
      };
    },
  },
  {
    path: '/incidents.csv',
    method: 'GET',
    handle: async (req, web) => {
      const { filter } = filterOf(req, web);
      const out = await exportIncidents(web.deps, { reader: readerOf(web, req.viewer!), filter });
      web.logger.info(
        { user: req.viewer!.userId, rows: out.rows, total: out.total, from: filter.from, to: filter.to },
        'incident register exported as CSV',
      );
      return { kind: 'file', contentType: 'text/csv; charset=utf-8', filename: out.filename, body: out.csv };
    },
  },
];
