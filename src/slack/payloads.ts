import { z } from 'zod';

/** A view's private_metadata (or any JSON text Slack hands back): parsed, or null when it is not JSON. */
export function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

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
  response_url: z.url(),
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
  /** Block Kit's datetimepicker: the chosen moment in Unix seconds (the picker shows the person's own zone). */
  dateTime: z.object({ selected_date_time: z.number().int().positive().nullish() }),
};
