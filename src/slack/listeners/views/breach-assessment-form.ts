import type { App } from '@slack/bolt';
import { z } from 'zod';
import { breachAssessmentSchema } from '../../../domain/breach-assessment.ts';
import { assessBreach, decisionRefusal } from '../../../services/incident/assess-breach.ts';
import { afterAck, type ListenerContext } from '../../context.ts';
import { BREACH_ASSESSMENT_MODAL as M, breachInputId as input } from '../../ids.ts';
import { parseJsonOrNull } from '../../payloads.ts';

const B = M.blocks;
const submission = z.object({
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
});
const metadata = z.object({ incidentId: z.guid(), channelId: z.string().min(1) });
const checked = z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish() });
const chosen = z.object({ selected_option: z.object({ value: z.string() }).nullish() });
const typed = z.object({ value: z.string().nullish() });

/** Where each field's problem shows in the form. */
const BLOCK_OF: Record<string, string> = {
  categories: B.categories,
  peopleAffected: B.people,
  peopleEstimated: B.estimated,
  mostInOneState: B.mostInOneState,
  likelihood: B.likelihood,
  severity: B.severity,
  contained: B.contained,
  containment: B.containment,
  reportable: B.decision,
  reason: B.reason,
};

/** A number field: null when empty; NaN (refused by the schema as not a whole number) when not a number. */
function numberOf(v: string | null | undefined): number | null {
  const t = (v ?? '').trim();
  if (!t) return null;
  return /^-?\d+$/.test(t) ? Number(t) : Number.NaN;
}

/** The form's values as the assessment schema reads them (it says what is missing or wrong). */
export function assessmentFromModal(values: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const field = (block: string) => values[block]?.[input(block)];
  const options = (block: string) => checked.safeParse(field(block)).data?.selected_options?.map((o) => o.value) ?? [];
  const option = (block: string) => chosen.safeParse(field(block)).data?.selected_option?.value;
  const text = (block: string) => typed.safeParse(field(block)).data?.value ?? '';
  const decision = option(B.decision);
  const contained = option(B.contained);
  return {
    categories: options(B.categories),
    peopleAffected: numberOf(text(B.people)),
    peopleEstimated: options(B.estimated).includes(M.estimatedValue),
    mostInOneState: B.mostInOneState in values ? numberOf(text(B.mostInOneState)) : null,
    likelihood: option(B.likelihood),
    severity: option(B.severity),
    contained: contained === undefined ? undefined : contained === 'yes',
    containment: text(B.containment),
    reportable:
      decision === M.decisions.reportable
        ? true
        : decision === M.decisions.notReportable
          ? false
          : decision === M.decisions.undecided
            ? null
            : undefined,
    reason: text(B.reason),
  };
}

/**
 * The breach assessment form: problems show beside their fields (the schema's, and a decision
 * changed by someone who may not make it) and nothing is recorded; otherwise the form closes and
 * the assessment is recorded (assessBreach checks again).
 */
export function registerBreachAssessmentForm(app: App, ctx: ListenerContext): void {
  app.view(M.callbackId, async ({ ack, body }) => {
    const parsed = submission.safeParse(body);
    const meta = parsed.success ? metadata.safeParse(parseJsonOrNull(parsed.data.view.private_metadata)) : null;
    if (!parsed.success || !meta?.success) {
      await ack({
        response_action: 'errors',
        errors: { [B.categories]: 'Slack sent an incomplete form. Please try again.' },
      });
      return;
    }
    const userId = parsed.data.user.id;
    const raw = assessmentFromModal(parsed.data.view.state.values);
    const check = breachAssessmentSchema.safeParse(raw);
    const errors: Record<string, string> = {};
    if (!check.success) {
      for (const issue of check.error.issues) {
        const block = BLOCK_OF[String(issue.path[0] ?? '')] ?? B.categories;
        errors[block] ??=
          issue.code === 'invalid_type' || issue.code === 'invalid_value'
            ? block === B.people || block === B.mostInOneState
              ? 'Give a whole number, or leave it empty.'
              : 'Choose one.'
            : issue.message;
      }
    } else {
      // Someone who may not decide sees it here, beside the decision, not after the form closed.
      const refused = await decisionRefusal(ctx.deps, {
        incidentId: meta.data.incidentId,
        userId,
        assessment: check.data,
      });
      if (refused) errors[BLOCK_OF[refused.field]!] = refused.message;
    }
    if (Object.keys(errors).length) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    await afterAck(
      ctx,
      { responseUrl: null, userId },
      async () => {
        await assessBreach(ctx.deps, { channelId: meta.data.channelId, userId, assessment: raw });
        return null;
      },
      { view: M.callbackId, user: userId },
    );
  });
}
