import { commandingUser } from '../../domain/access.ts';
import { SYSTEM_DECLARER, type Incident } from '../../domain/incident.ts';
import { formatInZone } from '../../domain/time.ts';

/** Slack renders `<!date…>` in each reader's own time zone; the fallback is in `fallbackZone`. */
export function slackDate(date: Date, fallbackZone = 'UTC'): string {
  const unix = Math.floor(date.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} {time}|${formatInZone(date, fallbackZone)}>`;
}

/** Who declared it: a mention, or "PagerDuty" for incidents the bot declared from an alert. */
export function declarerText(i: Pick<Incident, 'declaredBy'>): string {
  return i.declaredBy === SYSTEM_DECLARER ? 'PagerDuty' : `<@${i.declaredBy}>`;
}

/** Who should act now: the commander, else a human declarer, else whoever is in the channel. */
export function commandingText(i: Pick<Incident, 'declaredBy' | 'roles'>): string {
  const who = commandingUser(i);
  return who === SYSTEM_DECLARER ? 'Whoever is responding' : `<@${who}>`;
}

/** Escapes text for mrkdwn (Slack's three control characters). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** plain_text fields have hard limits: cut with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const TIMELINE_ICONS: Record<string, string> = {
  declared: ':rotating_light:',
  channel_created: ':hash:',
  severity_changed: ':warning:',
  status_changed: ':arrows_counterclockwise:',
  role_assigned: ':bust_in_silhouette:',
  note: ':memo:',
  status_update: ':loudspeaker:',
  resolved: ':white_check_mark:',
  closed: ':lock:',
  reopened: ':rotating_light:',
  clinical_impact: ':hospital:',
  data_breach: ':closed_lock_with_key:',
  breach_notified: ':white_check_mark:',
  pinned_message: ':pushpin:',
};

/** The emoji a timeline entry of this kind is shown with. */
export function timelineIcon(kind: string): string {
  return TIMELINE_ICONS[kind] ?? ':small_blue_diamond:';
}
