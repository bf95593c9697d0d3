import type { App } from '@slack/bolt';
import type { ListenerContext } from '../context.ts';
import { registerSummaryActions } from './actions/summary.ts';
import { registerActionItemControls, registerActionListPages } from './actions/action-items.ts';
import { registerReviewActions } from './actions/review.ts';
import { registerTimelinePages } from './actions/timeline.ts';
import { registerBreachNotificationActions } from './actions/breach-notifications.ts';
import { registerAppHome } from './events/app-home.ts';
import { registerReviewForm } from './views/review-form.ts';
import { registerIncidentCommand } from './commands/incident.ts';
import { registerMessageEvents } from './events/messages.ts';
import { registerPinEvents } from './events/pins.ts';
import { registerDeclareSubmission, registerServiceChosen, registerServiceSearch } from './views/declare-incident.ts';
import { registerIncidentForms } from './views/incident-forms.ts';
import { registerBreachAssessmentForm } from './views/breach-assessment-form.ts';

/** Every Slack listener, grouped by kind. */
export function registerListeners(app: App, ctx: ListenerContext): void {
  // commands
  registerIncidentCommand(app, ctx);
  // views
  registerDeclareSubmission(app, ctx);
  registerServiceSearch(app, ctx);
  registerServiceChosen(app, ctx);
  registerIncidentForms(app, ctx);
  registerBreachAssessmentForm(app, ctx);
  registerReviewForm(app, ctx);
  // actions
  registerSummaryActions(app, ctx);
  registerReviewActions(app, ctx);
  registerActionItemControls(app, ctx);
  registerActionListPages(app, ctx);
  registerTimelinePages(app, ctx);
  registerBreachNotificationActions(app, ctx);
  // events
  registerPinEvents(app, ctx);
  registerMessageEvents(app, ctx);
  registerAppHome(app, ctx);
}
