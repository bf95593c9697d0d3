// Every identifier Slack and the bot share. manifest.yml must declare the same (test/manifest.test.ts).

export const COMMAND = '/incident';

/**
 * Bot events the app subscribes to: pins and :pushpin: reactions put messages on the timeline; edits
 * and deletes of those messages (message.channels / message.groups) update their entries;
 * app_home_opened draws the App Home tab (the person's action items).
 */
export const BOT_EVENTS: readonly string[] = [
  'pin_added',
  'reaction_added',
  'message.channels',
  'message.groups',
  'app_home_opened',
];
export const SHORTCUTS: readonly string[] = [];

export const DECLARE_MODAL = {
  callbackId: 'incident_declare',
  blocks: {
    title: 'title',
    severity: 'severity',
    description: 'description',
    service: 'service',
    /** "Private incident", in a block of its own whose id never changes (a redraw keeps its tick). */
    private: 'private_flag',
    /** "Clinical impact": the block a patient-facing service's redraw revises (`flags.1`, …). */
    flags: 'flags',
    /** "Personal data breach", in a block of its own whose id never changes. */
    breach: 'breach_flag',
    breachAware: 'breach_aware',
    /** "This is an exercise (drill)", in a block of its own whose id never changes. */
    drill: 'drill_flag',
  },
  actions: {
    title: 'title_input',
    severity: 'severity_select',
    description: 'description_input',
    service: 'service_input',
    private: 'private_checkbox',
    flags: 'flags_checkboxes',
    breach: 'breach_checkbox',
    breachAware: 'breach_aware_picker',
    drill: 'drill_checkbox',
  },
  flagValues: { private: 'private', clinical: 'clinical', breach: 'breach', drill: 'drill' },
} as const;

/** Every Web API method the bot calls, with the bot scopes it needs: the manifest's scopes are their union. */
export const WEB_API_METHODS: Record<string, readonly string[]> = {
  'auth.test': [],
  'conversations.create': ['channels:manage', 'groups:write'],
  'conversations.list': ['channels:read', 'groups:read'],
  'conversations.members': ['channels:read', 'groups:read'],
  'users.lookupByEmail': ['users:read.email'],
  'conversations.invite': ['channels:manage', 'groups:write'],
  'chat.postMessage': ['chat:write', 'chat:write.public'],
  'chat.update': ['chat:write'],
  'pins.add': ['pins:write'],
  'views.open': [],
  'views.update': [],
  'conversations.history': ['channels:history', 'groups:history'],
  'chat.getPermalink': [],
  'users.info': ['users:read'],
  'users.list': ['users:read', 'users:read.email'],
  'views.publish': [],
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
  'conversations.open': ['im:write'],
  // The web view: which private channels (private incidents) a signed-in person is in.
  'users.conversations': ['groups:read'],
};
/** Scopes that are not tied to one Web API method (pins:read for pin_added, reactions:read for reaction_added). */
export const OTHER_SCOPES = ['commands', 'pins:read', 'reactions:read'] as const;

/** Buttons and the severity menu on the pinned incident summary. */
export const SUMMARY_ACTIONS = {
  blockId: 'incident_summary_actions',
  /** One button per status it may move to: incident_status_investigating, … */
  statusPrefix: 'incident_status_',
  resolve: 'incident_resolve',
  close: 'incident_close',
  reopen: 'incident_reopen',
  timeline: 'incident_timeline',
  severity: 'incident_severity',
  /** The clinical safety officer's sign-off (shown while a clinical-impact incident has none in force). */
  clinicalSignoff: 'incident_clinical_signoff',
  /** These open a form (below). */
  hazard: 'incident_hazard_open',
  update: 'incident_update_open',
  note: 'incident_note_open',
  role: 'incident_role_open',
} as const;

/**
 * "Older" and "Newer" under a page of `/incident timeline`; each button's value is the page edge it
 * pages from (domain cursor: the entry's time and id, as JSON).
 */
export const TIMELINE_ACTIONS = {
  blockId: 'incident_timeline_pages',
  older: 'incident_timeline_older',
  newer: 'incident_timeline_newer',
} as const;

/** The offer, after resolving, to resolve the linked PagerDuty incidents too. */
export const PAGERDUTY_ACTIONS = {
  blockId: 'incident_pagerduty_actions',
  resolveLinked: 'incident_resolve_pagerduty',
} as const;

