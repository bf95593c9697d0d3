import type { LoadScope, OnCallWindow } from './on-call-history.ts';
import type { OnCallPerson } from '../domain/on-call-load.ts';

/** A fetched window of a scope's on-call history. */
export interface SyncedWindow {
  start: Date;
  end: Date;
  fetchedAt: Date;
}

/** Our own incident work of a Slack member: an incident they held roles in, and for how long. */
export interface IncidentWork {
  slackUserId: string;
  incidentId: string;
  roles: string[];
  start: Date;
  end: Date;
}

/** The on-call history cache the load report reads (so a repeated report does not fetch again). */
export interface LoadCache {
  /** Remembers a scope by name, so it can be found while the on-call system is down. */
  saveScope(key: string, scope: LoadScope): Promise<void>;
  /** A remembered scope whose name is `query` (case-insensitive), or null. */
  findScope(query: string): Promise<{ key: string; scope: LoadScope } | null>;
  /** The windows of `scopeKey` fetched so far that overlap [from, to). */
  windows(scopeKey: string, from: Date, to: Date): Promise<SyncedWindow[]>;
  /** Stores one fetched window in one transaction: people, the scope's stretches in it (replacing earlier ones), pages (once each), the window. */
  saveWindow(scopeKey: string, window: { start: Date; end: Date }, data: OnCallWindow, fetchedAt: Date): Promise<void>;
  /** The scope's stretches in [from, to), the pages of the people on them in [from, to), and those people. */
  read(scopeKey: string, from: Date, to: Date): Promise<OnCallWindow & { slackUsers: Map<string, string> }>;
  /** People whose Slack member was never looked up, or not since `before`. */
  peopleToMatch(ids: string[], before: Date): Promise<OnCallPerson[]>;
  /** Remembers the Slack member of each person (null: none found), checked at `at`. */
  setSlackUsers(matches: { personId: string; slackUserId: string | null }[], at: Date): Promise<void>;
  /** Incidents in which these Slack members hold a role, overlapping [from, to); open ones end at `now`. */
  incidentWork(slackUserIds: string[], from: Date, to: Date, now: Date): Promise<IncidentWork[]>;
}
