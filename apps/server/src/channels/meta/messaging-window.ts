import type { Tx } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { lastInboundAt, type MomentRow } from '../../modules/moments/index.ts';
import type { ReplyDraft } from '../channel-adapter.ts';

/** WhatsApp's customer-service window: free-form replies only within 24 hours of the customer's last message. */
export const MESSAGING_WINDOW_MS = 24 * 3_600_000;

/**
 * Refuses a free-form WhatsApp reply when the customer last wrote on the moment more than 24
 * hours ago (or never did): WhatsApp would reject it (error 131047), so the agent learns now,
 * not after a failed delivery. An approved template may always be sent.
 */
export async function checkMessagingWindow(tx: Tx, moment: MomentRow, draft: ReplyDraft, now: number): Promise<void> {
  if (draft.meta.template !== undefined && draft.meta.template !== null) return;
  const at = await lastInboundAt(tx, moment);
  if (at !== null && now - at <= MESSAGING_WINDOW_MS) return;
  const since = at === null ? 'has not written on this moment' : `last wrote ${new Date(at).toISOString()}, more than 24 hours ago`;
  throw new AppError('outside_messaging_window', `the customer ${since}; WhatsApp only delivers an approved template now (send one with template {name, language})`, 'template');
}
