import { AppError } from './errors.ts';
import { SYSTEM_DECLARER, type Incident } from './incident.ts';

/** Who commands the incident: the commander, or the declarer while none is set. */
export function commandingUser(i: Pick<Incident, 'roles' | 'declaredBy'>): string {
  return i.roles.COMMANDER ?? i.declaredBy;
}

/** Severity, resolve, close, reopen and role hand-overs are the commander's (or, without one, the declarer's). */
export function assertCanCommand(i: Pick<Incident, 'roles' | 'declaredBy'>, userId: string, action: string): void {
  const who = commandingUser(i);
  if (userId === who) return;
  if (who === SYSTEM_DECLARER) {
    throw new AppError(
      `PagerDuty declared this incident and nobody commands it yet, so nobody can ${action}. Take command with \`/incident role commander @you\` first.`,
      'forbidden',
    );
  }
  const role = i.roles.COMMANDER ? 'the incident commander' : 'the declarer (no commander is set yet)';
  throw new AppError(
    `Only ${role}, <@${who}>, can ${action}. Ask them, or ask them to hand over with \`/incident role commander @you\`.`,
    'forbidden',
  );
}
