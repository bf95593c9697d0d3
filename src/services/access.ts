/**
 * The access questions that need to ask someone: membership of a private incident's channel (the
 * chat platform) and the records an action item's rights rest on (the stores). The rules themselves
 * are in domain/access.ts.
 */
import {
  actionItemAsSeenBy,
  assertCanChangeActionItem,
  assertMayReadIncident,
  isActionItemParty,
  mayReadIncident,
  type ActionItemChange,
} from '../domain/access.ts';
import { actionRef, type ActionItem } from '../domain/action-items.ts';
import { AppError } from '../domain/errors.ts';
import { incidentRef, type Incident } from '../domain/incident.ts';
import type { ServiceDeps } from './deps.ts';

/**
 * A private incident is read and changed only by the members of its channel, asked of the chat
 * platform each time (Slack could be sent a forged or replayed payload naming its channel, and
 * people leave channels). Fails closed: if membership cannot be checked, the request fails.
 */
export async function assertMayRead(
  deps: Pick<ServiceDeps, 'chat'>,
  incident: Pick<Incident, 'isPrivate' | 'channelId'>,
  userId: string,
): Promise<void> {
  if (!incident.isPrivate) return;
  assertMayReadIncident(incident, !!incident.channelId && (await deps.chat.isMember(incident.channelId, userId)));
}

/**
 * The incident whose channel this is; an AppError saying so anywhere else. With `userId`, a private
 * incident is refused unless that person is a member of its channel (see assertMayRead).
 */
export async function incidentInChannel(deps: ServiceDeps, channelId: string, userId?: string): Promise<Incident> {
  const incident = await deps.store.findByChannel(channelId);
  if (!incident) {
    throw new AppError(
      'This command only works in an incident channel (#inc-…). Run it there, or declare one with `/incident declare <sev1-4> <title>`.',
      'not_incident_channel',
    );
  }
  if (userId !== undefined) await assertMayRead(deps, incident, userId);
  return incident;
}

/**
 * The item `id` (or the item numbered `{ number }`, as ACT-12 names it) and its incident, when
 * `userId` may make the change `what` to it (see assertCanChangeActionItem); an AppError otherwise.
 */
export async function actionItemToChange(
  deps: ServiceDeps,
  id: string | { number: number },
  userId: string,
  what: ActionItemChange,
): Promise<{ item: ActionItem; incident: Incident }> {
  const item =
    typeof id === 'string' ? await deps.reviews.findActionItem(id) : await deps.reviews.actionItemByNumber(id.number);
  if (!item) {
    throw new AppError(
      typeof id === 'string'
        ? 'That action item no longer exists.'
        : `There is no action item ${actionRef(id)}: \`/incident actions all\` lists them.`,
      'not_found',
    );
  }
  const incident = await deps.store.findById(item.incidentId);
  if (!incident) throw new AppError('That action item no longer exists.', 'not_found');
  // Of a private incident, anyone but the item's owner and author must be a member of its channel
  // (the refusal then names nobody involved).
  if (!isActionItemParty(item, userId)) await assertMayRead(deps, incident, userId);
  assertCanChangeActionItem(item, incident, userId, what);
  return { item, incident };
}

/** The item (or who may change it) changed between reading and writing: nothing was written. */
export function changedMeanwhile(): AppError {
  return new AppError(
    'That action item was just changed by someone else (completed, reassigned, or its incident handed to a new commander), so nothing was changed. Look at it again.',
    'conflict',
  );
}

/**
 * Listed action items as `userId` may see them (see actionItemAsSeenBy): a private incident's item
 * keeps its text for the members of its channel, asked of the chat platform once per channel (a
 * failed check counts as not a member: the item stays hidden).
 */
export async function actionItemsAsSeenBy<T extends ActionItem>(
  deps: Pick<ServiceDeps, 'chat' | 'logger'>,
  items: readonly T[],
  userId: string,
): Promise<T[]> {
  const channels = new Set(
    items
      .filter((i) => i.incidentPrivate && i.incidentChannelId && !isActionItemParty(i, userId))
      .map((i) => i.incidentChannelId!),
  );
  const members = new Set<string>();
  for (const channel of channels) {
    const member = await deps.chat.isMember(channel, userId).catch((err: unknown) => {
      deps.logger.warn({ err, channel }, 'could not check channel membership; the private item stays hidden');
      return false;
    });
    if (member) members.add(channel);
  }
  return items.map((i) => actionItemAsSeenBy(i, userId, !!i.incidentChannelId && members.has(i.incidentChannelId)));
}

/** Listed action items as a reader may see them, and which of their incidents they may open. */
export interface ItemsForReader<T> {
  items: T[];
  /** The ids of the items' incidents the reader may read (mayReadIncident): their pages may be linked. */
  readableIncidents: ReadonlySet<string>;
}

