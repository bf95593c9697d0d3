import { buildEvidence, evidenceToJson, evidenceToMarkdown } from '../../domain/evidence.ts';
import { breachReviewSection } from '../../domain/breach-review.ts';
import { formatInZone } from '../../domain/time.ts';
import { incidentRef, type Incident } from '../../domain/incident.ts';
import type { ServiceDeps } from '../deps.ts';
import { incidentInChannel } from '../access.ts';
import { redactForExport } from '../outbound-text.ts';

export interface EvidenceExport {
  incidentNumber: number;
  entries: number;
  intact: boolean;
  /** How many pieces of PHI/PII were redacted from the files. */
  redactions: number;
}

/**
 * `/incident evidence` in an incident's channel: its record and audit trail (with the chain, and
 * the records against the trail, verified) as JSON and Markdown files, sent to the person who asked in their direct messages with
 * the bot. A private incident's pack goes only to members of its channel. The files leave the
 * channel, so PHI/PII in them is redacted (identifiers and times are kept).
 */
export async function exportEvidence(
  deps: ServiceDeps,
  input: { channelId: string; userId: string },
): Promise<EvidenceExport> {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  const [timeline, pagerDuty, review, actionItems, audit] = await Promise.all([
    deps.store.timeline(incident.id),
    deps.store.pagerDutyLinks(incident.id),
    deps.reviews.findReview(incident.id),
    deps.reviews.actionItemsOf(incident.id),
    // The entries and their verification (chain and records) from one snapshot: what is exported is what was checked.
    deps.audit.read(incident.id),
  ]);
  const evidence = buildEvidence({
    incident,
    timeline,
    pagerDuty,
    review: review
      ? { input: review.input as Record<string, unknown>, updatedBy: review.updatedBy, updatedAt: review.updatedAt }
      : null,
    actionItems,
    audit: audit.entries,
    auditProblems: audit.problems,
    generatedAt: deps.clock.now(),
    generatedBy: input.userId,
    breach: incident.dataBreach ? await breachSection(deps, incident) : null,
  });
  const { value: pack, findings } = redactForExport(evidence);
  const base = `inc-${incident.number}-evidence`;
  await deps.chat.sendFilesPrivately(input.userId, [
    {
      filename: `${base}.json`,
      title: `${incidentRef(incident)} evidence (JSON)`,
      content: evidenceToJson(pack),
      comment: '',
    },
    {
      filename: `${base}.md`,
      title: `${incidentRef(incident)} evidence (Markdown)`,
      content: evidenceToMarkdown(pack, deps.settings.defaultTimeZone),
      comment: `Evidence for ${incidentRef(incident)}: its record and audit trail (${pack.auditTrail.intact ? 'chain intact' : 'chain NOT intact'}).`,
    },
  ]);
  deps.logger.info(
    { incidentId: incident.id, user: input.userId, entries: audit.entries.length, intact: pack.auditTrail.intact },
    'evidence exported',
  );
  return {
    incidentNumber: incident.number,
    entries: audit.entries.length,
    intact: pack.auditTrail.intact,
    redactions: findings.length,
  };
}

/** The breach's assessment and obligations, as the review shows them. */
async function breachSection(deps: ServiceDeps, incident: Incident) {
  const zone = deps.settings.defaultTimeZone;
  const regimes = deps.settings.breachRegimes?.length ? deps.settings.breachRegimes : (['uk-gdpr'] as const);
  const [assessment, notices] = await Promise.all([
    deps.store.breachAssessment(incident.id),
    deps.store.breachNotices(incident.id),
  ]);
  return breachReviewSection(incident, regimes, assessment, notices, (d) => formatInZone(d, zone), zone);
}
