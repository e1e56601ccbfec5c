import type { Adapters } from './channel-adapter.ts';
import { createChatAdapter } from './chat/chat-adapter.ts';
import { createEmailAdapter } from './email/email-adapter.ts';
import { createMetaAdapters } from './meta/meta-adapters.ts';
import { createApiAdapter } from './api/api-adapter.ts';
import { createSmsAdapter } from './twilio/sms-adapter.ts';
import { createVoiceAdapter } from './twilio/voice-adapter.ts';

/** The adapter of every channel kind that can send (each kind's folder exports its own). */
export function createAdapters(): Adapters {
  return {
    sms: createSmsAdapter(), voice: createVoiceAdapter(), api: createApiAdapter(),
    ...createMetaAdapters(),
    email: createEmailAdapter(),
    chat: createChatAdapter(createAdapters),
    // one line per kind, e.g. `email: createEmailAdapter(),`
  };
}
