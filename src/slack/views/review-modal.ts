// Block Kit for the post-incident review's form, and the reader of its submission.
import type { InputBlock, KnownBlock, ModalView, PlainTextElement } from '@slack/types';
import {
  ACTION_CATEGORIES,
  ACTION_CATEGORY_LABELS,
  ACTION_PRIORITIES,
  ACTION_TEXT_MAX,
  CONTRIBUTING_FACTOR_LABELS,
  CONTRIBUTING_FACTORS,
  DETECTION_LABELS,
  DETECTION_METHODS,
  REVIEW_TEXT_MAX,
  type ContributingFactor,
  type DetectionMethod,
  type ReviewInputDraft,
} from '../../domain/review.ts';
import { REVIEW_MODAL, reviewInputId } from '../ids.ts';
import { escapeMrkdwn, header, oneLine, plainText, section } from './format.ts';
import { PRIORITY_LABELS } from './review-parts.ts';

// ---------------------------------------------------------------------------------------------
// The form
// ---------------------------------------------------------------------------------------------

const B = REVIEW_MODAL.blocks;

interface Option {
  text: PlainTextElement;
  value: string;
}
const option = (text: string, value: string): Option => ({ text: plainText(text, 75), value });

const DETECTION_OPTIONS = DETECTION_METHODS.map((m) => option(DETECTION_LABELS[m], m));
const FACTOR_OPTIONS = CONTRIBUTING_FACTORS.map((f) => option(CONTRIBUTING_FACTOR_LABELS[f], f));
const CATEGORY_OPTIONS = ACTION_CATEGORIES.map((c) => option(ACTION_CATEGORY_LABELS[c], c));
const PRIORITY_OPTIONS = ACTION_PRIORITIES.map((p) => option(PRIORITY_LABELS[p], p));

