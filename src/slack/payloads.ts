import { z } from 'zod';
import { ACTION_FILTERS, ACTION_STATUSES, TRACKER_FILTERS } from '../domain/action-items.ts';
import { ACTION_PRIORITIES, isCalendarDate } from '../domain/review.ts';
import { cleanUnstorable } from '../domain/storable-text.ts';

/**
 * A view's private_metadata (or any JSON text Slack hands back): parsed, or null when it is not
 * JSON. JSON inside a payload's string is parsed only here, so its text is made storable here too
 * (an escaped `\u0000` in it is U+0000 only once parsed).
 */
export function parseJsonOrNull(text: string): unknown {
  try {
    return cleanUnstorable(JSON.parse(text)).value;
  } catch {
    return null;
  }
}

/** The "Next" button's value under an `/incident actions` listing (views/action-items.ts ActionListPage). */
export const actionListPageSchema = z.object({
  f: z.enum(ACTION_FILTERS),
  t: z.enum(TRACKER_FILTERS).optional(),
  s: z.number().int().min(0).max(1_000_000),
  c: z.object({
    s: z.enum(ACTION_STATUSES),
    d: z.string().refine(isCalendarDate, { message: 'not a calendar date' }).nullable(),
    p: z.enum(ACTION_PRIORITIES),
    n: z.number().int().min(1).max(2_147_483_647),
  }),
});

/** Slack escapes &, < and > in command text; everything after this sees what the user typed. */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The parts of a slash command payload the bot relies on; anything else is ignored. */
export const slashCommandSchema = z.object({
  text: z.string().default('').transform(unescapeSlackText),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  trigger_id: z.string().min(1),
  /** Null when Slack sent none, or one that is not Slack's (removed by screenResponseUrls): answers go by direct message. */
  response_url: z
    .url()
    .nullish()
    .transform((v) => v ?? null),
});

export const declareModalMetadataSchema = z.object({
  responseUrl: z.url().nullable(),
  channelId: z.string().nullable(),
});

/** A view_submission of the declare modal: Slack's state.values, typed. */
const textValue = z.object({ type: z.literal('plain_text_input'), value: z.string().nullish() });
export const declareSubmissionSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    id: z.string().min(1),
    private_metadata: z.string().default(''),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
});
export const declareModalValues = {
  text: textValue,
  select: z.object({ selected_option: z.object({ value: z.string() }).nullish() }),
  checkboxes: z.object({ selected_options: z.array(z.object({ value: z.string() })).default([]) }),
  /** The service search (with a catalog): the chosen service's name. */
  externalSelect: z.object({
    type: z.literal('external_select'),
    selected_option: z.object({ value: z.string().max(255) }).nullish(),
  }),
  /** Block Kit's datetimepicker: the chosen moment in Unix seconds (the picker shows the person's own zone). */
  dateTime: z.object({ selected_date_time: z.number().int().positive().nullish() }),
};

/** A service chosen in the declare form (block_actions from the modal: dispatch_action on the service search). */
export const declareServiceChosenSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    id: z.string().min(1),
    hash: z.string().min(1),
    callback_id: z.string(),
    private_metadata: z.string().default(''),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
  actions: z
    .array(
      z.object({
        action_id: z.string(),
        block_id: z.string(),
        selected_option: z.object({ value: z.string().max(255) }).nullish(),
      }),
    )
    .min(1),
});

/** What the declare form's service search sends as it is typed in (Slack's block_suggestion). */
export const serviceSuggestionSchema = z.object({
  type: z.literal('block_suggestion'),
  user: z.object({ id: z.string().min(1) }),
  action_id: z.string(),
  block_id: z.string(),
  /** What was typed so far (empty with min_query_length 0); longer than any service name is cut. */
  value: z
    .string()
    .default('')
    .transform((v) => v.slice(0, 200)),
});

// ---- The envelope of every delivery -------------------------------------------------------------
// What any request to /slack/events (or any Socket Mode delivery) must look like before Bolt sees
// it: the fields Bolt itself reads to route a delivery (a missing or null one made it throw), each
// of the right type. The listeners then check the parts they use.

