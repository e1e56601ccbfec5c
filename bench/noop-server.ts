import Fastify from 'fastify';
import { TrackBody, TrackingReply } from '@touchpoint/contracts';
import { serveBaseline } from './baseline-child.ts';

/**
 * P1's baseline: a bare Fastify app with Touchpoint's /v1/track route shape (same body and
 * reply schemas, so the same JSON parsing and validation) that stores nothing. It runs in the
 * same kind of child process as the real server, so both get one core.
 */
const app = Fastify();
app.post('/v1/track', { schema: { body: TrackBody, response: { 200: TrackingReply } } }, async () => ({ success: true }));
await serveBaseline(app);
