import type { WebPage } from '../context.ts';

/** Filled in with its pages. */
export const INCIDENT_PAGES: WebPage[] = [];
