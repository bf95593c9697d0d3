import { formatInZone } from '../../domain/time.ts';

/** Slack renders `<!date…>` in each reader's own time zone; the fallback is in `fallbackZone`. */
export function slackDate(date: Date, fallbackZone = 'UTC'): string {
  const unix = Math.floor(date.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} {time}|${formatInZone(date, fallbackZone)}>`;
}

/** Escapes text for mrkdwn (Slack's three control characters). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** plain_text fields have hard limits: cut with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
