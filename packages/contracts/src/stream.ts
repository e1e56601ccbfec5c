import { Type, type Static } from '@sinclair/typebox';

/**
 * The live moment stream: `GET /api/v1/stream` opened as a WebSocket. A browser cannot set
 * headers on a WebSocket, so the token may also travel as `?token=` or as the second
 * subprotocol. Frames are JSON text.
 * @example new WebSocket(`wss://host/api/v1/stream?after=${cursor}`, [STREAM_PROTOCOL, token])
 */
export const STREAM_PROTOCOL = 'touchpoint';

/** Close codes the stream uses besides the standard ones. */
export const StreamClose = {
  /** The server is shutting down: reconnect (to another server) and resume from your cursor. */
  goingAway: 1001,
  /** The socket fell too far behind (or was asked to replay during a flood): resume from your cursor. */
  tooSlow: 1013,
  /** The session expired, was signed out, or the key was revoked: sign in again. */
  unauthorized: 4401,
} as const;

export const StreamQuery = Type.Object({
  token: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'an API key or session token, for clients that cannot send Authorization' })),
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'resume cursor: the last activity seq the client has; replays what came after it' })),
});
export type StreamQuery = Static<typeof StreamQuery>;

/** Client → server. `resume` (re)starts the stream after a cursor, like `?after=`. */
export const ClientFrame = Type.Union([
  Type.Object({ type: Type.Literal('ping') }),
  Type.Object({ type: Type.Literal('resume'), after: Type.Integer({ minimum: 0 }) }),
]);
export type ClientFrame = Static<typeof ClientFrame>;

/**
 * Server → client.
 * - `ready`: replay is done, live activities follow; `seq` is the workspace's latest seq (a cursor).
 * - `activity`: one moment activity the caller may see, in seq order, never twice.
 * - `reset`: the replay would be too long (or the cursor is unknown): reload lists, then follow live.
 * - `signal`: something passing, never stored nor replayed, about a moment the caller may see:
 *   - `typing`: someone is typing on it (the web chat's visitor, or another agent); `typing:
 *     false` when they stop. A client shows it for a few seconds at most unless it is renewed:
 *     a lost "stopped" must not leave it on.
 *   - `customer`: its customer changed (merged with another profile or split from one, a new
 *     email or name, a new lifecycle stage): reload what you show of them. `customerId` is the
 *     moment's, as its `customerId` field names it.
 * - `pong`: answers `ping`. `error`: a frame the server could not understand.
 */
export const ReadyFrame = Type.Object({ type: Type.Literal('ready'), seq: Type.Integer() });
export const ActivityFrame = Type.Object({
  type: Type.Literal('activity'),
  seq: Type.Integer(),
  momentId: Type.String(),
  activity: Type.String({ description: 'moment.created, moment.assigned, moment.updated, message.added, handoff.*, sla.warning, sla.breached' }),
  payload: Type.Record(Type.String(), Type.Unknown(), { description: '{ moment: MomentView, message?: MessageView, … }' }),
  createdAt: Type.String({ format: 'date-time' }),
});
export const ResetFrame = Type.Object({ type: Type.Literal('reset') });
const TypingSignal = Type.Object({
  type: Type.Literal('signal'),
  signal: Type.Literal('typing'),
  momentId: Type.String(),
  from: Type.Object({
    kind: Type.Union([Type.Literal('customer'), Type.Literal('agent')]),
    id: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: "the agent's id (agents only)" })),
    name: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: "the agent's name (agents only)" })),
  }),
  typing: Type.Boolean(),
});
const CustomerSignal = Type.Object({ type: Type.Literal('signal'), signal: Type.Literal('customer'), momentId: Type.String(), customerId: Type.String() });
export const SignalFrame = Type.Union([TypingSignal, CustomerSignal]);
export const PongFrame = Type.Object({ type: Type.Literal('pong') });
export const ErrorFrame = Type.Object({ type: Type.Literal('error'), error: Type.Object({ code: Type.String(), message: Type.String() }) });
export const ServerFrame = Type.Union([ReadyFrame, ActivityFrame, ResetFrame, SignalFrame, PongFrame, ErrorFrame]);
export type ServerFrame = Static<typeof ServerFrame>;
export type ActivityFrame = Static<typeof ActivityFrame>;
export type SignalFrame = Static<typeof SignalFrame>;
