import { z } from 'zod';
import type { AuditActor } from '../audit-context.ts';

const id = z.string().min(1).max(64);
const name = z.string().min(1).max(255);

/** The parts of a Slack request body that say who acted and through what. Anything else is ignored. */
const bodySchema = z.union([
  z.object({ command: name, user_id: id, text: z.string().optional() }),
  z.object({
    type: z.literal('block_actions'),
    user: z.object({ id }),
    actions: z.array(z.object({ action_id: name })).min(1),
  }),
  z.object({
    type: z.enum(['view_submission', 'view_closed']),
    user: z.object({ id }),
    view: z.object({ callback_id: z.string() }),
  }),
  z.object({ type: z.enum(['shortcut', 'message_action']), user: z.object({ id }), callback_id: name }),
  z.object({ type: z.literal('event_callback'), event: z.object({ type: name, user: z.string().optional() }) }),
]);

/**
 * Who a Slack request is on behalf of, for the audit trail: the member and the command
 * (`/incident sev`), button (`button incident_resolve`), form (`form declare_incident`), shortcut
 * or event (`event pin_added`) that asked.
 */
export function auditActorOf(body: unknown): AuditActor {
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) return { actor: 'slack', via: 'slack request' };
  const b = parsed.data;
  if ('command' in b) {
    const sub = (b.text ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    return { actor: b.user_id, via: sub ? `${b.command} ${sub.slice(0, 40)}` : b.command };
  }
  switch (b.type) {
    case 'block_actions':
      return { actor: b.user.id, via: `button ${b.actions[0]!.action_id}` };
    case 'view_submission':
    case 'view_closed':
      return { actor: b.user.id, via: `form ${b.view.callback_id}` };
    case 'shortcut':
    case 'message_action':
      return { actor: b.user.id, via: `shortcut ${b.callback_id}` };
    case 'event_callback':
      return {
        actor: b.event.user && id.safeParse(b.event.user).success ? b.event.user : 'slack',
        via: `event ${b.event.type}`,
      };
  }
}
