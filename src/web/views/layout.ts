import { html, renderDocument, type VNode } from '../html.ts';
import type { Viewer } from '../context.ts';

/** The sections of the web view, in the order the navigation lists them. */
export const SECTIONS = [
  { id: 'incidents', label: 'Incidents', href: '/web/incidents' },
  { id: 'insights', label: 'Insights', href: '/web/insights' },
  { id: 'on-call', label: 'On-call load', href: '/web/on-call' },
  { id: 'backlog', label: 'Backlog', href: '/web/backlog' },
  { id: 'evidence', label: 'Evidence', href: '/web/evidence' },
] as const;
export type SectionId = (typeof SECTIONS)[number]['id'];

/**
 * A page of the web view: its title, the navigation (the current section marked), who is signed in
 * with the sign-out button (a form carrying the CSRF token), and the content.
 */
export function layout(opts: {
  title: string;
  viewer: Viewer | null;
  section?: SectionId;
  body: VNode | VNode[];
}): string {
  const { title, viewer, section, body } = opts;
  return renderDocument(html`
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>${title} · Incident Bot</title>
        <link rel="stylesheet" href="/web/static/app.css" />
        <link rel="icon" href="data:," />
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/web/incidents">Incident Bot</a>
          ${
            viewer &&
            html`<nav aria-label="Sections">
              <ul>
                ${SECTIONS.map(
                  (s) =>
                    html`<li><a href=${s.href} aria-current=${s.id === section ? 'page' : undefined}>${s.label}</a></li>`,
                )}
              </ul>
            </nav>
            <form class="signout" method="post" action="/web/signout">
              <span class="who">${viewer.name}</span>
              <input type="hidden" name="csrf" value=${viewer.csrfToken} />
              <button type="submit">Sign out</button>
            </form>`
          }
        </header>
        <main id="main">${body}</main>
      </body>
    </html>
  `);
}

/** A page that says what went wrong (400, 403, 404, 500), with each detail as a list item. */
export function errorPage(opts: {
  status: number;
  message: string;
  details?: readonly string[];
  viewer: Viewer | null;
}): string {
  const heading =
    opts.status === 400
      ? 'That request is not right'
      : opts.status === 403
        ? 'Not allowed'
        : opts.status === 404
          ? 'Not found'
          : 'Something went wrong';
  return layout({
    title: heading,
    viewer: opts.viewer,
    body: html`<h1>${heading}</h1>
      <p class="problem">${opts.message}</p>
      ${opts.details?.length ? html`<ul class="problems">${opts.details.map((d) => html`<li>${d}</li>`)}</ul>` : null}
      <p><a href="/web/incidents">Back to the incidents</a></p>`,
  });
}
