import type { App } from '@slack/bolt';
import type { ListenerContext } from '../context.ts';
import { registerIncidentCommand } from './commands/incident.ts';
import { registerDeclareSubmission } from './views/declare-incident.ts';

/** Every Slack listener, grouped by kind. */
export function registerListeners(app: App, ctx: ListenerContext): void {
  // commands
  registerIncidentCommand(app, ctx);
  // views
  registerDeclareSubmission(app, ctx);
  // actions
  // events
}
