import type { Deps } from '../platform/deps.ts';
import type { Adapters } from './channel-adapter.ts';
import { createApiAdapter } from './api/api-adapter.ts';
import { disableGoneChannel } from './api/disable-gone-channel.ts';
import { createChatAdapter } from './chat/chat-adapter.ts';
import type { VisitorHub } from './chat/visitor-hub.ts';
import { createEmailAdapter } from './email/email-adapter.ts';
import { createMetaAdapters } from './meta/meta-adapters.ts';
import { createSmsAdapter } from './twilio/sms-adapter.ts';
import { createVoiceAdapter } from './twilio/voice-adapter.ts';

/** The adapter of every channel kind that can send (each kind's folder exports its own). */
export function createAdapters(deps: Deps, visitors: () => VisitorHub | null): Adapters {
  const adapters: Adapters = {
    email: createEmailAdapter(),
    // WhatsApp's 24-hour window is measured on the server's clock.
    ...createMetaAdapters(deps.clock),
    sms: createSmsAdapter(),
    voice: createVoiceAdapter(),
    // A receiver that answers 410 Gone has gone for good: the channel is switched off.
    api: createApiAdapter({ onGone: disableGoneChannel(deps) }),
    // Chat replies to a visitor who is away follow up by email.
    chat: createChatAdapter(visitors, () => adapters),
  };
  return adapters;
}
