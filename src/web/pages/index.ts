import type { WebPage } from '../context.ts';
import { AUTH_PAGES } from './auth.ts';
import { BACKLOG_PAGES } from './backlog.ts';
import { EVIDENCE_PAGES } from './evidence.ts';
import { INCIDENT_PAGES } from './incident.ts';
import { INCIDENTS_PAGES } from './incidents.ts';
import { INSIGHTS_PAGES } from './insights.ts';
import { ON_CALL_PAGES } from './on-call.ts';
import { STATIC_PAGES } from './static.ts';

/** Every page of the web view (paths under /web). */
export const WEB_PAGES: readonly WebPage[] = [
  ...STATIC_PAGES,
  ...AUTH_PAGES,
  ...INCIDENTS_PAGES,
  ...INCIDENT_PAGES,
  ...INSIGHTS_PAGES,
  ...ON_CALL_PAGES,
  ...BACKLOG_PAGES,
  ...EVIDENCE_PAGES,
];
