/**
 * Who may see or do what: every rule, one entry point per question, without I/O. What needs the
 * chat platform (is this person a member of a private incident's channel?) is asked in
 * services/access.ts, which applies these rules to the answer.
 */
import { actionRef, type ActionItem } from './action-items.ts';
import { AppError } from './errors.ts';
import { incidentRef, ROLE_LABELS, SYSTEM_DECLARER, type Incident, type RoleName } from './incident.ts';

/**
 * Who commands the incident: the commander, or the declarer while none is set. (The review store's
 * compare-and-set on action items writes this rule in SQL: keep the two alike.)
 */
export function commandingUser(i: Pick<Incident, 'roles' | 'declaredBy'>): string {
  return i.roles.COMMANDER ?? i.declaredBy;
}

/** Whether `userId` commands the incident (see commandingUser). */
export function canCommand(i: Pick<Incident, 'roles' | 'declaredBy'>, userId: string): boolean {
  return userId === commandingUser(i);
}

/** Severity, resolve, close, reopen and role hand-overs are the commander's (or, without one, the declarer's). */
export function assertCanCommand(i: Pick<Incident, 'roles' | 'declaredBy'>, userId: string, action: string): void {
  if (canCommand(i, userId)) return;
  const who = commandingUser(i);
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

/**
 * Roles whose holder approves something (the clinical safety officer signs off clinical safety, the
 * data protection officer approves breach notifications): never taken by oneself, always given by
 * the commander, so that an approval is not one person's word alone.
 */
export const APPROVER_ROLES: readonly RoleName[] = ['CLINICAL_SAFETY', 'DPO'];

/**
 * Who may give `role` to `assignee`: anyone may take a vacant supporting role for themselves (not an
 * approver's: APPROVER_ROLES, which nobody, the commander included, gives to themselves), and the vacant command of an incident PagerDuty declared (it is there
 * for the first responder to take); every other assignment is the commander's (assertCanCommand).
 */
export function assertCanAssignRole(
  i: Pick<Incident, 'roles' | 'declaredBy'>,
  userId: string,
  role: RoleName,
  assignee: string,
): void {
  const takingVacantRole =
    !i.roles[role] &&
    assignee === userId &&
    !APPROVER_ROLES.includes(role) &&
    (role !== 'COMMANDER' || i.declaredBy === SYSTEM_DECLARER);
  if (!takingVacantRole) assertCanCommand(i, userId, `assign the ${ROLE_LABELS[role]} role`);
  // Not even the commander gives an approver's role to themselves: the approval would be their word alone.
  if (APPROVER_ROLES.includes(role) && assignee === userId)
    throw new AppError(
      `The ${ROLE_LABELS[role]} approves what the commander does, so the role goes to someone else: \`/incident role ${role === 'DPO' ? 'dpo' : 'clinical-safety'} @them\`.`,
      'forbidden',
    );
}

/** The refusal a non-member gets for anything of a private incident: it names nothing of it. */
export const PRIVATE_INCIDENT_REFUSAL =
  ':lock: That is a private incident: only members of its channel can see it or act on it. Ask its commander to add you.';

/**
 * Whether `userId` may read and act on the incident: anyone, unless it is private; then only the
 * members of its channel (`isMember`: asked of the chat platform, see services/access.ts; a private
 * incident without a channel yet has no members).
 */
export function assertMayReadIncident(incident: Pick<Incident, 'isPrivate' | 'channelId'>, isMember: boolean): void {
  if (!mayReadIncident(incident, isMember)) throw new AppError(PRIVATE_INCIDENT_REFUSAL, 'not_allowed');
}

/** The rule of assertMayReadIncident as a yes or no (listings show a private incident they may not read as its reference only). */
export function mayReadIncident(incident: Pick<Incident, 'isPrivate' | 'channelId'>, isMember: boolean): boolean {
  return !incident.isPrivate || (!!incident.channelId && isMember);
}

/** An action item's own people: its owner and whoever added it (they were given it, private or not). */
export function isActionItemParty(item: Pick<ActionItem, 'ownerId' | 'createdBy'>, userId: string): boolean {
  return userId === item.ownerId || userId === item.createdBy;
}

/** What may be done to an action item: reopen is of a done item, the rest of an open one. */
export type ActionItemChange = 'complete' | 'reassign' | 'snooze' | 'reopen';

/**
 * Who may complete, reassign, snooze or reopen an action item: its owner, whoever added it, and the
 * incident's commander (or its declarer while there is none). Everyone else is told who can. Only a
 * done item is reopened; the other changes are of an open one.
 */
export function assertCanChangeActionItem(
  item: Pick<ActionItem, 'number' | 'ownerId' | 'createdBy' | 'status'>,
  incident: Pick<Incident, 'number' | 'roles' | 'declaredBy'>,
  userId: string,
  what: ActionItemChange,
): void {
  if (what === 'reopen') {
    if (item.status !== 'done') throw new AppError(`${actionRef(item)} is open already.`, 'not_done');
  } else if (item.status !== 'open') throw new AppError(`${actionRef(item)} is already done.`, 'not_open');
  const commander = commandingUser(incident);
  if (isActionItemParty(item, userId) || userId === commander) return;
  const who = [
    ...new Set([item.ownerId, item.createdBy, commander].filter((u): u is string => !!u && /^[UW]/.test(u))),
  ];
  throw new AppError(
    `Only ${who.map((u) => `<@${u}>`).join(', ') || 'its owner'} can ${what} ${actionRef(item)} (its owner, whoever added it, or the commander of ${incidentRef(incident)}).`,
    'not_allowed',
  );
}

/** What a private incident's action item says, for anyone but its owner and whoever added it. */
export const PRIVATE_ACTION_TEXT =
  'An action item of a private incident (only its owner and whoever added it see the details)';

/**
 * The item as `viewerId` may see it: a private incident's item keeps its text only for its owner,
 * whoever added it (they were given it) and, with `isChannelMember`, the members of its incident's
 * channel; for anyone else it says no more than that it exists, and where it is tracked (GitHub,
 * Jira) without the issue's key, link or repository: the issue holds the text. Its team stays (the
 * counts by team are in the guardrail report already).
 */
export function actionItemAsSeenBy<
  T extends Pick<ActionItem, 'incidentPrivate' | 'ownerId' | 'createdBy' | 'text' | 'incidentTitle' | 'tracker'>,
>(item: T, viewerId: string, isChannelMember = false): T {
  if (!item.incidentPrivate || isChannelMember || isActionItemParty(item, viewerId)) return item;
  const tracker = item.tracker && { ...item.tracker, target: '', key: null, url: null };
  return { ...item, text: PRIVATE_ACTION_TEXT, incidentTitle: '', tracker };
}

/**
 * Whether `userId` sees everyone's individual on-call figures when they ask (`/incident load`: the
 * report's rows, its charts and CSV): everyone while ONCALL_LEADS is empty, else only the leads it
 * lists. Anyone else sees their own row and the team's totals.
 */
export function maySeeIndividualOnCallFigures(settings: { oncallLeads: readonly string[] }, userId: string): boolean {
  return settings.oncallLeads.length === 0 || settings.oncallLeads.includes(userId);
}

/**
 * Whether `userId` may see everyone's on-call allowances (and get the payroll CSV): only the leads
 * ONCALL_LEADS names. Pay is personal, so unlike the load report nobody sees other people's rows
 * when no lead is named; everyone may see their own.
 */
export function maySeeEveryonesAllowances(settings: { oncallLeads: readonly string[] }, userId: string): boolean {
  return settings.oncallLeads.includes(userId);
}

/**
 * Whether `userId`'s Home tab shows the team's on-call load unasked: only the leads ONCALL_LEADS
 * names. The tab is drawn every time it is opened (a report computed for each opening), so with no
 * lead named nobody gets it there; anyone may still ask with `/incident load`. Whoever gets it here
 * may also see everyone's figures (maySeeIndividualOnCallFigures).
 */
export function getsOnCallLoadOnHomeTab(settings: { oncallLeads: readonly string[] }, userId: string): boolean {
  return settings.oncallLeads.includes(userId);
}

/**
 * Who may sign off an incident's clinical safety: only the holder of its clinical safety officer
 * role (given by the commander: APPROVER_ROLES). The commander too is refused unless they hold it.
 */
export function assertCanSignOffClinicalSafety(i: Pick<Incident, 'roles'>, userId: string): void {
  const cso = i.roles.CLINICAL_SAFETY;
  if (!cso)
    throw new AppError(
      'Nobody holds the clinical safety officer role: the commander assigns one with `/incident role clinical-safety @user`, and only they can sign off.',
      'forbidden',
    );
  if (cso !== userId)
    throw new AppError(
      `Only the clinical safety officer, <@${cso}>, can sign off this incident's clinical safety.`,
      'forbidden',
    );
}

/** Who may link, change or unlink hazard-log entries: the commander (else the declarer) and the clinical safety officer. */
export function assertCanEditHazards(i: Pick<Incident, 'roles' | 'declaredBy'>, userId: string): void {
  if (i.roles.CLINICAL_SAFETY === userId || canCommand(i, userId)) return;
  const who = [commandingUser(i), i.roles.CLINICAL_SAFETY]
    .filter((u): u is string => !!u && u !== SYSTEM_DECLARER)
    .map((u) => `<@${u}>`);
  throw new AppError(
    `Only the commander and the clinical safety officer${who.length ? ` (${who.join(', ')})` : ''} can link or change hazards.`,
    'forbidden',
  );
}

/**
 * Who decides a personal data breach (reportable or not, with the reason) and records the
 * notifications made: the commander (or, without one, the declarer) or the data protection officer.
 * Anyone in the channel may draft the assessment's facts.
 */
export function canDecideBreach(i: Pick<Incident, 'roles' | 'declaredBy'>, userId: string): boolean {
  return canCommand(i, userId) || i.roles.DPO === userId;
}

export function assertCanDecideBreach(i: Pick<Incident, 'roles' | 'declaredBy'>, userId: string, action: string): void {
  if (canDecideBreach(i, userId)) return;
  const who = commandingUser(i);
  const commander = who === SYSTEM_DECLARER ? 'the incident commander (none yet)' : `the incident commander <@${who}>`;
  const dpo = i.roles.DPO
    ? `the data protection officer <@${i.roles.DPO}>`
    : 'the data protection officer (none assigned yet: `/incident role dpo @them`, by the commander)';
  throw new AppError(`Only ${commander} or ${dpo} can ${action}.`, 'forbidden');
}
