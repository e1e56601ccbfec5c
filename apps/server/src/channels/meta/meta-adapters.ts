import { systemClock, type Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import type { ProviderFetch } from '../../platform/guarded-fetch.ts';
import type { ChannelAdapter } from '../channel-adapter.ts';
import { checkMessagingWindow } from './messaging-window.ts';
import { sendMessenger } from './send-messenger.ts';
import { sendWhatsApp } from './send-whatsapp.ts';

/**
 * The adapters of the channels Meta carries: WhatsApp (Cloud API, with the 24-hour rule checked
 * before a reply is accepted), Messenger and Instagram (Send API). The clock decides whether the
 * customer is inside the 24-hour window; pass the server's clock so tests can move time. Calls
 * to the Graph API go through `http` (guardedFetch: never to a private address unless allowed).
 */
export function createMetaAdapters(http: ProviderFetch, clock: Clock = systemClock): { readonly whatsapp: ChannelAdapter; readonly messenger: ChannelAdapter; readonly instagram: ChannelAdapter } {
  const refuseTemplate: ChannelAdapter['checkReply'] = async (_tx, channel, _moment, draft) => {
    if (draft.meta.template !== undefined) throw new AppError('invalid_field', `templates are WhatsApp's; a ${channel.kind} reply is text`, 'template');
  };
  return {
    whatsapp: { kind: 'whatsapp', send: (channel, reply, sent) => sendWhatsApp(http, channel, reply, sent), checkReply: (tx, _channel, moment, draft) => checkMessagingWindow(tx, moment, draft, clock.now()) },
    messenger: { kind: 'messenger', send: (channel, reply, sent) => sendMessenger(http, 'messenger', channel, reply, clock.now(), sent), checkReply: refuseTemplate },
    instagram: { kind: 'instagram', send: (channel, reply, sent) => sendMessenger(http, 'instagram', channel, reply, clock.now(), sent), checkReply: refuseTemplate },
  };
}
