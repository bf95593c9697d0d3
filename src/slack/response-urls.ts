/**
 * Response URLs come inside payloads (a command's `response_url`, a button's, a form's
 * `response_urls`, and the declare form's private metadata, which carries the command's): the bot
 * posts the requester's private answers there. Only Slack's own are used, so a forged payload
 * cannot make the bot send an incident's details (or a request from inside the network) anywhere
 * else.
 */

/** True for a URL the bot may post a private answer to. */
export type ResponseUrlCheck = (url: string) => boolean;

/**
 * Slack's response URLs: `https://hooks.slack.com/…` (default port, no user name or password), or
 * the origin of SLACK_API_URL (a stand-in in tests, another Slack host) and `https://hooks.<its host>`
 * (and `moreOrigins`: tests whose response URLs are served apart from the Web API).
 */
export function slackResponseUrlCheck(slackApiUrl: string, moreOrigins: readonly string[] = []): ResponseUrlCheck {
  const api = new URL(slackApiUrl);
  const origins = new Set(['https://hooks.slack.com', api.origin, ...moreOrigins.map((o) => new URL(o).origin)]);
  if (api.protocol === 'https:' && !api.port) origins.add(`https://hooks.${api.hostname}`);
  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (parsed.username || parsed.password) return false;
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
    return origins.has(parsed.origin);
  };
}

/** What screenResponseUrls dropped, by where it was (never the URL itself). */
export interface ScreenedBody {
  body: unknown;
  refused: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The payload with every response URL that is not Slack's removed: `response_url` (commands,
 * actions, message shortcuts), entries of `response_urls` (forms), and `responseUrl` in a view's
 * private metadata (set to null). The listeners then answer by direct message instead. Returns
 * the same object when nothing was removed.
 */
export function screenResponseUrls(body: unknown, allowed: ResponseUrlCheck): ScreenedBody {
  if (!isRecord(body)) return { body, refused: [] };
  const refused: string[] = [];
  let out: Record<string, unknown> = body;
  const set = (key: string, value: unknown) => {
    if (out === body) out = { ...body };
    if (value === undefined) delete out[key];
    else out[key] = value;
  };
  const url = body.response_url;
  if (url !== undefined && (typeof url !== 'string' || !allowed(url))) {
    refused.push('response_url');
    set('response_url', undefined);
  }
  if (Array.isArray(body.response_urls)) {
    const kept = body.response_urls.filter(
      (r) => isRecord(r) && typeof r.response_url === 'string' && allowed(r.response_url),
    );
    if (kept.length !== body.response_urls.length) {
      refused.push('response_urls');
      set('response_urls', kept);
    }
  }
  const view = body.view;
  if (isRecord(view) && typeof view.private_metadata === 'string' && view.private_metadata.includes('responseUrl')) {
    let meta: unknown;
    try {
      meta = JSON.parse(view.private_metadata);
    } catch {
      meta = null;
    }
    if (
      isRecord(meta) &&
      meta.responseUrl !== undefined &&
      meta.responseUrl !== null &&
      (typeof meta.responseUrl !== 'string' || !allowed(meta.responseUrl))
    ) {
      refused.push('view.private_metadata.responseUrl');
      set('view', { ...view, private_metadata: JSON.stringify({ ...meta, responseUrl: null }) });
    }
  }
  return { body: out, refused };
}
