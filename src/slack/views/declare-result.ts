import { incidentRef } from '../../domain/incident.ts';
import { STEP_LABELS } from '../../domain/provisioning.ts';
import type { DeclareIncidentResult } from '../../services/incident/declare-incident.ts';
import { inChannel } from './format.ts';

/** What the declarer is told once declaring has run (ephemeral). */
export function declareResultText(result: DeclareIncidentResult): string {
  if (result.duplicate) {
    return `This request was already handled: ${incidentRef(result.incident)}${inChannel(result.incident)}. Nothing new was created.`;
  }
  const { outcome } = result;
  const i = outcome.incident;
  const ref = incidentRef(i);
  switch (outcome.state) {
    case 'complete':
      return [
        i.nearMiss
          ? `:white_check_mark: Recorded near miss ${ref}${inChannel(i)}: its review is posted there for the team to fill in. Nobody was paged.`
          : i.drill
            ? `:test_tube: Declared exercise ${ref} (${i.severity}, a drill)${inChannel(i)}: marked as an exercise everywhere and left out of metrics and on-call load.`
            : `:white_check_mark: Declared ${ref} (${i.severity})${inChannel(i)}.`,
        ...(i.isPrivate ? ['It is private: not announced, and only invited people can see the channel.'] : []),
        ...outcome.warnings,
        ...(result.advice ?? []),
      ].join(' ');
    case 'busy':
      return `${ref} is being set up by an earlier copy of this request${inChannel(i)}.`;
    case 'failed':
      return (
        `:warning: ${ref} is recorded${inChannel(i)}, but ${STEP_LABELS[outcome.step]} failed (${outcome.reason}). ` +
        'Nothing is lost: the bot retries the remaining steps automatically and will tell you when it is done.'
      );
  }
}
