// What the freeze use cases share: the service a command or a deployment names, as the catalog
// knows it, and the notices of a freeze (the incident channel, and the broadcast channel unless the
// incident is private, redacted by the PHI guard).
import { catalogInUse, serviceNamed, serviceOfRepository, suggestServices, systemOf } from '../../domain/catalog.ts';
import { DEFAULT_FREEZE_ENVIRONMENTS } from '../../domain/freeze.ts';
import { AppError } from '../../domain/errors.ts';
import { serviceOfRepositorySlug } from '../../domain/repository-service.ts';
import type { Incident } from '../../domain/incident.ts';
import { isActive } from '../../domain/lifecycle.ts';
import { incidentRef } from '../../domain/incident.ts';
import type { Notice } from '../../ports/chat-platform.ts';
import type { ServiceDeps } from '../deps.ts';
import { refreshSummary } from '../commit-change.ts';
import { outboundNotice, warnAuthor, type Author } from '../outbound-text.ts';

/**
 * The service a commander typed: the catalog's name for it when a catalog is configured (an unknown
 * one is refused, with suggestions), else the text as typed.
 */
export function commandedService(deps: Pick<ServiceDeps, 'catalog'>, typed: string): string {
  const catalog = deps.catalog.current();
  if (!catalogInUse(catalog)) return typed;
  const found = serviceNamed(catalog, typed);
  if (found) return found.name;
  const like = suggestServices(catalog, typed, 5);
  throw new AppError(
    `\`${typed}\` is not a service in the catalog.${like.length ? ` Did you mean ${like.map((s) => `\`${s.name}\``).join(', ')}?` : ''} Use \`all\` to freeze every service.`,
    'unknown_service',
  );
}

/**
 * The service a pipeline or a deployment names (a catalog name or title, or a repository
 * `owner/repo`): the catalog's name when it knows it (a repository only by its full
 * `github.com/project-slug`); without a catalog, a repository's own name when its owner is allowed
 * (GITHUB_ALLOWED_OWNERS); else the name as given (`attacker/ehr-api` is not `ehr-api`).
 */
export function deployedService(
  deps: Pick<ServiceDeps, 'catalog'> & { settings?: Pick<ServiceDeps['settings'], 'githubAllowedOwners'> },
  name: string,
): string {
  const catalog = deps.catalog.current();
  const found = serviceNamed(catalog, name) ?? serviceOfRepository(catalog, name);
  if (found) return found.name;
  return serviceOfRepositorySlug(catalog, name, deps.settings?.githubAllowedOwners)?.name ?? name;
}

/** The catalog system of a service (by its catalog name), so that a freeze on the System covers it; null when none. */
export function systemOfService(deps: Pick<ServiceDeps, 'catalog'>, service: string): string | null {
  const found = serviceNamed(deps.catalog.current(), service);
  return found ? systemOf(found) : null;
}

/** The environments a freeze protects (FREEZE_ENVIRONMENTS; default production). */
export function freezeEnvironments(deps: Pick<ServiceDeps, 'settings'>): readonly string[] {
  return deps.settings.freezeEnvironments ?? DEFAULT_FREEZE_ENVIRONMENTS;
}

/** Freezes and overrides are started from an active incident only. */
export function assertActiveForFreeze(incident: Incident, what: string): void {
  if (isActive(incident.status)) return;
  throw new AppError(
    `${incidentRef(incident)} is ${incident.status.toLowerCase()}: ${what} only from an active incident (its freezes ended with it).`,
    'not_active',
  );
}

/**
 * Tells the incident channel, and the broadcast channel unless the incident is private (redacted by
 * the PHI guard; the author warned privately about what was removed). A failed post is logged: the
 * record stands.
 */
export async function tellFreeze(
  deps: ServiceDeps,
  incident: Incident,
  notice: Notice,
  author: Author | null,
  opts: { broadcast: boolean } = { broadcast: true },
): Promise<void> {
  const log = (where: string) => (err: unknown) =>
    deps.logger.error(
      { err, incidentId: incident.id, notice: notice.kind },
      `posting a freeze notice to the ${where} failed`,
    );
  if (incident.channelId) await deps.chat.notify(incident.channelId, notice).catch(log('incident channel'));
  if (!opts.broadcast || incident.isPrivate) return;
  const out = outboundNotice(notice);
  const channel = deps.settings.broadcastChannelId;
  const posted = await deps.chat.notify(channel, out.notice).then(
    () => true,
    (err: unknown) => {
      log('broadcast channel')(err);
      return false;
    },
  );
  if (posted && out.typed.length) await warnAuthor(deps, author, out.typed, `Your reason was shared in <#${channel}>.`);
}

/** Tells each incident's channel (only there: the text is the incident's own). Failures are logged. */
export async function tellIncidents(
  deps: ServiceDeps,
  incidentIds: readonly string[],
  service: string,
  what: string,
  outcome: 'held' | 'let-through' | 'flagged',
  approvedBy: string | null,
): Promise<void> {
  for (const id of incidentIds) {
    try {
      const incident = await deps.store.findById(id);
      if (!incident?.channelId) continue;
      await deps.chat.notify(incident.channelId, {
        kind: 'freeze-deployment',
        incident,
        outcome,
        service,
        what,
        approvedBy,
      });
    } catch (err) {
      deps.logger.error({ err, incidentId: id }, 'telling an incident channel about a change during its freeze failed');
    }
  }
}

/** Redraws the incident's pinned summary after a freeze was recorded; a failure is logged, the record stands. */
export async function redrawSummary(deps: ServiceDeps, incidentId: string): Promise<void> {
  await refreshSummary(deps, incidentId).catch((err: unknown) =>
    deps.logger.error({ err, incidentId }, 'updating the summary failed after a freeze was recorded'),
  );
}
