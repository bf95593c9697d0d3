import type { InChannelCommand } from '../../domain/command.ts';
import { addNote } from '../../services/incident/add-note.ts';
import { assignRole } from '../../services/incident/assign-role.ts';
import { changeSeverity } from '../../services/incident/change-severity.ts';
import { changeStatus } from '../../services/incident/change-status.ts';
import { closeIncident } from '../../services/incident/close-incident.ts';
import { postUpdate } from '../../services/incident/post-update.ts';
import { reopenIncident } from '../../services/incident/reopen-incident.ts';
import { resolveIncident } from '../../services/incident/resolve-incident.ts';
import { setClinicalImpact } from '../../services/incident/set-clinical-impact.ts';
import { setDataBreach } from '../../services/incident/set-data-breach.ts';
import { changeHazard } from '../../services/incident/change-hazard.ts';
import { signOffClinicalSafety } from '../../services/incident/sign-off-clinical-safety.ts';
import { recordBreachNotified } from '../../services/incident/record-breach-notified.ts';
import { draftBreachNotification } from '../../services/breach/draft-breach-notification.ts';
import { approveBreachNotification } from '../../services/breach/approve-breach-notification.ts';
import { withdrawBreachNotification } from '../../services/breach/withdraw-breach-notification.ts';
import { recordNotificationSent } from '../../services/breach/record-notification-sent.ts';
import { notificationName, stateText } from '../../domain/breach-notification.ts';
import { pageOnCall } from '../../services/on-call/page-on-call.ts';
import { resolvePagedIncidents } from '../../services/on-call/resolve-paged-incidents.ts';
import { addActionItem } from '../../services/review/add-action-item.ts';
import { exportEvidence } from '../../services/audit/export-evidence.ts';
import { startFreeze } from '../../services/freeze/start-freeze.ts';
import { endFreeze } from '../../services/freeze/end-freeze.ts';
import { overrideFreeze } from '../../services/freeze/override-freeze.ts';
import { showFreeze } from '../../services/freeze/show-freeze.ts';
import { actionRef } from '../../domain/action-items.ts';
import { incidentRef } from '../../domain/incident.ts';
import { afterAck, type ListenerContext } from '../context.ts';
import { renderTimelineReply } from '../views/timeline.ts';

/**
 * Runs a command that acts on the incident of the channel it came from, for the slash command and
 * the summary's buttons alike, after the ack. Success speaks in the channel (the services post
 * notices); the person is told privately only about a refusal or an error, or shown the timeline.
 */
export function runInChannel(
  ctx: ListenerContext,
  cmd: InChannelCommand,
  who: { channelId: string; userId: string; responseUrl: string | null },
): Promise<void> {
  const { deps } = ctx;
  // The response URL reaches the author privately (e.g. when their text left the channel redacted).
  const base = { channelId: who.channelId, userId: who.userId, responseUrl: who.responseUrl };
  return afterAck(
    ctx,
    who,
    async () => {
      switch (cmd.kind) {
        case 'timeline': {
          const msg = await renderTimelineReply(deps, base);
          if (who.responseUrl) await deps.chat.replyPrivately(who.responseUrl, msg.text, msg.blocks);
          else await deps.chat.directMessage(who.userId, msg.text);
          return null;
        }
        case 'status':
          await changeStatus(deps, { ...base, status: cmd.status, message: cmd.message });
          return null;
        case 'update':
          await postUpdate(deps, { ...base, message: cmd.message });
          return null;
        case 'severity':
          await changeSeverity(deps, { ...base, severity: cmd.severity, reason: cmd.reason });
          return null;
        case 'role':
          await assignRole(deps, { ...base, role: cmd.role, assignee: cmd.userId });
          return null;
        case 'note':
          await addNote(deps, { ...base, text: cmd.text });
          return null;
        case 'resolve':
          await resolveIncident(deps, { ...base, summary: cmd.summary });
          return null;
        case 'close':
          await closeIncident(deps, base);
          return null;
        case 'reopen':
          await reopenIncident(deps, { ...base, reason: cmd.reason });
          return null;
        case 'clinical':
          await setClinicalImpact(deps, { ...base, on: cmd.on });
          return null;
        case 'clinical-signoff': {
          const { reviewItem, reviewItemAdded } = await signOffClinicalSafety(deps, { ...base, note: cmd.note });
          return reviewItem && reviewItemAdded
            ? `Signed off. ${actionRef(reviewItem)} (review the hazard log) is yours: see \`/incident actions mine\`.`
            : null;
        }
        case 'hazard':
          await changeHazard(deps, { ...base, command: cmd.command });
          return null;
        case 'breach-on':
          await setDataBreach(deps, { ...base, on: true, aware: cmd.aware });
          return null;
        case 'breach-off':
          await setDataBreach(deps, { ...base, on: false, reason: cmd.reason });
          return null;
        case 'breach-notified':
          await recordBreachNotified(deps, { ...base, reference: cmd.reference, obligation: cmd.obligation });
          return null;
        case 'breach-draft': {
          const d = await draftBreachNotification(deps, { ...base, target: cmd.target, regime: cmd.regime });
          return d.outcome === 'unchanged'
            ? `Nothing changed since version ${d.notification.version} of the notification to ${notificationName(d.notification)}: it stays ${stateText(d.notification)}.`
            : null;
        }
        case 'breach-approve':
          await approveBreachNotification(deps, { ...base, which: cmd });
          return null;
        case 'breach-withdraw':
          await withdrawBreachNotification(deps, { ...base, which: cmd, reason: cmd.reason });
          return null;
        case 'breach-sent': {
          const { obligation } = await recordNotificationSent(deps, { ...base, which: cmd, reference: cmd.reference });
          return typeof obligation === 'object'
            ? `Recorded as sent. The breach obligation it meets was not recorded as notified: ${obligation.refused}`
            : null;
        }
        case 'page':
          await pageOnCall(deps, { ...base, target: cmd.target, message: cmd.message });
          return null;
        case 'action-add': {
          const item = await addActionItem(deps, { ...base, request: cmd.request });
          return `Added ${actionRef(item)}. Track it with \`/incident actions\`.`;
        }
        case 'evidence': {
          const pack = await exportEvidence(deps, base);
          const redacted = pack.redactions
            ? ` ${pack.redactions} piece${pack.redactions === 1 ? '' : 's'} of personal data redacted.`
            : '';
          return pack.intact
            ? `Sent you the evidence for ${incidentRef({ number: pack.incidentNumber })} in a direct message: its record and ${pack.entries} audit entries, hash chain intact.${redacted}`
            : `Sent you the evidence for ${incidentRef({ number: pack.incidentNumber })} in a direct message. :warning: Its audit trail is NOT intact: see the files, and run \`npm run audit:verify\`.${redacted}`;
        }
        case 'freeze-show':
          return showFreeze(deps, base);
        case 'freeze-on':
          await startFreeze(deps, { ...base, scope: cmd.scope, reason: cmd.reason });
          return null;
        case 'freeze-off':
          await endFreeze(deps, { ...base, scope: cmd.scope });
          return null;
        case 'freeze-override':
          await overrideFreeze(deps, { ...base, service: cmd.service, reason: cmd.reason });
          return null;
        case 'resolve-pagerduty': {
          const n = await resolvePagedIncidents(deps, base);
          return `Resolved ${n} linked PagerDuty incident${n === 1 ? '' : 's'}.`;
        }
      }
    },
    { command: cmd.kind, user: who.userId, channel: who.channelId },
  );
}
