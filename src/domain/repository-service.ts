// Which service a GitHub repository's changes are to. With a catalog, only the service whose
// `github.com/project-slug` is the repository's full `owner/repo` (a repository of the same name
// under another owner is not it); without one, the repository's name, for the owners allowed.
import { catalogInUse, serviceOfRepository, type CatalogService, type CatalogSnapshot } from './catalog.ts';

/** owner/repo as GitHub spells them. */
export const REPOSITORY_SLUG = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export const isRepositorySlug = (s: string) => REPOSITORY_SLUG.test(s);

/** Whether a GitHub owner is allowed (GITHUB_ALLOWED_OWNERS, any case); no list, or an empty one: any owner. */
export function ownerAllowed(owner: string, allowedOwners: readonly string[] | undefined): boolean {
  if (!allowedOwners?.length) return true;
  const o = owner.trim().toLowerCase();
  return allowedOwners.some((a) => a.toLowerCase() === o);
}

/**
 * The service of a repository (`owner/repo`): with a catalog in use, the catalog service whose
 * project slug it is (`service` set), else null (unknown); without a catalog, or with one not read
 * yet (catalogInUse: it behaves as none, as commanded freezes do), the repository's name when its
 * owner is allowed (`service` null: no catalog describes it), else null.
 */
export function serviceOfRepositorySlug(
  catalog: CatalogSnapshot,
  slug: string,
  allowedOwners: readonly string[] | undefined,
): { name: string; service: CatalogService | null } | null {
  if (!isRepositorySlug(slug)) return null;
  if (catalogInUse(catalog)) {
    const service = serviceOfRepository(catalog, slug);
    return service ? { name: service.name, service } : null;
  }
  const [owner, name] = slug.split('/') as [string, string];
  return ownerAllowed(owner, allowedOwners) ? { name, service: null } : null;
}