/** Forms opened from the summary: a status update, a note, a role assignment. */
export const INCIDENT_MODALS = {
  update: { callbackId: 'incident_update', block: 'message', action: 'message_input' },
  note: { callbackId: 'incident_note', block: 'note', action: 'note_input' },
  role: {
    callbackId: 'incident_role',
    roleBlock: 'role',
    roleAction: 'role_select',
    userBlock: 'user',
    userAction: 'user_select',
  },
  /** "Link hazard": a hazard-log entry with its risk before and (optionally) after. Each input's action is `<block>_input`. */
  hazard: {
    callbackId: 'incident_hazard',
    idBlock: 'hazard_id',
    titleBlock: 'hazard_title',
    beforeLikelihoodBlock: 'before_likelihood',
    beforeSeverityBlock: 'before_severity',
    afterLikelihoodBlock: 'after_likelihood',
    afterSeverityBlock: 'after_severity',
  },
} as const;

/** The post-incident review form: each field's block id, and its input's action id (`<block>_input`). */
export const REVIEW_MODAL = {
  callbackId: 'incident_review',
  blocks: {
    usersAffected: 'review_users_affected',
    clinicalImpact: 'review_clinical_impact',
    dataImpact: 'review_data_impact',
    detection: 'review_detection',
    detectionNote: 'review_detection_note',
    factors: 'review_factors',
    otherFactors: 'review_other_factors',
    wentWell: 'review_went_well',
    wasHard: 'review_was_hard',
    actionText: 'review_action_text',
    actionOwner: 'review_action_owner',
    actionDue: 'review_action_due',
    actionCategory: 'review_action_category',
    actionPriority: 'review_action_priority',
  },
} as const;
/** The input of a review form field. */
export const reviewInputId = (block: string) => `${block}_input`;

/** The button on a posted review that opens the form to fill it in. */
export const REVIEW_ACTIONS = { blockId: 'incident_review_actions', edit: 'incident_review_edit' } as const;

/**
 * Controls on each listed action item (in a message or the App Home tab). The block id is
 * `${blockPrefix}${item id}`, so every control knows its item.
 */
export const ACTION_ITEM_ACTIONS = {
  blockPrefix: 'action_item:',
  complete: 'action_item_complete',
  reassign: 'action_item_reassign',
  snooze: 'action_item_snooze',
  /** On a done item (`/incident actions all`): opens it again. */
  reopen: 'action_item_reopen',
} as const;

/** The button under an `/incident actions` listing that shows its next page (value: ActionListPage JSON). */
export const ACTION_LIST_ACTIONS = { blockId: 'action_list_page', more: 'action_list_more' } as const;

/**
 * Under a breach notification's notice: Approve (a draft) and Withdraw (a draft or an approved one,
 * which opens the reason form). Each button's value is the version shown: `{"id":…,"drafted":<ms>}`.
 */
export const BREACH_NOTIFICATION_ACTIONS = {
  blockId: 'breach_notification_actions',
  approve: 'breach_notification_approve',
  withdraw: 'breach_notification_withdraw',
} as const;

/** The reason form of Withdraw (private_metadata: the channel and the version shown). */
export const BREACH_WITHDRAW_MODAL = {
  callbackId: 'breach_notification_withdraw',
  block: 'withdraw_reason',
  action: 'withdraw_reason_input',
} as const;

/** `/incident breach assess`: the breach assessment form. Each field's block id, and its input's action id (`<block>_input`). */
export const BREACH_ASSESSMENT_MODAL = {
  callbackId: 'incident_breach_assessment',
  blocks: {
    categories: 'breach_categories',
    people: 'breach_people',
    estimated: 'breach_people_estimated',
    mostInOneState: 'breach_most_in_one_state',
    likelihood: 'breach_likelihood',
    severity: 'breach_severity',
    contained: 'breach_contained',
    containment: 'breach_containment',
    decision: 'breach_decision',
    reason: 'breach_reason',
  },
  estimatedValue: 'estimated',
  decisions: { reportable: 'reportable', notReportable: 'not_reportable', undecided: 'undecided' },
} as const;
/** The input of a breach assessment form field. */
export const breachInputId = (block: string) => `${block}_input`;
