import { AjvCompiler } from '@fastify/ajv-compiler';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import { ErrorBody, STREAM_PROTOCOL } from '@touchpoint/contracts';
import { MAX_WEBSOCKET_FRAME } from './widget.routes.ts';
import type { Logger } from '../platform/logger.ts';
import type { TrustProxy } from '../platform/config.ts';
import { requireBearer } from './api-auth.ts';
import { tuplesAsPrefixItems } from './openapi-tuples.ts';
import { refuseUnusableInput, refuseUnusableParams } from './refuse-unusable-input.ts';
import { sendRepliesAsBuilt } from './sent-as-built.ts';
import { compressReplies } from './compress-replies.ts';
import type { HttpContext } from './context.ts';
import { channelsRoutes } from './channels.routes.ts';
import { chatAgentRoutes } from './chat-agent.routes.ts';
import { apiWebhooksRoutes } from './api-webhooks.routes.ts';
import { customersRoutes } from './customers.routes.ts';
import { metaWebhooksRoutes } from './meta-webhooks.routes.ts';
import { twilioWebhooksRoutes } from './twilio-webhooks.routes.ts';
import { widgetRoutes } from './widget.routes.ts';
import { webAppRoutes } from './web-app.routes.ts';
import { momentListRoutes } from './moment-list.routes.ts';
import { momentSettingsRoutes } from './moment-settings.routes.ts';
import { momentsRoutes } from './moments.routes.ts';
import { slaRoutes } from './sla.routes.ts';
import { streamRoutes } from './stream.routes.ts';
import { documentErrors } from './document-errors.ts';
import { clientErrors, frameworkErrors, installErrorHandler } from './error-handler.ts';
import { sessionsRoutes } from './sessions.routes.ts';
import { systemRoutes } from './system.routes.ts';
import { trackingRoutes } from './tracking.routes.ts';
import { workspacesRoutes } from './workspaces.routes.ts';

/**
 * Query strings and path parameters arrive as text, so their schemas coerce (`limit=50` is a
 * number); a JSON body says its own types, and one of the wrong type is refused, naming the
 * field, rather than turned into another value (`"capacity": "5"`, `"signingSecret": 123`).
 */
const validators = AjvCompiler();
const strictBodies: typeof validators = (externalSchemas, options) => {
  const coercing = validators(externalSchemas, options);
  const strict = validators(externalSchemas, { ...options, customOptions: { ...options?.customOptions, coerceTypes: false } } as typeof options);
  return (route: { httpPart?: string }) => (route.httpPart === 'body' ? strict : coercing)(route as never);
};

/**
 * The HTTP server: tracking API at /v1, REST API at /api/v1 (OpenAPI 3.1 at /api/docs),
 * health and metrics. Routes only parse, authorise, call a use case and shape the reply.
 */
export async function buildHttp(ctx: HttpContext, log: Logger, isDraining: () => boolean, options: { readonly trustProxy?: TrustProxy; readonly webBuild?: boolean } = {}): Promise<FastifyInstance> {
  const { trustProxy = false, webBuild = true } = options;
  const app = Fastify({
    // Behind a TLS proxy: the client's address (sign-in limits) and https (Secure cookies) come from its headers.
    trustProxy: typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : trustProxy,
    loggerInstance: log as FastifyBaseLogger,
    // Per-request log lines would cost more than an ingest request itself; metrics count them.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
    schemaController: { compilersFactory: { buildValidator: strictBodies } },
    forceCloseConnections: false,
    frameworkErrors,
    clientErrorHandler: clientErrors,
  });
  installErrorHandler(app);
  app.addSchema(ErrorBody);
  // One WebSocket server for the whole app (each registration would add an upgrade listener and
  // route every upgrade twice). Frames may be as large as a chat attachment; routes that expect
  // small ones check. Only the stream's `touchpoint` subprotocol is ever echoed: never a token.
  await app.register(websocket, {
    options: {
      maxPayload: MAX_WEBSOCKET_FRAME,
      handleProtocols: (offered: Set<string>) => (offered.has(STREAM_PROTOCOL) ? STREAM_PROTOCOL : false),
    },
    // A peer vanishing mid-frame is routine, not a server error worth a log line.
    errorHandler: (_error: Error, socket: { terminate: () => void }) => socket.terminate(),
  });
  await app.register(swagger, {
    // Shared schemas (the error reply) keep their own names under components.schemas.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transformObject: (document) => tuplesAsPrefixItems('openapiObject' in document ? document.openapiObject : document.swaggerObject),
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Touchpoint API', version: '0.1.0', description: 'Collect every touchpoint into one customer profile.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'an API key (tp_api_…) or a session token' },
          writeKey: { type: 'http', scheme: 'basic', description: 'tracking API: the write key as user name, empty password' },
        },
      },
    },
  });
  compressReplies(app);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    ctx.metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    ctx.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  refuseUnusableParams(app);
  await app.register(async (scope) => systemRoutes(scope, ctx, isDraining));
  await app.register(async (scope) => trackingRoutes(scope, ctx));
  await app.register(
    async (scope) => {
      documentErrors(scope);
      refuseUnusableInput(scope);
      sendRepliesAsBuilt(scope);
      await sessionsRoutes(scope, ctx);
    },
    { prefix: '/api/v1' },
  );
  await app.register(
    async (scope) => {
      requireBearer(scope, ctx);
      documentErrors(scope);
      refuseUnusableInput(scope);
      sendRepliesAsBuilt(scope);
      await customersRoutes(scope, ctx);
      await workspacesRoutes(scope, ctx);
      await momentsRoutes(scope, ctx);
      await momentListRoutes(scope, ctx);
      await momentSettingsRoutes(scope, ctx);
      await slaRoutes(scope, ctx);
      await channelsRoutes(scope, ctx);
      await chatAgentRoutes(scope, ctx);
    },
    { prefix: '/api/v1' },
  );
  // The stream authenticates its own way (browsers cannot set headers on a WebSocket).
  await app.register(async (scope) => streamRoutes(scope, ctx), { prefix: '/api/v1' });
  // Providers call these; each verifies the provider's signature on the raw body itself.
  await app.register(async (scope) => metaWebhooksRoutes(scope, ctx), { prefix: '/webhooks/meta' });
  await app.register(async (scope) => twilioWebhooksRoutes(scope, ctx), { prefix: '/webhooks/twilio' });
  await app.register(async (scope) => apiWebhooksRoutes(scope, ctx), { prefix: '/webhooks/api' });
  // The chat widget: its loader, its frame, and the visitors' socket.
  await app.register(async (scope) => widgetRoutes(scope, ctx));
  await app.register(async (scope) => webAppRoutes(scope, { build: webBuild }));
  app.get('/api/docs', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
