import { html } from '../html.ts';
import type { WebPage } from '../context.ts';
import { layout } from '../views/layout.ts';

/** The incident register (filled in with its filters, search, pages and CSV). */
export const INCIDENTS_PAGES: WebPage[] = [
  {
    path: '/incidents',
    method: 'GET',
    handle: async (req) => ({
      kind: 'html',
      body: layout({ title: 'Incidents', viewer: req.viewer, section: 'incidents', body: html`<h1>Incidents</h1>` }),
    }),
  },
];
