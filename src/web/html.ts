// HTML for the web view: htm's tagged templates over Preact's h(), rendered to a string on the
// server (no script reaches the browser). Every value interpolated is escaped by the renderer, so a
// title or a timeline entry can never become markup.
import { html as bound } from 'htm/preact';
import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';

export type { VNode } from 'preact';

/** `html\`<p>${text}</p>\``: a Preact element (text and attributes escaped when rendered). */
export const html = bound as (strings: TemplateStringsArray, ...values: unknown[]) => VNode;

/** A whole document: the doctype and the rendered element. */
export function renderDocument(root: VNode): string {
  return `<!doctype html>${render(root)}`;
}

/** An element rendered alone (a fragment of a page, e.g. in a test). */
export function renderFragment(node: VNode): string {
  return render(node);
}
