import type { ChannelRecord } from '../../modules/channels/index.ts';
import type { InboundMessage, MomentsCtx, OpenResult } from '../../modules/moments/index.ts';
import { AppError } from '../../platform/errors.ts';
import { receiveInbound } from '../receive-inbound.ts';
import { callerIdentity } from './caller-identity.ts';
import { param, type TwilioParams } from './twilio-form.ts';

/** Twilio's reports on a call after it was answered. */
export type CallEvent = 'recording' | 'transcription' | 'status';

// A call's status report is kept once the call is over; ringing and in-progress say nothing new.
const FINAL_CALL_STATUSES = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

/**
 * Adds what Twilio reports about a call to the call's moment (conversation id = CallSid): the
 * voicemail recording (url, duration), its transcript, and the call's end (duration). Each is a
 * message whose meta carries the call record ({ callSid, call: { caller, duration,
 * recordingUrl, transcript, … } }). The transcript is the customer's own words: its message
 * body is the transcript and meta.verbatim is true, so voice-of-customer analysis finds it.
 * Each report is stored once, by the provider's id (the recording's, the transcription's, the
 * call's final status). Returns null for reports that add nothing (a call still ringing).
 */
export async function recordCallEvent(ctx: MomentsCtx, channel: ChannelRecord, event: CallEvent, params: TwilioParams, callerFromUrl: string | undefined): Promise<OpenResult | null> {
  const callSid = param(params, 'CallSid');
  if (!callSid) throw new AppError('missing_field', `a call's ${event} report has a CallSid`, 'CallSid');
  const caller = param(params, 'From') ?? callerFromUrl;
  const message = messageFor(event, params, callSid, caller ?? null);
  if (!message) return null;
  return receiveInbound(ctx, channel, {
    identity: callerIdentity(caller, { namespace: 'twilio_call', id: callSid }),
    conversationId: callSid,
    message: { ...message, address: caller ?? null },
  });
}

function messageFor(event: CallEvent, params: TwilioParams, callSid: string, caller: string | null): InboundMessage | null {
  const recordingUrl = param(params, 'RecordingUrl') ?? null;
  const recordingSid = param(params, 'RecordingSid') ?? sidInUrl(recordingUrl);
  switch (event) {
    case 'recording': {
      const status = param(params, 'RecordingStatus');
      if (!recordingUrl || !recordingSid || (status && status !== 'completed')) return null;
      const duration = seconds(param(params, 'RecordingDuration'));
      return {
        body: `Voicemail recorded${duration === null ? '' : ` (${duration} s)`}: ${recordingUrl}`,
        externalId: recordingSid,
        meta: { callSid, call: { caller, duration, recordingUrl, recordingSid } },
      };
    }
    case 'transcription': {
      const sid = param(params, 'TranscriptionSid') ?? (recordingSid ? `${recordingSid}:transcription` : null);
      if (!sid) return null;
      const text = param(params, 'TranscriptionText')?.trim() ?? '';
      const completed = param(params, 'TranscriptionStatus') !== 'failed' && text !== '';
      const call = { caller, recordingUrl, recordingSid, transcriptionSid: sid, transcript: completed ? text : null };
      return completed
        ? { body: text, externalId: sid, meta: { callSid, verbatim: true, source: 'call_transcript', call } }
        : { body: 'The voicemail could not be transcribed; listen to the recording.', externalId: sid, meta: { callSid, call: { ...call, transcriptionStatus: 'failed' } } };
    }
    case 'status': {
      const status = param(params, 'CallStatus');
      if (!status || !FINAL_CALL_STATUSES.has(status)) return null;
      const duration = seconds(param(params, 'CallDuration'));
      return {
        body: status === 'completed' ? `Call ended${duration === null ? '' : ` after ${duration} s`}` : `Call ${status.replace('-', ' ')}`,
        externalId: `${callSid}:${status}`,
        meta: { callSid, call: { caller, to: param(params, 'To') ?? null, status, duration } },
      };
    }
  }
}

function seconds(text: string | undefined): number | null {
  const n = Number(text);
  return text !== undefined && text !== '' && Number.isFinite(n) && n >= 0 ? Math.round(n) : null;
}

/** A recording's sid is the last segment of its URL (…/Recordings/RE…), when the report leaves it out. */
function sidInUrl(url: string | null): string | null {
  const last = url?.split('?')[0]?.split('/').filter(Boolean).at(-1)?.replace(/\.\w+$/, '');
  return last && /^RE[0-9a-zA-Z]+$/.test(last) ? last : null;
}
