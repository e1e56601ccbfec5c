import { describe, expect, it } from 'vitest';
import { voicemailTwiml } from './twiml.ts';

describe('voicemail TwiML', () => {
  it('greets, records with an action (no loop), and asks for the recording and its transcript', () => {
    const xml = voicemailTwiml({ greeting: 'Hi & welcome <3', maxLengthSeconds: 120, actionUrl: 'https://x.test/r?caller=%2B1&a=b', recordingUrl: 'https://x.test/r', transcriptionUrl: 'https://x.test/t' });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hi &amp; welcome &lt;3</Say>' +
        '<Record action="https://x.test/r?caller=%2B1&amp;a=b" method="POST" maxLength="120" playBeep="true" recordingStatusCallback="https://x.test/r" recordingStatusCallbackMethod="POST" transcribe="true" transcribeCallback="https://x.test/t"/></Response>',
    );
  });
});
