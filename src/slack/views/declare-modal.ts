import type { InputBlock, ModalView, PlainTextOption } from '@slack/types';
import { serviceLabel, type CatalogService } from '../../domain/catalog.ts';
import { DESCRIPTION_MAX, SERVICE_MAX, TITLE_MAX } from '../../domain/declaration.ts';
import { SEVERITIES, SEVERITY_INFO, type Severity } from '../../domain/severity.ts';
import { DECLARE_MODAL } from '../ids.ts';
import { clip } from './format.ts';

const { blocks: B, actions: A, flagValues } = DECLARE_MODAL;

/** What the modal carries from the slash command to its submission. */
export interface DeclareModalMetadata {
  responseUrl: string | null;
  channelId: string | null;
}

/** A catalog service as the search shows it (its name, title and criticality). */
type ServiceChoice = Parameters<typeof serviceLabel>[0] & Pick<CatalogService, 'clinicalCriticality'>;

/** Slack's limit on an option's text. */
const OPTION_TEXT_MAX = 75;
/** Slack shows at most 100 options from an options request. */
export const SERVICE_OPTIONS_MAX = 100;

/** One catalog service in the form's service search: `Title (name)` (patient-facing marked), its name as the value. */
export function serviceOption(s: ServiceChoice): PlainTextOption {
  const label = s.title ? `${serviceLabel(s)} (${s.name})` : s.name;
  const mark = s.clinicalCriticality === 'patient-facing' ? ':hospital: ' : '';
  return { text: { type: 'plain_text', text: clip(`${mark}${label}`, OPTION_TEXT_MAX), emoji: true }, value: s.name };
}

/** The answer to the service field's search (Slack's block_suggestion): at most 100 services. */
export function serviceOptions(services: readonly ServiceChoice[]): {
  options: PlainTextOption[];
} {
  return { options: services.slice(0, SERVICE_OPTIONS_MAX).map(serviceOption) };
}

/**
 * What the form shows already filled in: when it is redrawn after a service was chosen, what was
 * typed so far (and the patient-facing defaults).
 */
export interface DeclareModalInitial {
  title?: string;
  severity?: Severity;
  description?: string;
  /** The chosen catalog service (or, without a catalog, the text typed). */
  service?: ServiceChoice | string;
  flags?: string[];
  /** The breach awareness time, in Unix seconds. */
  breachAwareAt?: number;
}

/**
 * The form's options: `catalog`, the service field searches the service catalog (else free text,
 * with `catalogUnread` saying the catalog could not be read); `initial`, what it shows filled in;
 * `patientFacing`, the chosen service's label when it is patient-facing (the hint says why SEV2 and
 * Clinical impact were preset); `revision`, bumped on each redraw that presets severity and Clinical impact
 * (Slack keeps an input's value over `initial_*` unless its block id changes).
 */
export interface DeclareModalOptions {
  catalog?: boolean;
  catalogUnread?: boolean;
  initial?: DeclareModalInitial;
  patientFacing?: string | null;
  revision?: number;
}

/** The id of a block that changes with each preset (a base id, then `<base>.1`, …). */
export const revisedBlockId = (base: string, revision: number | undefined): string =>
  revision ? `${base}.${revision}` : base;

/** The revision in a block id made by revisedBlockId (0 for the base id). */
export function blockRevision(blockId: string): number {
  const m = /\.(\d{1,6})$/.exec(blockId);
  return m ? Number(m[1]) : 0;
}

/** The form's flags (checkboxes), each in its own block. */
const PRIVATE_OPTION: PlainTextOption = {
  text: { type: 'plain_text', text: 'Private incident' },
  description: { type: 'plain_text', text: 'Private channel, not announced' },
  value: flagValues.private,
};
const CLINICAL_OPTION: PlainTextOption = {
  text: { type: 'plain_text', text: 'Clinical impact' },
  description: { type: 'plain_text', text: 'Patient care or clinical work is affected' },
  value: flagValues.clinical,
};
const BREACH_OPTION: PlainTextOption = {
  text: { type: 'plain_text', text: 'Personal data breach' },
  description: { type: 'plain_text', text: 'The regulator must be notified within 72 hours' },
  value: flagValues.breach,
};

const DRILL_OPTION: PlainTextOption = {
  text: { type: 'plain_text', text: 'This is an exercise (drill)' },
  description: {
    type: 'plain_text',
    text: 'The full flow, marked as an exercise everywhere; left out of metrics and on-call load',
  },
  value: flagValues.drill,
};

/** One optional checkbox in a block of its own, ticked when the initial flags hold its value. */
function flagBlock(
  blockId: string,
  actionId: string,
  label: string,
  option: PlainTextOption,
  flags: readonly string[] | undefined,
): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    optional: true,
    label: { type: 'plain_text', text: label },
    element: {
      type: 'checkboxes',
      action_id: actionId,
      options: [option],
      ...(flags?.includes(option.value!) ? { initial_options: [option] } : {}),
    },
  };
}

