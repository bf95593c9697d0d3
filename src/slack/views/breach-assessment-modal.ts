// The breach assessment form (`/incident breach assess`), prefilled with the assessment so far.
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import {
  ASSESSMENT_TEXT_MAX,
  DATA_CATEGORIES,
  DATA_CATEGORY_LABELS,
  HARM_LIKELIHOODS,
  HARM_SEVERITIES,
  type BreachAssessment,
  type HarmLikelihood,
  type HarmSeverity,
} from '../../domain/breach-assessment.ts';
import { BREACH_ASSESSMENT_MODAL as B, breachInputId as input } from '../ids.ts';
import { clip } from './format.ts';

export const LIKELIHOOD_LABELS: Record<HarmLikelihood, string> = {
  remote: 'Remote: harm is unlikely',
  possible: 'Possible',
  likely: 'Likely',
};
export const SEVERITY_LABELS: Record<HarmSeverity, string> = {
  minimal: 'Minimal: inconvenience at most',
  significant: 'Significant: distress, financial loss',
  severe: 'Severe: to health, safety, or lasting',
};

/** What the form carries to its submission. */
export interface BreachAssessmentMetadata {
  channelId: string;
  incidentId: string;
}

const plain = (text: string) => ({ type: 'plain_text' as const, text: clip(text, 75) });
const option = (value: string, text: string): PlainTextOption => ({ text: plain(text), value });

export function breachAssessmentModal(args: {
  incidentRef: string;
  prefill: BreachAssessment | null;
  /** HIPAA is a configured regime: ask for the most people in one state. */
  askState: boolean;
  /** The person may decide (commander or DPO): otherwise the decision is shown, to be left as it is. */
  mayDecide: boolean;
  metadata: BreachAssessmentMetadata;
}): ModalView {
  const a = args.prefill;
  const categoryOptions = DATA_CATEGORIES.map((c) => option(c, DATA_CATEGORY_LABELS[c]));
  const decisionOptions = [
    option(B.decisions.undecided, 'Not decided yet'),
    option(B.decisions.reportable, 'Reportable: notify as the regimes require'),
    option(B.decisions.notReportable, 'Not reportable (give the reason)'),
  ];
  const decision =
    a?.reportable === true
      ? B.decisions.reportable
      : a?.reportable === false
        ? B.decisions.notReportable
        : B.decisions.undecided;
  const yesNo = [option('yes', 'Yes'), option('no', 'No')];
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: B.blocks.categories,
      label: plain('Personal data involved'),
      element: {
        type: 'checkboxes',
        action_id: input(B.blocks.categories),
        options: categoryOptions,
        ...(a?.categories.length
          ? { initial_options: categoryOptions.filter((o) => a.categories.includes(o.value as never)) }
          : {}),
      },
    },
    {
      type: 'input',
      block_id: B.blocks.people,
      optional: true,
      label: plain('People affected (leave empty if not known yet)'),
      element: {
        type: 'number_input',
        action_id: input(B.blocks.people),
        is_decimal_allowed: false,
        min_value: '0',
        ...(a?.peopleAffected !== null && a?.peopleAffected !== undefined
          ? { initial_value: String(a.peopleAffected) }
          : {}),
      },
    },
    {
      type: 'input',
      block_id: B.blocks.estimated,
      optional: true,
      label: plain('Known or estimated'),
      element: {
        type: 'checkboxes',
        action_id: input(B.blocks.estimated),
        options: [option(B.estimatedValue, 'The number is an estimate')],
        ...(a?.peopleEstimated ? { initial_options: [option(B.estimatedValue, 'The number is an estimate')] } : {}),
      },
    },
  ];
  if (args.askState)
    blocks.push({
      type: 'input',
      block_id: B.blocks.mostInOneState,
      optional: true,
      label: plain('HIPAA: most people affected in one state'),
      hint: plain('500 or more in one state: prominent media there are told too.'),
      element: {
        type: 'number_input',
        action_id: input(B.blocks.mostInOneState),
        is_decimal_allowed: false,
        min_value: '0',
        ...(a?.mostInOneState !== null && a?.mostInOneState !== undefined
          ? { initial_value: String(a.mostInOneState) }
          : {}),
      },
    });
  const likelihoodOptions = HARM_LIKELIHOODS.map((l) => option(l, LIKELIHOOD_LABELS[l]));
  const severityOptions = HARM_SEVERITIES.map((s) => option(s, SEVERITY_LABELS[s]));
  blocks.push(
    {
      type: 'input',
      block_id: B.blocks.likelihood,
      label: plain('Likelihood of harm to the people affected'),
      element: {
        type: 'static_select',
        action_id: input(B.blocks.likelihood),
        options: likelihoodOptions,
        ...(a ? { initial_option: likelihoodOptions.find((o) => o.value === a.likelihood)! } : {}),
      },
    },
    {
      type: 'input',
      block_id: B.blocks.severity,
      label: plain('Severity of that harm'),
      element: {
        type: 'static_select',
        action_id: input(B.blocks.severity),
        options: severityOptions,
        ...(a ? { initial_option: severityOptions.find((o) => o.value === a.severity)! } : {}),
      },
    },
    {
      type: 'input',
      block_id: B.blocks.contained,
      label: plain('Is the breach contained?'),
      element: {
        type: 'radio_buttons',
        action_id: input(B.blocks.contained),
        options: yesNo,
        ...(a ? { initial_option: yesNo[a.contained ? 0 : 1]! } : {}),
      },
    },
    {
      type: 'input',
      block_id: B.blocks.containment,
      optional: true,
      label: plain('Containment: what was done, what is left'),
      element: {
        type: 'plain_text_input',
        action_id: input(B.blocks.containment),
        multiline: true,
        max_length: ASSESSMENT_TEXT_MAX,
        ...(a?.containment ? { initial_value: a.containment } : {}),
      },
    },
    {
      type: 'input',
      block_id: B.blocks.decision,
      label: plain('Decision'),
      hint: plain(
        args.mayDecide
          ? 'Yours to make as the commander or data protection officer, with the reason.'
          : 'Only the commander or the data protection officer decides: leave it as it is.',
      ),
      element: {
        type: 'radio_buttons',
        action_id: input(B.blocks.decision),
        options: decisionOptions,
        initial_option: decisionOptions.find((o) => o.value === decision)!,
      },
    },
    {
      type: 'input',
      block_id: B.blocks.reason,
      optional: true,
      label: plain('Reason for the decision'),
      hint: plain('Required with a decision: the ICO expects a recorded reason for not reporting.'),
      element: {
        type: 'plain_text_input',
        action_id: input(B.blocks.reason),
        multiline: true,
        max_length: ASSESSMENT_TEXT_MAX,
        ...(a?.reason ? { initial_value: a.reason } : {}),
      },
    },
  );
  return {
    type: 'modal',
    callback_id: B.callbackId,
    title: plain(clip(`Breach: ${args.incidentRef}`, 24)),
    submit: plain('Record'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(args.metadata),
    blocks,
  };
}
