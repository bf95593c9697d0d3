import type { z } from 'zod';
import type { IncidentCommand } from '../../../../domain/command.ts';
import type { Declaration } from '../../../../domain/declaration.ts';
import type { ListenerContext } from '../../../context.ts';
import type { slashCommandSchema } from '../../../payloads.ts';
import type { ViewOpener } from '../../review-form.ts';

/** `/incident …` as parsed before the ack: a declaration's text is parsed too (bad input is answered in the ack). */
export type ParsedIncidentCommand =
  | Exclude<IncidentCommand, { kind: 'declare' }>
  | (Omit<Extract<IncidentCommand, { kind: 'declare' }>, 'declaration'> & { declaration: Declaration });

/** The slash command payload, as checked (slashCommandSchema). */
export type SlashCommand = z.infer<typeof slashCommandSchema>;

/** Answers Slack within its 3 s: with nothing, or with a private (ephemeral) message. */
export type CommandAck = (answer?: { response_type: 'ephemeral'; text: string }) => Promise<void>;

/** What a subcommand's handler gets. */
export interface SubcommandArgs<R extends ParsedIncidentCommand = ParsedIncidentCommand> {
  /** The parsed subcommand. */
  request: R;
  /** The slash command it came in. */
  command: SlashCommand;
  ctx: ListenerContext;
  ack: CommandAck;
  /** Opens forms (Slack's Web API client in the app). */
  client: ViewOpener;
}

/** One subcommand of `/incident`: acks (within Slack's 3 s), then does the slow work. */
export type SubcommandHandler<R extends ParsedIncidentCommand = ParsedIncidentCommand> = (
  args: SubcommandArgs<R>,
) => Promise<void>;

/** The handler's args for the subcommand `K`. */
export type ArgsOf<K extends ParsedIncidentCommand['kind']> = SubcommandArgs<
  Extract<ParsedIncidentCommand, { kind: K }>
>;
