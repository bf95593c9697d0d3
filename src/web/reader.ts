import type { Reader } from '../services/access.ts';
import type { Viewer, WebDeps } from './context.ts';

/** The signed-in viewer as the access module knows a reader: their private channels asked of Slack (cached). */
export function readerOf(web: Pick<WebDeps, 'privateChannelsOf'>, viewer: Viewer): Reader {
  let channels: Promise<ReadonlySet<string>> | null = null;
  return {
    userId: viewer.userId,
    privateChannels: () => {
      channels ??= web.privateChannelsOf(viewer.userId);
      return channels;
    },
  };
}
