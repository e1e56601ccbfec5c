/** Outbox topics the moments module writes (listeners must be idempotent). */
export const MOMENT_EVENTS = {
  /** An agent's reply waits for its channel to deliver it. */
  replyQueued: 'moment.reply_queued',
  /** A deadline was missed and the policy asks to tell the team lead. */
  slaBreached: 'moment.sla_breached',
  /** A moment added lines to its customer's timeline (opened, message received or sent): see timelineRecorder. */
  touchpointsAdded: 'moment.touchpoints_added',
} as const;
