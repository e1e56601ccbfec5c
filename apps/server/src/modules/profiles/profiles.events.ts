/** Domain events the profiles module writes to the outbox, with their payloads. */
export const PROFILE_EVENTS = {
  /** { customerId, messageId? } a new profile was created from a touchpoint or import. */
  created: 'customer.created',
  /** { survivorId, absorbedId, cause, messageId? } two profiles became one. */
  merged: 'customer.merged',
  /** { survivorId, restoredId } a merge was undone. */
  unmerged: 'customer.unmerged',
  /** { customerId, from, to, reason? } the lifecycle stage changed. */
  stageChanged: 'customer.stage_changed',
} as const;