/**
 * actionItemsAsSeenBy for the web view: membership from the reader's private channels (asked of
 * Slack once and cached for a minute), not a Slack question per channel on every page; with the
 * incidents they may open (an item's owner who is not in a private incident's channel sees the item,
 * not the incident).
 */
export async function actionItemsAsSeenByReader<T extends ActionItem>(
  reader: Reader,
  items: readonly T[],
): Promise<ItemsForReader<T>> {
  const channels = items.some((i) => i.incidentPrivate) ? await reader.privateChannels() : new Set<string>();
  const member = (i: T) => !!i.incidentChannelId && channels.has(i.incidentChannelId);
  return {
    items: items.map((i) => actionItemAsSeenBy(i, reader.userId, member(i))),
    readableIncidents: new Set(
      items
        .filter((i) => mayReadIncident({ isPrivate: i.incidentPrivate, channelId: i.incidentChannelId }, member(i)))
        .map((i) => i.incidentId),
    ),
  };
}

/**
 * The ids of the listed incidents `userId` may read (see mayReadIncident): every public one, and a
 * private one when they are a member of its channel, asked of the chat platform once per channel (a
 * failed check counts as not a member). Listings show the others as their reference only.
 */
export async function incidentsReadableBy(
  deps: Pick<ServiceDeps, 'chat' | 'logger'>,
  incidents: readonly Pick<Incident, 'id' | 'isPrivate' | 'channelId'>[],
  userId: string,
): Promise<Set<string>> {
  const channels = new Set(incidents.filter((i) => i.isPrivate && i.channelId).map((i) => i.channelId!));
  const members = new Set<string>();
  for (const channel of channels) {
    const member = await deps.chat.isMember(channel, userId).catch((err: unknown) => {
      deps.logger.warn({ err, channel }, 'could not check channel membership; the private incident stays hidden');
      return false;
    });
    if (member) members.add(channel);
  }
  return new Set(
    incidents.filter((i) => mayReadIncident(i, !!i.channelId && members.has(i.channelId))).map((i) => i.id),
  );
}

/**
 * Someone reading the web view: who they are, and the private channels they are in (asked of Slack
 * once and cached briefly by the web view; a failure to ask counts as none, so private incidents
 * stay hidden).
 */
export interface Reader {
  userId: string;
  privateChannels(): Promise<ReadonlySet<string>>;
}

/**
 * The private channels whose incidents `reader` may see in a listing the database filters (the web
 * view's register): there a private incident is listed, and counted, only when its channel is one of
 * these (mayReadIncident, applied in SQL by ports/incident-register.ts), and otherwise not at all.
 */
export async function listablePrivateChannels(reader: Reader): Promise<string[]> {
  return [...(await reader.privateChannels())].sort();
}

/**
 * The incident numbered `number` when `reader` may read it (mayReadIncident: public, or private and
 * they are in its channel). A private incident they may not read is refused exactly as a missing
 * one is, so that the answer reveals nothing of it, not even that it exists. Their private channels
 * are asked for first, whatever the number, so that a missing and a private incident take the same
 * path to the database (the answer's timing says nothing of which it was). A private incident whose
 * channel is not in that list (kept for a minute) is confirmed with a fresh question before it is
 * refused: they may have just declared it, or been added.
 */
export async function incidentForReader(
  deps: Pick<ServiceDeps, 'store' | 'chat' | 'logger'>,
  reader: Reader,
  number: number,
): Promise<Incident> {
  const channels = await reader.privateChannels();
  const incident = await deps.store.findByNumber(number);
  const member = async (channelId: string) =>
    channels.has(channelId) ||
    (await deps.chat.isMember(channelId, reader.userId).catch((err: unknown) => {
      deps.logger.warn(
        { err, channel: channelId },
        'could not check channel membership; the private incident stays hidden',
      );
      return false;
    }));
  const readable =
    incident &&
    mayReadIncident(incident, !incident.isPrivate || (!!incident.channelId && (await member(incident.channelId))));
  if (!incident || !readable) throw new AppError(`There is no incident ${incidentRef({ number })}.`, 'not_found');
  return incident;
}

/**
 * Of `incidents`, the ids `reader` may read in full (mayReadIncident); listings and exports show
 * the others as their reference only. Slack is asked only when one of them is private.
 */
export async function incidentsReadableByReader(
  reader: Reader,
  incidents: readonly Pick<Incident, 'id' | 'isPrivate' | 'channelId'>[],
): Promise<Set<string>> {
  const channels = incidents.some((i) => i.isPrivate) ? await reader.privateChannels() : new Set<string>();
  return new Set(
    incidents.filter((i) => mayReadIncident(i, !!i.channelId && channels.has(i.channelId))).map((i) => i.id),
  );
}
