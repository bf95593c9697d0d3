import type { IncidentCommand } from '../../domain/command.ts';
import { withFreezeServiceWords } from '../../domain/freeze.ts';
import type { ServiceDeps } from '../deps.ts';

/**
 * A command whose service was typed as one unquoted word followed by more words, its service taken
 * as the catalog names it now: `/incident freeze on EHR API Failover` freezes `EHR API` (reason
 * `Failover`) when the catalog has a service of that name or title (the longest such run wins).
 * Without a catalog in use the service stays one word. Declarations do the same in
 * withDeclaredService. Throws AppError (e.g. a reason left empty).
 */
export function withCommandService<C extends IncidentCommand>(deps: Pick<ServiceDeps, 'catalog'>, command: C): C {
  switch (command.kind) {
    case 'freeze-on':
    case 'freeze-off':
    case 'freeze-override':
      return withFreezeServiceWords(deps.catalog.current(), command) as C;
    default:
      return command;
  }
}
