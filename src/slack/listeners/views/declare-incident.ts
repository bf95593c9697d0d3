import type { App } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { checkAwareness } from '../../../domain/breach.ts';
import { declarationSchema, type DeclarationInput } from '../../../domain/declaration.ts';
import { AppError } from '../../../domain/errors.ts';
import { type DeclareIncidentInput, withDeclaredService } from '../../../services/incident/declare-incident.ts';
import { chosenService, searchServices } from '../../../services/incident/search-services.ts';
import { patientFacingPreset } from '../../../domain/declared-service.ts';
import { serviceLabel } from '../../../domain/catalog.ts';
import { parseSeverity } from '../../../domain/severity.ts';
import type { ListenerContext } from '../../context.ts';
import { DECLARE_MODAL } from '../../ids.ts';
import {
  declareModalMetadataSchema,
  declareModalValues,
  declareServiceChosenSchema,
  declareSubmissionSchema,
  parseJsonOrNull,
  serviceSuggestionSchema,
} from '../../payloads.ts';
import {
  blockRevision,
  declareModal,
  type DeclareModalInitial,
  SERVICE_OPTIONS_MAX,
  serviceOptions,
} from '../../views/declare-modal.ts';
import { declareAndReply, holdDeclaration, NOT_HELD } from '../declare-and-reply.ts';

const { blocks: B, actions: A, flagValues } = DECLARE_MODAL;

/** Which modal block shows the error about each declaration field. */
const FIELD_BLOCK: Record<string, string> = {
  title: B.title,
  severity: B.severity,
  description: B.description,
  affectedService: B.service,
  breachAwareAt: B.breachAware,
};

type StateValues = Record<string, Record<string, unknown>>;

/**
 * The block id a field has in this view: its own, or the revised one of a redraw that preset it
 * (`severity.2`; revisedBlockId), the latest when Slack sent both.
 */
export function blockIdIn(values: StateValues, base: string): string {
  let found = base;
  let latest = values[base] ? 0 : -1;
  for (const key of Object.keys(values)) {
    if (key.startsWith(`${base}.`) && blockRevision(key) > latest) {
      latest = blockRevision(key);
      found = key;
    }
  }
  return found;
}

function readValues(values: StateValues): DeclarationInput {
  const text = (block: string, action: string) =>
    declareModalValues.text.safeParse(values[block]?.[action]).data?.value ?? '';
  const severity = declareModalValues.select.safeParse(values[blockIdIn(values, B.severity)]?.[A.severity]).data
    ?.selected_option?.value;
  // Each flag in its block (Clinical impact's revised by a redraw); a form drawn before the flags
  // had a block each has all three in `flags`: what is ticked in any of them counts.
  const ticked = (block: string, action: string) =>
    (declareModalValues.checkboxes.safeParse(values[block]?.[action]).data?.selected_options ?? []).map((o) => o.value);
  const flags = new Set([
    ...ticked(B.private, A.private),
    ...ticked(blockIdIn(values, B.flags), A.flags),
    ...ticked(B.breach, A.breach),
    ...ticked(B.drill, A.drill),
  ]);
  const awareSeconds = declareModalValues.dateTime.safeParse(values[B.breachAware]?.[A.breachAware]).data
    ?.selected_date_time;
  const declaration: DeclarationInput = {
    title: text(B.title, A.title),
    severity: severity as DeclarationInput['severity'],
    description: text(B.description, A.description),
    // Typed (no catalog), or chosen from the catalog search.
    affectedService:
      text(B.service, A.service) ||
      (declareModalValues.externalSelect.safeParse(values[B.service]?.[A.service]).data?.selected_option?.value ?? ''),
    isPrivate: flags.has(flagValues.private),
    clinicalImpact: flags.has(flagValues.clinical),
  };
  if (flags.has(flagValues.drill)) declaration.drill = true;
  // An awareness time says it is a breach, ticked or not: it is never dropped.
  if (flags.has(flagValues.breach) || awareSeconds) declaration.dataBreach = true;
  if (awareSeconds) declaration.breachAwareAt = new Date(awareSeconds * 1000);
  return declaration;
}

/** The declare modal's submission: field errors show in the form; otherwise it closes and declaring runs. */
export function registerDeclareSubmission(app: App, ctx: ListenerContext): void {
  app.view(DECLARE_MODAL.callbackId, async ({ ack, body }) => {
    const parsed = declareSubmissionSchema.safeParse(body);
    if (!parsed.success) {
      await ack({
        response_action: 'errors',
        errors: { [B.title]: 'Slack sent an incomplete form. Please try again.' },
      });
      return;
    }
    const { view, user } = parsed.data;
    const declaration = readValues(view.state.values);
    const check = declarationSchema.safeParse(declaration);
    if (!check.success) {
      const errors: Record<string, string> = {};
      for (const issue of check.error.issues) {
        const block = blockIdIn(view.state.values, FIELD_BLOCK[String(issue.path[0])] ?? B.title);
        errors[block] = errors[block] ? `${errors[block]} ${issue.message}` : issue.message;
      }
      await ack({ response_action: 'errors', errors });
      return;
    }
    if (declaration.breachAwareAt) {
      try {
        checkAwareness(declaration.breachAwareAt, ctx.deps.clock.now(), ctx.deps.settings.defaultTimeZone);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        await ack({ response_action: 'errors', errors: { [B.breachAware]: err.userMessage } });
        return;
      }
    }
    const meta = declareModalMetadataSchema.safeParse(parseJsonOrNull(view.private_metadata)).data ?? {
      responseUrl: null,
      channelId: null,
    };
    let input: DeclareIncidentInput;
    try {
      // A service the catalog does not know (it was renamed or removed since it was offered) stays in the form.
      input = withDeclaredService(ctx.deps, {
        declareKey: `view:${view.id}`,
        declaration,
        declaredBy: user.id,
        originChannelId: meta.channelId,
        responseUrl: meta.responseUrl,
        via: 'modal' as const,
      });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await ack({ response_action: 'errors', errors: { [B.service]: err.userMessage } });
      return;
    }
    // The form stays open with the reason when the declaration cannot be held: nothing is lost.
    if (!(await holdDeclaration(ctx, input))) {
      await ack({ response_action: 'errors', errors: { [B.title]: NOT_HELD } });
      return;
    }
    await ack();
    await declareAndReply(ctx, input);
  });
}