const object = z.looseObject({});
const named = z.looseObject({ id: z.string().min(1) });
/** `team` and `enterprise` are null for org-wide installs. */
const orgRefs = { team: named.nullish(), enterprise: named.nullish() };
const responseUrls = {
  response_url: z.string().optional(),
  response_urls: z.array(z.looseObject({ response_url: z.string() })).optional(),
};
const viewEnvelope = z.looseObject({
  id: z.string().min(1),
  callback_id: z.string(),
  type: z.string().optional(),
  private_metadata: z.string().optional(),
  hash: z.string().optional(),
  app_installed_team_id: z.string().nullish(),
  state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), object)) }).optional(),
});
/** Bolt routes on the first of these it finds (event, command, name, actions): none may be out of place. */
const absent = z.undefined().optional();
const notAnEvent = { event: absent, command: absent };
const interaction = {
  ...notAnEvent,
  name: absent,
  user: named,
  ...orgRefs,
  ...responseUrls,
  channel: named.nullish(),
  trigger_id: z.string().optional(),
  actions: z.array(object).optional(),
};

const eventCallbackEnvelope = z.looseObject({
  type: z.literal('event_callback'),
  command: absent,
  event_id: z.string().min(1),
  team_id: z.string().optional(),
  enterprise_id: z.string().nullish(),
  authorizations: z.array(object).optional(),
  event: z.looseObject({
    type: z.string().min(1),
    user: z.union([z.string(), object]).optional(),
    channel: z.union([z.string(), object]).optional(),
    channel_id: z.string().optional(),
    item: object.optional(),
    subteam: object.optional(),
  }),
});

/** Form-encoded, so every field is one string (a repeated field would be an array). */
const commandEnvelope = z
  .object({
    event: absent,
    command: z.string().startsWith('/'),
    user_id: z.string().min(1),
    channel_id: z.string().min(1),
    team_id: z.string().optional(),
    text: z.string().optional(),
    trigger_id: z.string().optional(),
    response_url: z.string().optional(),
  })
  .catchall(z.string());

// Bolt takes any action with an action_id for a block action and its listeners read block_id as a
// string (a listener matching block ids by pattern calls block_id.match): both must be strings.
const action = z.looseObject({
  action_id: z.string().min(1),
  block_id: z.string(),
  type: z.string().optional(),
});

/** A legacy attachment's action: none of Slack's carry an action_id; one that does is a block action's shape. */
const legacyAction = object.refine(
  (a) => a.action_id === undefined || (typeof a.action_id === 'string' && typeof a.block_id === 'string'),
  'an action with an action_id needs a block_id, both strings',
);

const interactionEnvelope = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('block_actions'),
    ...interaction,
    actions: z.array(action).min(1),
    view: viewEnvelope.optional(),
    container: object.optional(),
  }),
  z.looseObject({
    type: z.literal('interactive_message'),
    ...interaction,
    callback_id: z.string(),
    actions: z.array(legacyAction).min(1),
  }),
  z.looseObject({ type: z.literal('view_submission'), ...interaction, view: viewEnvelope }),
  z.looseObject({ type: z.literal('view_closed'), ...interaction, view: viewEnvelope }),
  z.looseObject({
    type: z.literal('shortcut'),
    ...interaction,
    callback_id: z.string().min(1),
    trigger_id: z.string().min(1),
  }),
  z.looseObject({
    type: z.literal('message_action'),
    ...interaction,
    callback_id: z.string().min(1),
    trigger_id: z.string().min(1),
    message: object,
  }),
  z.looseObject({
    type: z.literal('block_suggestion'),
    ...interaction,
    action_id: z.string().min(1),
    block_id: z.string(),
    value: z.string(),
  }),
]);

/** Slack's handshake when the request URL is set, answered by Bolt. */
const urlVerification = z.looseObject({ type: z.literal('url_verification'), challenge: z.string().min(1).max(1000) });
/** Slack stopped sending events for a minute: nothing to do but say so. */
export const appRateLimitedSchema = z.looseObject({
  type: z.literal('app_rate_limited'),
  minute_rate_limited: z.number().optional(),
});

/** Every kind of delivery the bot accepts; anything else is refused (HTTP 400, or dropped in Socket Mode). */
export const slackEnvelopeSchema = z.union([
  commandEnvelope,
  eventCallbackEnvelope,
  interactionEnvelope,
  urlVerification,
  appRateLimitedSchema,
]);

/**
 * The paths and messages of a refused envelope's first few problems, for the log (never the
 * values). Of a union's alternatives, the one that came closest (fewest problems) is reported.
 */
export function envelopeProblems(error: z.ZodError): string[] {
  const flat = (issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): string[] =>
    issues.flatMap((i) => {
      const path = [...prefix, ...i.path];
      if (i.code === 'invalid_union' && i.errors.length) {
        const closest = [...i.errors].sort((a, b) => a.length - b.length)[0]!;
        if (closest.length) return flat(closest, path);
      }
      return [`${path.map(String).join('.') || '(body)'}: ${i.message}`];
    });
  return flat(error.issues, []).slice(0, 5);
}
