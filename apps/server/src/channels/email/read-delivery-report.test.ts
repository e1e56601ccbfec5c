import { describe, expect, it } from 'vitest';
import { parseEmail } from './parse-email.ts';
import { readDeliveryReport } from './read-delivery-report.ts';

const dsn = (status: string, original: string) =>
  Buffer.from(
    [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
      'To: support@acme.test',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <dsn-1@mx.example.net>',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"',
      '',
      '--B1',
      'Content-Type: text/plain',
      '',
      'I could not deliver your message.',
      '--B1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.net',
      '',
      'Final-Recipient: rfc822; gone@example.com',
      `Action: ${status}`,
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 <gone@example.com>: Recipient address',
      '    rejected: User unknown',
      '',
      '--B1',
      original,
      '',
      'From: Support <support@acme.test>',
      'To: gone@example.com',
      'Message-ID: <reply-1@acme.test>',
      'Subject: Re: Hello',
      '',
      'We are on it.',
      '--B1--',
      '',
    ].join('\r\n'),
  );

describe('readDeliveryReport (RFC 3464)', () => {
  it('names the returned message and why it failed, from message/rfc822 or text/rfc822-headers', async () => {
    for (const original of ['Content-Type: message/rfc822', 'Content-Type: text/rfc822-headers']) {
      const report = readDeliveryReport(await parseEmail(dsn('failed', original)));
      expect(report.messageIds[0]).toBe('<reply-1@acme.test>');
      expect(report.reason).toBe('bounced: gone@example.com 5.1.1 (550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown)');
    }
  });

  it('reports no failure for a delay notice', async () => {
    expect(readDeliveryReport(await parseEmail(dsn('delayed', 'Content-Type: message/rfc822'))).reason).toBeNull();
  });
});