/**
 * The declare form's service search (with a catalog): what was typed so far, answered with up to
 * 100 matching catalog services within Slack's 3 seconds (the catalog is in memory). Anything
 * else asking for options gets none.
 */
export async function answerServiceSearch(
  ctx: ListenerContext,
  { body, ack }: { body: unknown; ack: (answer: ReturnType<typeof serviceOptions>) => Promise<void> },
): Promise<void> {
  const parsed = serviceSuggestionSchema.safeParse(body);
  if (!parsed.success || parsed.data.action_id !== A.service || parsed.data.block_id !== B.service) {
    await ack({ options: [] });
    return;
  }
  await ack(serviceOptions(searchServices(ctx.deps, parsed.data.value, SERVICE_OPTIONS_MAX)));
}

/** The options listener: every block_suggestion is answered at once (none but the service search's get options). */
export function registerServiceSearch(app: App, ctx: ListenerContext): void {
  app.options<'block_suggestion'>({ type: 'block_suggestion' }, async ({ body, ack }) => {
    await answerServiceSearch(ctx, { body, ack: (answer) => ack(answer) });
  });
}

/** What the declare form's redraw needs of Slack's Web API. */
export interface ViewUpdater {
  views: { update(args: { view_id: string; hash: string; view: ModalView }): Promise<unknown> };
}

/**
 * A service chosen in the declare form (dispatch_action on the catalog search): acked at once; for
 * a patient-facing service the form is redrawn (views.update, with the view's hash so a newer
 * state of the form is never overwritten) with everything typed so far, SEV2 preset when the
 * severity chosen is lower or none, Clinical impact ticked, and the hint saying why; Private
 * incident and Personal data breach keep their blocks (Slack keeps what is ticked in them). Any other
 * service changes nothing. A redraw that fails (the form changed meanwhile, or was closed) is
 * logged: the form stays as it is.
 */
export async function handleServiceChosen(
  ctx: ListenerContext,
  { body, ack, client }: { body: unknown; ack: () => Promise<void>; client: ViewUpdater },
): Promise<void> {
  await ack();
  const parsed = declareServiceChosenSchema.safeParse(body);
  if (!parsed.success || parsed.data.view.callback_id !== DECLARE_MODAL.callbackId) return;
  const { view } = parsed.data;
  const action = parsed.data.actions.find((a) => a.action_id === A.service && a.block_id === B.service);
  const name = action?.selected_option?.value;
  if (!name) return;
  const service = chosenService(ctx.deps, name);
  const values = view.state.values;
  const typed = readValues(values);
  const preset = patientFacingPreset(service, parseSeverity(typed.severity ?? '') ?? null);
  if (!service || !preset) return;
  const meta = declareModalMetadataSchema.safeParse(parseJsonOrNull(view.private_metadata)).data ?? {
    responseUrl: null,
    channelId: null,
  };
  const flags = new Set([
    ...(typed.isPrivate ? [flagValues.private] : []),
    flagValues.clinical,
    ...(typed.dataBreach ? [flagValues.breach] : []),
    ...(typed.drill ? [flagValues.drill] : []),
  ]);
  const initial: DeclareModalInitial = {
    ...(typed.title ? { title: typed.title } : {}),
    severity: preset.severity,
    ...(typed.description ? { description: typed.description } : {}),
    service,
    flags: [...flags],
    ...(typed.breachAwareAt ? { breachAwareAt: Math.floor(typed.breachAwareAt.getTime() / 1000) } : {}),
  };
  // A new block id for severity and Clinical impact: Slack keeps what an input shows over its
  // initial_* otherwise. Private incident and Personal data breach keep theirs, so a tick made
  // after Slack sent this state (before the redraw lands) is kept by Slack, never undone.
  const revision = blockRevision(blockIdIn(values, B.severity)) + 1;
  try {
    await client.views.update({
      view_id: view.id,
      hash: view.hash,
      view: declareModal(meta, { catalog: true, initial, patientFacing: serviceLabel(service), revision }),
    });
  } catch (err) {
    ctx.deps.logger.warn({ err, viewId: view.id }, 'the declare form was not redrawn for a patient-facing service');
  }
}

/** The declare form's service choice (block_actions from the modal). */
export function registerServiceChosen(app: App, ctx: ListenerContext): void {
  app.action({ block_id: B.service, action_id: A.service }, async ({ ack, body, client }) => {
    await handleServiceChosen(ctx, { body, ack: () => ack(), client: client as unknown as ViewUpdater });
  });
}
