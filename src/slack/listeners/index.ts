import type { App } from '@slack/bolt';
import type { ListenerContext } from '../context.ts';
import { registerSummaryActions } from './actions/summary.ts';
import { registerIncidentCommand } from './commands/incident.ts';
import { registerMessageEvents } from './events/messages.ts';
import { registerPinEvents } from './events/pins.ts';
import { registerDeclareSubmission } from './views/declare-incident.ts';
import { registerIncidentForms } from './views/incident-forms.ts';

/** Every Slack listener, grouped by kind. */
export function registerListeners(app: App, ctx: ListenerContext): void {
  // commands
  registerIncidentCommand(app, ctx);
  // views
  registerDeclareSubmission(app, ctx);
  registerIncidentForms(app, ctx);
  // actions
  registerSummaryActions(app, ctx);
  // events
  registerPinEvents(app, ctx);
  registerMessageEvents(app, ctx);
}
