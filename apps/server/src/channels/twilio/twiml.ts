/** TwiML that does nothing: an SMS is received without an automatic answer; a status report is acknowledged. */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** Ends the call once the voicemail is recorded (the Record verb's action). */
export const HANGUP_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/**
 * Answers a call with a greeting, then records a voicemail and has Twilio transcribe it
 * (Twilio transcribes recordings of up to two minutes). The action URL is required: without
 * one Twilio would request the call's URL again and record again, in a loop.
 */
export function voicemailTwiml(input: { readonly greeting: string; readonly maxLengthSeconds: number; readonly actionUrl: string; readonly recordingUrl: string; readonly transcriptionUrl: string }): string {
  const record = [
    `action="${escapeXml(input.actionUrl)}"`,
    'method="POST"',
    `maxLength="${Math.round(input.maxLengthSeconds)}"`,
    'playBeep="true"',
    `recordingStatusCallback="${escapeXml(input.recordingUrl)}"`,
    'recordingStatusCallbackMethod="POST"',
    'transcribe="true"',
    `transcribeCallback="${escapeXml(input.transcriptionUrl)}"`,
  ].join(' ');
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Say>${escapeXml(input.greeting)}</Say><Record ${record}/></Response>`;
}
