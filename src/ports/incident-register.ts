/**
 * The incident register as the web view reads it (leads and auditors): incidents filtered, searched
 * and paged by the database, never read whole. Filled in by the register's use cases
 * (services/records/).
 */
// biome-ignore lint/suspicious/noEmptyInterface: its queries are added with the register's pages
export interface IncidentRegister {}
