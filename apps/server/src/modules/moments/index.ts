export { type Activity, type Publish, type Audience, canReceive, latestActivitySeq } from './activity.ts';
export { type MomentsCtx } from './moment-tx.ts';
export { openMoment, PRIORITIES, type OpenMomentInput, type OpenResult, type Priority } from './open-moment.ts';
export { addMessage, type AddMessageInput } from './add-message.ts';
export { updateMoment, TRANSITIONS, STATUSES, type Status, type MomentPatch } from './update-moment.ts';
export { requestHandoff, acceptHandoff, declineHandoff } from './handoff.ts';
export { takeOver, escalate, assign } from './reassign.ts';
export { mergeMoments } from './merge-moments.ts';
export { setPresence, PRESENCES, type Presence } from './set-presence.ts';
export { sweepMoments } from './sweep-moments.ts';
export { rerouteFromReader, rerouteLeavers, offerWaitingWork } from './team-changes.ts';
export { getMoment, listMessages, getOwnership, getAttachment, type OwnershipEntry } from './moments.queries.ts';
export { toMomentView, type MomentView, type MomentRow } from './moment-view.ts';
export { type MessageView, ATTACHMENT_LIMITS, messageByExternalId } from './messages.ts';
export { scopeOfChannel, type ChannelScope } from './channel-scope.ts';
export { viewerOf, type Viewer } from './visibility.ts';
export { callerOf, momentsHiddenFrom, type Caller } from './caller.ts';
export { MOMENT_EVENTS } from './moments.events.ts';
export { timelineRecorder } from './customer-touchpoints.ts';
export { loadOutbound, recordDelivery, type OutboundReply, type DeliveryState } from './delivery.ts';
export { unsendMessage } from './unsend-message.ts';
export { reactionToUnsent } from './unquote-reactions.ts';
export { recordPartsSent, partsSentOf } from './record-parts-sent.ts';
export { type InboundMessage } from './customer-wrote.ts';
export { listMoments, countMoments, teamsOf, type MomentFilters, type MomentPage, type MomentCounts } from './list-moments.ts';
export { createStreamHub, type StreamHub, type HubSocket } from './stream-hub.ts';
export { announceCustomerChanged, customerChangeAnnouncer, CUSTOMER_CHANGE_TOPICS } from './customer-changed.ts';
export { momentJobs } from './sweep-jobs.ts';
export { lastInboundAt, repliesUpTo, momentsOfMessages, recentMomentsOf, customerOfMoment, inboundSenders } from './channel-lookups.ts';
export {
  visibleMoments,
  customerHistory,
  customerReplay,
  customerMessagesByIds,
  customerAttachment,
  repliesAmong,
  clientExternalId,
  clientIdOf,
  audienceOfMoment,
  SHOWN_TO_CUSTOMER,
  MESSAGE_ACTIVITIES,
  type CustomerView,
  type VisibleMoments,
} from './customer-view.ts';
export { indexInboxText, unindexedInboxTexts } from './inbox-text.ts';
