import { helpText } from '../../../../domain/command.ts';
import type { ArgsOf } from './handler.ts';

/** `/incident help`: the usage, in the ack. */
export async function handleHelp({ ack }: ArgsOf<'help'>): Promise<void> {
  await ack({ response_type: 'ephemeral', text: helpText() });
}
