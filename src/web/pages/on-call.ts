import type { WebPage } from '../context.ts';

/** Filled in with its pages. */
export const ON_CALL_PAGES: WebPage[] = [];
