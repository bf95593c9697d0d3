import { strToU8, zipSync } from 'fflate';
import { EVIDENCE_DOWNLOADS_CHAIN } from '../../domain/audit-chain.ts';
import {
  buildEvidencePack,
  packFilename,
  sha256Hex,
  type EvidenceDownload,
  type EvidencePeriod,
  type ManifestEntry,
  type PackChainResult,
  type PackCheckpoint,
  type RegisterEntry,
} from '../../domain/evidence-pack.ts';
import { incidentsReadableByReader, type Reader } from '../access.ts';
import type { ServiceDeps } from '../deps.ts';
import { redactForExport } from '../outbound-text.ts';

/** At most this many signed checkpoints of the period go in a pack (the newest): each names every chain's head. */
export const MAX_PACK_CHECKPOINTS = 12;

export interface EvidencePackRequest {
  /** Who downloads it, as the access module knows a reader (which private incidents they may read). */
  reader: Reader;
  /** Their name, as the README names who generated the pack. */
  name: string;
  period: EvidencePeriod;
}

export interface EvidencePack {
  filename: string;
  zip: Uint8Array;
  sha256: string;
  files: ManifestEntry[];
  incidents: number;
  withheld: number;
  /** How many pieces of PHI/PII were redacted from the files. */
  redactions: number;
  /** The download as recorded in the audit trail. */
  download: EvidenceDownload;
  /** How long each step took (ms): read, verify, build, record. */
  timings: { read: number; verify: number; build: number; record: number };
}

/**
 * The evidence pack of a period (the web view's /web/evidence, for auditors): the incidents declared
 * in it, each review, role holders and recorded decisions, action item closure, and the audit
 * trail's verification (each chain, the evidence downloads' chain, and the signed checkpoints of
 * the period when a folder keeps them), as a ZIP of CSV, JSON and Markdown files with a manifest.
 * Everything in it is redacted like every export. A private incident the viewer is not a member of
 * is in the register as its reference only. The download is recorded in the audit trail (who,
 * when, what period, the ZIP's SHA-256 and its files) before the ZIP is handed back: no pack leaves
 * without its record.
 */
export async function exportEvidencePack(deps: ServiceDeps, req: EvidencePackRequest): Promise<EvidencePack> {
  const { period } = req;
  const generatedAt = deps.clock.now();
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = Math.round(now - t);
    t = now;
    return ms;
  };

  const incidents = await deps.evidence.incidentsDeclared(period.since, period.until);
  const readableIds = await incidentsReadableByReader(req.reader, incidents);
  const details = await deps.evidence.detailsOf([...readableIds]);
  const register: RegisterEntry[] = incidents.map((i) => {
    if (!readableIds.has(i.id)) return { withheld: true, number: i.number };
    const { channelId: _channel, ...incident } = i;
    return { withheld: false, incident };
  });
  const read = lap();

  // Every chain of the register (a withheld incident's too: only whether it is intact is shown),
  // and the downloads' own chain as it stands before this download is recorded.
  const audits = await deps.audit.readMany(incidents.map((i) => i.id));
  const results = incidents.map((i): [number, PackChainResult] => {
    const audit = audits.get(i.id)!;
    return [i.number, { entries: audit.entries.length, intact: audit.problems.length === 0, problems: audit.problems }];
  });
  const downloadsAudit = await deps.audit.read(EVIDENCE_DOWNLOADS_CHAIN);
  const downloads: PackChainResult = {
    entries: downloadsAudit.entries.length,
    intact: downloadsAudit.problems.length === 0,
    problems: downloadsAudit.problems,
  };
  const checkpointFiles: PackCheckpoint[] = [];
  const notes: string[] = [];
  if (deps.checkpointArchive) {
    try {
      const found = await deps.checkpointArchive.checkpointsBetween(period.since, period.until, MAX_PACK_CHECKPOINTS);
      for (const f of found.files) {
        // A signed file is kept byte for byte (or it would no longer verify): one the PHI guard would
        // change is left out, and said so.
        if (redactForExport(f.text).findings.length) notes.push(`${f.name} left out: the PHI guard would change it`);
        else checkpointFiles.push(f);
      }
      if (found.more)
        notes.push(
          `${found.more} older checkpoint${found.more === 1 ? '' : 's'} of the period ${found.more === 1 ? 'is' : 'are'} in the folder, not in the pack (each checkpoint names every chain's head; the newest ${MAX_PACK_CHECKPOINTS} are here)`,
        );
    } catch (err) {
      deps.logger.warn({ err }, 'evidence pack: the checkpoint folder could not be read');
      notes.push('The checkpoint folder (AUDIT_CHECKPOINT_DIR) could not be read: no checkpoint is included.');
    }
  }
  const verify = lap();

  // Everything that came from people's text is redacted before it is written into any file
  // (identifiers and times are kept: STRUCTURAL_KEY).
  const { value: safe, findings } = redactForExport({
    generatedBy: { userId: req.reader.userId, name: req.name },
    register,
    reviews: details.reviews,
    approvals: details.approvals,
    actionItems: details.actionItems,
    results,
    downloads,
    notes,
  });
  const files = buildEvidencePack({
    period,
    generatedAt,
    generatedBy: safe.generatedBy,
    register: safe.register,
    reviews: safe.reviews,
    approvals: safe.approvals,
    actionItems: safe.actionItems,
    verification: { incidents: new Map(safe.results), downloads: safe.downloads },
    checkpoints: { configured: !!deps.checkpointArchive, files: checkpointFiles, notes: safe.notes },
  });
  const manifest: ManifestEntry[] = files.map((f) => ({
    path: f.path,
    sha256: sha256Hex(f.content),
    bytes: Buffer.byteLength(f.content, 'utf8'),
  }));
  const zip = zipSync(
    Object.fromEntries(files.map((f) => [f.path, [strToU8(f.content), { mtime: generatedAt }] as const])),
    { level: 6, mtime: generatedAt },
  );
  const sha256 = sha256Hex(zip);
  const build = lap();

  const withheld = register.filter((e) => e.withheld).length;
  // Record first: the pack is handed back only once its download is in the audit trail.
  const download = await deps.audit.recordEvidenceDownload({
    downloadedBy: req.reader.userId,
    downloadedAt: generatedAt,
    period,
    incidents: register.length,
    withheld,
    zipSha256: sha256,
    files: manifest,
  });
  const record = lap();
  deps.logger.info(
    {
      user: req.reader.userId,
      from: period.since,
      to: period.until,
      incidents: register.length,
      withheld,
      sha256,
      bytes: zip.byteLength,
      ms: { read, verify, build, record },
    },
    'evidence pack downloaded',
  );
  return {
    filename: packFilename(period),
    zip,
    sha256,
    files: manifest,
    incidents: register.length,
    withheld,
    redactions: findings.length,
    download,
    timings: { read, verify, build, record },
  };
}

/** The recent downloads, newest first, for the evidence page (who, when, what period). */
export async function recentEvidenceDownloads(deps: ServiceDeps, limit = 20): Promise<EvidenceDownload[]> {
  return deps.audit.evidenceDownloads(limit);
}
