import type { ChannelRecord } from '../../modules/channels/index.ts';
import type { MomentsCtx } from '../../modules/moments/index.ts';
import { AppError } from '../../platform/errors.ts';
import { receiveInbound } from '../receive-inbound.ts';
import { callerIdentity } from './caller-identity.ts';
import { param, type TwilioParams } from './twilio-form.ts';
import { voicemailTwiml } from './twiml.ts';

const GREETING = 'Thank you for calling. Please leave a message after the tone, and we will get back to you.';
// Twilio transcribes recordings of up to two minutes.
const MAX_RECORDING_SECONDS = 120;

/**
 * A call reached the channel's number: it opens (or continues) a voice moment whose provider
 * conversation id is the CallSid, so the recording, transcript and call record that follow land
 * on the same moment. Answers with TwiML that greets and records a voicemail; the callback URLs
 * carry the caller's number, which Twilio's recording and transcription reports leave out.
 * `settings.greeting` and `settings.maxRecordingSeconds` change the greeting and the length.
 */
export async function receiveCall(ctx: MomentsCtx, channel: ChannelRecord, params: TwilioParams, calledUrl: string): Promise<string> {
  const callSid = param(params, 'CallSid');
  if (!callSid) throw new AppError('missing_field', 'a call has a CallSid', 'CallSid');
  const from = param(params, 'From');
  const name = param(params, 'CallerName') || null;
  const call = { caller: from ?? null, to: param(params, 'To') ?? null, status: param(params, 'CallStatus') ?? null };
  await receiveInbound(ctx, channel, {
    identity: callerIdentity(from, { namespace: 'twilio_call', id: callSid }),
    name,
    conversationId: callSid,
    subject: `Call from ${name ?? from ?? 'a hidden number'}`,
    message: { body: `Incoming call from ${name ? `${name} (${from})` : (from ?? 'a hidden number')}`, externalId: callSid, address: from ?? null, meta: { callSid, call } },
  });
  const callback = (path: string) => {
    const url = new URL(path, calledUrl);
    url.search = from ? new URLSearchParams({ caller: from }).toString() : '';
    return url.toString();
  };
  const greeting = typeof channel.settings.greeting === 'string' && channel.settings.greeting.trim() ? channel.settings.greeting.trim() : GREETING;
  const maxLength = Number(channel.settings.maxRecordingSeconds);
  return voicemailTwiml({
    greeting,
    maxLengthSeconds: Number.isFinite(maxLength) && maxLength >= 1 && maxLength <= 3600 ? maxLength : MAX_RECORDING_SECONDS,
    actionUrl: callback('recording'),
    recordingUrl: callback('recording'),
    transcriptionUrl: callback('transcription'),
  });
}