function textInput(
  block: string,
  label: string,
  opts: { initial?: string | null; max: number; multiline: boolean; hint?: string; placeholder?: string },
): InputBlock {
  const initial =
    typeof opts.initial === 'string' && opts.initial.trim() !== '' ? opts.initial.slice(0, opts.max) : null;
  return {
    type: 'input',
    block_id: block,
    optional: true,
    label: plainText(label, 2000),
    ...(opts.hint ? { hint: plainText(opts.hint, 2000) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: reviewInputId(block),
      multiline: opts.multiline,
      max_length: opts.max,
      ...(initial !== null ? { initial_value: initial } : {}),
      ...(opts.placeholder ? { placeholder: plainText(opts.placeholder, 150) } : {}),
    },
  };
}

function selectInput(
  block: string,
  label: string,
  options: Option[],
  initial: string | null | undefined,
  placeholder: string,
): InputBlock {
  const chosen = options.find((o) => o.value === initial);
  return {
    type: 'input',
    block_id: block,
    optional: true,
    label: plainText(label, 2000),
    element: {
      type: 'static_select',
      action_id: reviewInputId(block),
      placeholder: plainText(placeholder, 150),
      options,
      ...(chosen ? { initial_option: chosen } : {}),
    },
  };
}

/** The form a person fills in. `prefill` is the stored input (may be null). private_metadata carries `metadata` as JSON. */
export function reviewModal(args: {
  incidentRef: string;
  title: string;
  prefill: ReviewInputDraft | null;
  /** `basedOn`: when the stored review the form shows was saved (null: none yet), to refuse overwriting a newer one. */
  metadata: { incidentId: string; channelId: string; basedOn?: string | null };
}): ModalView {
  const p = args.prefill ?? {};
  const factors = new Set<string>(
    (p.contributingFactors ?? []).map((f) => f?.factor).filter((f): f is ContributingFactor => typeof f === 'string'),
  );
  const initialFactors = FACTOR_OPTIONS.filter((o) => factors.has(o.value));
  const long = (block: string, label: string, initial: string | null | undefined, hint?: string) =>
    textInput(block, label, { initial, max: REVIEW_TEXT_MAX, multiline: true, ...(hint ? { hint } : {}) });

  const blocks: KnownBlock[] = [
    section(
      `*${escapeMrkdwn(args.incidentRef)}: ${oneLine(args.title, 500)}*\nEvery field is optional: fill in what you know now and come back later. The timeline, key times and durations come from the record.`,
    ),
    header('Impact'),
    long(
      B.usersAffected,
      'Users affected',
      p.impact?.usersAffected,
      'Who was affected and roughly how many, e.g. “~300 clinicians on wards 5–7”.',
    ),
    long(
      B.clinicalImpact,
      'Clinical / patient impact',
      p.impact?.clinicalImpact,
      'Write “None” if there was none. Needed together with the data impact.',
    ),
    long(
      B.dataImpact,
      'Data impact',
      p.impact?.dataImpact,
      'Write “None” if there was none. Needed together with the clinical impact.',
    ),
    header('Detection'),
    selectInput(B.detection, 'How was it detected?', DETECTION_OPTIONS, p.detection?.how, 'Choose how'),
    long(B.detectionNote, 'Detection note', p.detection?.note),
    header('Contributing factors'),
    {
      type: 'input',
      block_id: B.factors,
      optional: true,
      label: plainText('What contributed?', 2000),
      element: {
        type: 'checkboxes',
        action_id: reviewInputId(B.factors),
        options: FACTOR_OPTIONS,
        ...(initialFactors.length ? { initial_options: initialFactors } : {}),
      },
    },
    long(B.otherFactors, 'Other factors', p.otherFactors),
    header('Looking back'),
    long(B.wentWell, 'What went well', p.wentWell),
    long(B.wasHard, 'What was hard', p.wasHard),
    { type: 'divider' },
    section(
      '*Add an action item*\nOne per save (saved items stay as they are). Leave the description empty to add none.',
    ),
    textInput(B.actionText, 'What should be done?', {
      max: ACTION_TEXT_MAX,
      multiline: false,
      placeholder: 'e.g. Alert on the EHR login failure rate',
    }),
    {
      type: 'input',
      block_id: B.actionOwner,
      optional: true,
      label: plainText('Owner', 2000),
      element: {
        type: 'users_select',
        action_id: reviewInputId(B.actionOwner),
        placeholder: plainText('Choose a person', 150),
      },
    },
    {
      type: 'input',
      block_id: B.actionDue,
      optional: true,
      label: plainText('Due', 2000),
      element: {
        type: 'datepicker',
        action_id: reviewInputId(B.actionDue),
        placeholder: plainText('Choose a date', 150),
      },
    },
    selectInput(B.actionCategory, 'Category', CATEGORY_OPTIONS, 'guardrail', 'Choose a category'),
    selectInput(B.actionPriority, 'Priority', PRIORITY_OPTIONS, 'medium', 'Choose a priority'),
  ];

  return {
    type: 'modal',
    callback_id: REVIEW_MODAL.callbackId,
    title: plainText('Post-incident review', 24),
    submit: plainText('Save review', 24),
    close: plainText('Cancel', 24),
    private_metadata: JSON.stringify(args.metadata),
    blocks,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the form's submission
// ---------------------------------------------------------------------------------------------

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a view_submission's state.values into the review input (without action items) and, if
 * the action fields are filled, one new action item. Never throws: validation is the caller's
 * (zod reviewInputSchema); blank fields are left out (undefined).
 */
export function reviewFromModal(values: Record<string, Record<string, unknown>>): {
  input: ReviewInputDraft;
  action: { text: string; ownerId?: string; due?: string; category: string; priority: string } | null;
} {
  const state = isRecord(values) ? values : {};
  const field = (block: string): Record<string, unknown> => {
    const b = state[block];
    const v = isRecord(b) ? b[reviewInputId(block)] : undefined;
    return isRecord(v) ? v : {};
  };
  const nonBlank = (v: unknown): string | undefined =>
    typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  const text = (block: string) => nonBlank(field(block).value);
  const selected = (block: string) => {
    const o = field(block).selected_option;
    return isRecord(o) ? nonBlank(o.value) : undefined;
  };
  const selectedMany = (block: string): string[] => {
    const os = field(block).selected_options;
    if (!Array.isArray(os)) return [];
    return os.map((o) => (isRecord(o) ? nonBlank(o.value) : undefined)).filter((v): v is string => v !== undefined);
  };

  const input: ReviewInputDraft = {};
  const usersAffected = text(B.usersAffected);
  const clinicalImpact = text(B.clinicalImpact);
  const dataImpact = text(B.dataImpact);
  // Any impact field filled in makes the section present, so a missing part is reported, not dropped.
  if (clinicalImpact !== undefined || dataImpact !== undefined || usersAffected !== undefined) {
    input.impact = {
      ...(usersAffected !== undefined ? { usersAffected } : {}),
      clinicalImpact: clinicalImpact ?? '',
      dataImpact: dataImpact ?? '',
    };
  }
  const how = selected(B.detection);
  const note = text(B.detectionNote);
  // A note without a method is kept so the form asks for the method rather than losing the note.
  if (how !== undefined || note !== undefined) {
    input.detection = { ...(how !== undefined ? { how } : {}), ...(note !== undefined ? { note } : {}) } as {
      how: DetectionMethod;
      note?: string;
    };
  }
  const factors = [...new Set(selectedMany(B.factors))];
  if (factors.length) input.contributingFactors = factors.map((factor) => ({ factor: factor as ContributingFactor }));
  const otherFactors = text(B.otherFactors);
  if (otherFactors !== undefined) input.otherFactors = otherFactors;
  const wentWell = text(B.wentWell);
  if (wentWell !== undefined) input.wentWell = wentWell;
  const wasHard = text(B.wasHard);
  if (wasHard !== undefined) input.wasHard = wasHard;

  const actionText = text(B.actionText);
  const ownerId = nonBlank(field(B.actionOwner).selected_user);
  const due = nonBlank(field(B.actionDue).selected_date);
  let action: { text: string; ownerId?: string; due?: string; category: string; priority: string } | null = null;
  // An owner or due date without a description is an item half filled in: the form asks for the rest.
  if (actionText !== undefined || ownerId !== undefined || due !== undefined) {
    action = {
      text: actionText ?? '',
      ...(ownerId !== undefined ? { ownerId } : {}),
      ...(due !== undefined ? { due } : {}),
      category: selected(B.actionCategory) ?? '',
      priority: selected(B.actionPriority) ?? 'medium',
    };
  }
  return { input, action };
}
