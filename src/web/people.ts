// People on the pages by their names, not their Slack ids: leads and auditors read "Alice Zoë",
// not "U0A1B2C3". Names are asked of Slack (users.info) and kept an hour; an id Slack does not
// know, or anything that is not a Slack member (`pagerduty`, `bot`, `github:octocat`), shows as is.
import type { WebDeps } from './context.ts';

/** The name to show for an id (the id itself when no name is known; '—' for none). */
export type People = (id: string | null | undefined) => string;

const SLACK_MEMBER = /^[UW][A-Z0-9]{2,}$/;

/** Names for the ids a page shows, in one go. */
export async function peopleFor(
  web: Pick<WebDeps, 'namesOf'>,
  ids: Iterable<string | null | undefined>,
): Promise<People> {
  const wanted = [...new Set([...ids].filter((id): id is string => !!id && SLACK_MEMBER.test(id)))];
  const names = wanted.length ? await web.namesOf(wanted) : new Map<string, string>();
  return (id) => (id ? (names.get(id) ?? id) : '—');
}
