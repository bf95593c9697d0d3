import type { InputBlock, ModalView, PlainTextOption } from '@slack/types';
import { serviceLabel, type CatalogService } from '../../domain/catalog.ts';
import { DESCRIPTION_MAX, SERVICE_MAX, TITLE_MAX } from '../../domain/declaration.ts';
import { SEVERITIES, SEVERITY_INFO } from '../../domain/severity.ts';
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
 * The affected service: with a service catalog, a search of it (answered by the options listener),
 * with the advice for patient-facing services; without one, free text.
 */
function serviceBlock(catalog: boolean): InputBlock {
  const label = { type: 'plain_text', text: 'Affected service' } as const;
  if (!catalog)
    return {
      type: 'input',
      block_id: B.service,
      optional: true,
      label,
      element: { type: 'plain_text_input', action_id: A.service, max_length: SERVICE_MAX },
    };
  return {
    type: 'input',
    block_id: B.service,
    optional: true,
    label,
    hint: {
      type: 'plain_text',
      text: 'From the service catalog: its owning team is told and its on-call invited. Patient-facing services (:hospital:) should be SEV2 or higher, with Clinical impact ticked.',
      emoji: true,
    },
    element: {
      type: 'external_select',
      action_id: A.service,
      min_query_length: 0,
      placeholder: { type: 'plain_text', text: 'Search the service catalog' },
    },
  };
}

/**
 * The "declare an incident" form opened by `/incident`. `catalog`: a service catalog is configured
 * (the service field searches it).
 */
export function declareModal(meta: DeclareModalMetadata, opts: { catalog?: boolean } = {}): ModalView {
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
        },
      },
      {
        type: 'input',
        block_id: B.severity,
        label: { type: 'plain_text', text: 'Severity' },
        element: { type: 'static_select', action_id: A.severity, options: SEVERITIES.map(option) },
      },
      {
        type: 'input',
        block_id: B.description,
        optional: true,
        label: { type: 'plain_text', text: 'Description' },
        element: { type: 'plain_text_input', action_id: A.description, multiline: true, max_length: DESCRIPTION_MAX },
      },
      serviceBlock(opts.catalog ?? false),
      {
        type: 'input',
        block_id: B.flags,
        optional: true,
        label: { type: 'plain_text', text: 'Flags' },
        element: {
          type: 'checkboxes',
          action_id: A.flags,
          options: [
            {
              text: { type: 'plain_text', text: 'Private incident' },
              description: { type: 'plain_text', text: 'Private channel, not announced' },
              value: flagValues.private,
            },
            {
              text: { type: 'plain_text', text: 'Clinical impact' },
              description: { type: 'plain_text', text: 'Patient care or clinical work is affected' },
              value: flagValues.clinical,
            },
            {
              text: { type: 'plain_text', text: 'Personal data breach' },
              description: { type: 'plain_text', text: 'The regulator must be notified within 72 hours' },
              value: flagValues.breach,
            },
          ],
        },
      },
      {
        type: 'input',
        block_id: B.breachAware,
        optional: true,
        label: { type: 'plain_text', text: 'Aware of the breach since' },
        hint: {
          type: 'plain_text',
          text: 'When you became aware of the personal data breach (the 72-hour clock starts then). Leave empty for now.',
        },
        element: { type: 'datetimepicker', action_id: A.breachAware },
      },
    ],
  };
}
