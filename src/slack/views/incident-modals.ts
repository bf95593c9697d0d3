import type { ModalView, PlainTextElement } from '@slack/types';
import { MESSAGE_MAX } from '../../domain/command.ts';
import { ROLES, ROLE_LABELS, incidentRef, type Incident } from '../../domain/incident.ts';
import { INCIDENT_MODALS as M } from '../ids.ts';
import { clip } from './format.ts';

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
