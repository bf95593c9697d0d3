import type { ModalView, PlainTextOption } from '@slack/types';
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

/** The "declare an incident" form opened by `/incident`. */
export function declareModal(meta: DeclareModalMetadata): ModalView {
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
      {
        type: 'input',
        block_id: B.service,
        optional: true,
        label: { type: 'plain_text', text: 'Affected service' },
        element: { type: 'plain_text_input', action_id: A.service, max_length: SERVICE_MAX },
      },
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
