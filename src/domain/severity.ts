export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_INFO: Record<Severity, { label: string; meaning: string; emoji: string }> = {
  SEV1: { label: 'Critical', meaning: 'clinical work stopped or patient data at risk', emoji: ':red_circle:' },
  SEV2: { label: 'High', meaning: 'a major function degraded for many users', emoji: ':large_orange_circle:' },
  SEV3: {
    label: 'Moderate',
    meaning: 'a minor function degraded, a workaround exists',
    emoji: ':large_yellow_circle:',
  },
  SEV4: { label: 'Low', meaning: 'little user impact, worth tracking', emoji: ':large_blue_circle:' },
};

/** Accepts `sev2`, `SEV2`, `sev-2` and `2`; anything else is null. */
export function parseSeverity(text: string): Severity | null {
  const m = /^(?:sev-?)?([1-4])$/i.exec(text.trim());
  return m ? (`SEV${m[1]}` as Severity) : null;
}

export function severityText(s: Severity): string {
  return `${s} (${SEVERITY_INFO[s].label})`;
}
