import type { Deps } from '../platform/deps.ts';
import { providerFetch } from '../platform/guarded-fetch.ts';
import { NO_PRIVATE_HOSTS } from '../platform/private-hosts.ts';
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
  // Hosts a channel's settings name are checked when set, and again by each connection's own lookup.
  const privateHosts = deps.privateHosts ?? NO_PRIVATE_HOSTS;
  const http = providerFetch(deps.privateHosts);
  const adapters: Adapters = {
    email: createEmailAdapter(privateHosts),
    // WhatsApp's 24-hour window is measured on the server's clock.
    ...createMetaAdapters(http, deps.clock),
    sms: createSmsAdapter(http),
    voice: createVoiceAdapter(http),
    // A receiver that answers 410 Gone has gone for good: the channel is switched off.
    api: createApiAdapter({ onGone: disableGoneChannel(deps), http }),
    // Chat replies to a visitor who is away follow up by email.
    chat: createChatAdapter(visitors, () => adapters),
  };
  return adapters;
}
