import type { RegisterRow, RegisterWhere } from '../domain/register.ts';

export type { RegisterRow, RegisterWhere } from '../domain/register.ts';

/**
 * The incident register as the web view reads it (leads and auditors): incidents filtered, searched
 * and paged by the database, never read whole. A private incident is in no answer (rows or count)
 * unless its channel is one of `where.privateChannels` (domain/access.ts mayReadIncident, in SQL).
 */
export interface IncidentRegister {
  /** One page of the incidents `where` selects, newest first (declared, then number), and how many it selects in all. */
  list(where: RegisterWhere, page: { offset: number; limit: number }): Promise<{ rows: RegisterRow[]; total: number }>;
  /** The first `limit` of them (newest first) for an export, and how many it selects in all. */
  rows(where: RegisterWhere, limit: number): Promise<{ rows: RegisterRow[]; total: number }>;
  /**
   * A search's candidates: every incident `where` selects (its text matched against the title as
   * written), newest first, at most `cap`, with only what the search needs to be checked again
   * against the title as the pages show it (services/records/list-incidents.ts).
   */
  candidates(where: RegisterWhere, cap: number): Promise<{ id: string; number: number; title: string }[]>;
  /** The incidents with these ids, in the order given (a search's page). */
  byIds(ids: readonly string[]): Promise<RegisterRow[]>;
  /** How many entries the incident's audit trail holds (its head's sequence number; 0 for none): one indexed read. */
  auditLength(incidentId: string): Promise<number>;
}
