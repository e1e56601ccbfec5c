import type { ChannelRecord } from '../../modules/channels/index.ts';
import type { OutboundReply } from '../../modules/moments/index.ts';
import { standardWebhookHeaders } from '../../platform/standard-webhooks.ts';
import { DeliveryError, type ChannelAdapter } from '../channel-adapter.ts';
import { causeOf, timedOut } from '../provider-http.ts';
import { refusedAsPrivate, type ProviderFetch } from '../../platform/guarded-fetch.ts';

const SEND_TIMEOUT_MS = 15_000;

export type ApiAdapterOptions = {
  readonly timeoutMs?: number;
  /** The signing clock (tests); the system clock otherwise. */
  readonly now?: () => number;
  /** Called when the receiver answered 410 Gone: the channel should stop sending (disableGoneChannel). */
  readonly onGone?: (channel: ChannelRecord, reason: string) => Promise<void>;
  /** How the receiver is called: guardedFetch (a receiver on a private network only where the operator allowed it). */
  readonly http: ProviderFetch;
};

/** The JSON an API channel's receiver gets for each reply. */
export type MessageCreatedPayload = {
  readonly type: 'message.created';
  readonly timestamp: string;
  readonly data: {
    readonly momentId: string;
    readonly messageId: string;
    readonly to: string | null;
    readonly subject: string;
    readonly body: string;
    readonly authorName: string | null;
    readonly attachments: readonly { readonly fileName: string; readonly contentType: string; readonly data: string }[];
  };
};

/**
 * The generic API channel: each reply is POSTed to `settings.outboundUrl` as a Standard
 * Webhooks message (`message.created`) signed with `secrets.signingSecret`. The webhook-id is
 * our message id, the same on every retry (receivers de-duplicate on it); each attempt has a
 * new timestamp and signature. 2xx is delivered. A redirect is a failure (the URL needs
 * updating), as is any 4xx; 408 and 429 are retried like 5xx and timeouts; 410 Gone means the
 * receiver is gone for good: the reply fails and, given onGone (disableGoneChannel), the
 * channel is disabled.
 */
export function createApiAdapter(options: ApiAdapterOptions): ChannelAdapter {
  const timeoutMs = options.timeoutMs ?? SEND_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  return {
    kind: 'api',
    send: async (channel, reply) => {
      const url = channel.settings.outboundUrl;
      const secret = channel.secrets.signingSecret;
      if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) throw new DeliveryError('settings.outboundUrl is not an http(s) URL', false);
      if (!secret) throw new DeliveryError('secrets.signingSecret is not set', false);
      const body = JSON.stringify(payloadOf(reply, now()));
      let headers: Record<string, string>;
      try {
        headers = { 'content-type': 'application/json', ...standardWebhookHeaders(secret, reply.messageId, now(), body) };
      } catch (error) {
        throw new DeliveryError(error instanceof Error ? error.message : String(error), false);
      }
      let res: Response;
      try {
        res = await options.http(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        if (refusedAsPrivate(error)) throw new DeliveryError(`settings.outboundUrl: ${causeOf(error)}`, false);
        throw new DeliveryError(timedOut(error) ? `the receiver did not answer within ${timeoutMs / 1000} s` : `the receiver could not be reached: ${causeOf(error)}`, true);
      }
      const said = await snippetOf(res);
      if (res.status >= 200 && res.status < 300) return { providerMessageId: null };
      if (res.status >= 300 && res.status < 400) throw new DeliveryError(`the receiver answered ${res.status} (redirect to ${res.headers.get('location') ?? 'nowhere'}): redirects are not followed; update settings.outboundUrl`, false);
      if (res.status === 410) {
        const gone = `the receiver answered 410 Gone${said}`;
        if (!options.onGone) throw new DeliveryError(`${gone}: the endpoint is gone for good; update settings.outboundUrl`, false);
        // Failing to disable must not turn a final answer into a retry.
        const outcome = await options.onGone(channel, `${gone}: the channel was disabled`).then(
          () => ': the channel was disabled',
          (error: unknown) => `; the channel could not be disabled: ${error instanceof Error ? error.message : String(error)}`,
        );
        throw new DeliveryError(gone + outcome, false);
      }
      const retry = res.status >= 500 || res.status === 408 || res.status === 429;
      // 401, 403 and 404 say the channel's URL or secret is wrong; another 4xx, that the receiver refused this message.
      throw new DeliveryError(`the receiver answered ${res.status}${said}`, retry, retry || [401, 403, 404].includes(res.status) ? 'channel' : 'message');
    },
  };
}

function payloadOf(reply: OutboundReply, nowMs: number): MessageCreatedPayload {
  return {
    type: 'message.created',
    timestamp: new Date(nowMs).toISOString(),
    data: {
      momentId: reply.momentId,
      messageId: reply.messageId,
      to: reply.to,
      subject: reply.subject,
      body: reply.body,
      authorName: reply.authorName,
      attachments: reply.attachments.map((a) => ({ fileName: a.fileName, contentType: a.contentType, data: a.data.toString('base64') })),
    },
  };
}

/** The start of the receiver's answer, to show with the failure. */
async function snippetOf(res: Response): Promise<string> {
  try {
    const text = (await res.text()).replace(/\s+/g, ' ').trim().slice(0, 200);
    return text ? `: ${text}` : '';
  } catch {
    return '';
  }
}