/**
 * The affected service: with a service catalog, a search of it (answered by the options listener;
 * choosing one redraws the form, presetting SEV2 and Clinical impact for a patient-facing service),
 * with the advice for patient-facing services; without one, free text.
 */
function serviceBlock(opts: DeclareModalOptions): InputBlock {
  const label = { type: 'plain_text', text: 'Affected service' } as const;
  const initial = opts.initial?.service;
  if (!opts.catalog)
    return {
      type: 'input',
      block_id: B.service,
      optional: true,
      label,
      ...(opts.catalogUnread
        ? { hint: { type: 'plain_text', text: 'The service catalog could not be read; services are taken as typed.' } }
        : {}),
      element: {
        type: 'plain_text_input',
        action_id: A.service,
        max_length: SERVICE_MAX,
        ...(typeof initial === 'string' && initial ? { initial_value: initial } : {}),
      },
    };
  return {
    type: 'input',
    block_id: B.service,
    optional: true,
    label,
    dispatch_action: true,
    hint: {
      type: 'plain_text',
      text: opts.patientFacing
        ? clip(
            `:hospital: ${opts.patientFacing} is patient-facing: severity set to at least SEV2 and Clinical impact ticked. Change them if patients and clinical work are not affected.`,
            2000,
          )
        : 'From the service catalog: its owning team is told and its on-call invited. Patient-facing services (:hospital:) should be SEV2 or higher, with Clinical impact ticked.',
      emoji: true,
    },
    element: {
      type: 'external_select',
      action_id: A.service,
      min_query_length: 0,
      placeholder: { type: 'plain_text', text: 'Search the service catalog' },
      ...(initial && typeof initial !== 'string' ? { initial_option: serviceOption(initial) } : {}),
    },
  };
}

/**
 * The "declare an incident" form opened by `/incident` (DeclareModalOptions: the catalog search,
 * and what it shows filled in when redrawn).
 */
export function declareModal(meta: DeclareModalMetadata, opts: DeclareModalOptions = {}): ModalView {
  const init = opts.initial ?? {};
  const option = (s: (typeof SEVERITIES)[number]): PlainTextOption => ({
    text: { type: 'plain_text', text: `${s}: ${SEVERITY_INFO[s].label}` },
    description: { type: 'plain_text', text: clip(SEVERITY_INFO[s].meaning, 75) },
    value: s,
  });
  return {
    type: 'modal',
    callback_id: DECLARE_MODAL.callbackId,
    title: { type: 'plain_text', text: 'Declare an incident' },
    submit: { type: 'plain_text', text: 'Declare' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify(meta),
    blocks: [
      {
        type: 'input',
        block_id: B.title,
        label: { type: 'plain_text', text: 'Title' },
        element: {
          type: 'plain_text_input',
          action_id: A.title,
          max_length: TITLE_MAX,
          placeholder: { type: 'plain_text', text: 'What is broken, in a few words' },
          ...(init.title ? { initial_value: init.title } : {}),
        },
      },
      {
        type: 'input',
        block_id: revisedBlockId(B.severity, opts.revision),
        label: { type: 'plain_text', text: 'Severity' },
        element: {
          type: 'static_select',
          action_id: A.severity,
          options: SEVERITIES.map(option),
          ...(init.severity ? { initial_option: option(init.severity) } : {}),
        },
      },
      {
        type: 'input',
        block_id: B.description,
        optional: true,
        label: { type: 'plain_text', text: 'Description' },
        element: {
          type: 'plain_text_input',
          action_id: A.description,
          multiline: true,
          max_length: DESCRIPTION_MAX,
          ...(init.description ? { initial_value: init.description } : {}),
        },
      },
      serviceBlock(opts),
      // Private incident and Personal data breach keep their block ids on a redraw, so Slack keeps
      // what the person ticked meanwhile; only Clinical impact, which a patient-facing service
      // presets, gets a new one (Slack shows initial_options only for a new block id).
      flagBlock(B.private, A.private, 'Privacy', PRIVATE_OPTION, init.flags),
      flagBlock(revisedBlockId(B.flags, opts.revision), A.flags, 'Clinical', CLINICAL_OPTION, init.flags),
      flagBlock(B.breach, A.breach, 'Data protection', BREACH_OPTION, init.flags),
      {
        type: 'input',
        block_id: B.breachAware,
        optional: true,
        label: { type: 'plain_text', text: 'Aware of the breach since' },
        hint: {
          type: 'plain_text',
          text: 'When you became aware of the personal data breach (the 72-hour clock starts then). Leave empty for now.',
        },
        element: {
          type: 'datetimepicker',
          action_id: A.breachAware,
          ...(init.breachAwareAt ? { initial_date_time: init.breachAwareAt } : {}),
        },
      },
      flagBlock(B.drill, A.drill, 'Exercise', DRILL_OPTION, init.flags),
    ],
  };
}
