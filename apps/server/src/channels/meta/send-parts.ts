import type { ChannelRecord } from '../../modules/channels/index.ts';
import type { ProviderFetch } from '../../platform/guarded-fetch.ts';
import { sendEachPart, type PartsSent } from '../send-each-part.ts';
import { callGraph } from './graph-client.ts';
import type { Fields } from './payload-fields.ts';

/** Posts a reply's parts to a Graph API path one after another (send-each-part.ts says how failures count). */
export function sendInParts(http: ProviderFetch, channel: ChannelRecord, path: string, bodies: readonly Readonly<Record<string, unknown>>[], idOf: (answer: Fields) => string | null, sent?: PartsSent): Promise<{ readonly providerMessageId: string | null }> {
  return sendEachPart(bodies, async (body) => idOf(await callGraph(http, channel, 'POST', path, body)), sent);
}
