import type { IngestQueue } from '../modules/collect/index.ts';
import type { VisitorHub } from '../channels/chat/visitor-hub.ts';
import type { MomentsCtx, StreamHub } from '../modules/moments/index.ts';
import type { ChannelCache } from '../modules/channels/index.ts';
import type { Authenticator, Principal, SettingsCache } from '../modules/workspaces/index.ts';
import type { Deps } from '../platform/deps.ts';
import type { Metrics } from '../platform/metrics.ts';

/** What the HTTP layer is handed by main.ts. */
export type HttpContext = {
  readonly deps: Deps;
  readonly auth: Authenticator;
  readonly settings: SettingsCache;
  readonly ingest: IngestQueue;
  readonly metrics: Metrics;
  /** The live moment stream: use cases publish to it after commit; sockets subscribe. */
  readonly stream: StreamHub;
  /** What moment use cases are handed (publishes to the stream; channels may refuse replies). */
  readonly moments: MomentsCtx;
  /** Web chat visitors' sockets on this process. */
  readonly visitors: VisitorHub;
  /** Channels webhooks name, remembered briefly; saving a channel forgets it in every process. */
  readonly channels: ChannelCache;
};

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}
