import { html } from '../html.ts';
import type { WebPage } from '../context.ts';
import { endSession } from '../session.ts';
import { layout } from '../views/layout.ts';

/** Sign-out (a form with the CSRF token: the session ends in the database and the cookie is cleared) and the page after it. */
export const AUTH_PAGES: WebPage[] = [
  {
    path: '/signout',
    method: 'POST',
    handle: async (req, web) => ({
      kind: 'redirect',
      location: '/web/signed-out',
      cookies: [await endSession(web, req.cookies)],
    }),
  },
  {
    path: '/signed-out',
    method: 'GET',
    public: true,
    handle: async () => ({
      kind: 'html',
      body: layout({
        title: 'Signed out',
        viewer: null,
        body: html`<h1>Signed out</h1>
          <p>You are signed out of the incident bot's web view.</p>
          <p><a href="/web/signin">Sign in with Slack</a></p>`,
      }),
    }),
  },
];
