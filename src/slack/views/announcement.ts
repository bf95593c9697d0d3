import { EXERCISE_BANNER } from '../../domain/drill.ts';
import { incidentRef, type Incident } from '../../domain/incident.ts';
import { SEVERITY_INFO, severityText } from '../../domain/severity.ts';
import { declarerText, escapeMrkdwn, mrkdwnSection, slackDate } from './format.ts';
import type { SlackMessage } from './incident-summary.ts';

/**
 * The broadcast-channel announcement of a new (non-private) incident. A drill is announced too (the
 * team rehearses the whole flow), under the exercise banner so nobody takes it for a real incident.
 */
export function incidentAnnouncement(i: Incident, timeZone = 'UTC'): SlackMessage {
  const ref = incidentRef(i);
  const what = i.nearMiss ? 'Near miss recorded' : `${severityText(i.severity)} incident declared`;
  const lines = [
    ...(i.drill ? [EXERCISE_BANNER] : []),
    `${i.nearMiss ? ':large_yellow_circle:' : SEVERITY_INFO[i.severity].emoji} *${what}: ${ref} ${escapeMrkdwn(i.title)}*`,
    `${i.nearMiss ? 'Review it in' : 'Join'} <#${i.channelId}> · ${i.nearMiss ? 'recorded' : 'declared'} by ${declarerText(i)} ${slackDate(i.createdAt, timeZone)}`,
  ];
  if (i.affectedService) lines.push(`Affected service: ${escapeMrkdwn(i.affectedService)}`);
  if (i.clinicalImpact) lines.push(':hospital: Clinical impact reported');
  return {
    text: i.drill
      ? `EXERCISE (drill, no real impact): ${ref} ${i.severity} declared: ${escapeMrkdwn(i.title)}`
      : i.nearMiss
        ? `${ref} near miss recorded: ${escapeMrkdwn(i.title)}`
        : `${ref} ${i.severity} incident declared: ${escapeMrkdwn(i.title)}`,
    blocks: [mrkdwnSection(lines.join('\n'))],
  };
}
