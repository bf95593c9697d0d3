// BACKSTAGE_URL: the catalog as a Backstage instance serves it, through its catalog API
// (GET /api/catalog/entities/by-query, cursor pagination), with BACKSTAGE_TOKEN as a bearer token.
// Each answer is checked (zod) and each entity validated like a file's (entities.ts); an answer that
// is not right (an error status, a timeout, something else than a page of entities) fails the whole
// read, so the last good catalog is kept rather than half of a new one.
import { z } from 'zod';
import type { CatalogProblem } from '../domain/catalog.ts';
import { buildCatalog, CATALOG_LIMITS, type CatalogContents, type RawEntity } from './entities.ts';
import { CatalogUnreadable } from './file-source.ts';

export interface BackstageSourceOptions {
  /** BACKSTAGE_URL, e.g. https://backstage.example.org (the API is under /api/catalog). */
  baseUrl: string;
  /** BACKSTAGE_TOKEN: sent as `Authorization: Bearer …`; none when null. */
  token: string | null;
  /** Entities asked for per page. */
  pageSize?: number;
  /** Pages read at most in one pass. */
  maxPages?: number;
  /** Per request, including reading the body. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Only the kinds the bot uses (one `filter` with several values of a key matches any of them). */
export const BACKSTAGE_FILTER = 'kind=component,kind=system,kind=group,kind=user';

const pageSchema = z.object({
  items: z.array(z.unknown()).max(5000),
  totalItems: z.number().int().nonnegative().optional(),
  pageInfo: z
    .object({
      nextCursor: z.string().min(1).max(4096).optional(),
      prevCursor: z.string().max(4096).optional(),
    })
    .optional(),
});

/** The body of an answer as text, refusing one longer than `max` bytes. */
async function boundedText(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) throw new Error(`the answer is larger than ${max} bytes`);
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new Error(`the answer is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Where an entity of the API came from, for its problems: its reference when it says one. */
function sourceOf(value: unknown, page: number, index: number): string {
  const v = value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
  const kind = typeof v?.kind === 'string' ? v.kind : null;
  const name = typeof v?.metadata?.name === 'string' ? v.metadata.name : null;
  if (kind && name && kind.length <= 63 && name.length <= 253) {
    const ns = typeof v?.metadata?.namespace === 'string' ? v.metadata.namespace.slice(0, 63) : 'default';
    return `backstage ${kind.toLowerCase()}:${ns.toLowerCase()}/${name.toLowerCase()}`;
  }
  return `backstage page ${page} item ${index + 1}`;
}

/**
 * What the API adds to an entity beyond the catalog file format (relations, status) is dropped
 * before validation; Backstage's policies refuse unknown root fields.
 */
function asFileEntity(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const { relations: _relations, status: _status, ...entity } = value as Record<string, unknown>;
  return entity;
}

/** Reads the whole catalog from Backstage: every page, or CatalogUnreadable (nothing is half read). */
export async function readBackstageCatalog(opts: BackstageSourceOptions): Promise<CatalogContents> {
  const doFetch = opts.fetch ?? fetch;
  const pageSize = opts.pageSize ?? 500;
  const maxPages = opts.maxPages ?? 100;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const endpoint = new URL(
    'api/catalog/entities/by-query',
    opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`,
  );
  const entities: RawEntity[] = [];
  const problems: CatalogProblem[] = [];
  const cursors = new Set<string>();
  let cursor: string | null = null;
  for (let page = 1; ; page++) {
    if (page > maxPages) {
      problems.push({ source: 'backstage', message: `more than ${maxPages} pages of entities: the rest were skipped` });
      break;
    }
    const url = new URL(endpoint);
    // A cursor carries the query it continues: the filter is sent with the first page only.
    if (cursor === null) url.searchParams.set('filter', BACKSTAGE_FILTER);
    else url.searchParams.set('cursor', cursor);
    url.searchParams.set('limit', String(pageSize));
    let body: unknown;
    try {
      const res = await doFetch(url, {
        headers: { accept: 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        const hint = res.status === 401 || res.status === 403 ? ' (check BACKSTAGE_TOKEN)' : '';
        throw new Error(`Backstage answered ${res.status}${hint}`);
      }
      body = JSON.parse(await boundedText(res, CATALOG_LIMITS.fileBytes * 16));
    } catch (err) {
      const reason =
        err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
          ? `no answer within ${timeoutMs} ms`
          : err instanceof Error
            ? err.message
            : String(err);
      throw new CatalogUnreadable(`the Backstage catalog could not be read (page ${page}): ${reason}`, err);
    }
    const parsed = pageSchema.safeParse(body);
    if (!parsed.success) {
      throw new CatalogUnreadable(
        `the Backstage catalog answered page ${page} with something else than a page of entities (${parsed.error.issues[0]?.message ?? 'unexpected shape'})`,
      );
    }
    parsed.data.items.forEach((value, i) => {
      entities.push({ source: sourceOf(value, page, i), value: asFileEntity(value) });
    });
    const next = parsed.data.pageInfo?.nextCursor ?? null;
    if (next === null || parsed.data.items.length === 0) break;
    // A cursor seen before would go round for ever.
    if (cursors.has(next)) {
      problems.push({
        source: 'backstage',
        message: 'the catalog API gave a cursor it had given before: reading stopped there',
      });
      break;
    }
    cursors.add(next);
    cursor = next;
    if (entities.length > CATALOG_LIMITS.entities) break;
  }
  return buildCatalog(entities, problems);
}
