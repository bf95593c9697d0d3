// Every identifier Slack and the bot share. manifest.yml must declare the same (test/manifest.test.ts).

export const COMMAND = '/incident';

/** Bot events the app subscribes to (none yet: everything starts from the slash command). */
export const BOT_EVENTS: readonly string[] = [];
export const SHORTCUTS: readonly string[] = [];

export const DECLARE_MODAL = {
  callbackId: 'incident_declare',
  blocks: {
    title: 'title',
    severity: 'severity',
    description: 'description',
    service: 'service',
    flags: 'flags',
  },
  actions: {
    title: 'title_input',
    severity: 'severity_select',
    description: 'description_input',
    service: 'service_input',
    flags: 'flags_checkboxes',
  },
  flagValues: { private: 'private', clinical: 'clinical' },
} as const;

/** Every Web API method the bot calls, with the bot scopes it needs: the manifest's scopes are their union. */
export const WEB_API_METHODS: Record<string, readonly string[]> = {
  'auth.test': [],
  'conversations.create': ['channels:manage', 'groups:write'],
  'conversations.invite': ['channels:manage', 'groups:write'],
  'chat.postMessage': ['chat:write', 'chat:write.public'],
  'chat.update': ['chat:write'],
  'pins.add': ['pins:write'],
  'views.open': [],
};
/** Scopes that are not tied to one Web API method. */
export const OTHER_SCOPES = ['commands'] as const;
