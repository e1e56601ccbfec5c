import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { Channel, ChannelIdParams, ChannelList, CreateChannelBody, UpdateChannelBody } from '@touchpoint/contracts';
import { createChannel, getChannel, listChannels, updateChannel, type ChannelView } from '../modules/channels/index.ts';
import type { JsonObject } from '../platform/json.ts';
import { publicBaseUrl, webhookPaths } from '../channels/webhook-urls.ts';
import { ADMINS, principalOf } from './api-auth.ts';
import type { HttpContext } from './context.ts';

/** Channels: where customers reach the company, with business unit, cost per contact, secrets (write-only) and health. */
export async function channelsRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { deps } = ctx;
  // Full URLs for the provider consoles: the channel's public URL (what Twilio signs), else the address the admin reached us at.
  const shown = (request: FastifyRequest, channel: ChannelView) => {
    const base = publicBaseUrl(channel) ?? `${request.protocol}://${request.host}`;
    return { ...channel, webhooks: Object.fromEntries(Object.entries(webhookPaths(channel.kind, channel.id)).map(([name, path]) => [name, base + path])) };
  };

  app.get('/channels', { schema: { tags: ['channels'], summary: 'Channels with health and the webhook URLs to give each provider', response: { 200: ChannelList } } }, async (request) => {
    const p = principalOf(request);
    return { data: (await listChannels(deps, p.workspaceId)).map((c) => shown(request, c)) };
  });
  app.get<{ Params: Static<typeof ChannelIdParams> }>('/channels/:id', { schema: { tags: ['channels'], params: ChannelIdParams, response: { 200: Channel } } }, async (request) =>
    shown(request, await getChannel(deps, principalOf(request).workspaceId, request.params.id)),
  );
  app.post<{ Body: Static<typeof CreateChannelBody> }>(
    '/channels',
    { schema: { tags: ['channels'], summary: 'Connect a channel (admins)', body: CreateChannelBody, response: { 201: Channel } } },
    async (request, reply) => {
      const p = principalOf(request, ADMINS);
      const b = request.body;
      reply.status(201);
      return shown(request, await createChannel(deps, { ...b, settings: b.settings as JsonObject | undefined, workspaceId: p.workspaceId, actor: p.actor }));
    },
  );
  app.patch<{ Params: Static<typeof ChannelIdParams>; Body: Static<typeof UpdateChannelBody> }>(
    '/channels/:id',
    { schema: { tags: ['channels'], summary: 'Change a channel; secrets given replace those of the same name', params: ChannelIdParams, body: UpdateChannelBody, response: { 200: Channel } } },
    async (request) => {
      const p = principalOf(request, ADMINS);
      const b = request.body;
      const channel = await updateChannel(deps, { ...b, settings: b.settings as JsonObject | undefined, workspaceId: p.workspaceId, channelId: request.params.id, actor: p.actor });
      // The next webhook is checked with what was just saved (a rotated secret, a disabled channel).
      await ctx.channels.forget(channel.id);
      return shown(request, channel);
    },
  );
}
