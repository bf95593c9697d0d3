import type { App } from '@slack/bolt';
import { z } from 'zod';
import { MESSAGE_MAX, type InChannelCommand } from '../../../domain/command.ts';
import { ROLES, type RoleName } from '../../../domain/incident.ts';
import type { ListenerContext } from '../../context.ts';
import { INCIDENT_MODALS as M } from '../../ids.ts';
import { parseJsonOrNull } from '../../payloads.ts';
import { runInChannel } from '../in-channel.ts';
import { parseHazardCommand } from '../../../domain/clinical-safety.ts';
import { AppError } from '../../../domain/errors.ts';

const submission = z.object({
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
});
const metadata = z.object({ channelId: z.string().min(1) });
const text = z.object({ value: z.string().nullish() });
const select = z.object({ selected_option: z.object({ value: z.string() }).nullish() });
const user = z.object({ selected_user: z.string().nullish() });

type Parsed = { ok: true; cmd: InChannelCommand } | { ok: false; errors: Record<string, string> };

function readForm(callbackId: string, values: Record<string, Record<string, unknown>>): Parsed {
  const field = (block: string, action: string) => values[block]?.[action];
  const message = (block: string, action: string) => {
    const value = (text.safeParse(field(block, action)).data?.value ?? '').trim();
    if (!value) return { error: { [block]: 'Write something first.' } };
    if (value.length > MESSAGE_MAX) return { error: { [block]: `At most ${MESSAGE_MAX} characters.` } };
    return { value };
  };
  switch (callbackId) {
    case M.update.callbackId: {
      const m = message(M.update.block, M.update.action);
      return m.error ? { ok: false, errors: m.error } : { ok: true, cmd: { kind: 'update', message: m.value! } };
    }
    case M.note.callbackId: {
      const m = message(M.note.block, M.note.action);
      return m.error ? { ok: false, errors: m.error } : { ok: true, cmd: { kind: 'note', text: m.value! } };
    }
    case M.hazard.callbackId:
      return readHazardForm(values);
    default: {
      const role = select.safeParse(field(M.role.roleBlock, M.role.roleAction)).data?.selected_option?.value;
      const userId = user.safeParse(field(M.role.userBlock, M.role.userAction)).data?.selected_user;
      const errors: Record<string, string> = {};
      if (!role || !ROLES.includes(role as RoleName)) errors[M.role.roleBlock] = 'Pick a role.';
      if (!userId) errors[M.role.userBlock] = 'Pick a person.';
      return Object.keys(errors).length
        ? { ok: false, errors }
        : { ok: true, cmd: { kind: 'role', role: role as RoleName, userId: userId! } };
    }
  }
}

/**
 * The hazard form, through the command's own parser (the same words and checks as
 * `/incident hazard add`): each refusal shown at its field; the risk after needs both or neither.
 */
function readHazardForm(values: Record<string, Record<string, unknown>>): Parsed {
  const H = M.hazard;
  const input = (block: string) => (text.safeParse(values[block]?.[`${block}_input`]).data?.value ?? '').trim();
  const choice = (block: string) => select.safeParse(values[block]?.[`${block}_input`]).data?.selected_option?.value;
  const errors: Record<string, string> = {};
  const id = input(H.idBlock);
  const title = input(H.titleBlock).replace(/\s+/g, ' ');
  const [bl, bs, al, as] = [
    choice(H.beforeLikelihoodBlock),
    choice(H.beforeSeverityBlock),
    choice(H.afterLikelihoodBlock),
    choice(H.afterSeverityBlock),
  ];
  if (!bl) errors[H.beforeLikelihoodBlock] = 'Pick the likelihood before.';
  if (!bs) errors[H.beforeSeverityBlock] = 'Pick the severity before.';
  if (!!al !== !!as)
    errors[al ? H.afterSeverityBlock : H.afterLikelihoodBlock] =
      'Give both the likelihood and the severity after, or neither.';
  if (!id || /\s/.test(id)) errors[H.idBlock] = 'Give the hazard-log id: letters, digits and dashes (e.g. HAZ-012).';
  if (!title) errors[H.titleBlock] = 'Give the hazard its title from the hazard log.';
  if (Object.keys(errors).length) return { ok: false, errors };
  const words = ['add', id, ...title.split(' '), `before:${bl}/${bs}`, ...(al ? [`after:${al}/${as}`] : [])];
  try {
    return { ok: true, cmd: { kind: 'hazard', command: parseHazardCommand(words) } };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const block = /hazard id/.test(err.userMessage)
      ? H.idBlock
      : /title|comes after|ratings/.test(err.userMessage)
        ? H.titleBlock
        : H.beforeLikelihoodBlock;
    return { ok: false, errors: { [block]: err.userMessage } };
  }
}

/**
 * The summary's forms: empty or invalid fields show in the form; otherwise it closes and the same
 * service as the slash command runs. A refusal is sent to the person privately.
 */
export function registerIncidentForms(app: App, ctx: ListenerContext): void {
  const ids = new RegExp(`^(${M.update.callbackId}|${M.note.callbackId}|${M.role.callbackId}|${M.hazard.callbackId})$`);
  app.view(ids, async ({ ack, body }) => {
    const parsed = submission.safeParse(body);
    const meta = parsed.success ? metadata.safeParse(parseJsonOrNull(parsed.data.view.private_metadata)) : null;
    if (!parsed.success || !meta?.success) {
      await ack({
        response_action: 'errors',
        errors: { [M.update.block]: 'Slack sent an incomplete form. Please try again.' },
      });
      return;
    }
    const form = readForm(parsed.data.view.callback_id, parsed.data.view.state.values);
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    await ack();
    await runInChannel(ctx, form.cmd, {
      channelId: meta.data.channelId,
      userId: parsed.data.user.id,
      responseUrl: null,
    });
  });
}
