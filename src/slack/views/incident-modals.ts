import type { ModalView, PlainTextElement } from '@slack/types';
import { MESSAGE_MAX } from '../../domain/command.ts';
import { ROLES, ROLE_LABELS, incidentRef, type Incident } from '../../domain/incident.ts';
import { INCIDENT_MODALS as M } from '../ids.ts';
import { clip } from './format.ts';
import { labelOf, LIKELIHOODS, SEVERITIES } from '../../domain/clinical-risk.ts';
import { HAZARD_TITLE_MAX } from '../../domain/clinical-safety.ts';

/** What the forms carry to their submission. */
export interface IncidentModalMetadata {
  channelId: string;
}

const title = (text: string): PlainTextElement => ({ type: 'plain_text', text: clip(text, 24) });

function textModal(
  callbackId: string,
  heading: string,
  submit: string,
  block: string,
  action: string,
  label: string,
  i: Incident,
): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    title: title(heading),
    submit: { type: 'plain_text', text: submit },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ channelId: i.channelId }),
    blocks: [
      {
        type: 'input',
        block_id: block,
        label: { type: 'plain_text', text: clip(`${label} (${incidentRef(i)})`, 2000) },
        element: { type: 'plain_text_input', action_id: action, multiline: true, max_length: MESSAGE_MAX },
      },
    ],
  };
}

/** "Post update": goes to the channel and, unless private, the broadcast channel. */
export function updateModal(i: Incident): ModalView {
  return textModal(
    M.update.callbackId,
    'Post a status update',
    'Post',
    M.update.block,
    M.update.action,
    'What is the situation now?',
    i,
  );
}

export function noteModal(i: Incident): ModalView {
  return textModal(M.note.callbackId, 'Add a note', 'Add', M.note.block, M.note.action, 'Note for the timeline', i);
}

export function roleModal(i: Incident): ModalView {
  return {
    type: 'modal',
    callback_id: M.role.callbackId,
    title: title('Assign a role'),
    submit: { type: 'plain_text', text: 'Assign' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ channelId: i.channelId }),
    blocks: [
      {
        type: 'input',
        block_id: M.role.roleBlock,
        label: { type: 'plain_text', text: 'Role' },
        element: {
          type: 'static_select',
          action_id: M.role.roleAction,
          options: ROLES.map((r) => ({
            text: { type: 'plain_text', text: `${ROLE_LABELS[r]}${i.roles[r] ? ' (assigned)' : ''}` },
            value: r,
          })),
        },
      },
      {
        type: 'input',
        block_id: M.role.userBlock,
        label: { type: 'plain_text', text: 'Person' },
        element: { type: 'users_select', action_id: M.role.userAction },
      },
    ],
  };
}

/**
 * "Link hazard": a hazard-log entry (its id and title) with its risk before and, when assessed, after,
 * from the matrix's words (the same checks as `/incident hazard add`).
 */
export function hazardModal(i: Incident): ModalView {
  const H = M.hazard;
  const select = (
    block: string,
    label: string,
    words: readonly (typeof LIKELIHOODS)[number][] | readonly (typeof SEVERITIES)[number][],
    optional: boolean,
  ) => ({
    type: 'input' as const,
    block_id: block,
    optional,
    label: { type: 'plain_text' as const, text: label },
    element: {
      type: 'static_select' as const,
      action_id: `${block}_input`,
      options: words.map((w) => ({ text: { type: 'plain_text' as const, text: labelOf(w) }, value: w })),
    },
  });
  return {
    type: 'modal',
    callback_id: H.callbackId,
    title: title('Link a hazard'),
    submit: { type: 'plain_text', text: 'Link' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ channelId: i.channelId }),
    blocks: [
      {
        type: 'input',
        block_id: H.idBlock,
        label: { type: 'plain_text', text: `Hazard-log id (${incidentRef(i)})` },
        hint: { type: 'plain_text', text: 'Letters, digits and dashes, starting with a letter, e.g. HAZ-012.' },
        element: { type: 'plain_text_input', action_id: `${H.idBlock}_input`, max_length: 40 },
      },
      {
        type: 'input',
        block_id: H.titleBlock,
        label: { type: 'plain_text', text: 'Title in the hazard log' },
        element: { type: 'plain_text_input', action_id: `${H.titleBlock}_input`, max_length: HAZARD_TITLE_MAX },
      },
      select(H.beforeLikelihoodBlock, 'Likelihood before', LIKELIHOODS, false),
      select(H.beforeSeverityBlock, 'Severity before', SEVERITIES, false),
      select(H.afterLikelihoodBlock, 'Likelihood after (with controls)', LIKELIHOODS, true),
      select(H.afterSeverityBlock, 'Severity after (with controls)', SEVERITIES, true),
    ],
  };
}
