import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { AliasBody, BatchBody, GroupBody, IdentifyBody, PageBody, TrackBody, TrackingReply } from '@touchpoint/contracts';
import { decodeBody, parseSegmentMessage, tooLargeError } from '../modules/collect/index.ts';
import { BRIEF_TRAITS, type Touchpoint, type TouchpointType } from '../modules/profiles/index.ts';
import { announceCustomerChanged } from '../modules/moments/index.ts';
import type { Principal } from '../modules/workspaces/index.ts';
import { AppError } from '../platform/errors.ts';
import { isPlainObject, type JsonObject } from '../platform/json.ts';
import { jsonFitsIn } from '../platform/json-size.ts';
import type { HttpContext } from './context.ts';

const EVENT_LIMIT = 32 * 1024;
const BATCH_LIMIT = 500 * 1024;
/** The body schema each single call documents in OpenAPI. */
const SINGLE: Readonly<Record<TouchpointType, TSchema>> = {
  identify: IdentifyBody,
  track: TrackBody,
  page: PageBody,
  screen: PageBody,
  group: GroupBody,
  alias: AliasBody,
};

/** Write key from HTTP Basic (user name, empty password) or from the body's `writeKey`. */
function writeKeyOf(request: FastifyRequest, body: JsonObject): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const user = decoded.split(':')[0];
    if (user) return user;
  }
  return typeof body.writeKey === 'string' ? body.writeKey : null;
}

/**
 * The Segment-compatible tracking API: /v1/identify, track, page, screen, group, alias, batch.
 * A 200 means the touchpoints are committed. Nothing of a request is stored unless all of it
 * is valid, and each problem names its field (`batch[3].event`).
 */
export async function trackingRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  // Bodies are decoded here, not by Fastify: any content type, gzip or not (RudderStack).
  app.removeAllContentTypeParsers();
  // The body schemas are documentation only. Fastify's validator would coerce types in place
  // (event: 5 becomes "5", userId: ["a"] becomes "a") before parseSegmentMessage saw them.
  app.setValidatorCompiler(() => () => true);
  const isBatch = (request: FastifyRequest) => request.url.startsWith('/v1/batch') || request.url.startsWith('/v1/import');
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BATCH_LIMIT * 2 }, (request, body, done) => {
    try {
      done(null, decodeBody(body as Buffer, request.headers['content-encoding'], isBatch(request) ? BATCH_LIMIT : EVENT_LIMIT, isBatch(request) ? 'batch_too_large' : 'event_too_large'));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  // Fastify refuses a raw body past the parser's limit before decodeBody sees it: still a
  // tracking call too large, answered as README documents, not as the generic body_too_large.
  // Any other error goes on to the app's handler.
  app.setErrorHandler((error: FastifyError, request) => {
    if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
    throw isBatch(request) ? tooLargeError(BATCH_LIMIT, 'batch_too_large') : tooLargeError(EVENT_LIMIT, 'event_too_large');
  });

  async function authenticate(request: FastifyRequest, body: JsonObject): Promise<Principal> {
    const key = writeKeyOf(request, body);
    if (!key) throw new AppError('unauthorized', 'send the write key as the HTTP Basic user name or as writeKey in the body', 'writeKey');
    const principal = await ctx.auth.writeKey(key);
    if (!principal) throw new AppError('unauthorized', 'unknown or revoked write key', 'writeKey');
    return principal;
  }

  async function store(principal: Principal, touchpoints: readonly Touchpoint[]): Promise<{ success: true }> {
    const outcome = await ctx.ingest.submit(principal.workspaceId, touchpoints);
    ctx.metrics.touchpoints.inc(outcome.stored);
    if (outcome.duplicates > 0) ctx.metrics.duplicates.inc(outcome.duplicates);
    // Someone identified with what the inbox shows of them (a name, an email, a phone) may be in a
    // conversation right now: its agents see them as they are. Best effort, after the answer's
    // commit: a lost signal leaves a stale name until the list reloads.
    const identified = touchpoints.flatMap((tp, i) => (tp.type === 'identify' && BRIEF_TRAITS.some((t) => tp.traits[t] !== undefined) && outcome.customerIds[i] ? [outcome.customerIds[i]] : []));
    if (identified.length > 0) {
      void announceCustomerChanged(ctx.deps, ctx.stream, principal.workspaceId, identified);
    }
    return { success: true };
  }

  for (const [type, schema] of Object.entries(SINGLE) as [TouchpointType, TSchema][]) {
    app.post(
      `/v1/${type}`,
      { schema: { tags: ['tracking'], summary: `Segment ${type} call`, body: schema, response: { 200: TrackingReply } } },
      async (request) => {
        const body = isPlainObject(request.body) ? request.body : {};
        const principal = await authenticate(request, body);
        const parsed = parseSegmentMessage(request.body, type, ctx.deps.clock.now());
        if (!parsed.ok) throw new AppError(parsed.problem.code, `${parsed.problem.field} ${parsed.problem.message}`, parsed.problem.field);
        return store(principal, [parsed.touchpoint]);
      },
    );
  }

  app.post(
    '/v1/batch',
    { schema: { tags: ['tracking'], summary: 'Several calls in one request (at most 500 KB, 32 KB each)', body: BatchBody, response: { 200: TrackingReply } } },
    async (request) => {
      const body = isPlainObject(request.body) ? request.body : {};
      const principal = await authenticate(request, body);
      if (!Array.isArray(body.batch)) throw new AppError(body.batch === undefined ? 'missing_field' : 'invalid_field', 'batch must be an array of calls', 'batch');
      if (body.context !== undefined && !isPlainObject(body.context)) throw new AppError('invalid_field', 'context must be an object', 'context');
      const receivedAt = ctx.deps.clock.now();
      const defaults = { context: body.context as JsonObject | undefined, sentAt: body.sentAt };
      // Only a body over 32 KB can hold an item over 32 KB: skip measuring the common case.
      const measure = request.headers['content-length'] === undefined || Number(request.headers['content-length']) > EVENT_LIMIT || request.headers['content-encoding'] !== undefined;
      const touchpoints: Touchpoint[] = [];
      for (const [i, item] of body.batch.entries()) {
        if (measure && !jsonFitsIn(item, EVENT_LIMIT)) throw new AppError('event_too_large', `batch[${i}] is over 32 KB`, `batch[${i}]`);
        const parsed = parseSegmentMessage(item, null, receivedAt, `batch[${i}].`, defaults);
        if (!parsed.ok) throw new AppError(parsed.problem.code, `${parsed.problem.field} ${parsed.problem.message}`, parsed.problem.field);
        touchpoints.push(parsed.touchpoint);
      }
      if (touchpoints.length === 0) return { success: true };
      return store(principal, touchpoints);
    },
  );
}
