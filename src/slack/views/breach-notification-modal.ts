import type { ModalView } from '@slack/types';
import type { BreachNotification } from '../../domain/breach-assessment.ts';
import { notificationName, WITHDRAW_REASON_MAX } from '../../domain/breach-notification.ts';
import { BREACH_WITHDRAW_MODAL as M } from '../ids.ts';
import { clip } from './format.ts';

/** What the withdraw form carries to its submission: the channel and the version shown. */
export interface WithdrawModalMetadata {
  channelId: string;
  id: string;
  drafted: number;
}

/** Withdraw's form: the reason, required (it is recorded). */
export function withdrawModal(channelId: string, n: BreachNotification): ModalView {
  const meta: WithdrawModalMetadata = { channelId, id: n.id, drafted: n.draftedAt.getTime() };
  return {
    type: 'modal',
    callback_id: M.callbackId,
    title: { type: 'plain_text', text: 'Withdraw notification' },
    submit: { type: 'plain_text', text: 'Withdraw' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify(meta),
    blocks: [
      {
        type: 'input',
        block_id: M.block,
        label: {
          type: 'plain_text',
          text: clip(`Why withdraw the notification to ${notificationName(n)} (version ${n.version})?`, 2000),
        },
        element: { type: 'plain_text_input', action_id: M.action, multiline: true, max_length: WITHDRAW_REASON_MAX },
      },
    ],
  };
}
