/**
 * The figures of the web view's insights (incidents per week, durations by severity, service and
 * month, review and action item timeliness, recurring factors), counted by the database over a
 * period: bounded by the period's groups, not by the incidents. Filled in by services/insights/.
 */
// biome-ignore lint/suspicious/noEmptyInterface: its queries are added with the insights pages
export interface InsightFigures {}
