import fs from 'node:fs';
import type { WebPage } from '../context.ts';

const CSS = fs.readFileSync(new URL('../static/app.css', import.meta.url));

/** The stylesheet (public: the sign-in page uses it too), and /web itself, which is the register. */
export const STATIC_PAGES: WebPage[] = [
  {
    path: '/static/app.css',
    method: 'GET',
    public: true,
    handle: async () => ({ kind: 'file', contentType: 'text/css; charset=utf-8', body: CSS, maxAge: 3600 }),
  },
  { path: '/', method: 'GET', handle: async () => ({ kind: 'redirect', location: '/web/incidents' }) },
];
