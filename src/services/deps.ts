import type { ChatPlatform } from '../ports/chat-platform.ts';
import type { Clock } from '../ports/clock.ts';
import type { IncidentStore } from '../ports/incident-store.ts';
import type { Logger } from '../logger.ts';

/** Everything a use case may need; each takes this as an argument so tests inject fakes. */
export interface ServiceDeps {
  store: IncidentStore;
  chat: ChatPlatform;
  clock: Clock;
  logger: Logger;
  settings: { broadcastChannelId: string };
}
