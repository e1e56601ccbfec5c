/**
 * Every error code the API can answer with, and when each is raised. The HTTP layer maps
 * each code to a status in one exhaustive switch (http/error-handler.ts), so adding a code
 * here without deciding its status fails to compile.
 */
export type ErrorCode =
  // request shape
  | 'invalid_json' //          body is not JSON (or not valid gzip)
  | 'invalid_field' //         a field has the wrong type or value; `field` names it
  | 'missing_field' //         a required field is absent; `field` names it
  | 'event_too_large' //       one tracking call over 32 KB
  | 'batch_too_large' //       a batch request over 500 KB (after decompression)
  | 'body_too_large' //        any other request body over its route's limit
  | 'unsupported_encoding' //  Content-Encoding other than gzip/deflate/identity
  // auth
  | 'unauthorized' //          missing or unknown key or session
  | 'forbidden' //             the key or role may not do this
  // lookups
  | 'not_found' //             route does not exist
  | 'customer_not_found' //    no such customer in this workspace
  | 'merge_not_found' //       no reversible merge for that customer
  | 'moment_not_found' //      no such moment, or not one the caller may see
  | 'resource_not_found' //    a rule, policy, business hours, team, agent or attachment id is unknown
  // profiles
  | 'merge_conflict' //        merging would break an identity limit (two user ids)
  | 'invalid_identity' //      identity value is blocklisted or malformed
  | 'conflict' //              a unique value already exists (e.g. agent email)
  // moments
  | 'not_owner' //             only the moment's owner may do this (reply, hand off); take over first
  | 'invalid_transition' //    the moment's status does not allow this change
  | 'over_capacity' //         the agent is at capacity on this channel (a take-over may exceed it)
  | 'no_handoff' //            there is no pending hand-off to accept or decline
  | 'handoff_waiting' //       a hand-off already waits for its receiver; withdraw it (decline) before handing off again
  | 'attachment_too_large' //  an attachment, or all of a message's, over the limit
  // channels
  | 'outside_messaging_window' // WhatsApp: the customer last wrote over 24 hours ago; only an approved template may be sent
  | 'no_reply_address' //      the customer has no address on the channel to reply to (a caller who withheld their number; a voice channel without smsReplies)
  // server
  | 'too_many_attempts' //     too many failed sign-ins from this email or address; wait
  | 'shutting_down' //         the server is draining and takes no new writes
  | 'query_timeout' //         a read ran over the server's time limit and was stopped (SQLite read threads)
  | 'internal'; //             a bug; logged with the request id

/**
 * An expected failure, carried as data up to the one HTTP error handler.
 * @example throw new AppError('customer_not_found', `no customer ${id}`)
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
